package xlsxfmt

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/table"
)

// valueClass is what a number format makes of a numeric cell.
type valueClass uint8

const (
	classNumber   valueClass = iota
	classDate                // 2024-03-01
	classDateTime            // 2024-03-01T13:45:00
	classTime                // 13:45:00 (time of day)
	classDuration            // 36:15:00 (elapsed, [h]:mm:ss)
)

// format is the date/time reading of one number format: its class and how many
// fractional-second digits it shows (ss.000 → 3), which decides the rounding.
type format struct {
	class valueClass
	frac  uint8
}

// builtinFormat classifies the built-in number format ids that are dates or times.
// Ids 27–36 and 50–58 are the East Asian built-in date formats.
func builtinFormat(id int) format {
	switch {
	case id >= 14 && id <= 17, id >= 27 && id <= 31, id == 36, id >= 50 && id <= 58:
		return format{class: classDate}
	case id >= 18 && id <= 21, id >= 32 && id <= 35, id == 45:
		return format{class: classTime}
	case id == 22:
		return format{class: classDateTime}
	case id == 46:
		return format{class: classDuration}
	case id == 47: // mmss.0
		return format{class: classTime, frac: 1}
	}
	return format{}
}

// classifyFormat decides from a format code whether numbers shown with it are dates,
// times, date-times or durations. Only the first section (before an unquoted ';')
// counts; quoted literals, backslash escapes, _x/*x padding and bracketed colour,
// locale and condition sections are ignored, except [h], [m], [s] which mark elapsed
// time. "m" is a month unless the format also has hours or seconds.
func classifyFormat(code string) format {
	var date, clock, elapsed, month bool
	var frac uint8
	lastS := false
	s := strings.ToLower(code)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case ';':
			i = len(s)
			continue
		case '"':
			if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
				i += j + 1
			} else {
				i = len(s)
			}
			continue
		case '\\', '_', '*':
			i++
			continue
		case '[':
			j := strings.IndexByte(s[i:], ']')
			if j < 0 {
				i = len(s)
				continue
			}
			inner := s[i+1 : i+j]
			unit := inner != "" && strings.Trim(inner, string(inner[0])) == "" && strings.ContainsRune("hms", rune(inner[0]))
			if unit {
				elapsed, clock = true, true
			}
			i += j
			lastS = unit && inner[0] == 's' // [ss].000 shows fractions too
			continue
		case 'g':
			if strings.HasPrefix(s[i:], "general") {
				i += len("general") - 1
				continue
			}
			if strings.HasPrefix(s[i:], "g/") {
				// Localized General: G/通用格式 (Chinese), G/標準 (Japanese), G/표준
				// (Korean): "G/" then the keyword in the locale's script.
				i++
				for i+1 < len(s) && s[i+1] >= utf8.RuneSelf {
					i++
				}
				continue
			}
			date = true
		case 'a':
			if strings.HasPrefix(s[i:], "am/pm") {
				clock = true
				i += len("am/pm") - 1
			} else if strings.HasPrefix(s[i:], "a/p") {
				clock = true
				i += len("a/p") - 1
			}
			continue
		case 'e':
			if i+1 < len(s) && (s[i+1] == '+' || s[i+1] == '-') {
				continue // scientific notation, 0.00E+00
			}
			date = true
		case 'y', 'd', 'b':
			date = true
		case 'h':
			clock = true
		case 's':
			clock = true
		case 'm':
			month = true
		case '.':
			if lastS {
				n := uint8(0)
				for i+1 < len(s) && s[i+1] == '0' {
					n++
					i++
				}
				frac = min(n, 3)
			}
		}
		lastS = c == 's'
	}
	switch {
	case elapsed:
		return format{class: classDuration, frac: frac}
	case month && !clock:
		date = true
	}
	switch {
	case date && clock:
		return format{class: classDateTime, frac: frac}
	case date:
		return format{class: classDate}
	case clock:
		return format{class: classTime, frac: frac}
	}
	return format{}
}

// The serial arithmetic below works in days since 1970-01-01 (Unix days) and
// milliseconds within the day, so dates never go through time.Time on the hot path.

const (
	unixDaysOf1900Serial0 = -25569  // serial 0 (1900 system, after the fake leap day) is 1899-12-30
	unixDaysOf1904Serial0 = -24107  // serial 0 in the 1904 system is 1904-01-01
	maxUnixDay            = 2932896 // 9999-12-31, the last day Excel shows
	msPerDay              = 86400000
)

// appendSerial writes the numeric cell value v as ISO 8601 text in the given class.
// It reports false when v cannot be shown as a date (negative, beyond 9999, or the
// 1900 system's fictitious 1900-02-29), in which case the caller writes the number.
func appendSerial(dst []byte, v float64, f format, date1904 bool) ([]byte, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return dst, false
	}
	if f.class == classDuration {
		// Elapsed time is a length, not a point in time: no epoch applies.
		neg := v < 0
		ms := roundMillis(math.Abs(v)*msPerDay, f.frac)
		if ms > 1e15 {
			return dst, false
		}
		if neg && ms > 0 {
			dst = append(dst, '-')
		}
		total := int64(ms)
		dst = appendInt(dst, total/3600000, 1)
		dst = append(dst, ':')
		dst = appendClock(dst, total%3600000, f.frac, true)
		return dst, true
	}
	// The last serial is 9999-12-31 in the workbook's date system: 1,462 days less
	// in the 1904 one.
	lastSerial := int64(maxUnixDay - unixDaysOf1900Serial0)
	if date1904 {
		lastSerial = maxUnixDay - unixDaysOf1904Serial0
	}
	if v < 0 || v >= float64(lastSerial+1) {
		return dst, false
	}
	days := math.Floor(v)
	ms := roundMillis((v-days)*msPerDay, f.frac)
	d := int64(days)
	if ms >= msPerDay {
		d++
		ms -= msPerDay
	}
	if d > lastSerial {
		return dst, false // rounded into 10000-01-01
	}
	if f.class == classTime {
		return appendClock(dst, int64(ms), f.frac, false), true
	}
	var unixDays int64
	switch {
	case date1904:
		unixDays = d + unixDaysOf1904Serial0
	case d == 60:
		// Excel's 1900 system keeps Lotus 1-2-3's fictitious 29 February 1900. No
		// calendar has that day, so no date function could take it: the cell reads as
		// its number, like a serial past 9999-12-31.
		return dst, false
	case d < 60:
		unixDays = d + unixDaysOf1900Serial0 + 1
	default:
		unixDays = d + unixDaysOf1900Serial0
	}
	return appendDayTime(dst, unixDays, int64(ms), f), true
}

// appendDayTime writes a Unix day and a time of day in the class of f.
func appendDayTime(dst []byte, unixDays, ms int64, f format) []byte {
	switch f.class {
	case classTime:
		return appendClock(dst, ms, f.frac, false)
	case classDate:
		return appendCivil(dst, unixDays)
	}
	dst = appendCivil(dst, unixDays)
	dst = append(dst, 'T')
	return appendClock(dst, ms, f.frac, false)
}

// roundMillis rounds a millisecond count to the precision the format shows.
func roundMillis(ms float64, frac uint8) float64 {
	unit := [4]float64{1000, 100, 10, 1}[frac]
	return math.Round(ms/unit) * unit
}

// appendClock writes ms as HH:MM:SS (or MM:SS after an elapsed hour count) with
// frac fractional digits.
func appendClock(dst []byte, ms int64, frac uint8, minutesOnly bool) []byte {
	if !minutesOnly {
		dst = appendInt(dst, ms/3600000, 2)
		dst = append(dst, ':')
	}
	dst = appendInt(dst, ms/60000%60, 2)
	dst = append(dst, ':')
	dst = appendInt(dst, ms/1000%60, 2)
	if frac > 0 {
		dst = append(dst, '.')
		f := ms % 1000
		for range 3 - frac {
			f /= 10
		}
		dst = appendInt(dst, f, int(frac))
	}
	return dst
}

// appendCivil writes a Unix day as YYYY-MM-DD (proleptic Gregorian).
func appendCivil(dst []byte, unixDays int64) []byte {
	y, m, d := table.CivilFromDays(unixDays)
	dst = appendInt(dst, int64(y), 4)
	dst = append(dst, '-')
	dst = appendInt(dst, int64(m), 2)
	dst = append(dst, '-')
	return appendInt(dst, int64(d), 2)
}

// appendInt writes a non-negative n zero-padded to at least width digits.
func appendInt(dst []byte, n int64, width int) []byte {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		width--
		if n == 0 && width <= 0 {
			break
		}
	}
	return append(dst, b[i:]...)
}
