package expr

import (
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ptransform/ptransform/internal/table"
)

const benchRows = 64 << 10

// benchTextChunk has text columns as readers make them: a, b short numbers, s words,
// d dates, m amounts with six decimals as in the `make bench` data.
func benchTextChunk() *table.Chunk {
	rows := make([][]string, benchRows)
	words := []string{"alpha", "Beta", "gamma-42", "delta epsilon", "ZETA-7"}
	for i := range rows {
		rows[i] = []string{strconv.Itoa(i % 1000), strconv.FormatFloat(float64(i%777)/4, 'f', -1, 64), words[i%len(words)],
			"2024-" + strconv.Itoa(10+i%3) + "-" + strconv.Itoa(10+i%19),
			strconv.FormatFloat(float64(i*7919%1000000007)/1e6, 'f', 6, 64)}
	}
	return makeChunk([]string{"a", "b", "s", "d", "m"}, rows)
}

// benchFloatChunk has float64 columns, to time the kernels without the text parse.
func benchFloatChunk() *table.Chunk {
	cols := make([]arrow.Array, 2)
	for j := range cols {
		b := array.NewFloat64Builder(memory.DefaultAllocator)
		for i := 0; i < benchRows; i++ {
			b.Append(float64((i * (j + 3)) % 1000))
		}
		cols[j] = b.NewArray()
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.PrimitiveTypes.Float64}}, nil)
	return &table.Chunk{Batch: array.NewRecordBatch(schema, cols, benchRows), Row0: 1}
}

func runBench(b *testing.B, c *table.Chunk, exprs, wheres []string) {
	names := make([]string, c.Batch.NumCols())
	for j := range names {
		names[j] = c.Batch.Schema().Field(j).Name
	}
	p, err := Compile(exprs, wheres, names, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ev := p.NewEvaluator()
	if _, _, err := ev.Apply(c); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := ev.Apply(c); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// evalOnly times the kernels of one expression without building the output chunk.
func evalOnly(b *testing.B, c *table.Chunk, expr string) {
	names := make([]string, c.Batch.NumCols())
	for j := range names {
		names[j] = c.Batch.Schema().Field(j).Name
	}
	p, err := Compile(nil, []string{expr}, names, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ev := p.NewEvaluator()
	ev.chunk, ev.rows = c, c.NumRows()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		ev.cur++
		ev.eval(p.wheres[0].root)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// The DESIGN target: `a*2 + b > 100` over typed columns, kernels only.
func BenchmarkKernelsArithCompare(b *testing.B) { evalOnly(b, benchFloatChunk(), "a*2 + b > 100") }

// The same over text cells: includes parsing both columns.
func BenchmarkKernelsArithCompareText(b *testing.B) { evalOnly(b, benchTextChunk(), "a*2 + b > 100") }

// Parsing a text column as numbers, alone.
func BenchmarkParseNumber(b *testing.B) { evalOnly(b, benchTextChunk(), "b > 0") }

// Parsing integers of one to three digits (quantities, codes), as the filter job's
// `b > 500` does, alone.
func BenchmarkParseShortInteger(b *testing.B) { evalOnly(b, benchTextChunk(), "a > 500") }

// Parsing amounts such as 819.867505 (the fast path of the number parse), alone.
func BenchmarkParseAmount(b *testing.B) { evalOnly(b, benchTextChunk(), "m > 0") }

// Parsing a text column as dates, alone.
func BenchmarkParseDate(b *testing.B) {
	evalOnly(b, benchTextChunk(), `d > date("2024-11-01")`)
}

// Two text columns compared: both read as numbers per row (before: as strings).
func BenchmarkCompareTextCells(b *testing.B) { evalOnly(b, benchTextChunk(), "a > b") }

// A text column against a string literal that is not a number: decided as text.
func BenchmarkCompareTextWords(b *testing.B) { evalOnly(b, benchTextChunk(), `s == "gamma-42"`) }

func BenchmarkApplyDerive(b *testing.B) {
	runBench(b, benchTextChunk(), []string{"total = a * b"}, nil)
}

func BenchmarkApplyFilter(b *testing.B) {
	runBench(b, benchTextChunk(), nil, []string{"a * 2 + b > 100"})
}

func BenchmarkApplyFilterTyped(b *testing.B) {
	runBench(b, benchFloatChunk(), nil, []string{"a * 2 + b > 100"})
}

func BenchmarkApplyStringFunc(b *testing.B) {
	runBench(b, benchTextChunk(), []string{"s = upper(s)"}, nil)
}

// upper() of words that are not ASCII: the Unicode case mapping, not the ASCII loop.
func BenchmarkApplyStringFuncUnicode(b *testing.B) {
	words := []string{"émile zola", "naïve café", "Ünïcödé wörds", "Straße", "ΟΔΟΣ"}
	rows := make([][]string, benchRows)
	for i := range rows {
		rows[i] = []string{words[i%len(words)]}
	}
	runBench(b, makeChunk([]string{"s"}, rows), []string{"s = upper(s)"}, nil)
}

func BenchmarkApplyRegex(b *testing.B) {
	runBench(b, benchTextChunk(), nil, []string{`matches(s, "^[a-z]+-\\d+$")`})
}

func BenchmarkApplyRegexExtract(b *testing.B) {
	runBench(b, benchTextChunk(), []string{`n = regex_extract(s, "\\d+")`}, nil)
}

func BenchmarkApplyDate(b *testing.B) {
	runBench(b, benchTextChunk(), []string{`next = date_add(d, 1, "month")`}, nil)
}

// The filter+derive+select job's program: a filter that keeps about half the rows, a
// product of two text columns, and a selection folded in (Program.Project).
func BenchmarkApplyFilterDeriveSelect(b *testing.B) {
	c := benchTextChunk()
	p, err := Compile([]string{"total = m * a"}, []string{"a > 500"}, []string{"a", "b", "s", "d", "m"}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	ev := p.Project([]int{2, 3, 5}, []string{"s", "d", "total"}).NewEvaluator()
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ev.Apply(c); err != nil {
			b.Fatal(err)
		}
		ev.Recycle()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// takeStrings alone: the words of benchTextChunk's s, about half of the rows taken, as a
// filter's --select copies a kept text column.
func BenchmarkTakeStrings(b *testing.B) {
	col := benchTextChunk().Batch.Column(2).(*array.String)
	var sel []int32
	for i := range int32(benchRows) {
		if i*7919%1000 < 500 {
			sel = append(sel, i)
		}
	}
	var o outBufs
	b.ReportAllocs()
	for b.Loop() {
		o.begin()
		takeStrings(&o, col, sel, nil).Release()
		o.recycle()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(sel)), "ns/value")
}
