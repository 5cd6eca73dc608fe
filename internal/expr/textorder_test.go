package expr

import (
	"cmp"
	"testing"
)

// ReadText reads values as compareText does: two values of one kind compare by their
// readings exactly as compareText compares their texts.
func TestReadTextAgreesWithCompareText(t *testing.T) {
	values := []string{"0", "-0", "1", " 1", "1.0", "1e0", "+3", "-2.5", "10", "9",
		"9007199254740992", "9007199254740993", "9007199254740993.0",
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"2024-03-01", "2024-03-01T00:00", "2024-03-01T12:00+02:00", "2024-03-01 10:00Z",
		"2023-12-31", "abc", "", "NaN", "Inf", "007", "1,000", "2024-02-30"}
	order := func(a, b TextReading) int {
		switch a.Kind {
		case TextNumber:
			if a.Number != b.Number || !a.IsInt && !b.IsInt {
				return cmp.Compare(a.Number, b.Number)
			}
			switch {
			case a.IsInt && b.IsInt:
				return cmp.Compare(a.Int, b.Int)
			case a.IsInt:
				return compareIntFloat(a.Int, b.Number)
			}
			return -compareIntFloat(b.Int, a.Number)
		case TextDatetime:
			return cmp.Compare(a.Micros, b.Micros)
		}
		return 0
	}
	for _, a := range values {
		for _, b := range values {
			ra, rb := ReadText(a), ReadText(b)
			if ra.Kind != rb.Kind {
				continue
			}
			want := compareText(a, b)
			got := order(ra, rb)
			if ra.Kind == TextOther {
				got = cmp.Compare(a, b)
			}
			if got != want {
				t.Errorf("%q vs %q: readings order %d, compareText %d", a, b, got, want)
			}
		}
	}
	for s, want := range map[string]TextKind{"12": TextNumber, " -1e3 ": TextNumber, "2024-03-01": TextDatetime,
		"2024-03-01T13:45:00Z": TextDatetime, "x": TextOther, "": TextOther, "1,000": TextOther, "NaN": TextOther} {
		if got := ReadText(s).Kind; got != want {
			t.Errorf("ReadText(%q) is kind %d, want %d", s, got, want)
		}
	}
}
