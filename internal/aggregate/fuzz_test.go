package aggregate

import (
	"errors"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
)

// FuzzSpec: any --group-by and --agg text compiles or gives an error, never a panic; a
// caret error points inside its own text; a compiled stage runs a small input.
func FuzzSpec(f *testing.F) {
	f.Add("region", "revenue = sum(price * qty); n = count()")
	f.Add("region, m = substr(d, 0, 7)", "s = string_agg(region, ';'); q = quantile(price, 0.5)")
	f.Add("", "x = max(min(price, qty)); `a b` = first(`region`)")
	f.Add("r = upper(region", "a = sum(")
	f.Add("`", "n = count(); ; m = mode('a,b')")
	header := []string{"price", "qty", "region", "d"}
	rows := parseRows("1.5,2,EU,2024-01-05\n,x,,bad\n-3,4,日本,2023-12-31")
	f.Fuzz(func(t *testing.T, groupBy, agg string) {
		st, err := Compile(groupBy, []string{agg}, header, expr.Options{OnError: expr.OnErrorNull})
		if err != nil {
			var ce *expr.CompileError
			if errors.As(err, &ce) {
				if ce.Pos < 0 || ce.Pos > len(ce.Source) || ce.Source != groupBy && ce.Source != agg {
					t.Fatalf("caret %d outside its text %q (group-by %q, agg %q)", ce.Pos, ce.Source, groupBy, agg)
				}
			}
			if strings.Contains(err.Error(), "\x00") && !strings.Contains(groupBy+agg, "\x00") {
				t.Fatalf("a hidden name in the message: %q", err)
			}
			return
		}
		if _, err := run(t, st, header, rows, 2, 2); err != nil && !strings.Contains(err.Error(), "beyond the integer range") {
			var re *expr.RowError
			if !errors.As(err, &re) {
				t.Fatalf("group-by %q, agg %q: %v", groupBy, agg, err)
			}
		}
	})
}
