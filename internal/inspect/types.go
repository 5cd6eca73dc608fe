package inspect

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ptransform/ptransform/internal/expr"
)

// Column types, from the narrowest reading of a value to the widest.
const (
	TypeBool     = "bool"
	TypeInteger  = "integer"
	TypeNumber   = "number"
	TypeDate     = "date"
	TypeDatetime = "datetime"
	TypeTime     = "time"
	TypeText     = "text"
)

// InferType is the type all the non-blank values share (see the package doc for the
// rules); text when they share none or when every value is blank.
func InferType(values []string) string {
	typ := ""
	for _, v := range values {
		if t := ValueType(v); t != "" {
			typ = Unify(typ, t)
		}
	}
	if typ == "" {
		return TypeText
	}
	return typ
}

// ValueType classifies one CSV value the way the expression language would read it,
// or returns "" for a blank value (empty or only spaces), which says nothing.
func ValueType(v string) string {
	v = strings.Trim(v, " \t\r\n")
	switch {
	case v == "":
		return ""
	case strings.EqualFold(v, "true") || strings.EqualFold(v, "false"):
		return TypeBool
	case isDate(v):
		return TypeDate
	case isDatetime(v):
		return TypeDatetime
	case isClock(v):
		return TypeTime
	}
	if !expr.IsDecimal(v) || hasLeadingZero(v) {
		return TypeText
	}
	if !strings.ContainsAny(v, ".eE") {
		if _, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64); err == nil {
			return TypeInteger
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsInf(f, 0) {
		return TypeText // beyond the float64 range
	}
	return TypeNumber
}

// Unify is the type of a column whose values have types a and b ("" is no value yet).
func Unify(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	case (a == TypeInteger || a == TypeNumber) && (b == TypeInteger || b == TypeNumber):
		return TypeNumber
	case (a == TypeDate || a == TypeDatetime) && (b == TypeDate || b == TypeDatetime):
		return TypeDatetime
	}
	return TypeText
}

// hasLeadingZero spots codes such as 007 or 01234 (zip codes, account numbers): read
// as numbers they would lose their zeros, so they are text. 0 and 0.5 are numbers.
func hasLeadingZero(s string) bool {
	s = strings.TrimLeft(s, "+-")
	return len(s) > 1 && s[0] == '0' && isDigit(s[1])
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// twoDigits reads s[i:i+2] as a number.
func twoDigits(s string, i int) (int, bool) {
	if i+2 > len(s) || !isDigit(s[i]) || !isDigit(s[i+1]) {
		return 0, false
	}
	return int(s[i]-'0')*10 + int(s[i+1]-'0'), true
}

// isDate matches YYYY-MM-DD naming a real calendar day.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3} {
		if !isDigit(s[i]) {
			return false
		}
	}
	y, _ := strconv.Atoi(s[:4])
	m, ok1 := twoDigits(s, 5)
	d, ok2 := twoDigits(s, 8)
	return ok1 && ok2 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

// daysIn is the number of days of month m (1–12) of year y: day 0 of the next month.
func daysIn(y, m int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// isDatetime matches what datetime(x) reads besides a bare date:
// YYYY-MM-DD{T| }HH:MM[:SS[{.|,}fraction]][Z|±HH[[:]MM]].
func isDatetime(s string) bool {
	if len(s) < 16 || !isDate(s[:10]) || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' {
		return false
	}
	h, ok1 := twoDigits(s, 11)
	mi, ok2 := twoDigits(s, 14)
	if !ok1 || !ok2 || h > 23 || mi > 59 {
		return false
	}
	i := 16
	if i < len(s) && s[i] == ':' {
		if sec, ok := twoDigits(s, i+1); !ok || sec > 59 {
			return false
		}
		i += 3
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			n := 0
			for i < len(s) && isDigit(s[i]) {
				i, n = i+1, n+1
			}
			if n == 0 {
				return false
			}
		}
	}
	switch rest := s[i:]; {
	case rest == "" || rest == "Z":
		return true
	case rest[0] == '+' || rest[0] == '-':
		oh, ok := twoDigits(rest, 1)
		if !ok || oh > 23 {
			return false
		}
		switch len(rest) {
		case 3:
			return true
		case 5:
			om, ok := twoDigits(rest, 3)
			return ok && om <= 59
		case 6:
			om, ok := twoDigits(rest, 4)
			return ok && rest[3] == ':' && om <= 59
		}
	}
	return false
}

// isClock matches a time of day or a duration, H:MM:SS with any number of hour digits
// and an optional fraction, as the workbook reader writes time cells.
func isClock(s string) bool {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 || len(s) < i+6 || s[i] != ':' || s[i+3] != ':' {
		return false
	}
	mi, ok1 := twoDigits(s, i+1)
	sec, ok2 := twoDigits(s, i+4)
	if !ok1 || !ok2 || mi > 59 || sec > 59 {
		return false
	}
	rest := s[i+6:]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) == 1 {
		return false
	}
	for j := 1; j < len(rest); j++ {
		if !isDigit(rest[j]) {
			return false
		}
	}
	return true
}
