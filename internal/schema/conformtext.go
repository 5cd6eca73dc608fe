package schema

import (
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// conformWholeText is conformColumn's way for every row of a text column (a CSV input's)
// of an int, a float, a date or a bool type, ok false for another type. It reads the values
// straight from the column's offsets and bytes and parses the usual shapes on the spot
// (an optional '-' and up to 18 digits; up to 15 digits around a point; YYYY-MM-DD;
// true, false),
// leaving anything else to the long way of conformFixed (trimmed of spaces, blank is
// null, then ParseInt, ParseFloat or ParseDate), so the values are the same. The row
// reader's way, a call per value through an interface, the trim and the parser's own
// checks, was half of the conversion's time.
//
// The column's memory comes from mem when not nil (ConformWith).
func conformWholeText(str *array.String, t Type, parseInt func(string) (int64, bool), parseFloat func(string) (float64, bool),
	mem memory.Allocator, bad func(row int, v string)) (arrow.Array, bool) {
	tc := newTextColumn(str)
	switch t {
	case Int:
		return conformTextFixed(tc, t, mem, shortInt, parseInt, bad), true
	case Float:
		return conformTextFixed(tc, t, mem, shortDecimal, parseFloat, bad), true
	case Date:
		return conformTextFixed(tc, t, mem, isoDate, ParseDate, bad), true
	case Bool:
		return conformTextBool(tc, mem, bad), true
	}
	return nil, false
}

// textColumn is a string array's bytes, offsets and validity bits.
type textColumn struct {
	n       int
	data    []byte
	offsets []int32 // n+1, into data
	valid   []byte  // nil: no nulls
	bit0    int     // the first row's bit in valid
}

func newTextColumn(str *array.String) textColumn {
	tc := textColumn{n: str.Len(), offsets: str.ValueOffsets()}
	if buf := str.Data().Buffers()[2]; buf != nil {
		tc.data = buf.Bytes() // the offsets index the whole buffer
	}
	if str.NullN() > 0 {
		tc.valid, tc.bit0 = str.NullBitmapBytes(), str.Data().Offset()
	}
	return tc
}

// conformTextFixed builds a column of a fixed-width type from tc: fast reads the usual
// shape of a value (false: not that shape, which is no verdict), parse the trimmed value
// otherwise. Null rows hold zero values (memory from mem is not zeroed).
func conformTextFixed[T any](tc textColumn, t Type, mem memory.Allocator, fast func([]byte) (T, bool), parse func(string) (T, bool), bad func(row int, v string)) arrow.Array {
	var zero T
	size := int(unsafe.Sizeof(zero))
	data := allocate(mem, tc.n*size)
	valid := allocate(mem, int(bitutil.BytesForBits(int64(tc.n))))
	clear(valid)
	var vals []T
	if tc.n > 0 {
		vals = unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(data))), tc.n)
	}
	nulls := 0
	for k := range tc.n {
		if tc.valid != nil && !bitutil.BitIsSet(tc.valid, tc.bit0+k) {
			vals[k] = zero
			nulls++
			continue
		}
		v := tc.data[tc.offsets[k]:tc.offsets[k+1]]
		x, ok := fast(v)
		if !ok {
			text := trimSpace(unsafe.String(unsafe.SliceData(v), len(v))) // the parsers keep no reference
			if text != "" {
				if x, ok = parse(text); !ok {
					bad(k, strings.Clone(text))
				}
			}
		}
		if ok {
			valid[k>>3] |= 1 << (k & 7)
		} else {
			x = zero
			nulls++
		}
		vals[k] = x
	}
	return fixedArray(t.ArrowType(), tc.n, mem, valid, nulls, data)
}

// releaseBuffers releases the buffers that are not nil.
func releaseBuffers(buffers []*memory.Buffer) {
	for _, b := range buffers {
		if b != nil {
			b.Release()
		}
	}
}

// conformTextBool is conformTextFixed for booleans, one bit a value: "true" and "false"
// read on the spot, anything else the long way (trimmed, ParseBool).
func conformTextBool(tc textColumn, mem memory.Allocator, bad func(row int, v string)) arrow.Array {
	size := int(bitutil.BytesForBits(int64(tc.n)))
	vals, valid := allocate(mem, size), allocate(mem, size)
	clear(vals)
	clear(valid)
	nulls := 0
	for k := range tc.n {
		if tc.valid != nil && !bitutil.BitIsSet(tc.valid, tc.bit0+k) {
			nulls++
			continue
		}
		v := tc.data[tc.offsets[k]:tc.offsets[k+1]]
		x, ok := string(v) == "true", string(v) == "true" || string(v) == "false"
		if !ok {
			text := trimSpace(unsafe.String(unsafe.SliceData(v), len(v))) // ParseBool keeps no reference
			if text != "" {
				if x, ok = ParseBool(text); !ok {
					bad(k, strings.Clone(text))
				}
			}
		}
		if !ok {
			nulls++
			continue
		}
		valid[k>>3] |= 1 << (k & 7)
		if x {
			vals[k>>3] |= 1 << (k & 7)
		}
	}
	return fixedArray(arrow.FixedWidthTypes.Boolean, tc.n, mem, valid, nulls, vals)
}

// fixedArray makes an array of a fixed-width type from its validity bits and values,
// memory of mem (nil: the garbage collector's); valid is dropped when nothing is null.
func fixedArray(dt arrow.DataType, n int, mem memory.Allocator, valid []byte, nulls int, data []byte) arrow.Array {
	if mem == nil {
		return newFixed(dt, n, valid, nulls, data)
	}
	buffers := []*memory.Buffer{memory.NewBufferWithAllocator(valid, mem), memory.NewBufferWithAllocator(data, mem)}
	if nulls == 0 {
		buffers[0].Release()
		buffers[0] = nil
	}
	d := array.NewData(dt, n, buffers, nil, nulls, 0) // it retains the buffers
	releaseBuffers(buffers)
	defer d.Release()
	return array.MakeFromData(d)
}

// allocate returns n bytes of mem, or of the garbage collector's when mem is nil.
func allocate(mem memory.Allocator, n int) []byte {
	if mem == nil {
		return make([]byte, n)
	}
	return mem.Allocate(n)
}

// shortInt reads an optional '-' and 1 to 18 digits (expr.WholeNumber's value, which
// cannot overflow there); false for anything else.
func shortInt(v []byte) (int64, bool) {
	digits := v
	if len(v) > 0 && v[0] == '-' {
		digits = v[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || leadingZeroAt(digits, 0) {
		return 0, false
	}
	var x int64
	for _, c := range digits {
		c -= '0'
		if c > 9 {
			return 0, false
		}
		x = x*10 + int64(c)
	}
	if len(digits) != len(v) {
		x = -x
	}
	return x, true
}

// shortDecimal is ParseFloat's fast path, for the usual [-]digits[.digits] of 1 to 15
// digits in all, in two tight loops (the digits before the point, those after): their
// integer m is exact in a float64, as is 10^k for the k digits after the point, so
// m / 10^k, one IEEE division, is the correctly rounded value, the one
// strconv.ParseFloat returns (its own "exact" path). Anything else (more digits, an
// exponent, a '+', no digit) reports false for the long way.
func shortDecimal(v []byte) (float64, bool) {
	i := 0
	if len(v) > 0 && v[0] == '-' {
		i = 1
	}
	if leadingZeroAt(v, i) {
		return 0, false // a code, or no usual number: the long way
	}
	start := i
	var m uint64
	for ; i < len(v); i++ {
		c := v[i] - '0'
		if c > 9 {
			break
		}
		m = m*10 + uint64(c)
	}
	digits, fraction := i-start, 0
	if i < len(v) && v[i] == '.' {
		i++
		from := i
		for ; i < len(v); i++ {
			c := v[i] - '0'
			if c > 9 {
				break
			}
			m = m*10 + uint64(c)
		}
		fraction = i - from
	}
	if i != len(v) || digits+fraction == 0 || digits+fraction > 15 {
		return 0, false
	}
	f := float64(m) / pow10[fraction]
	if start == 1 {
		f = -f
	}
	return f, true
}
