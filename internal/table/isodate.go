package table

// ISO 8601 dates and datetimes as ptransform reads them everywhere text becomes a date:
// expressions, and the type inference of inspect. One reader, so that what inspect
// calls a date is what date(x) reads.

const microsPerDay = 86400 * 1e6

// Dates are kept within years 1 to 9999, which every writer can show.
const (
	MinMicros = -62135596800 * 1e6   // 0001-01-01T00:00:00
	MaxMicros = 253402300800*1e6 - 1 // 9999-12-31T23:59:59.999999
)

// DaysFromCivil converts a proleptic Gregorian date to days since 1970-01-01 (Howard
// Hinnant's algorithm), without time.Time's overhead.
func DaysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// CivilFromDays is DaysFromCivil's inverse: the year, month and day of a day count.
func CivilFromDays(days int64) (y, m, d int) {
	z := days + 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// DaysIn is the number of days of month m (1–12) of year y.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func fixedDigits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseYMD reads YYYY-MM-DD at the start of s: a real calendar day of years 1 to 9999.
func parseYMD(s string) (int64, bool) {
	y, ok1 := fixedDigits(s, 0, 4)
	m, ok2 := fixedDigits(s, 5, 2)
	d, ok3 := fixedDigits(s, 8, 2)
	if !ok1 || !ok2 || !ok3 || s[4] != '-' || s[7] != '-' || y < 1 || m < 1 || m > 12 || d < 1 || d > DaysIn(y, m) {
		return 0, false
	}
	return DaysFromCivil(y, m, d), true
}

// ParseISODatetime reads s, without surrounding spaces, as YYYY-MM-DD or
// YYYY-MM-DD{T| }HH:MM[:SS[{.|,}fraction]] optionally followed by Z or an offset
// ±HH[[:]MM], which converts the time to UTC. It returns microseconds since the epoch
// and whether s has a time of day; ok is false for anything else, and for an instant
// outside years 1 to 9999 (after the offset).
func ParseISODatetime(s string) (micros int64, hasTime, ok bool) {
	if len(s) < 10 {
		return 0, false, false
	}
	days, ok := parseYMD(s)
	if !ok {
		return 0, false, false
	}
	if len(s) == 10 {
		return days * microsPerDay, false, true
	}
	if len(s) < 16 || s[10] != 'T' && s[10] != ' ' {
		return 0, false, false
	}
	h, ok1 := fixedDigits(s, 11, 2)
	mi, ok2 := fixedDigits(s, 14, 2)
	if !ok1 || !ok2 || s[13] != ':' || h > 23 || mi > 59 {
		return 0, false, false
	}
	i, sec, frac := 16, 0, 0
	if i < len(s) && s[i] == ':' {
		var ok bool
		if sec, ok = fixedDigits(s, i+1, 2); !ok || sec > 59 {
			return 0, false, false
		}
		i += 3
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			scale, n := 100000, 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				frac += int(s[i]-'0') * scale
				scale /= 10
				i, n = i+1, n+1
			}
			if n == 0 {
				return 0, false, false
			}
		}
	}
	offset := 0
	switch {
	case i == len(s):
	case s[i] == 'Z' && i+1 == len(s):
	case s[i] == '+' || s[i] == '-':
		oh, ok1 := fixedDigits(s, i+1, 2)
		om, ok2 := 0, true
		switch len(s) - i {
		case 6:
			om, ok2 = fixedDigits(s, i+4, 2)
			ok2 = ok2 && s[i+3] == ':'
		case 5:
			om, ok2 = fixedDigits(s, i+3, 2)
		case 3:
		default:
			ok2 = false
		}
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return 0, false, false
		}
		offset = (oh*60 + om) * 60
		if s[i] == '-' {
			offset = -offset
		}
	default:
		return 0, false, false
	}
	secs := int64(h*3600+mi*60+sec) - int64(offset)
	micros = days*microsPerDay + secs*1e6 + int64(frac)
	if micros < MinMicros || micros > MaxMicros {
		return 0, false, false
	}
	return micros, true, true
}
