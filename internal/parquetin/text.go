package parquetin

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/decimal256"

	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// textOf returns, built by b, the text of the arrays (the chunks of one column of one row group) as
// one string array: the package doc's renderings, null for a null and for an empty
// text. A string array without an empty value is returned as it is, not copied.
func textOf(chunks []arrow.Array, b *textBuilder) (arrow.Array, error) {
	if len(chunks) == 1 {
		if s, ok := chunks[0].(*array.String); ok && !hasEmpty(s) {
			s.Retain()
			return s, nil
		}
	}
	n, size := 0, 0
	for _, a := range chunks {
		n += a.Len()
		if s, ok := a.(*array.String); ok {
			size += len(s.ValueBytes())
		} else {
			size += 12 * a.Len()
		}
	}
	b.reset(n, size)
	for _, a := range chunks {
		app, err := appender(a)
		if err != nil {
			return nil, err
		}
		for i := range a.Len() {
			if a.IsValid(i) {
				b.data = app(b.data, i)
			}
			b.end()
		}
	}
	return b.array()
}

// hasEmpty reports whether a string array holds an empty string that is not null.
func hasEmpty(s *array.String) bool {
	offs := s.ValueOffsets()
	for i := range s.Len() {
		if offs[i] == offs[i+1] && s.IsValid(i) {
			return true
		}
	}
	return false
}

// appender returns the function that appends the text of a valid value of a (see the
// package doc), chosen once per array.
func appender(a arrow.Array) (table.Appender, error) {
	switch a := a.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }, nil
	case *array.LargeString:
		return func(dst []byte, i int) []byte { return append(dst, a.Value(i)...) }, nil
	case *array.Int8:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }, nil
	case *array.Int16:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }, nil
	case *array.Int32:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, int64(a.Value(i)), 10) }, nil
	case *array.Int64:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, a.Value(i), 10) }, nil
	case *array.Uint8:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }, nil
	case *array.Uint16:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }, nil
	case *array.Uint32:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, uint64(a.Value(i)), 10) }, nil
	case *array.Uint64:
		return func(dst []byte, i int) []byte { return strconv.AppendUint(dst, a.Value(i), 10) }, nil
	case *array.Float16:
		return func(dst []byte, i int) []byte { return appendFloat32(dst, a.Value(i).Float32()) }, nil
	case *array.Float32:
		return func(dst []byte, i int) []byte { return appendFloat32(dst, a.Value(i)) }, nil
	case *array.Float64:
		return func(dst []byte, i int) []byte { return table.AppendFloat(dst, a.Value(i)) }, nil
	case *array.Boolean:
		return func(dst []byte, i int) []byte { return strconv.AppendBool(dst, a.Value(i)) }, nil
	case *array.Date32:
		return func(dst []byte, i int) []byte { return table.AppendDate(dst, a.Value(i)) }, nil
	case *array.Date64:
		return func(dst []byte, i int) []byte {
			return table.AppendDate(dst, arrow.Date32(floorDiv(int64(a.Value(i)), 86400_000)))
		}, nil
	case *array.Timestamp:
		nanos := int64(a.DataType().(*arrow.TimestampType).Unit.Multiplier())
		return func(dst []byte, i int) []byte { return appendTimestamp(dst, int64(a.Value(i)), nanos) }, nil
	case *array.Time32:
		nanos := int64(a.DataType().(*arrow.Time32Type).Unit.Multiplier())
		return func(dst []byte, i int) []byte { return appendClock(dst, int64(a.Value(i))*nanos) }, nil
	case *array.Time64:
		nanos := int64(a.DataType().(*arrow.Time64Type).Unit.Multiplier())
		return func(dst []byte, i int) []byte { return appendClock(dst, int64(a.Value(i))*nanos) }, nil
	case *array.Decimal128:
		scale := a.DataType().(*arrow.Decimal128Type).Scale
		return func(dst []byte, i int) []byte { return appendDecimal128(dst, a.Value(i), scale) }, nil
	case *array.Decimal256:
		scale := a.DataType().(*arrow.Decimal256Type).Scale
		return func(dst []byte, i int) []byte { return appendDecimal256(dst, a.Value(i), scale) }, nil
	case *array.Binary:
		return func(dst []byte, i int) []byte { return base64.StdEncoding.AppendEncode(dst, a.Value(i)) }, nil
	case *array.LargeBinary:
		return func(dst []byte, i int) []byte { return base64.StdEncoding.AppendEncode(dst, a.Value(i)) }, nil
	case *array.FixedSizeBinary:
		return func(dst []byte, i int) []byte { return base64.StdEncoding.AppendEncode(dst, a.Value(i)) }, nil
	case *array.Null:
		return func(dst []byte, i int) []byte { return dst }, nil
	case *array.Dictionary:
		values, err := appender(a.Dictionary())
		if err != nil {
			return nil, err
		}
		return func(dst []byte, i int) []byte { return values(dst, a.GetValueIndex(i)) }, nil
	case array.ExtensionArray:
		if a.ExtensionType().ExtensionName() == "arrow.uuid" {
			if raw, ok := a.Storage().(*array.FixedSizeBinary); ok {
				return func(dst []byte, i int) []byte { return appendUUID(dst, raw.Value(i)) }, nil
			}
		}
		return appender(a.Storage())
	case *array.List, *array.LargeList, *array.FixedSizeList, *array.Struct, *array.Map,
		*array.ListView, *array.LargeListView:
		return func(dst []byte, i int) []byte { return appendJSON(dst, a, i) }, nil
	}
	return nil, fmt.Errorf("values of type %s are not read: %w", a.DataType(), ErrDecode)
}

// appendFloat32 writes a FLOAT as table.AppendFloat writes a double, with the shortest
// text that reads back as the same float32: 0.1, not 0.10000000149011612.
func appendFloat32(dst []byte, f float32) []byte {
	d := float64(f)
	abs := math.Abs(d)
	if d == math.Trunc(d) && abs < 1<<53 || math.IsNaN(d) || math.IsInf(d, 0) {
		return table.AppendFloat(dst, d)
	}
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, d, 'f', -1, 32)
	}
	return strconv.AppendFloat(dst, d, 'g', -1, 32)
}

// floorDiv divides rounding toward minus infinity: a time before 1970 falls on the day
// it is in.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// appendTimestamp writes a timestamp of v units of nanos nanoseconds each as
// table.AppendTimestamp does, with nanoseconds when the unit has them.
func appendTimestamp(dst []byte, v, nanos int64) []byte {
	if nanos >= 1000 {
		return table.AppendTimestamp(dst, v*(nanos/1000))
	}
	if v%1000 == 0 {
		return table.AppendTimestamp(dst, v/1000)
	}
	return time.Unix(0, v).UTC().AppendFormat(dst, "2006-01-02T15:04:05.999999999")
}

// appendClock writes a time of day in nanoseconds as schema.AppendClock writes one in
// microseconds, with nanoseconds when there are any.
func appendClock(dst []byte, ns int64) []byte {
	if ns%1000 == 0 {
		return schema.AppendClock(dst, ns/1000)
	}
	dst = schema.AppendClock(dst, ns/1e9*1e6)
	frac := strconv.AppendInt(nil, ns%1e9+1e9, 10)[1:] // nine digits
	for frac[len(frac)-1] == '0' {
		frac = frac[:len(frac)-1]
	}
	return append(append(dst, '.'), frac...)
}

// appendDecimal128 writes a decimal exactly, with scale digits after the point.
func appendDecimal128(dst []byte, n decimal128.Num, scale int32) []byte {
	if hi, lo := n.HighBits(), n.LowBits(); hi == 0 && lo <= math.MaxInt64 || hi == -1 && lo > math.MaxInt64 {
		v := int64(lo)
		if v < 0 {
			return appendScaled(append(dst, '-'), strconv.AppendUint(nil, uint64(-v), 10), scale)
		}
		return appendScaled(dst, strconv.AppendUint(nil, uint64(v), 10), scale)
	}
	return appendBigScaled(dst, n.BigInt().String(), scale)
}

func appendDecimal256(dst []byte, n decimal256.Num, scale int32) []byte {
	return appendBigScaled(dst, n.BigInt().String(), scale)
}

func appendBigScaled(dst []byte, digits string, scale int32) []byte {
	if digits[0] == '-' {
		dst, digits = append(dst, '-'), digits[1:]
	}
	return appendScaled(dst, []byte(digits), scale)
}

// appendScaled writes the unsigned integer of decimal digits times 10^-scale.
func appendScaled(dst, digits []byte, scale int32) []byte {
	if scale <= 0 {
		dst = append(dst, digits...)
		if len(digits) == 1 && digits[0] == '0' {
			return dst
		}
		for range -scale {
			dst = append(dst, '0')
		}
		return dst
	}
	s := int(scale)
	if len(digits) <= s {
		dst = append(dst, '0', '.')
		for range s - len(digits) {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-s]...)
	return append(append(dst, '.'), digits[len(digits)-s:]...)
}

// appendUUID writes 16 bytes as a UUID's canonical text.
func appendUUID(dst, b []byte) []byte {
	if len(b) != 16 {
		return base64.StdEncoding.AppendEncode(dst, b)
	}
	for k, part := range [][]byte{b[:4], b[4:6], b[6:8], b[8:10], b[10:]} {
		if k > 0 {
			dst = append(dst, '-')
		}
		dst = hex.AppendEncode(dst, part)
	}
	return dst
}

// appendJSON writes value i of a as JSON: nested lists, structs and maps as such,
// numbers and booleans bare, everything else as a JSON string of its text.
func appendJSON(dst []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(dst, "null"...)
	}
	switch a := a.(type) {
	case array.ListLike:
		start, end := a.ValueOffsets(i)
		values := a.ListValues()
		if m, ok := a.(*array.Map); ok {
			keys, items := m.Keys(), m.Items()
			dst = append(dst, '{')
			for k := start; k < end; k++ {
				if k > start {
					dst = append(dst, ',')
				}
				dst = appendJSONString(dst, scalarText(keys, int(k)))
				dst = appendJSON(append(dst, ':'), items, int(k))
			}
			return append(dst, '}')
		}
		dst = append(dst, '[')
		for k := start; k < end; k++ {
			if k > start {
				dst = append(dst, ',')
			}
			dst = appendJSON(dst, values, int(k))
		}
		return append(dst, ']')
	case *array.Struct:
		st := a.DataType().(*arrow.StructType)
		dst = append(dst, '{')
		for f := range a.NumField() {
			if f > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, []byte(st.Field(f).Name))
			dst = appendJSON(append(dst, ':'), a.Field(f), i)
		}
		return append(dst, '}')
	case *array.Boolean, *array.Int8, *array.Int16, *array.Int32, *array.Int64,
		*array.Uint8, *array.Uint16, *array.Uint32, *array.Uint64, *array.Decimal128, *array.Decimal256:
		return append(dst, scalarText(a, i)...)
	case *array.Float16, *array.Float32, *array.Float64:
		text := scalarText(a, i)
		if f, err := strconv.ParseFloat(string(text), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return appendJSONString(dst, text) // JSON has no NaN nor infinities
		}
		return append(dst, text...)
	}
	return appendJSONString(dst, scalarText(a, i))
}

// scalarText is the text of value i of a, as a cell would hold it.
func scalarText(a arrow.Array, i int) []byte {
	app, err := appender(a)
	if err != nil {
		return []byte(a.ValueStr(i))
	}
	return app(nil, i)
}

// appendJSONString writes s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendJSONString(dst, s []byte) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\n':
			dst = append(dst, '\\', 'n')
		case r == '\r':
			dst = append(dst, '\\', 'r')
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[r>>4], hexDigits[r&15])
		case r == utf8.RuneError && size == 1:
			dst = append(dst, "\ufffd"...)
		default:
			dst = append(dst, s[:size]...)
		}
		s = s[size:]
	}
	return append(dst, '"')
}
