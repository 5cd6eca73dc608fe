package aggregate

import (
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
