package xlsxout

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/table"
)

// Style indexes of styles.xml's cellXfs.
const (
	styleGeneral  = 0
	styleHeader   = 1 // bold
	styleDate     = 2 // yyyy-mm-dd
	styleDatetime = 3 // yyyy-mm-dd hh:mm:ss
	styleTime     = 4 // h:mm:ss (built-in 21)
	styleDuration = 5 // [h]:mm:ss (built-in 46)
)

// MaxCellChars is the longest text a cell holds in Excel, in UTF-16 code units.
const MaxCellChars = 32767

// maxExactInt is the largest integer Excel keeps exactly: it holds 15 significant
// digits, so a longer integer written as a number would change when the workbook is
// edited and saved. Larger integers are written as text, which keeps every digit.
const maxExactInt = 999_999_999_999_999

// Serial numbers of the 1900 date system: 1970-01-01 is 25569; serials below 61
// (1900-03-01) are one less, because Excel counts the 29th of February 1900 that
// never was. Day 1 is 1900-01-01, the first day Excel shows; 2958465 is 9999-12-31.
const (
	unixEpochSerial = 25569
	firstDay        = -25567  // 1900-01-01, days since 1970-01-01
	leapBugDay      = -25508  // 1900-03-01
	lastDay         = 2932896 // 9999-12-31
	usPerDay        = 86_400_000_000
)

// dateSerial is the serial of days since 1970-01-01, false outside 1900..9999.
func dateSerial(days int64) (int64, bool) {
	if days < firstDay || days > lastDay {
		return 0, false
	}
	if days < leapBugDay {
		return days + unixEpochSerial - 1, true
	}
	return days + unixEpochSerial, true
}

// appendNumber appends the shortest decimal text that reads back as f: integers
// without exponent up to 15 digits, plain decimals down to 1e-5, an exponent
// otherwise (xsd:double syntax, which Excel and every reader parse).
func appendNumber(b []byte, f float64) []byte {
	a := math.Abs(f)
	if a < 1e15 && f == math.Trunc(f) {
		if f == 0 && math.Signbit(f) {
			return append(b, '0')
		}
		return strconv.AppendInt(b, int64(f), 10)
	}
	if a >= 1e-5 && a < 1e15 {
		// The text of strconv's shortest 'f' form, which table.AppendFloat writes for
		// these non-integral values in about a third of the time.
		return table.AppendFloat(b, f)
	}
	return strconv.AppendFloat(b, f, 'E', -1, 64)
}

// intText reports whether v, the text of an int that schema.ParseInt reads, is what
// an int cell holds for its value: at most 15 digits (maxExactInt), no '+', no leading
// zero, no "-0".
func intText(v []byte) bool {
	digits := v
	if len(v) > 0 && v[0] == '-' {
		digits = v[1:]
	}
	if len(digits) == 0 || len(digits) > 15 || digits[0] == '0' && (len(digits) > 1 || len(digits) < len(v)) {
		return false
	}
	for _, c := range digits {
		if c-'0' > 9 {
			return false
		}
	}
	return true
}

// decimalText tells whether the first n bytes of v, the text of a float, are what
// appendNumber writes for the value v reads as, which is then not formatted again. It
// is so for [-]D[.F] of at most 15 digits, D without leading zero: appendNumber writes
// such a value, below 1e15, as an integer when it is integral (D, the point and the
// zeros of F dropped; not -0, written 0), else in its shortest 'f' form when at least
// 1e-5 in magnitude, which is v without the trailing zeros of F: two decimals of at
// most 15 significant digits are always more than one double apart, so no shorter
// decimal reads back as the same double.
func decimalText(v []byte) (n int, ok bool) {
	start := 0
	if len(v) > 0 && v[0] == '-' {
		start = 1
	}
	i := start
	for i < len(v) && v[i]-'0' <= 9 {
		i++
	}
	whole := i - start
	if whole == 0 || v[start] == '0' && whole > 1 {
		return 0, false
	}
	zeroWhole := v[start] == '0'
	if i == len(v) {
		return len(v), whole <= 15 && !(zeroWhole && start == 1)
	}
	point := i
	if v[point] != '.' {
		return 0, false
	}
	for i++; i < len(v) && v[i]-'0' <= 9; i++ {
	}
	frac := i - point - 1
	if i < len(v) || whole+frac > 15 {
		return 0, false
	}
	end := len(v)
	for end > point+1 && v[end-1] == '0' {
		end--
	}
	if end == point+1 { // integral
		return point, !(zeroWhole && start == 1)
	}
	if zeroWhole {
		zeros := 0
		for v[point+1+zeros] == '0' {
			zeros++
		}
		return end, zeros <= 4 // 1e-5 = 0.00001 is the least
	}
	return end, true
}

// appendISO appends a value Excel cannot hold as a date (before 1900, after 9999) as
// its ISO 8601 text.
func appendISO(b []byte, us int64, layout string) []byte {
	return time.UnixMicro(us).UTC().AppendFormat(b, layout)
}

// textChars is the length of s in UTF-16 code units, as Excel counts a cell's text.
func textChars(s string) int {
	if len(s) <= MaxCellChars {
		return len(s) // an upper bound, enough to tell it fits
	}
	n := 0
	for _, r := range s {
		n++
		if r >= 0x10000 {
			n++
		}
	}
	return n
}

// plainText reports whether s needs no escaping and no xml:space: printable ASCII
// other than <, >, & and _, not starting or ending with a space.
func plainText(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&' || c == '_' {
			return false
		}
	}
	return true
}

// needsPreserve reports whether s has leading or trailing white space, which XML
// readers drop from <t> unless xml:space="preserve".
func needsPreserve(s string) bool {
	if s == "" {
		return false
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	return isSpace(s[0]) || isSpace(s[len(s)-1])
}

const hexDigits = "0123456789ABCDEF"

// appendEscaped appends s as the text of a <t> element, escaped the way Excel does:
// <, > and & as entities; characters XML 1.0 cannot hold (controls other than tab
// and line feed, U+FFFE, U+FFFF) and carriage return (which XML parsers turn into a
// line feed) as _xHHHH_; the underscore of a literal _xHHHH_ in the text as _x005F_
// so that readers do not decode it; bytes that are not UTF-8 as U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '<':
				b = append(b, "&lt;"...)
			case c == '>':
				b = append(b, "&gt;"...)
			case c == '&':
				b = append(b, "&amp;"...)
			case c == '_' && isEscapeSequence(s[i:]):
				b = append(b, "_x005F_"...)
			case c < 0x20 && c != '\t' && c != '\n':
				b = append(b, '_', 'x', '0', '0', hexDigits[c>>4], hexDigits[c&15], '_')
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b = utf8.AppendRune(b, utf8.RuneError)
		case r == 0xFFFE || r == 0xFFFF:
			b = append(b, "_xFFF"...)
			b = append(b, hexDigits[r&15], '_')
		default:
			b = append(b, s[i:i+n]...)
		}
		i += n
	}
	return b
}

// isEscapeSequence reports whether s starts with _xHHHH_ (any case of hex digits),
// the form readers decode as one character.
func isEscapeSequence(s string) bool {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return false
	}
	for _, c := range []byte(s[2:6]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// appendInlineString appends a whole inline string cell of style s (0: none).
func appendInlineString(b []byte, text string, style int) []byte {
	b = append(b, `<c t="inlineStr"`...)
	if style != 0 {
		b = append(b, ` s="`...)
		b = strconv.AppendInt(b, int64(style), 10)
		b = append(b, '"')
	}
	if needsPreserve(text) {
		b = append(b, `><is><t xml:space="preserve">`...)
	} else {
		b = append(b, `><is><t>`...)
	}
	if plainText(text) {
		b = append(b, text...)
	} else {
		b = appendEscaped(b, text)
	}
	return append(b, `</t></is></c>`...)
}
