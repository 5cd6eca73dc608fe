package expr

import "math"

// TextKind is what a text value reads as when it takes its place in an order of
// values of every kind (ReadText).
type TextKind uint8

const (
	TextNumber   TextKind = iota // reads as a number (compareText's parseNumber)
	TextDatetime                 // reads as an ISO date or datetime (a date is its midnight)
	TextOther                    // any other text, ordered byte by byte
)

// TextReading is one text value read as compareText reads it, for an order that needs
// each value on its own (sorting) rather than pair by pair.
type TextReading struct {
	Kind   TextKind
	Number float64 // TextNumber: the value
	// Int and IsInt: for integer text beyond 2^53, which floats cannot tell apart, the
	// exact value when it is within int64.
	Int    int64
	IsInt  bool
	Micros int64 // TextDatetime: microseconds since the epoch, UTC
}

// ReadText reads s with compareText's rule, so that two values of the same kind
// compare as compareText compares them: numbers as numbers (integers exactly),
// dates and datetimes as instants, other text byte by byte.
func ReadText(s string) TextReading {
	if !mayReadAsValue(s) {
		return TextReading{Kind: TextOther}
	}
	if f, st := parseNumber(s); st == parsedOK {
		r := TextReading{Kind: TextNumber, Number: f}
		if math.Abs(f) >= 1<<53 {
			r.Int, r.IsInt = parseWholeText(s)
		}
		return r
	}
	if m, st, _ := parseISODatetime(s); st == parsedOK {
		return TextReading{Kind: TextDatetime, Micros: m}
	}
	return TextReading{Kind: TextOther}
}

// ReadPlainNumber is ReadText's fast path for the commonest number text: 8 to 16
// bytes of digits with at most one '.' and at most 8 digits before it, no sign, no
// spaces. For such text it returns what ReadText reads (a TextNumber below 2^53, so
// not IsInt) and true; for any other it returns false, and ReadText must read it.
func ReadPlainNumber(s string) (float64, bool) {
	if len(s) == 0 || s[0] < '0' || s[0] > '9' {
		return 0, false
	}
	return parsePlainDecimal(s)
}
