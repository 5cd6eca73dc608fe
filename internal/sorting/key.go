package sorting

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
)

// A row's sort key is encoded once, when the row is taken in, as bytes whose plain
// byte order (bytes.Compare) is the order of the --sort keys. Sorting, top-N and the
// merge of spilled runs then compare bytes only, whatever the column types.
//
// Each key column adds one field:
//
//	null        0xFF (in both directions, so nulls come last)
//	number      classNumber, 8 bytes of the float64 in an order-preserving form, then
//	            2 bytes that tell apart integers beyond 2^53 that share a float64
//	boolean     classBool, 0 or 1
//	date/time   classDatetime, 8 bytes of microseconds since the epoch (a date is its
//	            midnight)
//	text        classText, the bytes with 0x00 written 0x00 0xFF, then 0x00 0x00
//
// so across kinds numbers < booleans < dates and datetimes < other text. A descending
// field is the ascending one with every byte inverted, except the null marker. Every
// field is prefix-free (fixed length, or terminated), so inverting one reverses its
// order and the fields of a multi-key spec can be concatenated.
const (
	classNumber   = 0x01
	classBool     = 0x02
	classDatetime = 0x03
	classText     = 0x04
	nullMark      = 0xFF
)

// keyAppender appends the key field of row i of one column.
type keyAppender func(dst []byte, i int) []byte

// newKeyAppender chooses the field encoder of a column once per chunk.
func newKeyAppender(col arrow.Array, desc bool) (keyAppender, error) {
	enc, err := ascendingAppender(col)
	if err != nil || !desc {
		return enc, err
	}
	return func(dst []byte, i int) []byte {
		start := len(dst)
		dst = enc(dst, i)
		if dst[start] != nullMark {
			for k := start; k < len(dst); k++ {
				dst[k] = ^dst[k]
			}
		}
		return dst
	}, nil
}

func ascendingAppender(col arrow.Array) (keyAppender, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, nullMark)
			}
			return appendTextKey(dst, a.Value(i))
		}, nil
	case *array.Int64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, nullMark)
			}
			v := a.Value(i)
			f := float64(v)
			return appendNumberKey(dst, f, intTie(v, f))
		}, nil
	case *array.Float64:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, nullMark)
			}
			return appendNumberKey(dst, a.Value(i), 0)
		}, nil
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, nullMark)
			}
			if a.Value(i) {
				return append(dst, classBool, 1)
			}
			return append(dst, classBool, 0)
		}, nil
	case *array.Date32:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, nullMark)
			}
			return appendDatetimeKey(dst, int64(a.Value(i))*86400e6)
		}, nil
	case *array.Timestamp:
		toMicros, err := timestampMicros(a.DataType().(*arrow.TimestampType).Unit)
		if err != nil {
			return nil, err
		}
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, nullMark)
			}
			return appendDatetimeKey(dst, toMicros(int64(a.Value(i))))
		}, nil
	case *array.Null:
		return func(dst []byte, i int) []byte { return append(dst, nullMark) }, nil
	}
	return nil, fmt.Errorf("cannot sort by a column of type %s", col.DataType())
}

func timestampMicros(unit arrow.TimeUnit) (func(int64) int64, error) {
	switch unit {
	case arrow.Second:
		return func(v int64) int64 { return v * 1e6 }, nil
	case arrow.Millisecond:
		return func(v int64) int64 { return v * 1e3 }, nil
	case arrow.Microsecond:
		return func(v int64) int64 { return v }, nil
	case arrow.Nanosecond:
		// Flooring keeps order; instants within one microsecond compare equal.
		return func(v int64) int64 { return floorDiv(v, 1e3) }, nil
	}
	return nil, fmt.Errorf("cannot sort by timestamps of unit %s", unit)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// appendTextKey is a text cell's field: its reading by compareText's rule (expr.ReadText).
func appendTextKey(dst []byte, s string) []byte {
	r := expr.ReadText(s)
	switch r.Kind {
	case expr.TextNumber:
		var tie int64
		if r.IsInt {
			tie = intTie(r.Int, r.Number)
		}
		return appendNumberKey(dst, r.Number, tie)
	case expr.TextDatetime:
		return appendDatetimeKey(dst, r.Micros)
	}
	dst = append(dst, classText)
	if strings.IndexByte(s, 0) < 0 {
		dst = append(dst, s...)
	} else {
		for k := 0; k < len(s); k++ {
			if dst = append(dst, s[k]); s[k] == 0 {
				dst = append(dst, 0xFF)
			}
		}
	}
	return append(dst, 0, 0)
}

// appendNumberKey writes f so that byte order is numeric order: the sign bit flipped
// for positives, every bit for negatives. -0 is 0; NaN is one value, after +Inf (as
// PostgreSQL and DuckDB place it). tie orders integers that round to the same f.
func appendNumberKey(dst []byte, f float64, tie int64) []byte {
	dst = append(dst, classNumber)
	dst = binary.BigEndian.AppendUint64(dst, numberBits(f))
	return binary.BigEndian.AppendUint16(dst, numberTie(tie))
}

// numberBits is the 8 bytes of a number's field (appendNumberKey) as an integer.
func numberBits(f float64) uint64 {
	switch {
	case f != f:
		return math.MaxUint64
	case f == 0:
		return 1 << 63
	}
	bits := math.Float64bits(f)
	if bits>>63 != 0 {
		return ^bits
	}
	return bits | 1<<63
}

// numberTie is the last 2 bytes of a number's field as an integer.
func numberTie(tie int64) uint16 { return uint16(tie + 1<<15) }

// numberFieldHead is the keyHead of a key that begins with the number field of f and
// tie (appendNumberKey), inverted when desc, as far as that field goes: its first 11
// bytes, the rest zero. Masked with numberFieldLoMask, a key's head compares with it
// by their first fields, without the key being encoded.
func numberFieldHead(f float64, tie int64, desc bool) keyHead {
	bits := numberBits(f)
	h := keyHead{hi: classNumber<<56 | bits>>8, lo: (bits&0xFF<<16 | uint64(numberTie(tie))) << 40}
	if desc {
		h.hi, h.lo = ^h.hi, ^h.lo&numberFieldLoMask
	}
	return h
}

// numberFieldLoMask keeps the bytes of keyHead.lo that a number field at the start of
// a key covers: its first 3.
const numberFieldLoMask = 1<<64 - 1<<40

// intTie is v - f for an integer v and f = float64(v): 0 below 2^53, and within ±1024
// beyond, where floats are 2048 apart at most (f = 2^63 is beyond int64 itself).
func intTie(v int64, f float64) int64 {
	if f >= 1<<63 {
		return int64(uint64(v) - 1<<63)
	}
	return v - int64(f)
}

func appendDatetimeKey(dst []byte, micros int64) []byte {
	dst = append(dst, classDatetime)
	return binary.BigEndian.AppendUint64(dst, uint64(micros)^1<<63)
}
