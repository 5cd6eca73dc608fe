package expr

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ptransform/ptransform/internal/table"
)

// Layouts are strftime-style: %Y year, %m month, %d day, %H hour (24h), %I hour (12h),
// %M minute, %S second, %f microseconds (1–6 digits when parsing), %p AM/PM, %y two-digit
// year (69–99 → 19xx), %b/%B month name, %a/%A weekday name, %j day of the year,
// %e day without padding, %F = %Y-%m-%d, %T = %H:%M:%S, %% a percent sign. Other text
// matches itself.

type layoutItem struct {
	verb byte   // 0 for literal text
	lit  string // literal text
}

func compileLayout(s string) ([]layoutItem, error) {
	var items []layoutItem
	lit := strings.Builder{}
	flush := func() {
		if lit.Len() > 0 {
			items = append(items, layoutItem{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			lit.WriteByte(s[i])
			continue
		}
		if i+1 >= len(s) {
			return nil, fmt.Errorf("layout %q ends with a lone %%", s)
		}
		i++
		switch v := s[i]; v {
		case '%':
			lit.WriteByte('%')
		case 'F':
			flush()
			items = append(items, layoutItem{verb: 'Y'}, layoutItem{lit: "-"}, layoutItem{verb: 'm'}, layoutItem{lit: "-"}, layoutItem{verb: 'd'})
		case 'T':
			flush()
			items = append(items, layoutItem{verb: 'H'}, layoutItem{lit: ":"}, layoutItem{verb: 'M'}, layoutItem{lit: ":"}, layoutItem{verb: 'S'})
		case 'Y', 'm', 'd', 'H', 'I', 'M', 'S', 'f', 'p', 'y', 'b', 'B', 'a', 'A', 'j', 'e':
			flush()
			items = append(items, layoutItem{verb: v})
		default:
			return nil, fmt.Errorf("layout %q: unknown directive %%%c", s, v)
		}
	}
	flush()
	return items, nil
}

var monthNames = [...]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
var dayNames = [...]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

func appendPadded(dst []byte, v, width int) []byte {
	if v < 0 {
		dst = append(dst, '-')
		v = -v
	}
	var buf [20]byte
	b := strconv.AppendInt(buf[:0], int64(v), 10)
	for k := len(b); k < width; k++ {
		dst = append(dst, '0')
	}
	return append(dst, b...)
}

// formatLayout appends the datetime micros (µs since the epoch) in the layout.
func formatLayout(dst []byte, items []layoutItem, micros int64) []byte {
	t := civil(micros)
	for _, it := range items {
		switch it.verb {
		case 0:
			dst = append(dst, it.lit...)
		case 'Y':
			dst = appendPadded(dst, t.Year(), 4)
		case 'y':
			dst = appendPadded(dst, t.Year()%100, 2)
		case 'm':
			dst = appendPadded(dst, int(t.Month()), 2)
		case 'd':
			dst = appendPadded(dst, t.Day(), 2)
		case 'e':
			dst = strconv.AppendInt(dst, int64(t.Day()), 10)
		case 'j':
			dst = appendPadded(dst, t.YearDay(), 3)
		case 'H':
			dst = appendPadded(dst, t.Hour(), 2)
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			dst = appendPadded(dst, h, 2)
		case 'p':
			if t.Hour() < 12 {
				dst = append(dst, "AM"...)
			} else {
				dst = append(dst, "PM"...)
			}
		case 'M':
			dst = appendPadded(dst, t.Minute(), 2)
		case 'S':
			dst = appendPadded(dst, t.Second(), 2)
		case 'f':
			dst = appendPadded(dst, t.Nanosecond()/1000, 6)
		case 'b':
			dst = append(dst, monthNames[t.Month()-1][:3]...)
		case 'B':
			dst = append(dst, monthNames[t.Month()-1]...)
		case 'a':
			dst = append(dst, dayNames[t.Weekday()][:3]...)
		case 'A':
			dst = append(dst, dayNames[t.Weekday()]...)
		}
	}
	return dst
}

// parseLayout reads s in the layout as a datetime (µs). Fields not in the layout
// default to 1970-01-01 00:00:00 (day and month 1).
func parseLayout(items []layoutItem, s string) (int64, parseStatus) {
	s = trimSpaces(s)
	if s == "" {
		return 0, parsedBlank
	}
	year, month, day, hour, minute, sec, micros, yday := 1970, 1, 1, 0, 0, 0, 0, 0
	pm, ampm, hasYday := false, false, false
	i := 0
	num := func(maxDigits int) (int, bool) {
		start, v := i, 0
		for i < len(s) && i-start < maxDigits && s[i] >= '0' && s[i] <= '9' {
			v = v*10 + int(s[i]-'0')
			i++
		}
		return v, i > start
	}
	name := func(names []string) (int, bool) {
		for k, full := range names {
			for _, cand := range []string{full, full[:3]} {
				if len(s)-i >= len(cand) && strings.EqualFold(s[i:i+len(cand)], cand) {
					i += len(cand)
					return k, true
				}
			}
		}
		return 0, false
	}
	for _, it := range items {
		ok := true
		switch it.verb {
		case 0:
			ok = strings.HasPrefix(s[i:], it.lit)
			i += len(it.lit)
		case 'Y':
			start := i
			year, ok = num(4)
			ok = ok && i-start == 4 // 24 is no year of %Y: a short year is %y
		case 'y':
			var y int
			y, ok = num(2)
			year = 2000 + y
			if y >= 69 {
				year = 1900 + y
			}
		case 'm':
			month, ok = num(2)
		case 'd', 'e':
			day, ok = num(2)
		case 'j':
			yday, ok = num(3)
			ok = ok && yday > 0
			hasYday = true
		case 'H', 'I':
			hour, ok = num(2)
		case 'M':
			minute, ok = num(2)
		case 'S':
			sec, ok = num(2)
		case 'f':
			start := i
			var v int
			v, ok = num(6)
			for k := i - start; k < 6; k++ {
				v *= 10
			}
			micros = v
		case 'p':
			ampm = true
			switch {
			case len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "AM"):
			case len(s)-i >= 2 && strings.EqualFold(s[i:i+2], "PM"):
				pm = true
			default:
				ok = false
			}
			i += 2
		case 'b', 'B':
			var m int
			m, ok = name(monthNames[:])
			month = m + 1
		case 'a', 'A':
			_, ok = name(dayNames[:])
		}
		if !ok || i > len(s) {
			return 0, parsedBad
		}
	}
	if i != len(s) {
		return 0, parsedBad
	}
	if ampm {
		if hour < 1 || hour > 12 {
			return 0, parsedBad
		}
		hour %= 12
		if pm {
			hour += 12
		}
	}
	if year < 1 || month < 1 || month > 12 || day < 1 || day > table.DaysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return 0, parsedBad
	}
	days := table.DaysFromCivil(year, month, day)
	if hasYday {
		if yday > 365 && table.DaysIn(year, 2) == 28 || yday > 366 {
			return 0, parsedBad
		}
		days = table.DaysFromCivil(year, 1, 1) + int64(yday-1)
	}
	return days*microsPerDay + int64(hour*3600+minute*60+sec)*1e6 + int64(micros), parsedOK
}

// dateUnit is a date_add / date_diff unit.
type dateUnit uint8

const (
	unitSecond dateUnit = iota
	unitMinute
	unitHour
	unitDay
	unitWeek
	unitMonth
	unitYear
)

var unitNames = map[string]dateUnit{
	"second": unitSecond, "seconds": unitSecond,
	"minute": unitMinute, "minutes": unitMinute,
	"hour": unitHour, "hours": unitHour,
	"day": unitDay, "days": unitDay,
	"week": unitWeek, "weeks": unitWeek,
	"month": unitMonth, "months": unitMonth,
	"year": unitYear, "years": unitYear,
}

var unitMicros = [...]int64{unitSecond: 1e6, unitMinute: 60e6, unitHour: 3600e6, unitDay: microsPerDay, unitWeek: 7 * microsPerDay}

func (u dateUnit) isTime() bool { return u <= unitHour }

// addMonths adds n months to a datetime, clamping the day to the target month's last
// (2024-01-31 + 1 month = 2024-02-29), as spreadsheets and SQL do.
func addMonths(micros, n int64) (int64, bool) {
	t := civil(micros)
	total := int64(t.Year())*12 + int64(t.Month()-1) + n
	if total < 12 || total >= 10000*12 {
		return 0, false
	}
	y, m := int(total/12), int(total%12)+1
	d := min(t.Day(), table.DaysIn(y, m))
	tod := floorMod(micros, microsPerDay)
	return table.DaysFromCivil(y, m, d)*microsPerDay + tod, true
}

func floorMod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// dateAdd adds n units to a datetime (µs).
func dateAdd(micros, n int64, u dateUnit) (int64, bool) {
	var r int64
	switch u {
	case unitMonth, unitYear:
		if u == unitYear {
			if n > 10000 || n < -10000 {
				return 0, false
			}
			n *= 12
		}
		if n > 120000 || n < -120000 {
			return 0, false
		}
		return addMonths(micros, n)
	default:
		step := unitMicros[u]
		if n > table.MaxMicros/step || n < table.MinMicros/step {
			return 0, false
		}
		r = micros + n*step
	}
	if r < table.MinMicros || r > table.MaxMicros {
		return 0, false
	}
	return r, true
}

// dateDiff is a - b in whole units, truncated toward zero; months and years count
// calendar months, so 2024-01-31 to 2024-02-29 is 0 months and to 2024-03-01 is 1.
func dateDiff(a, b int64, u dateUnit) int64 {
	switch u {
	case unitMonth, unitYear:
		ta, tb := civil(a), civil(b)
		months := int64(ta.Year()-tb.Year())*12 + int64(ta.Month()-tb.Month())
		restA := int64(ta.Day())*microsPerDay + floorMod(a, microsPerDay)
		restB := int64(tb.Day())*microsPerDay + floorMod(b, microsPerDay)
		if months > 0 && restA < restB {
			months--
		} else if months < 0 && restA > restB {
			months++
		}
		if u == unitYear {
			return months / 12
		}
		return months
	}
	return (a - b) / unitMicros[u]
}

// wallMicros is t's wall-clock time as microseconds of a zone-less datetime.
func wallMicros(t time.Time) int64 {
	y, m, d := t.Date()
	return table.DaysFromCivil(y, int(m), d)*microsPerDay + int64(t.Hour()*3600+t.Minute()*60+t.Second())*1e6 + int64(t.Nanosecond()/1000)
}
