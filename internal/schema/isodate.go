package schema

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/table"
)

// A date column's text, YYYY-MM-DD, is read here without ParseDate's way through a
// datetime in microseconds: the shape of its ten bytes is checked in two words, and the
// day number is the first day of its year and of its month from tables, plus the day.
// The date columns of gen_csv cost ParseDate 25 to 30 ns a value (the calendar's
// divisions, the general parser), a third of Conform's time for one column in ten.

// yearStarts is the day number (days since 1970-01-01) of January 1 of every year from
// 0 to 10000 (table.DaysFromCivil's): the year's length is the next one less it.
var yearStarts = func() (days [10001]int32) {
	for y := range days {
		days[y] = int32(table.DaysFromCivil(y, 1, 1))
	}
	return days
}()

// monthStarts is the days before each month (1 to 12) of a common year and of a leap
// year; monthStarts[leap][13] the length of the year.
var monthStarts = [2][14]int32{
	{0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

// isoDate reads YYYY-MM-DD as ParseDate does: a day that exists, of years 1 to 9999;
// false for any other text.
func isoDate(v []byte) (arrow.Date32, bool) {
	y, m, d, ok := isoDateParts(v)
	if !ok || y < 1 || m < 1 || m > 12 || d < 1 {
		return 0, false
	}
	start := yearStarts[y]
	leap := 0
	if yearStarts[y+1]-start == 366 {
		leap = 1
	}
	months := &monthStarts[leap]
	if int32(d) > months[m+1]-months[m] {
		return 0, false
	}
	return arrow.Date32(start + months[m] + int32(d) - 1), true
}

// isoDateParts reads YYYY-MM-DD (exactly ten bytes) as its year, month and day numbers,
// without checking their ranges; ok false when a digit or a dash is not where it should
// be. The first eight bytes are one word, XORed with "0000-00-": a digit's byte becomes
// its value, a dash's zero, and one addition per byte sets the high bit of any that is
// out of range.
func isoDateParts(v []byte) (y, m, d int, ok bool) {
	if len(v) != len("2006-01-02") {
		return 0, 0, 0, false
	}
	const (
		highs    = 0x8080808080808080
		shape    = 0x2d30302d30303030 // "0000-00-", little-endian
		allowed  = 0x7f76767f76767676 // per byte 0x80 less the least value out of range: 1 for a dash, 10 for a digit
		dayShape = 0x3030             // "00"
		dayRange = 0x7676
	)
	x := binary.LittleEndian.Uint64(v) ^ shape
	z := uint64(binary.LittleEndian.Uint16(v[8:])) ^ dayShape
	if ((x&^highs+allowed)|x)&highs != 0 || ((z&^highs+dayRange)|z)&0x8080 != 0 {
		return 0, 0, 0, false
	}
	y = int(x&0xff)*1000 + int(x>>8&0xff)*100 + int(x>>16&0xff)*10 + int(x>>24&0xff)
	m = int(x>>40&0xff)*10 + int(x>>48&0xff)
	d = int(z&0xff)*10 + int(z>>8)
	return y, m, d, true
}
