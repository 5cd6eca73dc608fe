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

// ReadPlainNumber reads what it accepts as ReadText does, and accepts the plain
// decimals of 8 to 16 bytes that a top-N's keys mostly are.
func TestReadPlainNumber(t *testing.T) {
	for _, s := range []string{"990.804810", "12345678", "1234567.8", "0.0000001", "99999999.9999999"} {
		if _, ok := ReadPlainNumber(s); !ok {
			t.Errorf("ReadPlainNumber(%q) declines", s)
		}
	}
	for _, s := range readPlainSeeds {
		checkReadPlainNumber(t, s)
	}
}

var readPlainSeeds = []string{"990.804810", "12345678", "123456789", "1234567.8", "-123.45678", "+123.45678",
	" 123.45678", "123.45678 ", "1.2345e10", "12345678.", ".12345678", "1..345678", "1234567890123456",
	"123456789.1234567", "2024-03-01", "2024-03-01T12:00", "0000000.1", "9007199254740993", "x1234567", ""}

func checkReadPlainNumber(t *testing.T, s string) {
	f, ok := ReadPlainNumber(s)
	if !ok {
		return
	}
	r := ReadText(s)
	if r.Kind != TextNumber || r.IsInt || r.Number != f {
		t.Fatalf("ReadPlainNumber(%q) = %v, ReadText reads %+v", s, f, r)
	}
}

func FuzzReadPlainNumber(f *testing.F) {
	for _, s := range readPlainSeeds {
		f.Add(s)
	}
	f.Fuzz(checkReadPlainNumber)
}
