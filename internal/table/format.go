package table

import (
	"fmt"
	"math"
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
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

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
