package aggregate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
)

// A column an earlier stage computed has a static type, which the aggregates of it
// keep: max(total) of a float column is a float column of the output, not text.
func TestCompileTypedInputs(t *testing.T) {
	names := []string{"region", "qty", "total", "day", "big"}
	types := []expr.Type{expr.TypeText, expr.TypeText, expr.TypeFloat, expr.TypeDate, expr.TypeBool}
	aggs := []string{"hi = max(total); lo = min(qty); f = first(total); d = max(day); b = last(big); n = count(); s = sum(total)"}
	want := map[string]expr.Type{"big": expr.TypeBool, "hi": expr.TypeFloat, "lo": expr.TypeText, "f": expr.TypeFloat,
		"d": expr.TypeDate, "b": expr.TypeBool, "n": expr.TypeInt, "s": expr.TypeFloat}
	st, err := CompileTyped("big", aggs, names, types, expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Columns() {
		got := c.Type
		if c.From >= 0 {
			got = types[c.From]
		}
		if got != want[c.Name] {
			t.Errorf("%s: type %v, want %v", c.Name, got, want[c.Name])
		}
	}
	// Without types every input column is text, as before.
	st, err = Compile("", []string{"hi = max(total)"}, names, expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Columns()[0].Type; got != expr.TypeText {
		t.Errorf("untyped max: %v, want text", got)
	}
}

// The types a sample infers for the input's text cells type the aggregates of them
// (issue 9): sum of integer cells is an int column, a sum of other cells a float; the
// aggregates that return one of a column's values pass that column on, so that a typed
// output gives them the column's own type, as it does a key.
func TestCompileCellTypes(t *testing.T) {
	names := []string{"k", "qty", "price", "day"}
	cells := []expr.Type{expr.TypeText, expr.TypeInt, expr.TypeFloat, expr.TypeText}
	aggs := []string{"sq = sum(qty); sp = sum(price); mq = mean(qty); s2 = sum(qty * 2); hi = max(price); d = min(day); f = first(qty); l = last(price); mo = mode(day); lo = min(float(price))"}
	st, err := CompileCells("k", aggs, names, nil, cells, expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range st.Columns() {
		got = append(got, fmt.Sprintf("%s:%s:%d", c.Name, c.Type, c.From))
	}
	want := "k:text:0 sq:int:-1 sp:float:-1 mq:float:-1 s2:float:-1 hi:text:2 d:text:3 f:text:1 l:text:2 mo:text:3 lo:float:-1"
	if strings.Join(got, " ") != want {
		t.Errorf("columns\n%s, want\n%s", strings.Join(got, " "), want)
	}
	// The sum is exact past 2^53.
	out, err := run(t, st, names, parseRows("EU,9007199254740993,1.5,2024-01-02\nEU,2,2.5,2024-01-01"), 1, 2)
	if err != nil || out[1][1] != "9007199254740995" {
		t.Errorf("%q, %v", out, err)
	}
}
