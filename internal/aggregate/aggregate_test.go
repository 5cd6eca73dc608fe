package aggregate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Each aggregate on small inputs; cells are comma-separated, an empty cell is null,
// and results print as the CSV writer would (null as ∅). Rows are cut into chunks of
// two over two partials.
func TestAggregates(t *testing.T) {
	cases := []struct {
		name, groupBy, aggs, rows, want string
	}{
		{"count and nulls", "k", "n = count(); nx = count(x); ns = count(*)", `
			a,1
			b,
			a,
			,2`, "k,n,nx,ns\na,2,1,2\nb,1,0,1\n∅,1,1,1\n"},
		{"groups in order of their first row; unicode keys", "k", "n = count()", `
			日本,1
			Ünï,1
			e` + "\u0301" + `,1
			日本,1`, "k,n\n日本,2\nÜnï,1\ne\u0301,1\n"},
		{"sums: integers exact past 2^53, decimals as floats", "", "s = sum(x); t = sum(y)", `
			9007199254740993,0.1
			1,0.2
			-5,`, "s,t\n9007199254740989,0.30000000000000004\n"},
		{"sum of integers at the int64 edge", "", "s = sum(x)", `
			9223372036854775807,
			-9223372036854775807,
			5,`, "s\n5\n"},
		{"mixed integer and decimal text", "k", "s = sum(x); m = mean(x)", `
			a,1
			a,2.5
			b,4`, "k,s,m\na,3.5,1.75\nb,4,4\n"},
		{"means are exactly rounded", "", "m = mean(x)", `
			0.1
			0.2
			0.3`, "m\n0.2\n"},
		{"sum of zeros", "", "s = sum(x)", `
			-0
			0.0`, "s\n0\n"},
		{"min and max of text: numbers by value, then dates, then words", "", "lo = min(x); hi = max(x); h2 = max(y)", `
			10,2024-01-05
			9,2023-12-31
			apple,
			1e1,`, "lo,hi,h2\n9,apple,2024-01-05\n"},
		{"min and max per group: null without a value, decimals and words side by side", "k", "hi = max(x); lo = min(x)", `
			a,1.5
			a,
			b,
			b,
			c,abc
			c,-0.00
			d,12
			d,zz
			e,-3.25
			e,7`, "k,hi,lo\na,1.5,1.5\nb,∅,∅\nc,abc,-0.00\nd,zz,12\ne,7,-3.25\n"},
		{"min and max of computed dates", "", "lo = min(date(x)); hi = max(date(x))", `
			2024-01-05
			1999-12-31`, "lo,hi\n1999-12-31,2024-01-05\n"},
		{"first and last keep nulls, in input order", "k", "f = first(x); l = last(x)", `
			a,
			a,1
			b,2
			a,3
			b,`, "k,f,l\na,∅,3\nb,2,∅\n"},
		{"mode: a tie goes to the value seen first", "", "m = mode(x)", `
			b
			a
			a
			b
			c`, "m\nb\n"},
		{"count_distinct counts texts, not nulls", "", "d = count_distinct(x)", `
			1
			1.0
			1
			`, "d\n2\n"},
		{"string_agg joins in input order and leaves nulls out", "", "s = string_agg(x, ' / ')", `
			a
			
			b
			c`, "s\na / b / c\n"},
		{"median and quantiles interpolate", "", "m = median(x); q = quantile(x, 0.25); q1 = quantile(x, 1)", `
			4
			1
			3
			2`, "m,q,q1\n2.5,1.75,4\n"},
		{"variance and stddev are the sample's", "", "v = variance(x); s = stddev(x)", `
			2
			4
			4
			4
			5
			5
			7
			9`, "v,s\n4.571428571428571,2.138089935299395\n"},
		{"variance of one value is null", "", "v = variance(x)", `
			3`, "v\n∅\n"},
		{"variance without cancellation", "", "v = variance(x)", `
			1000000000.1
			1000000000.2
			1000000000.3`, "v\n0.00999999284744509\n"},
		{"any and all leave nulls out", "k", "an = any(x); al = all(x)", `
			a,true
			a,FALSE
			b,
			c,true`, "k,an,al\na,true,false\nb,∅,∅\nc,true,true\n"},
		{"computed keys and multi-column keys", "k, odd = int(x) % 2", "n = count()", `
			a,1
			a,2
			a,3
			,`, "k,odd,n\na,1,2\na,0,1\n∅,∅,1\n"},
		{"keys alone: the distinct keys", "k", "", `
			b,1
			a,1
			b,2`, "k\nb\na\n"},
		{"an aggregate over an expression", "", "s = sum(x * y)", `
			2,3
			4,`, "s\n6\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows := parseRows(c.rows)
			header := []string{"k", "x", "y"}
			if !strings.Contains(c.groupBy, "k") {
				header = []string{"x", "y"}
			}
			for i := range rows {
				rows[i] = append(rows[i], make([]string, len(header))...)[:len(header)]
			}
			var aggs []string
			if c.aggs != "" {
				aggs = []string{c.aggs}
			}
			st := mustCompile(t, c.groupBy, aggs, header)
			got, err := run(t, st, header, rows, 2, 2)
			if err != nil {
				t.Fatal(err)
			}
			if format(got) != c.want {
				t.Errorf("got\n%swant\n%s", format(got), c.want)
			}
		})
	}
}

// Without --group-by there is one row even when no row came in: count 0, the others
// null, as in SQL.
func TestSummaryOfNothing(t *testing.T) {
	header := []string{"x"}
	st := mustCompile(t, "", []string{"n = count(); c = count(x); d = count_distinct(x); s = sum(x); m = mean(x); lo = min(x); sa = string_agg(x, ',')"}, header)
	got, err := run(t, st, header, nil, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := "n,c,d,s,m,lo,sa\n0,0,0,∅,∅,∅,∅\n"; format(got) != want {
		t.Errorf("got\n%swant\n%s", format(got), want)
	}
	st = mustCompile(t, "x", []string{"n = count()"}, header)
	if got, _ := run(t, st, header, nil, 1, 2); format(got) != "x,n\n" {
		t.Errorf("grouped, no rows: %q", format(got))
	}
}

func TestTextThatIsNotANumber(t *testing.T) {
	header := []string{"x"}
	rows := parseRows("1\nabc\n2")
	st := mustCompile(t, "", []string{"s = sum(x)"}, header)
	_, err := run(t, st, header, rows, 10, 1)
	var re *expr.RowError
	if !errors.As(err, &re) || re.Line != 3 || re.Column != "x" || re.Value != "abc" {
		t.Fatalf("error %v, want a row error at line 3, column x, value abc", err)
	}
	if !strings.Contains(err.Error(), `in.csv: line 3, column "x": value "abc": not a number`) {
		t.Errorf("message %q", err)
	}
	// --on-error null or skip: the value is left out.
	st, err = Compile("", []string{"s = sum(x); n = count()"}, header, expr.Options{OnError: expr.OnErrorNull})
	if err != nil {
		t.Fatal(err)
	}
	got, err := run(t, st, header, rows, 10, 1)
	if err != nil || format(got) != "s,n\n3,3\n" {
		t.Errorf("--on-error null: %q, %v", format(got), err)
	}
	// ... and reported, for the --errors log.
	p := st.NewPartial().(*partial)
	if err := p.Consume(0, textChunk(header, rows)); err != nil {
		t.Fatal(err)
	}
	if errs := p.RowErrors(); len(errs) != 1 || errs[0].Line != 3 || errs[0].Expr != "--agg s" {
		t.Errorf("row errors %+v", errs)
	}
	st, _ = Compile("", []string{"q = sum(1 / float(x))"}, []string{"x"}, expr.Options{OnError: expr.OnErrorSkip})
	p = st.NewPartial().(*partial)
	if err := p.Consume(0, textChunk(header, parseRows("0\n2"))); err != nil {
		t.Fatal(err)
	}
	if errs := p.RowErrors(); len(errs) != 1 || errs[0].Column != "q" || errs[0].Expr != "--agg q" {
		t.Errorf("row errors %+v", errs)
	}
}

func TestExpressionErrorsNameTheAggregate(t *testing.T) {
	header := []string{"x"}
	st := mustCompile(t, "", []string{"big = sum(x * 1e308)"}, header)
	_, err := run(t, st, header, parseRows("1\n10"), 10, 1)
	var re *expr.RowError
	if !errors.As(err, &re) || re.Column != "big" || re.Expr != "--agg big" || re.Line != 3 {
		t.Fatalf("error %#v", err)
	}
}

// A sum of integers beyond int64 is an error naming the group, for int values and for
// text cells that are integers alike (issue 11): never a rounded float.
func TestIntegerOverflowNamesTheGroup(t *testing.T) {
	header := []string{"k", "x"}
	rows := parseRows("EU,9223372036854775807\nEU,1")
	for _, arg := range []string{"int(x)", "x"} {
		st := mustCompile(t, "k", []string{"s = sum(" + arg + ")"}, header)
		_, err := run(t, st, header, rows, 1, 2)
		if err == nil || !strings.Contains(err.Error(), `--agg s: the sum of the group k="EU" is beyond the integer range`) {
			t.Errorf("sum(%s): error %v", arg, err)
		}
	}
	// Past int64 and back is exact (128 bits): no error.
	st := mustCompile(t, "k", []string{"s = sum(x)"}, header)
	got, err := run(t, st, header, parseRows("EU,9223372036854775807\nEU,1\nEU,-5"), 1, 2)
	if err != nil || format(got) != "k,s\nEU,9223372036854775803\n" {
		t.Errorf("%q, %v", format(got), err)
	}
}

// Typed columns (an assignment of an earlier stage, an Excel sheet's numbers) are read
// by their type: sums are exact integers, and a text-typed min still orders numbers.
func TestTypedInput(t *testing.T) {
	ints := array.NewInt64Builder(memory.DefaultAllocator)
	ints.AppendValues([]int64{1 << 60, 1 << 60, 5}, nil)
	keys := array.NewStringBuilder(memory.DefaultAllocator)
	keys.AppendValues([]string{"a", "a", "b"}, nil)
	cols := []arrow.Array{keys.NewArray(), ints.NewArray()}
	schema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	c := &table.Chunk{Batch: array.NewRecordBatch(schema, cols, 3), Row0: 1}
	st := mustCompile(t, "k", []string{"s = sum(x); lo = min(x); f = first(x); d = count_distinct(x)"}, []string{"k", "x"})
	p := st.NewPartial()
	if err := p.Consume(0, c); err != nil {
		t.Fatal(err)
	}
	var got []string
	err := st.Finish(context.Background(), []transforms.Partial{p}, func(c *table.Chunk) error {
		for i := 0; i < c.NumRows(); i++ {
			var row []string
			for j := 0; j < int(c.Batch.NumCols()); j++ {
				app, _ := table.NewAppender(c.Batch.Column(j))
				row = append(row, string(app(nil, i)))
			}
			got = append(got, strings.Join(row, ","))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "a,2305843009213693952,1152921504606846976,1152921504606846976,1|b,5,5,5,1"; strings.Join(got, "|") != want {
		t.Errorf("got %s, want %s", strings.Join(got, "|"), want)
	}
}

func TestReads(t *testing.T) {
	st := mustCompile(t, "k, y = lower(z)", []string{"s = sum(x); n = count()"}, []string{"k", "x", "unread", "z"})
	if got := fmt.Sprint(st.Reads()); got != "[true true false true]" {
		t.Errorf("Reads %s", got)
	}
}

// sum and mean, variance and stddev, min and max of text, of one argument fold the
// rows once.
func TestSharedStates(t *testing.T) {
	st := mustCompile(t, "", []string{"s = sum(x); m = mean(x); v = variance(x); sd = stddev(x); m2 = mean(y); lo = min(x); hi = max(x)"}, []string{"x", "y"})
	if len(st.states) != 4 {
		t.Errorf("%d states, want 4 (sum/mean x, variance/stddev x, mean y, min/max x)", len(st.states))
	}
	got, err := run(t, st, []string{"x", "y"}, parseRows("1,2\n2,3\n6,"), 2, 2)
	if err != nil || format(got) != "s,m,v,sd,m2,lo,hi\n9,3,7,2.6457513110645907,2.5,1,6\n" {
		t.Errorf("%q, %v", format(got), err)
	}
}

func TestColumns(t *testing.T) {
	st := mustCompile(t, "K, y = lower(k)", []string{"s = sum(x); m = mean(x)", "n = count(); f = first(k)"}, []string{"k", "x"})
	var got []string
	for _, c := range st.Columns() {
		got = append(got, c.Name+":"+c.Type.String()+":"+string(rune('0'+c.From+1)))
	}
	if want := "k:text:1 y:string:0 s:float:0 m:float:0 n:int:0 f:text:1"; strings.Join(got, " ") != want {
		t.Errorf("columns %s, want %s", strings.Join(got, " "), want)
	}
}

// Mistakes are usage errors before any data, with a caret into the flag's text.
func TestCompileErrors(t *testing.T) {
	header := []string{"price", "qty", "region", "d"}
	cases := []struct{ groupBy, agg, want string }{
		{"", "total = summ(price)", "--agg: unknown aggregate summ (did you mean sum?)\n  total = summ(price)\n          ^"},
		{"", "total = sum(prce)", `--agg: unknown column "prce" (did you mean "price"?)`},
		{"", "a = count(); total = sum(price *)", "--agg: expected a value, found end of expression\n  a = count(); total = sum(price *)\n                                  ^"},
		{"", "total = sum(price) * 2", "--agg: sum(...) must be the whole aggregate; compute inside it, as in sum(a * b)\n  total = sum(price) * 2\n             ^"},
		{"", "total = price", "--agg: expected an aggregate such as sum(price) or count()\n  total = price\n          ^"},
		{"", "q = quantile(price)", "--agg: quantile takes a value and a literal q between 0 and 1: quantile(x, 0.9)"},
		{"", "q = quantile(price, 1.5)", "--agg: quantile takes a value and a literal q between 0 and 1"},
		{"", "s = string_agg(region, 1)", "--agg: string_agg takes a value and a literal separator"},
		{"", "s = sum(date(d))", "--agg: sum(x) needs numbers, got a date value\n  s = sum(date(d))\n          ^"},
		{"", "s = any(price * 2)", "--agg: any(x) needs true/false values, got a float value"},
		{"", "s = sum(upper(region))", "--agg: sum(x) needs numbers, got a string value"},
		{"", "s = count(price, qty)", "--agg: count takes no argument (rows) or one (its non-null values)"},
		{"", "s = sum(price); s = mean(price)", `--agg: the output column "s" is named twice`},
		{"region", "region = count()", `--agg: the output column "region" is named twice (also by --group-by)`},
		{"lower(region)", "n = count()", "--group-by: a computed key needs a name: NAME=lower(region)\n  lower(region)\n  ^"},
		{"regoin", "n = count()", `--group-by: unknown column "regoin" (did you mean "region"?)`},
		{"price, r = upper(region", "n = count()", "--group-by: \"(\" is not closed\n  price, r = upper(region\n                  ^"},
		{"r = upper(1)", "n = count()", "--group-by: upper needs text for argument 1"},
		{"", "n = count(); s = sum('a;b')", "--agg: sum(x) needs numbers, got a string value"},
		{"", "", "--agg: no aggregate given"},
	}
	for _, c := range cases {
		aggs := []string{c.agg}
		if c.agg == "" {
			aggs = nil
		}
		_, err := Compile(c.groupBy, aggs, header, expr.Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("--group-by %q --agg %q:\n%v\nwant\n%s", c.groupBy, c.agg, err, c.want)
		}
	}
}

// An Excel sheet's cells arrive typed in columns the stage reads as text: dates,
// floats and bools are read by their type where an aggregate needs a value, and as
// their text where it keeps one.
func TestTypedCellsInTextColumns(t *testing.T) {
	mem := memory.DefaultAllocator
	dates := array.NewDate32Builder(mem)
	dates.AppendValues([]arrow.Date32{19727, 10957, 19000}, nil) // 2024-01-05, 2000-01-01, 2022-01-08
	floats := array.NewFloat64Builder(mem)
	floats.AppendValues([]float64{2.5, 0.25, 10}, []bool{true, true, false})
	bools := array.NewBooleanBuilder(mem)
	bools.AppendValues([]bool{true, false, true}, nil)
	schema := arrow.NewSchema([]arrow.Field{{Name: "d", Type: arrow.FixedWidthTypes.Date32},
		{Name: "f", Type: arrow.PrimitiveTypes.Float64}, {Name: "b", Type: arrow.FixedWidthTypes.Boolean}}, nil)
	c := &table.Chunk{Batch: array.NewRecordBatch(schema, []arrow.Array{dates.NewArray(), floats.NewArray(), bools.NewArray()}, 3), Row0: 1}
	st := mustCompile(t, "", []string{"lo = min(d); hi = max(d); s = sum(f); m = max(f); an = any(b); al = all(b); l = last(f); sa = string_agg(d, ' ')"}, []string{"d", "f", "b"})
	p := st.NewPartial()
	if err := p.Consume(0, c); err != nil {
		t.Fatal(err)
	}
	var got string
	err := st.Finish(context.Background(), []transforms.Partial{p}, func(c *table.Chunk) error {
		var row []string
		for j := range int(c.Batch.NumCols()) {
			col := c.Batch.Column(j)
			if col.IsNull(0) {
				row = append(row, "∅")
				continue
			}
			app, _ := table.NewAppender(col)
			row = append(row, string(app(nil, 0)))
		}
		got = strings.Join(row, ",")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := "2000-01-01,2024-01-05,2.75,2.5,true,false,∅,2024-01-05 2000-01-01 2022-01-08"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// sum and mean count what they add as the group's rows less those they leave out
// (nulls, text that is no number), over any split; count() is the rows themselves.
func TestSumsCountTheValuesTheyAdd(t *testing.T) {
	header := []string{"k", "x"}
	rows := [][]string{
		{"a", "1"}, {"a", ""}, {"b", "oops"}, {"a", "2.5"}, {"b", ""},
		{"c", ""}, {"a", "x"}, {"b", "4"}, {"c", "nope"}, {"a", "-0.5"},
	}
	st, err := Compile("k", []string{"n = count(); c = count(x); s = sum(x); m = mean(x)"}, header, expr.Options{OnError: expr.OnErrorNull})
	if err != nil {
		t.Fatal(err)
	}
	want := "k,n,c,s,m\na,5,4,3,1\nb,3,2,4,4\nc,2,1,∅,∅\n"
	for _, parts := range []int{1, 2, 3} {
		for _, chunk := range []int{1, 3, 10} {
			for _, how := range []handing{lastFirst, inOrder} {
				got, err := runHanded(t, st, header, rows, chunk, parts, how)
				if err != nil {
					t.Fatal(err)
				}
				if format(got) != want {
					t.Errorf("%d partials, chunks of %d, handed %d:\n%s\nwant\n%s", parts, chunk, how, format(got), want)
				}
			}
		}
	}
}
