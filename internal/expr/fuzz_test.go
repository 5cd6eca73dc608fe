package expr

import (
	"testing"
)

// FuzzParse: any text as an assignment or a filter compiles or gives an error, and a
// compiled program evaluates a small chunk without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"price * qty", "`Unit Price` ?? 0", "a in [1, 'x']", "x ? y : z", "2 ** -1", "upper(s) ~ 'é'",
		"date_add(d, 1, 'month')", "regex_extract(s, '(\\\\d+)')", "not a and !b || c", "'it''s'", "(((", "1e", "\"\\u00e9\""} {
		f.Add(s)
	}
	cols := []string{"a", "b", "s", "d"}
	chunk := makeChunk(cols, [][]string{{"1", "x", "hello", "2024-01-31"}, {"", "0", "", "bad"}, {"-2.5", "true", "7", ""}})
	f.Fuzz(func(t *testing.T, src string) {
		for _, opts := range []Options{{OnError: OnErrorNull, Now: fixedNow}} {
			if p, err := Compile([]string{"x = " + src}, nil, cols, opts); err == nil {
				_ = p.Explain()
				if _, _, err := p.NewEvaluator().Apply(chunk); err != nil {
					t.Fatalf("%q: %v", src, err)
				}
			}
			if p, err := Compile(nil, []string{src}, cols, opts); err == nil {
				if _, _, err := p.NewEvaluator().Apply(chunk); err != nil {
					t.Fatalf("%q: %v", src, err)
				}
			}
		}
	})
}
