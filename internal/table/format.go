package table

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Appender appends the text of row i of one column to dst. A null appends nothing.
// It is chosen once per column (NewAppender), never by a type switch per value.
type Appender func(dst []byte, i int) []byte

// NewAppender returns the Appender for a column. Computed values read as users expect:
// integers as integers, floats in their shortest exact form without a trailing ".0"
// (0.5, 21, 1e+21), booleans as true/false, dates as 2024-03-01 and timestamps as
// 2024-03-01T13:45:00 (fractional seconds only when present).
func NewAppender(col arrow.Array) (Appender, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return append(dst, a.Value(i)...)
		}, nil
	case *array.Int64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return strconv.AppendInt(dst, a.Value(i), 10)
		}, nil
	case *array.Float64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return AppendFloat(dst, a.Value(i))
		}, nil
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return strconv.AppendBool(dst, a.Value(i))
		}, nil
	case *array.Date32:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return AppendDate(dst, a.Value(i))
		}, nil
	case *array.Timestamp:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return dst
			}
			return AppendTimestamp(dst, int64(a.Value(i)))
		}, nil
	case *array.Null:
		return func(dst []byte, i int) []byte { return dst }, nil
	}
	return nil, fmt.Errorf("internal error: no text form for column type %s", col.DataType())
}

// AppendText formats every value of col as NewAppender does (a null as nothing) into
// data, back to back, appending to ends the end offset in data of each value. With
// ends holding the start offset first, the two are the value and offset buffers of an
// Arrow string column of col's text, which is how writers format a column once per
// chunk. It fails for a type NewAppender does not know, or past 2 GiB of text.
func AppendText(data []byte, ends []int32, col arrow.Array) ([]byte, []int32, error) {
	n := col.Len()
	ends = slices.Grow(ends, n)
	switch a := col.(type) {
	case *array.Float64:
		// NullN is a call, not a field read: asked once, not per value.
		hasNulls := a.NullN() > 0
		for i, f := range a.Float64Values() {
			if !hasNulls || a.IsValid(i) {
				data = AppendFloat(data, f)
			}
			ends = append(ends, int32(len(data)))
		}
	case *array.Int64:
		hasNulls := a.NullN() > 0
		for i, v := range a.Int64Values() {
			if !hasNulls || a.IsValid(i) {
				data = strconv.AppendInt(data, v, 10)
			}
			ends = append(ends, int32(len(data)))
		}
	default:
		app, err := NewAppender(col)
		if err != nil {
			return data, ends, err
		}
		for i := range n {
			data = app(data, i)
			ends = append(ends, int32(len(data)))
		}
	}
	if len(data) > math.MaxInt32 {
		return data, ends, fmt.Errorf("internal error: the text of a %s column exceeds 2 GiB", col.DataType())
	}
	return data, ends, nil
}

// AppendFloat writes f in the shortest form that parses back to the same float64:
// 21 not 21.0, 0.5, 1e+21 for large magnitudes (as strconv 'g' would past 1e21).
// NaN and infinities read as NaN, Inf and -Inf.
func AppendFloat(dst []byte, f float64) []byte {
	// Integers below 2^53 first, told by a round trip through int64: whatever NaN
	// or a value out of int64's range converts to fails it or the bounds.
	if i := int64(f); float64(i) == f && i > -1<<53 && i < 1<<53 {
		if i == 0 {
			return append(dst, '0') // also for -0
		}
		return strconv.AppendInt(dst, i, 10)
	}
	if out, ok := appendShortDecimal(dst, f); ok {
		return out
	}
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	// Left here: integers from 2^53 on, what appendShortDecimal leaves to strconv,
	// and the magnitudes outside [1e-6, 1e21), in exponent form.
	if abs := math.Abs(f); abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// fractionDigits returns, for a float64 in [2^e, 2^(e+1)), the largest k with
// ulp·10^k < 1 (ulp = 2^(e-52)): floor((52-e)·log10 2), exact for the exponents the
// fast path takes (TestFractionDigitsBound checks them all).
func fractionDigits(e int) int {
	return (52 - e) * 78913 >> 18
}

// appendShortDecimal is the fast path of AppendFloat: for a non-integral f with
// 1e-6 <= |f| < 2^49 it writes the same text strconv's shortest 'f' form would, in
// about a third of strconv's time. It reports false, writing nothing, for any other
// f and for the rare ones it leaves to strconv.
//
// Why the text is strconv's: strconv writes the decimal with the fewest significant
// digits among those that read back as f (the reals within half an ulp of f, the ends
// included when f's mantissa is even), the nearest to f when several qualify, a tie
// going to the even one. Let k = fractionDigits(e), so 10^-(k+1) < ulp < 10^-k. The
// interval is narrower than 10^-k, so it holds at most one decimal with k or fewer
// fraction digits; when it holds one, every shorter decimal in it is that one, and
// a decimal with more fraction digits has more significant digits (all of the
// interval has the same leading digit position unless it holds a power of ten,
// which would be that one decimal), so it is the answer without its trailing zeros.
// Otherwise the interval, wider than 10^-(k+1), holds decimals with k+1 fraction
// digits, all of the same length (none ends in 0, it would have k), and the answer
// is the nearest to f, round(f·10^(k+1)), which lies in the interval as some of them
// do. No integer lies in the interval of a non-integral f below 2^53, so the text
// has a fractional part and no exponent, as strconv's 'f' form of it.
//
// The arithmetic is exact: f·10^j = m·5^j / 2^(52-e-j) for f's 53-bit mantissa m,
// and m·5^j fits in 128 bits for j <= 22. It leaves to strconv a power of two with
// no short decimal (its interval is lopsided, an ulp/4 below; none in the range has
// one) and a tie in the rounding to k+1 digits (an f with exactly k+2 fraction
// digits, the last a 5; tie-breaking is strconv's business).
func appendShortDecimal(dst []byte, f float64) ([]byte, bool) {
	// Told from the bits: e in range (2^-20 < 1e-6; from 2^49 on k would be 0) and
	// a bit of the mantissa below the binary point set.
	raw := math.Float64bits(f)
	e := int(raw>>52&0x7ff) - 1023
	abs := math.Abs(f)
	if e < -20 || e > 48 || e >= 0 && raw<<(12+uint(e)) == 0 || abs < 1e-6 {
		return dst, false
	}
	mant := raw&(1<<52-1) | 1<<52
	k := fractionDigits(e)
	// f·10^k = mant·5^k / 2^shift, with the half ulp 5^k/2 in units of 2^-shift.
	// The rounding is done by arithmetic, not a branch the CPU would guess wrong
	// half the time; the masks on shift counts tell the compiler they are below 64.
	shift := uint(52-e-k) & 63 // 3..51
	half := uint64(1) << ((shift - 1) & 63)
	hi, lo := bits.Mul64(mant, pow5[k])
	short := hi<<((64-shift)&63) | lo>>shift
	frac := lo & (half<<1 - 1) // f·10^k - short, in units of 2^-shift
	up := (half - frac) >> 63  // 1 when frac > half: round up
	short += up                // and the distance to f is then 1 - frac
	dist := frac ^ ((frac ^ (half<<1 - frac)) & -up)
	digits := short
	if dist<<1 >= pow5[k] { // never equal: 5^k is odd
		// No decimal with k fraction digits reads back as f: round f·10^(k+1).
		hi, lo = bits.Mul64(mant, pow5[k+1])
		digits = hi<<((65-shift)&63) | lo>>((shift-1)&63)
		frac = lo & (half - 1)
		digits += (half>>1 - frac) >> 63
		k++
		if frac == half>>1 || mant == 1<<52 {
			return dst, false
		}
	} else if mant == 1<<52 && dist != 0 {
		return dst, false
	}
	// The text is the digits padded with zeros to width k+1, with a point before
	// the last k and without the trailing zeros. The common case takes fewer steps
	// than appendFixed: the text's digits, at most 17 with at most 7 before the
	// point, scaled to exactly 17, are one digit and two words of digits. The
	// number of digits before the point is that of f's integer part, not of the
	// decimal's (no integer lies between them), so it is known early.
	intPart := uint64(int64(abs))                 // abs < 2^49
	intDigits := bits.Len64(intPart) * 1233 >> 12 // log10 ≈ log2·1233/4096, low by at most one
	if intPart >= uint64Pow10[intDigits] {
		intDigits++
	}
	intDigits = max(intDigits, 1)
	width := intDigits + k
	if width > 17 || intDigits > 7 {
		return appendFixed(dst, digits, k, f < 0), true
	}
	scaled := digits * uint64Pow10[17-width]
	top := scaled / 1e8 // < 10^9
	high := digitBytes8(uint32(top) % 1e8)
	low := digitBytes8(uint32(scaled % 1e8))
	// The text ends at the last digit that is not 0: in low, or in high when low
	// is all zeros (LeadingZeros64(0) is 64, eight digits).
	textDigits := 17 - bits.LeadingZeros64(low)/8
	if low == 0 {
		textDigits = 9 - bits.LeadingZeros64(high)/8
	}
	const zeros = 0x3030303030303030
	high += zeros
	low += zeros
	sign := int(raw >> 63)
	n := sign + textDigits + 1
	// The word stores write past the text's end, at most to byte 1+7+17 = 25.
	if cap(dst)-len(dst) < 32 {
		dst = slices.Grow(dst, 32)
	}
	out := (*[32]byte)(dst[len(dst) : len(dst)+32])
	out[0] = '-' // overwritten by the first digit when f > 0
	out[sign] = byte('0' + uint32(top)/1e8)
	binary.LittleEndian.PutUint64(out[sign+1:], high)
	point := (sign + intDigits) & 15 // at most 8; the mask spares the bounds checks
	out[point] = '.'
	// The digits after the point are those of high and low from byte intDigits-1 on.
	r := uint(intDigits-1) * 8 & 63
	binary.LittleEndian.PutUint64(out[point+1:], high>>r|low<<1<<(63-r))
	binary.LittleEndian.PutUint64(out[point+9:], low>>r)
	return dst[:len(dst)+n], true
}

// appendFixed writes [-]int.frac for the decimal digits·10^-k (digits < 10^17,
// 1 <= k <= 22, not an integer): its integer part, 0 when empty, and its k fraction
// digits less the trailing zeros. It renders digits as 24 ASCII digits in three
// words and writes the two parts with 8-byte stores of windows of those words
// (shifts, not a copy through memory, which would stall on store forwarding), so
// it reserves room past the text it appends. appendShortDecimal takes it for the
// decimals below about 0.06 (k > 16) and from 10^7 on.
func appendFixed(dst []byte, digits uint64, k int, neg bool) []byte {
	high := digits / 1e8 // < 10^9
	blocks := [3]uint64{digitBytes8(uint32(high / 1e8)), digitBytes8(uint32(high % 1e8)),
		digitBytes8(uint32(digits % 1e8))}
	trailingZeros := 0
	for i := 2; i >= 0; i-- {
		if blocks[i] != 0 {
			trailingZeros += bits.LeadingZeros64(blocks[i]) / 8
			break
		}
		trailingZeros += 8
	}
	const zeros = 0x3030303030303030
	text := [6]uint64{blocks[0] + zeros, blocks[1] + zeros, blocks[2] + zeros}
	// window returns the text's bytes o..o+7 as a little-endian word.
	window := func(o int) uint64 {
		r := uint(o%8) * 8
		return text[o/8]>>r | text[o/8+1]<<(64-r)
	}
	nd := bits.Len64(digits) * 1233 >> 12 // log10 ≈ log2·1233/4096, low by at most one
	if digits >= uint64Pow10[nd] {
		nd++
	}
	intDigits := max(nd-k, 1) // at most 16: digits < 10^17 and k >= 1
	sign := 0
	if neg {
		sign = 1
	}
	n := sign + intDigits + 1 + k - trailingZeros
	const room = 24 // the most the word stores write past the text's end
	if cap(dst)-len(dst) < n+room {
		dst = slices.Grow(dst, n+room)
	}
	out := dst[len(dst) : len(dst)+n+room]
	if neg {
		out[0] = '-'
	}
	start := 24 - k - intDigits
	binary.LittleEndian.PutUint64(out[sign:], window(start))
	binary.LittleEndian.PutUint64(out[sign+8:], window(start+8))
	point := sign + intDigits
	out[point] = '.'
	binary.LittleEndian.PutUint64(out[point+1:], window(24-k))
	binary.LittleEndian.PutUint64(out[point+9:], window(32-k))
	binary.LittleEndian.PutUint64(out[point+17:], window(40-k))
	return dst[:len(dst)+n]
}

// digitBytes8 returns the eight decimal digits of x < 10^8 as the bytes 0..9 of a
// little-endian word, the most significant digit in the lowest byte, by SWAR: split
// into 4-digit halves in 32-bit lanes, then 2-digit quarters in 16-bit lanes, then
// digits in bytes, each step dividing every lane at once by a multiply and shift
// that is exact for the lane's range (TestDigitBytes8 checks all of it).
func digitBytes8(x uint32) uint64 {
	v := uint64(x/10000) | uint64(x%10000)<<32
	q := (v * 10486 >> 20) & (0x7f<<32 | 0x7f) // v/100 per 32-bit lane, v < 10^4
	v = q | (v-q*100)<<16
	q = (v * 103 >> 10) & 0x000f_000f_000f_000f // v/10 per 16-bit lane, v < 100
	return q | (v-q*10)<<8
}

// pow5[i] is 5^i, up to 5^22, the most appendShortDecimal multiplies by.
var pow5 = [...]uint64{1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625,
	48828125, 244140625, 1220703125, 6103515625, 30517578125, 152587890625, 762939453125,
	3814697265625, 19073486328125, 95367431640625, 476837158203125, 2384185791015625}

// uint64Pow10[i] is 10^i, up to the first power above 2^53·10.
var uint64Pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17}

// AppendDate writes days since 1970-01-01 as YYYY-MM-DD.
func AppendDate(dst []byte, days arrow.Date32) []byte {
	y, m, d := CivilFromDays(int64(days))
	if y < 1 || y > 9999 {
		return time.Unix(int64(days)*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
	}
	return append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// AppendTimestamp writes microseconds since the epoch as YYYY-MM-DDTHH:MM:SS, with a
// fractional part only when it is not zero.
func AppendTimestamp(dst []byte, micros int64) []byte {
	t := time.UnixMicro(micros).UTC()
	if t.Nanosecond() == 0 {
		return t.AppendFormat(dst, "2006-01-02T15:04:05")
	}
	return t.AppendFormat(dst, "2006-01-02T15:04:05.999999")
}
