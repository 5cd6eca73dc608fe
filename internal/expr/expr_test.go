package expr

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ptransform/ptransform/internal/table"
)

func TestCompileErrors(t *testing.T) {
	cols := []string{"price", "qty", "Unit Price", "ID", "Id"}
	tests := []struct {
		exprs, wheres []string
		want          string // the whole message
	}{
		{[]string{"total = price * qyt"}, nil, `unknown column "qyt" (did you mean "qty"?)`},
		{[]string{"total = zzzzzz"}, nil, `unknown column "zzzzzz"`},
		{[]string{"x = id"}, nil, `column "id" is ambiguous: it matches "ID" and "Id"`},
		{[]string{"total = (price *"}, nil, "--expr: expected a value, found end of expression\n  total = (price *\n                  ^"},
		{nil, []string{"qty = 0"}, "--where: unexpected \"=\"; compare with ==\n  qty = 0\n      ^"},
		{[]string{"x = upper(1)"}, nil, "--expr: upper needs text for argument 1, got a int literal; convert with str(x)\n  x = upper(1)\n            ^"},
		{[]string{"x = uper(price)"}, nil, "--expr: unknown function uper (did you mean upper?)\n  x = uper(price)\n      ^"},
		{nil, []string{"sum(price) > 10"}, "--where: sum is an aggregate: use it in --agg (a row's expression sees one row)\n  sum(price) > 10\n  ^"},
		{[]string{"x = price / Mean(price)"}, nil, "--expr: Mean is an aggregate: use it in --agg (a row's expression sees one row)\n  x = price / Mean(price)\n              ^"},
		{[]string{"x = substr(price)"}, nil, "--expr: substr takes 2 or 3 arguments, got 1\n  x = substr(price)\n      ^"},
		{nil, []string{"price * 2"}, "--where: a filter needs a true/false condition, got a float value\n  price * 2\n        ^"},
		{[]string{"x = 'abc"}, nil, "--expr: unterminated string\n  x = 'abc\n      ^"},
		{[]string{"x = 1 +\n  (2 * )"}, nil, "--expr: expected a value, found \")\"\n    (2 * )\n         ^"},
		{[]string{"x = `Unit Price` + 1; y = x ~ 'é' + 1"}, nil, "--expr: + does not join strings; use ~ or concat(): a ~ b\n  x = `Unit Price` + 1; y = x ~ 'é' + 1\n                                ^"},
		{[]string{"x = 1 < 2 < 3"}, nil, "--expr: comparisons cannot be chained; use and: a < b and b < c\n  x = 1 < 2 < 3\n            ^"},
		{[]string{"x = matches(price, '[')"}, nil, "--expr: bad regular expression: missing closing ]: `[`\n  x = matches(price, '[')\n                     ^"},
		{[]string{"x = 1e999"}, nil, "--expr: number 1e999 is out of range\n  x = 1e999\n      ^"},
		{[]string{"price"}, nil, "--expr: expected \"=\" after the column name, found end of expression\n  price\n       ^"},
		{[]string{"x = length(price)"}, nil, "--expr: unknown function length (did you mean len?)\n  x = length(price)\n      ^"},
		{[]string{"x = IFNULL(price, 0)"}, nil, "--expr: unknown function IFNULL (did you mean coalesce, or the ?? operator?)\n  x = IFNULL(price, 0)\n      ^"},
		{[]string{"x = PRIC * 2"}, nil, `unknown column "PRIC" (did you mean "price"?)`},
		{[]string{"x = substring(price, 1)"}, nil, "--expr: unknown function substring (did you mean substr?)\n  x = substring(price, 1)\n      ^"},
		{[]string{"x =\tqty * * 2"}, nil, "--expr: expected a value, found \"*\"\n  x =\tqty * * 2\n     \t      ^"},
		{[]string{"x = '价格' ~ * 2"}, nil, "--expr: expected a value, found \"*\"\n  x = '价格' ~ * 2\n               ^"},
		{[]string{"x = 'e\u0301' ~ * 2"}, nil, "--expr: expected a value, found \"*\"\n  x = 'e\u0301' ~ * 2\n            ^"},
	}
	for _, tc := range tests {
		_, err := Compile(tc.exprs, tc.wheres, cols, Options{})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q %q:\n got %v\nwant %s", tc.exprs, tc.wheres, err, tc.want)
		}
	}
}

func TestAssignmentsAndFilters(t *testing.T) {
	cols := []string{"id", "price", "qty"}
	rows := [][]string{{"1", "2.5", "4"}, {"2", "10", "0"}, {"3", "", "2"}, {"4", "1", "-1"}}
	p, err := Compile([]string{"qty = int(qty) * 2; total = price * qty", "label = 'n' ~ _row"}, []string{"qty > 0", "total >= 5 or is_null(total)"}, cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Columns(), ","); got != "id,price,qty,total,label" {
		t.Fatalf("columns %s", got)
	}
	ev := p.NewEvaluator()
	for rep := 0; rep < 3; rep++ {
		out, errs, err := ev.Apply(makeChunk(cols, rows))
		if err != nil || len(errs) != 0 {
			t.Fatal(err, errs)
		}
		for name, want := range map[string]string{"id": "1,3", "qty": "8,4", "total": "20,null", "label": "n1,n3"} {
			if got := strings.Join(columnTexts(t, out, name), ","); got != want {
				t.Errorf("%s = %s, want %s", name, got, want)
			}
		}
		if got := out.Lines; len(got) != 2 || got[0] != 2 || got[1] != 4 {
			t.Errorf("lines %v", got)
		}
		if f := out.Batch.Schema().Field(2); f.Type.ID() != arrow.INT64 {
			t.Errorf("qty type %s", f.Type)
		}
	}
}

// A projected program builds only the picked columns, in the picked order, under the
// given names, with or without a filter; the columns it leaves out may still be read.
func TestProject(t *testing.T) {
	cols := []string{"id", "price", "qty"}
	rows := [][]string{{"1", "2.5", "4"}, {"2", "10", "0"}, {"3", "", "2"}}
	for _, tc := range []struct {
		wheres []string
		want   map[string]string
	}{
		{nil, map[string]string{"total": "10,0,null", "ID": "1,2,3"}},
		{[]string{"qty > 0"}, map[string]string{"total": "10,null", "ID": "1,3"}},
	} {
		p, err := Compile([]string{"total = price * qty"}, tc.wheres, cols, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// Columns are id,price,qty,total: keep total then id (renamed ID).
		out, _, err := p.Project([]int{3, 0}, []string{"total", "ID"}).NewEvaluator().Apply(makeChunk(cols, rows))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range out.Batch.Schema().Fields() {
			names = append(names, f.Name)
		}
		if got := strings.Join(names, ","); got != "total,ID" {
			t.Fatalf("where %v: columns %s", tc.wheres, got)
		}
		for name, want := range tc.want {
			if got := strings.Join(columnTexts(t, out, name), ","); got != want {
				t.Errorf("where %v: %s = %s, want %s", tc.wheres, name, got, want)
			}
		}
		if got := strings.Join(p.Columns(), ","); got != "id,price,qty,total" {
			t.Errorf("Project changed the program's columns: %s", got)
		}
	}
}
func TestOnError(t *testing.T) {
	cols := []string{"price", "qty"}
	rows := [][]string{{"2", "3"}, {"abc", "1"}, {"4", "0"}, {"5", "2"}}
	exprs := []string{"unit = price / qty"}
	t.Run("fail", func(t *testing.T) {
		p, _ := Compile(exprs, nil, cols, Options{})
		_, _, err := p.NewEvaluator().Apply(makeChunk(cols, rows))
		var re *RowError
		if !errors.As(err, &re) || re.Line != 3 || re.Column != "price" || re.Value != "abc" {
			t.Fatalf("got %#v", err)
		}
		if got := err.Error(); got != `in.csv: line 3, column "price": value "abc": not a number` {
			t.Errorf("message %s", got)
		}
	})
	t.Run("skip", func(t *testing.T) {
		p, _ := Compile(exprs, nil, cols, Options{OnError: OnErrorSkip})
		out, errs, err := p.NewEvaluator().Apply(makeChunk(cols, rows))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(columnTexts(t, out, "unit"), ","); got != "0.6666666666666666,2.5" {
			t.Errorf("unit = %s", got)
		}
		if len(errs) != 2 || errs[1].Line != 4 || errs[1].Column != "unit" || errs[1].Message != "division by zero" {
			t.Errorf("errors %+v", errs)
		}
	})
	t.Run("null", func(t *testing.T) {
		p, _ := Compile(append(exprs, "again = unit * 2"), nil, cols, Options{OnError: OnErrorNull})
		out, errs, err := p.NewEvaluator().Apply(makeChunk(cols, rows))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(columnTexts(t, out, "again"), ","); got != "1.3333333333333333,null,null,5" {
			t.Errorf("again = %s", got)
		}
		if len(errs) != 2 {
			t.Errorf("errors %+v", errs)
		}
	})
}

// Typed input columns (from an earlier stage) are read by value, not through text.
func TestTypedInput(t *testing.T) {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues([]float64{1.5, 2}, nil)
	b.AppendNull()
	f := b.NewArray()
	c := &table.Chunk{Batch: array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil), []arrow.Array{f}, 3), Row0: 1}
	p, err := Compile([]string{"b = a * 2"}, []string{"a < 3"}, []string{"a"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := p.NewEvaluator().Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(columnTexts(t, out, "b"), ","); got != "3,4" {
		t.Errorf("b = %s", got)
	}
	if got := out.Batch.Column(0).DataType().ID(); got != arrow.FLOAT64 {
		t.Errorf("a filtered as %s", got)
	}
}

func TestExplain(t *testing.T) {
	p, err := Compile([]string{"total = price * qty", "price = round(price)"}, []string{"qty > 0"}, []string{"price", "qty"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Explain()
	for _, want := range []string{
		"price  float     replaces input column 1, from --expr price = round(price)",
		"total  float     new, from --expr total = price * qty",
		"float    mul_float\n    float    number_from_text\n      text     column \"price\"",
		"--where qty > 0\n  bool     gt_float\n    float    number_from_text\n      text     column \"qty\"\n    float    constant 0",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("explain lacks %q:\n%s", want, got)
		}
	}
}

func TestRowContext(t *testing.T) {
	c := makeChunk([]string{"v"}, [][]string{{"a"}, {"b"}})
	c.Row0, c.Source = 11, table.Source{File: "book.xlsx", Sheet: "Q1"}
	p, _ := Compile([]string{"r = _row; f = _file ~ '!' ~ _sheet"}, nil, []string{"v"}, Options{})
	out, _, err := p.NewEvaluator().Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(columnTexts(t, out, "r"), ","); got != "11,12" {
		t.Errorf("_row = %s", got)
	}
	if got := columnTexts(t, out, "f")[0]; got != "book.xlsx!Q1" {
		t.Errorf("_file = %s", got)
	}
}

func TestTextParsing(t *testing.T) {
	for s, want := range map[string]bool{"12": true, "-3.5": true, "1e6": true, " 42 ": true, "+1": true, ".5": true, "5.": true,
		"1,234": false, "$5": false, "NaN": false, "Inf": false, "0x10": false, "1_000": false, "-": false, "1e": false, "e5": false} {
		if _, st := parseNumber(s); (st == parsedOK) != want {
			t.Errorf("parseNumber(%q) = %v", s, st)
		}
	}
	for s, want := range map[string]string{"2024-03-01": "2024-03-01T00:00:00", "2024-03-01 13:45": "2024-03-01T13:45:00",
		"2024-03-01T13:45:30.25Z": "2024-03-01T13:45:30.25", "2024-03-01T00:30:00-01:30": "2024-03-01T02:00:00", "1969-12-31T23:59:59": "1969-12-31T23:59:59"} {
		m, st, _ := parseISODatetime(s)
		if got := string(table.AppendTimestamp(nil, m)); st != parsedOK || got != want {
			t.Errorf("parseISODatetime(%q) = %s %v", s, got, st)
		}
	}
	for _, s := range []string{"2024-02-30", "2024-3-01", "2024-03-01T25:00", "2024-03-01X", "20240301"} {
		if _, st, _ := parseISODatetime(s); st != parsedBad {
			t.Errorf("parseISODatetime(%q) accepted", s)
		}
	}
}

// The arrays of a chunk Apply returned stay intact through later Apply calls until
// Recycle says nothing refers to them; after Recycle the next chunk reuses their memory.
func TestRecycle(t *testing.T) {
	cols := []string{"id", "name", "qty"}
	chunkOf := func(base int) *table.Chunk {
		var rows [][]string
		for i := range 100 {
			rows = append(rows, []string{strconv.Itoa(base + i), strings.Repeat("x", i%7), strconv.Itoa(i % 3)})
		}
		return makeChunk(cols, rows)
	}
	p, err := Compile([]string{"total = qty * 1.5; when = date_add(date('2024-01-01'), qty, 'day')"}, []string{"qty > 0"}, cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := p.NewEvaluator()
	snapshot := func(c *table.Chunk) string {
		var b strings.Builder
		for _, name := range p.Columns() {
			b.WriteString(strings.Join(columnTexts(t, c, name), ","))
			b.WriteByte('\n')
		}
		return b.String()
	}
	var kept []*table.Chunk
	var want []string
	for k := range 4 {
		out, _, err := ev.Apply(chunkOf(1000 * k))
		if err != nil {
			t.Fatal(err)
		}
		kept, want = append(kept, out), append(want, snapshot(out))
	}
	for k, c := range kept {
		if got := snapshot(c); got != want[k] {
			t.Errorf("chunk %d changed after later chunks (not recycled):\n%s\nwant\n%s", k, got, want[k])
		}
	}

	// Recycled: the next chunk's id column lives where the last one's did.
	first, _, _ := ev.Apply(chunkOf(0))
	firstData := first.Batch.Column(0).(*array.String).ValueBytes()
	ev.Recycle()
	second, _, _ := ev.Apply(chunkOf(5000))
	if &second.Batch.Column(0).(*array.String).ValueBytes()[0] != &firstData[0] {
		t.Error("a recycled chunk's buffers were not reused")
	}
	if got, wantIDs := columnTexts(t, second, "id")[:2], "5001,5002"; strings.Join(got, ",") != wantIDs {
		t.Errorf("ids after recycling %v, want %s", got, wantIDs)
	}
}

// Issue 14: text values compare as numbers where both read as numbers, as datetimes
// where both read as dates, else as text; ints and floats compare exactly; datetime
// cells compare with dates as their midnight.
func TestComparisonRules(t *testing.T) {
	cols := []string{"a", "b"}
	tests := []struct{ expr, a, b, want string }{
		{"a > b", "9", "10", "false"},
		{"a > b", "10", "9", "true"},
		{"a > b", "100", "20", "true"},
		{"a == b", "1", "1.0", "true"},
		{"a == b", " 7 ", "7", "true"},
		{"a == b", "9007199254740993", "9007199254740992", "false"},
		{"a > b", "9007199254740993", "9007199254740992.0", "true"},
		{"a < b", "2024-03-01", "2024-03-01 00:00:01", "true"},
		{"a == b", "2024-03-01", "2024-03-01T00:00:00Z", "true"},
		{"a < b", "10", "9x", "true"},
		{"a < b", "abc", "abd", "true"},
		{"a in ['1.0', '3']", "1", "", "true"},
		{"a in [b, '3']", "1e2", "100", "true"},
		{"max(a, b)", "9", "10", "10"},
		{"min(a, b)", "2.50", "10", "2.50"},
		{"max(a, b)", "abc", "10", "abc"},
		{"9007199254740993 == 9007199254740992.0", "", "", "false"},
		{"9007199254740993 > 9007199254740992.0", "", "", "true"},
		{"9223372036854775807 < 9223372036854775808.0", "", "", "true"},
		{"int(a) == 0.5", "0", "", "false"},
		{"int(a) < 0.5", "0", "", "true"},
		{"a >= date('2024-03-01')", "2024-03-01T13:45:00", "", "true"},
		{"a < date('2024-03-02')", "2024-03-01T13:45:00", "", "true"},
		{"date(a) == datetime(b)", "2024-03-01", "2024-03-01 00:00", "true"},
	}
	for _, tc := range tests {
		got, err := evalRow(t, tc.expr, cols, []string{tc.a, tc.b})
		if err != nil || got != tc.want {
			t.Errorf("%s with a=%q b=%q: got %q, %v; want %s", tc.expr, tc.a, tc.b, got, err, tc.want)
		}
	}
}

// Issue 14: an assignment target matches columns as a reference does, so PRICE = ...
// replaces price, and later references see the new values whatever their case.
func TestAssignmentTargetMatching(t *testing.T) {
	cols := []string{"price", "ID", "Id"}
	p, err := Compile([]string{"PRICE = PRICE * 2; total = Price + 1; Total = TOTAL * 10"}, nil, cols, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(p.Columns(), ","); got != "price,ID,Id,total" {
		t.Fatalf("columns %s", got)
	}
	out, _, err := p.NewEvaluator().Apply(makeChunk(cols, [][]string{{"2.5", "1", "2"}}))
	if err != nil {
		t.Fatal(err)
	}
	if got := columnTexts(t, out, "price")[0] + " " + columnTexts(t, out, "total")[0]; got != "5 60" {
		t.Errorf("price total = %s, want 5 60", got)
	}
	_, err = Compile([]string{"id = 1"}, nil, cols, Options{})
	if err == nil || !strings.Contains(err.Error(), `column "id" is ambiguous: it matches "ID" and "Id"`) {
		t.Errorf("ambiguous target: %v", err)
	}
}

// Issue 14: a cell where an integer is needed must hold a whole number.
func TestWholeNumberArguments(t *testing.T) {
	cols := []string{"code", "n"}
	tests := []struct{ n, want string }{
		{"2", "B-1"}, {"2.0", "B-1"}, {" 2 ", "B-1"}, {"2.50", `value "2.50": not a whole number`},
		{"x", `value "x": not a number`}, {"1e30", "out of the integer range"},
	}
	for _, tc := range tests {
		got, err := evalRow(t, "substr(code, n)", cols, []string{"AB-1", tc.n})
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("substr(code, %q) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// Issue 14: dates outside years 1 to 9999, short %Y years and day of year 0 are errors.
func TestDateRange(t *testing.T) {
	tests := []struct{ expr, want string }{
		{`date("01/02/24", "%d/%m/%Y")`, "does not match the layout"},
		{`date("01/02/2024", "%d/%m/%Y")`, "2024-02-01"},
		{`date("01/02/24", "%d/%m/%y")`, "2024-02-01"},
		{`date("0000-01-01")`, "not a valid date"},
		{`date("0000-01-01", "%Y-%m-%d")`, "does not match the layout"},
		{`datetime("0001-01-01T00:30:00+01:00")`, "not a valid datetime"},
		{`datetime("0001-01-01T00:30:00-01:00")`, "0001-01-01T01:30:00"},
		{`datetime("9999-12-31T23:30:00-01:00")`, "not a valid datetime"},
		{`date("000/2024", "%j/%Y")`, "does not match the layout"},
		{`date("001/2024", "%j/%Y")`, "2024-01-01"},
		{`date("366/2023", "%j/%Y")`, "does not match the layout"},
		{`date_add(date("9999-12-31"), 1, "day")`, "date out of range"},
		{`date_add(date("0001-01-01"), -1, "day")`, "date out of range"},
		{`date("2024-02-30")`, `"2024-02-30": not a valid date`},
	}
	for _, tc := range tests {
		got, err := evalRow(t, tc.expr, []string{"a"}, []string{"x"})
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// Issue 14: upper and lower use Unicode's full case mapping.
func TestFullCaseMapping(t *testing.T) {
	for expr, want := range map[string]string{
		`upper("Straße")`:     "STRASSE",
		`lower("ΟΔΟΣ")`:       "οδος",
		`lower("ΣΟΦΟΣ ΟΔΟΣ")`: "σοφος οδος",
		`upper("ﬁne")`:        "FINE",
		`upper("émile")`:      "ÉMILE",
		`lower("ÉMILE")`:      "émile",
		`upper("abc")`:        "ABC",
	} {
		got, err := evalRow(t, expr, []string{"a"}, []string{"x"})
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", expr, got, err, want)
		}
	}
}
