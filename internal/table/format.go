package table

import (
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
		for i, f := range a.Float64Values() {
			if a.NullN() == 0 || a.IsValid(i) {
				data = AppendFloat(data, f)
			}
			ends = append(ends, int32(len(data)))
		}
	case *array.Int64:
		for i, v := range a.Int64Values() {
			if a.NullN() == 0 || a.IsValid(i) {
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
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		if f == 0 {
			return append(dst, '0') // also for -0
		}
		if math.Abs(f) < 1<<53 {
			return strconv.AppendInt(dst, int64(f), 10)
		}
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		if out, ok := appendShortDecimal(dst, f); ok {
			return out
		}
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

// exactPow10 are the powers of ten a float64 holds exactly.
var exactPow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fractionDigits returns, for a float64 in [2^e, 2^(e+1)), the largest k with
// ulp·10^k < 1 (ulp = 2^(e-52)): floor((52-e)·log10 2), exact for the exponents the
// fast path takes (TestFractionDigitsBound checks them all). 10^k is never a power
// of two, so the bound is strict.
func fractionDigits(e int) int {
	return (52 - e) * 78913 >> 18
}

// appendShortDecimal is the fast path of AppendFloat for a finite, non-integral f with
// 1e-6 <= |f| < 2^49, writing the same text strconv's shortest 'f' form would, and
// reports false when it cannot tell that text cheaply (then nothing is written).
//
// Why the result is the shortest, hence strconv's: let k = fractionDigits(exponent
// of f), so the interval of reals that round to f is narrower than 10^-k and holds at
// most one decimal with k fraction digits, m·10^-k. m is within half a unit of the
// exact f·10^k, which is within half a unit of the rounded product p, so m is
// round(p) or its neighbour on p's side. A candidate is m when m/10^k == f: m and
// 10^k are exact and IEEE division is correctly rounded, so the test is exactly
// "m·10^-k reads back as f". Every decimal in the interval with k or
// fewer fraction digits is then m·10^-k itself, so m without its trailing zeros is the
// shortest. Decimals with more fraction digits have more significant digits: all of
// the interval has the same leading digit position unless it holds a power of ten,
// which has one digit and k or fewer fraction digits, so it would be m. No integer
// lies in the interval of a non-integral f below 2^53, so the shortest has a
// fractional part and no exponent, as strconv's 'f' form of it.
func appendShortDecimal(dst []byte, f float64) ([]byte, bool) {
	raw := math.Float64bits(f)
	e := int(raw>>52&0x7ff) - 1023
	if e < -20 || e > 48 { // 2^-20 < 1e-6; from 2^49 on k would be 0
		return dst, false
	}
	k := fractionDigits(e)
	abs := math.Abs(f)
	t := exactPow10[k]
	p := abs * t // below 2^53, within half a unit of the exact product
	digits := uint64(p)
	frac := p - float64(digits) // exact: p's grid is at least as fine as the integers
	if frac >= 0.5 {
		digits++
		frac--
	}
	if float64(digits)/t != abs {
		// The decimal, if any, is the other integer next to the exact product,
		// which lies on p's side of digits.
		switch {
		case frac > 0:
			digits++
		case frac < 0:
			digits--
		default:
			return dst, false
		}
		if digits >= 1<<53 || float64(digits)/t != abs {
			return dst, false
		}
	}
	// Strip the trailing zeros (fewer than k, as f is not an integer) in steps of
	// 8, 4, 2 and 1 digits.
	for k > 8 && digits%100000000 == 0 {
		digits /= 100000000
		k -= 8
	}
	if k > 4 && digits%10000 == 0 { // constant divisors: a multiply, not a DIV
		digits /= 10000
		k -= 4
	}
	if k > 2 && digits%100 == 0 {
		digits /= 100
		k -= 2
	}
	if k > 1 && digits%10 == 0 {
		digits /= 10
		k--
	}
	// The text is [-]int.frac; digits has nd digits, k of them after the point and
	// when there are no more, a 0 before it and zeros after it.
	nd := bits.Len64(digits) * 1233 >> 12 // log10 ≈ log2·1233/4096, low by at most one
	if digits >= uint64Pow10[nd] {
		nd++
	}
	n := max(nd, k+1) + 1
	if f < 0 {
		n++
	}
	if cap(dst)-len(dst) < n {
		dst = slices.Grow(dst, n)
	}
	out := dst[len(dst) : len(dst)+n]
	i := n
	for ; k >= 2; k -= 2 {
		q := digits / 100
		r := digits - q*100
		i -= 2
		out[i], out[i+1] = twoDigits[2*r], twoDigits[2*r+1]
		digits = q
	}
	if k == 1 {
		q := digits / 10
		i--
		out[i] = byte('0' + digits - q*10)
		digits = q
	}
	i--
	out[i] = '.'
	for digits >= 100 {
		q := digits / 100
		r := digits - q*100
		i -= 2
		out[i], out[i+1] = twoDigits[2*r], twoDigits[2*r+1]
		digits = q
	}
	if digits >= 10 {
		i -= 2
		out[i], out[i+1] = twoDigits[2*digits], twoDigits[2*digits+1]
	} else {
		i--
		out[i] = byte('0' + digits)
	}
	if f < 0 {
		out[0] = '-'
	}
	return dst[:len(dst)+n], true
}

// uint64Pow10[i] is 10^i, up to the first power above 2^53.
var uint64Pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16}

const twoDigits = "00010203040506070809" + "10111213141516171819" + "20212223242526272829" +
	"30313233343536373839" + "40414243444546474849" + "50515253545556575859" +
	"60616263646566676869" + "70717273747576777879" + "80818283848586878889" +
	"90919293949596979899"

// AppendDate writes days since 1970-01-01 as YYYY-MM-DD.
func AppendDate(dst []byte, days arrow.Date32) []byte {
	return time.Unix(int64(days)*86400, 0).UTC().AppendFormat(dst, "2006-01-02")
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
