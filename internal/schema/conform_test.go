package schema

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/valuetype"
)

// textChunk is a chunk of one string column as readers make it (nil: an empty cell).
func textChunk(values ...*string) *table.Chunk {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	lines := make([]int64, len(values))
	for i, v := range values {
		lines[i] = int64(i + 2)
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(*v)
		}
	}
	col := b.NewArray()
	batch := array.NewRecordBatch(table.StringSchema([]string{"v"}), []arrow.Array{col}, int64(len(values)))
	return &table.Chunk{Source: table.Source{File: "in.csv"}, Batch: batch, Row0: 1, Lines: lines}
}

func str(s string) *string { return &s }

// text is the value a conformed column holds at row 0, as the CSV writer would show it.
func text(t *testing.T, col arrow.Array) string {
	switch a := col.(type) {
	case *array.Time64:
		return string(AppendClock(nil, int64(a.Value(0))))
	case *array.Duration:
		return string(AppendClock(nil, int64(a.Value(0))))
	}
	app, err := table.NewAppender(col)
	if err != nil {
		t.Fatal(err)
	}
	return string(app(nil, 0))
}

func TestConformValues(t *testing.T) {
	for _, tc := range []struct {
		typ  Type
		fits map[string]string // value → its text once conformed
		bad  []string
	}{
		{String, map[string]string{"abc": "abc", " 00123 ": " 00123 ", "1e5": "1e5"}, nil},
		{Int, map[string]string{"42": "42", "+3": "3", "-7": "-7", " 12 ": "12", "00123": "123",
			"9223372036854775807": "9223372036854775807"},
			[]string{"1.5", "1e5", "abc", "9223372036854775808", "+-1", "0x10", "true"}},
		{Float, map[string]string{"0.5": "0.5", ".5": "0.5", "1e3": "1000", "-2.5E-3": "-0.0025", "3": "3",
			"9007199254740992": "9007199254740992", "18014398509481988": "18014398509481988", "9007199254740993.0": "9007199254740992"},
			// Plain integers no float64 holds: never a rounded float (issue 9).
			[]string{"NaN", "Inf", "1e999", "1,5", "0x1p3", "abc", "9007199254740993", "-9007199254740993", "+18014398509481987"}},
		{Bool, map[string]string{"true": "true", "FALSE": "false"}, []string{"yes", "1", "t"}},
		{Date, map[string]string{"2024-03-01": "2024-03-01", "1969-12-31": "1969-12-31"},
			[]string{"2024-02-30", "2024-03-01T10:00", "03/01/2024"}},
		{Datetime, map[string]string{"2024-03-01T13:45": "2024-03-01T13:45:00", "2024-03-01 13:45:00.25": "2024-03-01T13:45:00.25",
			"2024-03-01T13:45:00+02:00": "2024-03-01T11:45:00", "2024-03-01": "2024-03-01T00:00:00"},
			[]string{"2024-03-01T25:00", "13:45", "tomorrow"}},
		{Time, map[string]string{"13:45:00": "13:45:00", "0:00:00.5": "0:00:00.5", "23:59:59": "23:59:59"},
			[]string{"24:00:00", "-1:00:00", "13:45", "13:60:00"}},
		{Duration, map[string]string{"123:00:00.5": "123:00:00.5", "-6:00:00": "-6:00:00", "1:02:03": "1:02:03"},
			[]string{"1:2:3", "12:00", "P1D"}},
	} {
		s := Schema{{Name: "v", Type: tc.typ}}
		for v, want := range tc.fits {
			out, errs, err := s.Conform(textChunk(str(v)), expr.OnErrorFail)
			if err != nil || len(errs) > 0 {
				t.Errorf("%s %q: %v %v", tc.typ, v, err, errs)
				continue
			}
			col := out.Batch.Column(0)
			if !arrow.TypeEqual(col.DataType(), tc.typ.ArrowType()) {
				t.Errorf("%s %q: column of %s", tc.typ, v, col.DataType())
			}
			if got := text(t, col); got != want {
				t.Errorf("%s %q: %q, want %q", tc.typ, v, got, want)
			}
		}
		for _, v := range tc.bad {
			_, _, err := s.Conform(textChunk(str(v)), expr.OnErrorFail)
			var re *expr.RowError
			if err == nil || !asRowError(err, &re) || re.Expr != "--schema" || re.Column != "v" || re.Value != v {
				t.Errorf("%s %q: error %v, want a row error naming the column and value", tc.typ, v, err)
			}
		}
	}
}

func asRowError(err error, re **expr.RowError) bool {
	r, ok := err.(*expr.RowError)
	*re = r
	return ok
}

// Empty and blank cells are null in every type; a string column keeps what it holds.
func TestConformNulls(t *testing.T) {
	for typ := Int; typ <= Duration; typ++ {
		out, _, err := Schema{{Name: "v", Type: typ}}.Conform(textChunk(nil, str("  ")), expr.OnErrorFail)
		if err != nil || out.Batch.Column(0).NullN() != 2 {
			t.Errorf("%s: %v, nulls %d", typ, err, out.Batch.Column(0).NullN())
		}
	}
}

func TestConformOnError(t *testing.T) {
	s := Schema{{Name: "v", Type: Int}}
	in := textChunk(str("1"), str("x"), str("3"), str("y"))
	_, _, err := s.Conform(in, expr.OnErrorFail)
	if err == nil || !strings.Contains(err.Error(), `in.csv: line 3, column "v": value "x": not an int`) {
		t.Errorf("fail: %v", err)
	}
	out, errs, err := s.Conform(in, expr.OnErrorNull)
	if err != nil || len(errs) != 2 || out.NumRows() != 4 || out.Batch.Column(0).NullN() != 2 {
		t.Errorf("null: %v %v rows %d", err, errs, out.NumRows())
	}
	two := Schema{{Name: "v", Type: Int}, {Name: "w", Type: Int}}
	pair := &table.Chunk{Source: in.Source, Row0: 1, Lines: in.Lines, Batch: array.NewRecordBatch(table.StringSchema([]string{"v", "w"}),
		[]arrow.Array{in.Batch.Column(0), in.Batch.Column(0)}, in.Batch.NumRows())}
	if out, errs, err := two.Conform(pair, expr.OnErrorSkip); err != nil || len(errs) != 2 || out.NumRows() != 2 {
		t.Errorf("skip, two bad values a row: %v %v rows %d", err, errs, out.NumRows())
	}
	out, errs, err = s.Conform(in, expr.OnErrorSkip)
	if err != nil || len(errs) != 2 || out.NumRows() != 2 || out.Lines[0] != 2 || out.Lines[1] != 4 {
		t.Fatalf("skip: %v %v rows %d lines %v", err, errs, out.NumRows(), out.Lines)
	}
	if got := out.Batch.Column(0).(*array.Int64).Int64Values(); got[0] != 1 || got[1] != 3 {
		t.Errorf("skip kept %v", got)
	}
}

// Computed columns are converted through their text; a column already of its type is
// kept as it is.
func TestConformComputed(t *testing.T) {
	ib := array.NewInt64Builder(memory.DefaultAllocator)
	ib.AppendValues([]int64{7}, nil)
	col := ib.NewArray()
	c := &table.Chunk{Batch: array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}}, nil), []arrow.Array{col}, 1)}
	for typ, want := range map[Type]string{Int: "7", Float: "7", String: "7"} {
		out, _, err := Schema{{Name: "n", Type: typ}}.Conform(c, expr.OnErrorFail)
		if err != nil || text(t, out.Batch.Column(0)) != want {
			t.Errorf("%s: %v", typ, err)
		}
		if typ == Int && out.Batch.Column(0) != col {
			t.Errorf("an int column conformed to int was copied")
		}
	}
	if _, _, err := (Schema{{Name: "n", Type: Date}}).Conform(c, expr.OnErrorFail); err == nil {
		t.Error("an int became a date")
	}
}

func TestInfer(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   Type
	}{
		{[]string{"1", "22", "-3"}, Int},
		{[]string{"1", "2.5"}, Float},
		{[]string{"1e5", "2.5e3"}, Float},
		{[]string{"100", "1e5", "20"}, String}, // an id column
		{[]string{"100", "1e5", "2.5"}, Float},
		{[]string{"00123", "00124"}, String},
		{[]string{"1", "00123"}, String},
		{[]string{"+33 1 23", "+33 4 56"}, String},
		{[]string{"9007199254740993", "1"}, Int}, // beyond 2^53: exact in int64
		{[]string{"9223372036854775808", "1"}, String},
		{[]string{"1.5", "9007199254740993"}, String}, // no float holds it: never rounded
		{[]string{"1.5", "9007199254740992"}, Float},
		{[]string{"true", "FALSE"}, Bool},
		{[]string{"2024-03-01", "2024-03-02"}, Date},
		{[]string{"2024-03-01", "2024-03-02T10:00"}, Datetime},
		{[]string{"13:45:00", "0:00:01"}, Time},
		{[]string{"13:45:00", "36:00:00"}, Duration},
		{[]string{"-1:00:00"}, Duration},
		{[]string{"1", "true"}, String},
		{nil, String},
	} {
		if got := Infer(tc.values); got != tc.want {
			t.Errorf("Infer(%q) = %s, want %s", tc.values, got, tc.want)
		}
	}
}

func TestParseOverrides(t *testing.T) {
	got, err := ParseOverrides(" id : string ,when:DATETIME,a:b:int")
	if err != nil || len(got) != 3 || got[0] != (Override{"id", String}) || got[1] != (Override{"when", Datetime}) || got[2] != (Override{"a:b", Int}) {
		t.Errorf("%v %v", got, err)
	}
	for _, bad := range []string{"id", "id:integer", "id:int,id:string"} {
		if _, err := ParseOverrides(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	s := Schema{{Name: "id", Type: Int}, {Name: "Name", Type: Int}}
	if err := s.Apply([]Override{{"name", String}}); err != nil || s[1].Type != String {
		t.Errorf("%v %v", s, err)
	}
	if err := s.Apply([]Override{{"nme", String}}); err == nil || !strings.Contains(err.Error(), `did you mean "Name"`) {
		t.Errorf("%v", err)
	}
}

func BenchmarkConform(b *testing.B) {
	const n = 4096
	s := Schema{{Name: "id", Type: Int}, {Name: "a", Type: Float}, {Name: "date", Type: Date}, {Name: "flag", Type: Bool}}
	names := []string{"id", "a", "date", "flag"}
	builders := make([]*array.StringBuilder, len(s))
	cols := make([]arrow.Array, len(s))
	for j := range s {
		builders[j] = array.NewStringBuilder(memory.DefaultAllocator)
	}
	for i := range n {
		builders[0].Append(strconv.Itoa(i + 1))
		builders[1].Append(strconv.Itoa(i%1000) + "." + strconv.Itoa(i*7919%1000000))
		builders[2].Append("2024-03-" + strconv.Itoa(10+i%18))
		builders[3].Append([]string{"true", "false"}[i%2])
	}
	for j, bl := range builders {
		cols[j] = bl.NewArray()
	}
	c := &table.Chunk{Batch: array.NewRecordBatch(table.StringSchema(names), cols, n), Row0: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := s.Conform(c, expr.OnErrorFail); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}

// randomDecimal is 1 to 17 random digits, with a point among them or none, negative half
// the time: around the 15 and 18 digits the fast paths of floats and ints stop at.
func randomDecimal(rng *rand.Rand) string {
	digits := make([]byte, 1+rng.IntN(17))
	for i := range digits {
		digits[i] = byte('0' + rng.IntN(10))
	}
	v := string(digits)
	if p := rng.IntN(len(digits) + 2); p <= len(digits) {
		v = v[:p] + "." + v[p:]
	}
	if rng.IntN(2) == 0 {
		v = "-" + v
	}
	return v
}

// TestParseFastPaths checks the fast paths of ParseInt and ParseFloat against the
// long way (strconv), bit for bit, on edge cases and random decimals of every length.
func TestParseFastPaths(t *testing.T) {
	values := []string{"0", "-0", "00", "-", "", ".", "-.", "5.", ".5", "-.5", "-0.0", "1.2.3", "1-2", "+1", "+-1", "--1",
		"999999999999999999", "-999999999999999999", "1000000000000000000", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "123456789012345", "1234567890123456", "0.000000000000001", "9007199254740993",
		"0.1", "0.3", "2.675", "1e5", "1E5", "1x", "٣", "12a"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		values = append(values, randomDecimal(rng))
	}
	for _, v := range values {
		wantF, errF := strconv.ParseFloat(v, 64)
		wantFOK := errF == nil && expr.IsDecimal(v) && !math.IsInf(wantF, 0)
		if n, isInt := new(big.Int).SetString(v, 10); wantFOK && isInt && new(big.Float).SetInt(n).Cmp(big.NewFloat(wantF)) != 0 {
			wantFOK = false // a plain integer no float64 holds
		}
		if got, ok := ParseFloat(v); ok != wantFOK || ok && math.Float64bits(got) != math.Float64bits(wantF) {
			t.Errorf("ParseFloat(%q) = %v %v, strconv %v %v", v, got, ok, wantF, wantFOK)
		}
		got, ok := shortDecimal([]byte(v)) // the fast path: bit for bit as strconv
		if isShortDecimal([]byte(v)) != ok {
			t.Errorf("isShortDecimal(%q) = %v, shortDecimal reads it: %v", v, !ok, ok)
		}
		if ok && (errF != nil || math.Float64bits(got) != math.Float64bits(wantF)) {
			t.Errorf("shortDecimal(%q) = %v, strconv %v", v, got, wantF)
		}
		_, whole := expr.WholeNumber(v)
		if want := whole && len(strings.TrimPrefix(v, "-")) <= 18 && !valuetype.LeadingZero(v); isShortInt([]byte(v)) != want {
			t.Errorf("isShortInt(%q) = %v, want %v (expr.WholeNumber reads it: %v)", v, !want, want, whole)
		}
		digits := strings.TrimPrefix(v, "+")
		wantI, errI := strconv.ParseInt(digits, 10, 64)
		wantIOK := errI == nil && !(digits != v && strings.HasPrefix(digits, "-"))
		if got, ok := ParseInt(v); ok != wantIOK || ok && got != wantI {
			t.Errorf("ParseInt(%q) = %v %v, strconv %v %v", v, got, ok, wantI, wantIOK)
		}
	}
}

// A Text column keeps a chunk's text when every value reads as its type as it is; else,
// and for the rows kept by skip, it is converted as any other column.
func TestConformText(t *testing.T) {
	for _, tc := range []struct {
		typ    Type
		values []*string
		kept   bool
	}{
		{Int, []*string{str("1"), nil, str("+3")}, true},
		{Int, []*string{str("1"), nil, str("-007")}, false}, // a code: conformColumn decides
		{Float, []*string{str("1.50"), str("1e5"), nil}, true},
		{Int, []*string{str("1"), str(" 2")}, false},
		{Int, []*string{str("1"), str("")}, false},
		{Float, []*string{str("1.5"), str("NaN")}, false},
		{Int, []*string{str("1"), str("1.5")}, false},
		{Date, []*string{str("2024-03-01"), nil, str("0001-01-01")}, true},
		{Date, []*string{str("2024-03-01"), str("2024-02-30")}, false},
		{Bool, []*string{str("true"), str("FALSE"), nil}, true},
		{Bool, []*string{str("true"), str("yes")}, false},
		{Datetime, []*string{str("2024-03-01 10:00")}, false},
	} {
		s := Schema{{Name: "v", Type: tc.typ, Text: true}}
		out, _, err := s.Conform(textChunk(tc.values...), expr.OnErrorNull)
		if err != nil {
			t.Fatal(err)
		}
		col := out.Batch.Column(0)
		if _, kept := col.(*array.String); kept != tc.kept || !kept && !arrow.TypeEqual(col.DataType(), tc.typ.ArrowType()) {
			t.Errorf("%s %d values: column of %s, kept as text %v", tc.typ, len(tc.values), col.DataType(), tc.kept)
		}
		if !arrow.TypeEqual(out.Batch.Schema().Field(0).Type, col.DataType()) {
			t.Errorf("the batch's schema says %s of a %s column", out.Batch.Schema().Field(0).Type, col.DataType())
		}
	}
	s := Schema{{Name: "v", Type: Int, Text: true}}
	out, errs, err := s.Conform(textChunk(str("1"), str("x"), str("3")), expr.OnErrorSkip)
	if err != nil || len(errs) != 1 || out.Batch.NumRows() != 2 || !arrow.TypeEqual(out.Batch.Column(0).DataType(), arrow.PrimitiveTypes.Int64) {
		t.Errorf("skip: %v %v, %d rows of %s", err, errs, out.Batch.NumRows(), out.Batch.Column(0).DataType())
	}
}

// An Unchecked Text column is kept as its text without a look at the values (its writer
// checks them); once another column has an error, every column is checked, so that the
// first error and the rows skipped are those of the checked schema.
func TestConformUnchecked(t *testing.T) {
	unchecked := Schema{{Name: "v", Type: Int, Text: true, Unchecked: true}}
	out, errs, err := unchecked.Conform(textChunk(str("1"), str("x")), expr.OnErrorFail)
	if err != nil || len(errs) != 0 {
		t.Fatalf("unchecked: %v %v", err, errs)
	}
	if _, kept := out.Batch.Column(0).(*array.String); !kept {
		t.Errorf("unchecked: a column of %s, want the text", out.Batch.Column(0).DataType())
	}

	n, at := array.NewStringBuilder(memory.DefaultAllocator), array.NewStringBuilder(memory.DefaultAllocator)
	n.AppendValues([]string{"1", "x", "3"}, nil)
	at.AppendValues([]string{"2024-03-01", "2024-03-01", "bad"}, nil)
	batch := array.NewRecordBatch(table.StringSchema([]string{"n", "at"}), []arrow.Array{n.NewArray(), at.NewArray()}, 3)
	c := &table.Chunk{Source: table.Source{File: "in.csv"}, Batch: batch, Row0: 1, Lines: []int64{2, 3, 4}}
	s := Schema{{Name: "n", Type: Int, Text: true, Unchecked: true}, {Name: "at", Type: Datetime}}
	var re *expr.RowError
	if _, _, err := s.Conform(c, expr.OnErrorFail); !asRowError(err, &re) || re.Column != "n" || re.Line != 3 {
		t.Errorf("fail: %v, want the error of n on line 3", err)
	}
	out, errs, err = s.Conform(c, expr.OnErrorSkip)
	if err != nil || len(errs) != 2 || out.Batch.NumRows() != 1 || !arrow.TypeEqual(out.Batch.Column(0).DataType(), arrow.PrimitiveTypes.Int64) {
		t.Errorf("skip: %v %v, %d rows of %s", err, errs, out.Batch.NumRows(), out.Batch.Column(0).DataType())
	}
}

// isISODate, the shape test of a date kept as text, accepts exactly what ParseDate reads
// among ten-byte texts: every day of some years, impossible days, stray bytes.
func TestISODateShape(t *testing.T) {
	values := []string{"0000-01-01", "0001-01-01", "9999-12-31", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29",
		"2024-04-31", "2024-00-10", "2024-13-01", "2024-01-00", "2024-01-32", "2024/01/01", "2024-1-01 ", "+024-01-01",
		"2024-01-0a", "٢٠٢٤-01-01", "2024-03-01T", "2024-3-1", ""}
	for _, y := range []string{"1999", "2000", "2024", "2100"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				values = append(values, fmt.Sprintf("%s-%02d-%02d", y, m, d))
			}
		}
	}
	for _, v := range values {
		if _, want := ParseDate(v); isISODate([]byte(v)) != want {
			t.Errorf("isISODate(%q) = %v, ParseDate reads it: %v", v, !want, want)
		}
	}
}

// A column whose type the sample inferred refuses a number with a leading zero, which the
// sample reads as a code (text): had it been sampled, the column would be a string. A
// type given by --schema reads it as the number.
func TestInferredColumnRefusesCodes(t *testing.T) {
	for _, tc := range []struct {
		typ      Type
		inferred bool
		text     bool
		want     string // the values written, errors after a bar
	}{
		{Int, true, false, "[12 (null) 5 (null)] | 2 00123,-07"},
		{Int, false, false, "[12 123 5 -7] | 0"},
		{Int, true, true, "[12 (null) 5 (null)] | 2 00123,-07"},
		{Float, true, false, "[12 (null) 5 (null)] | 2 00123,-07"},
		{Float, false, true, "[12 123 5 -7] | 0"},
	} {
		s := Schema{{Name: "zip", Type: tc.typ, Inferred: tc.inferred, Text: tc.text}}
		out, errs, err := s.Conform(textChunk(str("12"), str("00123"), str("5"), str("-07")), expr.OnErrorNull)
		if err != nil {
			t.Fatal(err)
		}
		var bad []string
		for _, e := range errs {
			bad = append(bad, e.Value)
			if !strings.Contains(e.Message, "leading zero") {
				t.Errorf("%s: message %q does not say why", tc.typ, e.Message)
			}
		}
		got := strings.TrimSpace(fmt.Sprintf("%v | %d %s", out.Batch.Column(0), len(errs), strings.Join(bad, ",")))
		if got != tc.want {
			t.Errorf("%s inferred %v text %v: %s, want %s", tc.typ, tc.inferred, tc.text, got, tc.want)
		}
	}
}
