package lookup

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/valuetype"
)

// A key is compared by its typed value, read by the one type inference of ptransform
// (valuetype), whatever the format it came from: each key column of a row is encoded
// as a tag and the value, so that equal values encode alike and different ones never
// do.
//
//	integer, or a number with an integral value within int64   tagInt + 8 bytes
//	other numbers (0.5, 1e300)                                   tagFloat + 8 bytes
//	bool (true, FALSE)                                           tagBool + 1 byte
//	anything else (text, 007, dates, times)                      tagText + length + bytes
//
// So 42 (an Excel number cell, a JSON number, a CSV "42", " 42", "42.0" or "4.2e1") is
// one key, while "042", a code with a leading zero, is text and matches only "042".
// Text compares byte for byte, letter case and spaces included. An empty value, or one
// of only spaces, is no key: it matches nothing, as a null in an SQL join.
const (
	tagInt   = 1
	tagFloat = 2
	tagBool  = 3
	tagText  = 4
)

// keyColumn appends the encoding of row i of one key column of a chunk to dst; ok is
// false for a null or blank value, which matches nothing.
type keyColumn func(dst []byte, i int) (out []byte, ok bool)

// newKeyColumn returns the reader of one key column, chosen once per chunk by the
// column's Arrow type.
func newKeyColumn(col arrow.Array) (keyColumn, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) ([]byte, bool) {
			if a.IsNull(i) {
				return dst, false
			}
			return appendTextKey(dst, a.Value(i))
		}, nil
	case *array.Int64:
		return func(dst []byte, i int) ([]byte, bool) {
			if a.IsNull(i) {
				return dst, false
			}
			return appendIntKey(dst, a.Value(i)), true
		}, nil
	case *array.Float64:
		return func(dst []byte, i int) ([]byte, bool) {
			if a.IsNull(i) {
				return dst, false
			}
			return appendFloatKey(dst, a.Value(i)), true
		}, nil
	case *array.Boolean:
		return func(dst []byte, i int) ([]byte, bool) {
			if a.IsNull(i) {
				return dst, false
			}
			return appendBoolKey(dst, a.Value(i)), true
		}, nil
	}
	// Dates, timestamps and the rest: by their text, as a writer would write them,
	// which is the text a CSV holding the same value has.
	app, err := table.NewAppender(col)
	if err != nil {
		return nil, err
	}
	var text []byte
	return func(dst []byte, i int) ([]byte, bool) {
		if col.IsNull(i) {
			return dst, false
		}
		text = app(text[:0], i)
		return appendTextKey(dst, string(text))
	}, nil
}

// appendTextKey encodes a text value by its type (valuetype.Of): a number by its value,
// a bool by its truth, anything else by its exact bytes.
func appendTextKey(dst []byte, v string) ([]byte, bool) {
	if n, ok := plainInt(v); ok {
		return appendIntKey(dst, n), true // the usual id, without valuetype's tries
	}
	trimmed := strings.Trim(v, " \t\r\n") // as valuetype reads a value
	switch valuetype.Of(v) {
	case "":
		return dst, false
	case valuetype.Integer:
		n, _ := schema.ParseInt(trimmed)
		return appendIntKey(dst, n), true
	case valuetype.Number:
		f, _ := schema.ParseFloat(trimmed)
		return appendFloatKey(dst, f), true
	case valuetype.Bool:
		return appendBoolKey(dst, strings.EqualFold(trimmed, "true")), true
	}
	dst = binary.LittleEndian.AppendUint32(append(dst, tagText), uint32(len(v)))
	return append(dst, v...), true
}

// plainInt reads the integers valuetype.Of reads as such that ids are made of: an
// optional '-' and 1 to 18 digits, no leading zero (007 is a code, text). It reports
// false for anything else, which the caller classifies the long way.
func plainInt(v string) (int64, bool) {
	digits := strings.TrimPrefix(v, "-")
	if digits == "" || len(digits) > 18 || digits[0] < '0' || digits[0] > '9' || digits[0] == '0' && len(digits) > 1 {
		return 0, false
	}
	return schema.ParseInt(v) // 18 digits or fewer: its fast path, no overflow
}

func appendIntKey(dst []byte, n int64) []byte {
	return binary.LittleEndian.AppendUint64(append(dst, tagInt), uint64(n))
}

// appendFloatKey encodes a float: one with an integral value within int64 as that
// integer (42.0 is 42), every NaN alike.
func appendFloatKey(dst []byte, f float64) []byte {
	if f == math.Trunc(f) && f >= -(1<<63) && f < 1<<63 {
		return appendIntKey(dst, int64(f))
	}
	if f != f {
		f = math.NaN()
	}
	return binary.LittleEndian.AppendUint64(append(dst, tagFloat), math.Float64bits(f))
}

func appendBoolKey(dst []byte, b bool) []byte {
	v := byte(0)
	if b {
		v = 1
	}
	return append(dst, tagBool, v)
}
