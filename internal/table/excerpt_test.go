package table

import (
	"strings"
	"testing"
)

func TestQuoteValue(t *testing.T) {
	long := strings.Repeat("é", 50<<20)
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"abc", `"abc"`},
		{"a\"b\n", `"a\"b\n"`},
		{strings.Repeat("x", 100), `"` + strings.Repeat("x", 100) + `"`},
		{strings.Repeat("x", 101), `"` + strings.Repeat("x", 100) + `…" (101 bytes)`},
		{long, `"` + strings.Repeat("é", 100) + `…" (104857600 bytes)`},
		{"\xff\xfe" + strings.Repeat("y", 200), `"\xff\xfe` + strings.Repeat("y", 98) + `…" (202 bytes)`},
	} {
		if got := QuoteValue(tc.in); got != tc.want {
			t.Errorf("QuoteValue(%.20q…) = %.200s, want %.200s", tc.in, got, tc.want)
		}
		if got := QuoteValue([]byte(tc.in)); got != tc.want {
			t.Errorf("QuoteValue([]byte) differs: %.200s", got)
		}
	}
}
