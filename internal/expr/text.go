package expr

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ptransform/ptransform/internal/table"
)

// How text cells read as numbers, booleans and dates. Each value is parsed from its
// own text, strictly: a cell is a number only when all of it is one.

type parseStatus uint8

const (
	parsedOK    parseStatus = iota
	parsedBlank             // only spaces: reads as null, like an empty cell
	parsedBad
)

const microsPerDay = 86400 * 1e6

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func trimSpaces(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// parseNumber reads decimal text: an optional sign, digits with an optional fraction,
// an optional exponent; surrounding spaces are ignored. Not hex, not NaN or Inf, not
// "1,234" (number(x) reads those).
func parseNumber(s string) (float64, parseStatus) {
	s = trimSpaces(s)
	if s == "" {
		return 0, parsedBlank
	}
	i, neg := 0, false
	if s[0] == '-' || s[0] == '+' {
		neg, i = s[0] == '-', 1
	}
	if f, ok := parsePlainDecimal(s[i:]); ok {
		if neg {
			f = -f
		}
		return f, parsedOK
	}
	// Fast path (Clinger's): a mantissa of up to 15 digits and a fraction of up to 15
	// are exact in float64, and one division by an exact power of ten rounds correctly.
	var m int64
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i-start < 15 {
		m = m*10 + int64(s[i]-'0')
		i++
	}
	intDigits, frac := i-start, 0
	if i < len(s) && s[i] == '.' && intDigits < 15 {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' && intDigits+i-fs < 15 {
			m = m*10 + int64(s[i]-'0')
			i++
		}
		frac = i - fs
	}
	if i == len(s) && intDigits+frac > 0 {
		f := float64(m) / pow10[frac]
		if neg {
			f = -f
		}
		return f, parsedOK
	}
	if !IsDecimal(s) {
		return 0, parsedBad
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, parsedBad
	}
	return f, parsedOK
}

// IsDecimal reports whether s is [+-]digits[.digits][e[+-]digits] with at least one digit
// in the mantissa: the number syntax of the language (no NaN, Inf, hex or thousands
// separators). inspect's type inference uses it so that the two agree by construction.
func IsDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i, digits = i+1, digits+1
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, digits = i+1, digits+1
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i, exp = i+1, exp+1
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// parseIntText reads an integer for int(x): integer text exactly, decimal text (a
// fraction, an exponent) truncated toward zero, exactly too: from its digits, never
// through a float, which has 53 bits. Past the int64 range it is an error.
func parseIntText(s string) (int64, parseStatus, string) {
	if v, ok := WholeNumber(s); ok {
		return v, parsedOK, "" // most integer cells: no trimming, no general path
	}
	s = trimSpaces(s)
	if s == "" {
		return 0, parsedBlank, ""
	}
	if !IsDecimal(s) {
		return 0, parsedBad, "not a number"
	}
	neg := s[0] == '-'
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	mant, exp := s, 0
	if e := strings.IndexAny(s, "eE"); e >= 0 {
		mant = s[:e]
		var ok bool
		if exp, ok = smallExponent(s[e+1:]); !ok {
			exp = 1 << 30 // as good as infinite; its sign is below
			if s[e+1] == '-' {
				exp = -exp
			}
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	all := intPart + frac
	digits := strings.TrimLeft(all, "0")
	// The value is 0.digits × 10^point.
	point := len(intPart) + exp - (len(all) - len(digits))
	switch {
	case digits == "" || point <= 0:
		return 0, parsedOK, ""
	case point > 19: // at least 10^19 > 2^63
		return 0, parsedBad, msgIntRange
	}
	whole := digits[:min(point, len(digits))] + strings.Repeat("0", max(point-len(digits), 0))
	u, err := strconv.ParseUint(whole, 10, 64)
	switch {
	case err != nil || u > 1<<63 || u == 1<<63 && !neg:
		return 0, parsedBad, msgIntRange
	case neg:
		return -int64(u), parsedOK, "" // 1<<63 wraps to math.MinInt64, itself negated
	}
	return int64(u), parsedOK, ""
}

// WholeNumber reads integer text (an optional '-', then digits) that fits an int64,
// up to 18 digits without the general parser.
func WholeNumber(s string) (int64, bool) {
	digits := s
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		digits = s[1:]
	}
	switch {
	case len(digits) == 0 || len(digits) > 19:
		return 0, false
	case len(digits) == 19: // at the int64 limit: overflow is checked
		x, err := strconv.ParseInt(s, 10, 64)
		return x, err == nil
	}
	var x int64
	for i := 0; i < len(digits); i++ {
		c := digits[i] - '0'
		if c > 9 {
			return 0, false
		}
		x = x*10 + int64(c)
	}
	if neg {
		x = -x
	}
	return x, true
}

const msgIntRange = "out of the integer range"

// smallExponent reads a decimal exponent's digits, with its sign, when it is below 10^8.
func smallExponent(s string) (int, bool) {
	sign := 1
	if s != "" && (s[0] == '-' || s[0] == '+') {
		if s[0] == '-' {
			sign = -1
		}
		s = s[1:]
	}
	s = strings.TrimLeft(s, "0")
	if len(s) > 8 {
		return 0, false
	}
	v := 0
	for i := 0; i < len(s); i++ {
		v = v*10 + int(s[i]-'0')
	}
	return sign * v, true
}

func floatToInt(f float64) (int64, parseStatus, string) {
	t := math.Trunc(f)
	if math.IsNaN(t) || t < -9.223372036854775808e18 || t >= 9.223372036854775808e18 {
		return 0, parsedBad, msgIntRange
	}
	return int64(t), parsedOK, ""
}

// parseBool reads true or false in any letter case.
func parseBool(s string) (bool, parseStatus) {
	s = trimSpaces(s)
	switch {
	case s == "":
		return false, parsedBlank
	case strings.EqualFold(s, "true"):
		return true, parsedOK
	case strings.EqualFold(s, "false"):
		return false, parsedOK
	}
	return false, parsedBad
}

const msgDate = "not a valid date (want YYYY-MM-DD)"
const msgDatetime = "not a valid datetime (want YYYY-MM-DD HH:MM[:SS])"

// parseISODate reads YYYY-MM-DD (table.ParseISODatetime's dates). A datetime is
// refused rather than truncated: reading it as a date would silently drop its time.
func parseISODate(s string) (int64, parseStatus, string) {
	s = trimSpaces(s)
	if s == "" {
		return 0, parsedBlank, ""
	}
	m, hasTime, ok := table.ParseISODatetime(s)
	switch {
	case !ok:
		return 0, parsedBad, msgDate
	case hasTime:
		return 0, parsedBad, "has a time of day; read it with datetime(x)"
	}
	return floorDiv(m, microsPerDay), parsedOK, ""
}

// parseISODatetime reads an ISO date or datetime (table.ParseISODatetime) as a datetime.
func parseISODatetime(s string) (int64, parseStatus, string) {
	s = trimSpaces(s)
	if s == "" {
		return 0, parsedBlank, ""
	}
	m, _, ok := table.ParseISODatetime(s)
	if !ok {
		return 0, parsedBad, msgDatetime
	}
	return m, parsedOK, ""
}

func appendDate(dst []byte, days int64) []byte {
	return table.AppendDate(dst, int32ToDate(days))
}

// civil splits a datetime (µs) into its calendar fields, in UTC.
func civil(micros int64) time.Time { return time.UnixMicro(micros).UTC() }

// parseNumberLoose is number(s): like parseNumber, but also reads thousands
// separators (1,234.50), accounting negatives in parentheses ((12) is -12), a leading
// currency sign ($ € £ ¥) and a trailing percent sign (12% is 0.12).
func parseNumberLoose(s string) (float64, parseStatus) {
	s = trimSpaces(s)
	if s == "" {
		return 0, parsedBlank
	}
	neg := false
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		neg, s = true, trimSpaces(s[1:len(s)-1])
	}
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		neg, s = neg != (s[0] == '-'), s[1:]
	}
	for _, sym := range []string{"$", "€", "£", "¥"} {
		if strings.HasPrefix(s, sym) {
			s = trimSpaces(s[len(sym):])
			break
		}
	}
	percent := strings.HasSuffix(s, "%")
	if percent {
		s = trimSpaces(s[:len(s)-1])
	}
	if strings.IndexByte(s, ',') >= 0 {
		if !thousandsGrouped(s) {
			return 0, parsedBad
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	if len(s) > 0 && (s[0] == '-' || s[0] == '+') {
		return 0, parsedBad
	}
	f, st := parseNumber(s)
	if st != parsedOK {
		return 0, parsedBad
	}
	if percent {
		f /= 100
	}
	if neg {
		f = -f
	}
	return f, parsedOK
}

// thousandsGrouped reports whether the integer part of s has commas every three digits.
func thousandsGrouped(s string) bool {
	intPart := s
	if dot := strings.IndexByte(s, '.'); dot >= 0 {
		intPart = s[:dot]
		if strings.IndexByte(s[dot:], ',') >= 0 {
			return false
		}
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// compareText is the one order of text values, used by comparisons, in [...], min()
// and max(): two texts that both read as numbers compare as numbers; else two that both
// read as ISO dates or datetimes compare as datetimes (a date is its midnight); else
// they compare as text, byte by byte. Each pair is decided from its own values, so no
// other row, and no chunk boundary, changes a result. It returns -1, 0 or 1.
func compareText(a, b string) int {
	if a == b {
		return 0 // equal text is equal read any way
	}
	if mayReadAsValue(a) && mayReadAsValue(b) {
		if fa, st := parseNumber(a); st == parsedOK {
			if fb, st := parseNumber(b); st == parsedOK {
				return compareNumberTexts(a, fa, b, fb)
			}
		}
		if da, st, _ := parseISODatetime(a); st == parsedOK {
			if db, st, _ := parseISODatetime(b); st == parsedOK {
				return cmp.Compare(da, db)
			}
		}
	}
	return strings.Compare(a, b)
}

// mayReadAsValue is false for text that cannot read as a number or a date: those start
// with a digit, a sign, a point or a space, so a letter first (most text) is decided as
// text without trying either.
func mayReadAsValue(s string) bool { return len(s) > 0 && s[0] <= '9' }

// compareNumberTexts orders two numbers read from text as fa and fb. Integers beyond
// 2^53, which floats cannot tell apart, compare exactly.
func compareNumberTexts(a string, fa float64, b string, fb float64) int {
	if fa != fb || math.Abs(fa) < 1<<53 {
		return cmp.Compare(fa, fb)
	}
	ia, aInt := parseWholeText(a)
	ib, bInt := parseWholeText(b)
	switch {
	case aInt && bInt:
		return cmp.Compare(ia, ib)
	case aInt:
		return compareIntFloat(ia, fb)
	case bInt:
		return -compareIntFloat(ib, fa)
	}
	return 0
}

// parseWholeText reads integer text (an optional sign and digits) as an int64.
func parseWholeText(s string) (int64, bool) {
	s = trimSpaces(s)
	if strings.HasPrefix(s, "+") {
		s = s[1:]
		if strings.HasPrefix(s, "-") {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
