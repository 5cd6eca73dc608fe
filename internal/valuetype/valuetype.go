// Package valuetype is the one type inference of ptransform: what type a text value
// reads as, and what type a column of them shares. inspect uses it for CSV columns
// and workbook columns alike, so a value gets the same type whatever its format.
//
// Each value is classified as the expression language would read it (leading and
// trailing spaces ignored; a blank value says nothing):
//
//	integer   42, -7, +3 (fits int64)
//	number    0.5, .5, 1e3, -2.5E-3, 9223372036854775808 (finite; no NaN, hex,
//	          thousands or digit separators)
//	bool      true, FALSE (any letter case)
//	date      2024-03-01 (a real calendar day)
//	datetime  2024-03-01T13:45, 2024-03-01 13:45:00.250+02:00 (T or a space; Z or an offset)
//	time      13:45:00, 123:00:00.5, -6:00:00 (H:MM:SS, any number of hour digits and
//	          a sign: also durations, as the workbook reader writes them)
//	text      anything else, and 007 or -01: numbers written with a leading zero are codes
//
// Mixed columns: integer and number give number, date and datetime give datetime, any
// other mix gives text; a column with no value is text.
package valuetype

import (
	"math"
	"strconv"
	"strings"

	"github.com/ptransform/ptransform/internal/expr"
)

// Types, from the narrowest reading of a value to the widest.
const (
	Bool     = "bool"
	Integer  = "integer"
	Number   = "number"
	Date     = "date"
	Datetime = "datetime"
	Time     = "time"
	Text     = "text"
)

// Infer is the type all the non-blank values share; text when they share none or
// when every value is blank.
func Infer(values []string) string {
	typ := ""
	for _, v := range values {
		typ = Unify(typ, Of(v))
	}
	if typ == "" {
		return Text
	}
	return typ
}

// Of classifies one value, or returns "" for a blank one (empty or only spaces),
// which says nothing.
func Of(v string) string {
	v = strings.Trim(v, " \t\r\n")
	switch {
	case v == "":
		return ""
	case strings.EqualFold(v, "true") || strings.EqualFold(v, "false"):
		return Bool
	case expr.IsDate(v):
		return Date
	case expr.IsDatetime(v): // after IsDate: a bare date is a date
		return Datetime
	case isClock(v):
		return Time
	}
	if !expr.IsDecimal(v) || LeadingZero(v) {
		return Text
	}
	if !strings.ContainsAny(v, ".eE") {
		if _, err := strconv.ParseInt(strings.TrimPrefix(v, "+"), 10, 64); err == nil {
			return Integer
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err != nil || math.IsInf(f, 0) {
		return Text // beyond the float64 range
	}
	return Number
}

// Unify is the type of a column whose values have types a and b ("" is no value yet).
func Unify(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	case (a == Integer || a == Number) && (b == Integer || b == Number):
		return Number
	case (a == Date || a == Datetime) && (b == Date || b == Datetime):
		return Datetime
	}
	return Text
}

// LeadingZero spots codes such as 007 or 01234 (zip codes, account numbers): read
// as numbers they would lose their zeros, so they are text. 0 and 0.5 are numbers.
func LeadingZero(s string) bool {
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

// isClock matches a time of day or a duration, [-]H:MM:SS with any number of hour
// digits and an optional fraction, as the workbook reader writes time and elapsed
// time cells.
func isClock(s string) bool {
	s = strings.TrimPrefix(s, "-")
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
