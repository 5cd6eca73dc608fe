package expr

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// bigList is `x in [0, 1, ..., n-1]`, a generated filter over n ids.
func bigList(n int) string {
	var b strings.Builder
	b.WriteString("x in [")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(i * 7))
	}
	b.WriteString("]")
	return b.String()
}

// bigSum is `1 + 1 + ... + 1`, n terms: a constant that folds, and a left-deep tree as
// deep as it is long.
func bigSum(n int) string { return "1" + strings.Repeat(" + 1", n-1) }

// nestedConditions is x == 0 ? "c0" : x == 1 ? "c1" : ... : "none", n cases: a
// mapping table written as a right-nested chain.
func nestedConditions(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "x == %d ? \"c%d\" : ", i, i)
	}
	b.WriteString(`"none"`)
	return b.String()
}

// Compiling takes time linear in the text: constant folding used to build an evaluator
// sized to the whole program per node (a 4000-element list took 8–11 s, 40000 terms
// 138 s, so 100,000 would take many minutes). The bound is generous for -race on a
// loaded 2-core machine (7 s measured there); without -race each takes about 0.3 s of
// CPU (BenchmarkCompileList, BenchmarkCompileSum).
func TestCompileLargeExpressions(t *testing.T) {
	const n = 100_000
	for _, tc := range []struct {
		name, where, expr string
		rows              [][]string
		want              string
	}{
		{"in list", bigList(n), "", [][]string{{"7"}, {"8"}, {"699993"}, {"700000"}}, "7,699993"},
		{"constant sum", "", "y = " + bigSum(n), [][]string{{"1"}}, "100000"},
		{"nested parentheses", "", "y = " + strings.Repeat("(", n/2) + "x" + strings.Repeat(")", n/2) + " + 1", [][]string{{"1"}}, "2"},
		{"nested conditions", "", "y = " + nestedConditions(n/10), [][]string{{"3"}, {"9999"}, {"10000"}}, "c3,c9999,none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var exprs, wheres []string
			if tc.expr != "" {
				exprs = []string{tc.expr}
			}
			if tc.where != "" {
				wheres = []string{tc.where}
			}
			start := time.Now()
			p, err := Compile(exprs, wheres, []string{"x"}, Options{})
			if err != nil {
				t.Fatal(firstLine(err.Error()))
			}
			if d := time.Since(start); d > 60*time.Second {
				t.Errorf("compiling took %v", d)
			}
			out, _, err := p.NewEvaluator().Apply(makeChunk([]string{"x"}, tc.rows))
			if err != nil {
				t.Fatal(err)
			}
			col := "x"
			if tc.expr != "" {
				col = "y"
			}
			if got := strings.Join(columnTexts(t, out, col), ","); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// Nesting beyond maxNesting is refused, not a stack exhausted.
func TestCompileNestingLimit(t *testing.T) {
	deep := "y = " + strings.Repeat("-(", maxNesting) + "x" + strings.Repeat(")", maxNesting)
	_, err := Compile([]string{deep}, nil, []string{"x"}, Options{})
	if err == nil || !strings.Contains(err.Error(), "nests more than 100000 levels deep") {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkCompileList(b *testing.B) {
	for _, n := range []int{1000, 100_000} {
		where := []string{bigList(n)}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Compile(nil, where, []string{"x"}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCompileSum(b *testing.B) {
	for _, n := range []int{1000, 100_000} {
		expr := []string{"y = " + bigSum(n)}
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := Compile(expr, nil, []string{"x"}, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// x in [...] with its constants collapsed into set lookups gives what the same test
// written as x == e1 or x == e2 ... gives, value, null and error alike, whatever the
// mix of element types, nulls and columns.
func TestInListAsOrChain(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	cols := []string{"a", "b", "s", "d"}
	elems := []string{"1", "2", "-5", "0", "2.5", "3.5", "1e3", `"7"`, `"x"`, `"hello"`, `" 12 "`, "null", "b", "true", `date("2024-01-31")`, "-0"}
	subjects := []string{"a", "s", "b", "int(a)", "a * 1", "s ~ ''", "upper(s)", "d", "len(s)"}
	var rows [][]string
	for i := range 60 {
		row := make([]string, len(cols))
		for j := range cols {
			row[j] = cellPool[j][(i*7+j*3)%len(cellPool[j])]
		}
		rows = append(rows, row)
	}
	c := makeChunk(cols, rows)
	tested := 0
	for range 3000 {
		x := subjects[r.IntN(len(subjects))]
		list := make([]string, 2+r.IntN(6))
		for k := range list {
			list[k] = elems[r.IntN(len(elems))]
		}
		chain := make([]string, len(list))
		for k, e := range list {
			chain[k] = "(" + x + " == " + e + ")"
		}
		in, err1 := Compile([]string{"r = " + x + " in [" + strings.Join(list, ", ") + "]"}, nil, cols, Options{OnError: OnErrorNull})
		or, err2 := Compile([]string{"r = " + strings.Join(chain, " or ")}, nil, cols, Options{OnError: OnErrorNull})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("%s in %v: compile errors differ: %v / %v", x, list, err1, err2)
		}
		if err1 != nil {
			continue
		}
		tested++
		got, gotErrs, err1 := in.NewEvaluator().Apply(c)
		want, wantErrs, err2 := or.NewEvaluator().Apply(c)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if g, w := strings.Join(columnTexts(t, got, "r"), ","), strings.Join(columnTexts(t, want, "r"), ","); g != w {
			t.Fatalf("%s in %v:\n got %s\nwant %s", x, list, g, w)
		}
		if fmt.Sprint(gotErrs) != fmt.Sprint(wantErrs) {
			t.Fatalf("%s in %v: errors\n got %v\nwant %v", x, list, gotErrs, wantErrs)
		}
	}
	if tested < 1000 {
		t.Fatalf("only %d lists compiled", tested)
	}
}

func TestExplainInSet(t *testing.T) {
	p, err := Compile(nil, []string{`x in [1, 2, 2.5, 2, "a"]`}, []string{"x"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "bool     in_set_float (3 distinct)\n      float    number_from_text\n        text     column \"x\"\n    bool     eq_text"
	if got := p.Explain(); !strings.Contains(got, want) {
		t.Errorf("explain lacks %q:\n%s", want, got)
	}
}

// A text column against text constants collapses into one set that keeps eq_text's
// rule: numbers as numbers (exactly past 2^53), dates as dates, the rest as text.
func TestInSetText(t *testing.T) {
	list := `["1", "2024-03-01", "9007199254740993", "x", "y"]`
	p, err := Compile([]string{"r = s in " + list}, nil, []string{"s"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Explain(), "in_set_text (5 distinct)") {
		t.Fatalf("not collapsed:\n%s", p.Explain())
	}
	cells := []string{"1", "1.0", " 1", "01", "2024-03-01T00:00:00", "2024-03-01T00:00:01", "9007199254740993", "9007199254740992", "9007199254740992.0", "x", "X", "y ", "2"}
	want := "true,true,true,true,true,false,true,false,false,true,false,false,false"
	rows := make([][]string, len(cells))
	for i, c := range cells {
		rows[i] = []string{c}
	}
	got, _, err := p.NewEvaluator().Apply(makeChunk([]string{"s"}, rows))
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(columnTexts(t, got, "r"), ","); g != want {
		t.Errorf("s in %s over %q:\n got %s\nwant %s", list, cells, g, want)
	}
}
