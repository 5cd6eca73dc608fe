package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// Conform turns a chunk's columns into s's Arrow types (Type.ArrowType), for a typed
// writer: text is parsed as the column's type, computed values converted through their
// text, and columns that already have the type kept as they are. A null, and text that
// is empty or only spaces, is null (a string column keeps an empty string it computed).
//
// A value that does not read as its column's type is a *expr.RowError (expression
// "--schema"): with onError fail Conform returns the first in row order; with skip its
// row is left out (and only its first error returned); with null it becomes null. The
// errors let through are returned, in row order then column order.
func (s Schema) Conform(c *table.Chunk, onError expr.OnError) (*table.Chunk, []expr.RowError, error) {
	b := c.Batch
	if int(b.NumCols()) != len(s) {
		return nil, nil, fmt.Errorf("internal error: a chunk of %d columns for a schema of %d", b.NumCols(), len(s))
	}
	var rowErrs []expr.RowError
	bad := func(col, row int, v string) {
		line := c.Row0 + int64(row)
		if row < len(c.Lines) {
			line = c.Lines[row]
		}
		rowErrs = append(rowErrs, expr.RowError{File: c.Source.File, Sheet: c.Source.Sheet, Line: line,
			Column: s[col].Name, Expr: "--schema", Value: v, Message: "not " + s[col].Type.article()})
	}
	cols, err := s.conformColumns(b, nil, bad)
	if err != nil {
		return nil, nil, err
	}
	rows := int(b.NumRows())
	var kept []int32
	if len(rowErrs) > 0 {
		sortByRow(rowErrs)
		switch onError {
		case expr.OnErrorFail:
			release(cols)
			return nil, nil, &rowErrs[0]
		case expr.OnErrorSkip:
			// A row is skipped once: its first error tells why.
			drop := make(map[int64]bool, len(rowErrs))
			first := rowErrs[:0]
			for _, e := range rowErrs {
				if !drop[e.Line] {
					first = append(first, e)
				}
				drop[e.Line] = true
			}
			rowErrs = first
			for i := range rows {
				if !drop[lineOf(c, i)] {
					kept = append(kept, int32(i))
				}
			}
			release(cols)
			if cols, err = s.conformColumns(b, kept, func(int, int, string) {}); err != nil {
				return nil, nil, err
			}
			rows = len(kept)
		}
	}
	out := &table.Chunk{Source: c.Source, Row0: c.Row0, Lines: c.Lines}
	if kept != nil {
		out.Lines = make([]int64, len(kept))
		for k, i := range kept {
			out.Lines[k] = lineOf(c, int(i))
		}
	}
	out.Batch = array.NewRecordBatch(s.Arrow(), cols, int64(rows))
	release(cols) // the batch holds them
	return out, rowErrs, nil
}

func lineOf(c *table.Chunk, row int) int64 {
	if row < len(c.Lines) {
		return c.Lines[row]
	}
	return c.Row0 + int64(row)
}

func release(cols []arrow.Array) {
	for _, a := range cols {
		if a != nil {
			a.Release()
		}
	}
}

// sortByRow orders one chunk's errors by row, keeping the column order within a row.
func sortByRow(errs []expr.RowError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Line < errs[j-1].Line; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// conformColumns conforms every column of b, of rows (nil: all of them).
func (s Schema) conformColumns(b arrow.RecordBatch, rows []int32, bad func(col, row int, v string)) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(s))
	for j, col := range s {
		a, err := conformColumn(b.Column(j), col.Type, rows, func(row int, v string) { bad(j, row, v) })
		if err != nil {
			release(cols)
			return nil, err
		}
		cols[j] = a
	}
	return cols, nil
}

// conformColumn builds col's rows (nil: all) as t's Arrow type; bad hears each value
// that does not read as t, which becomes null.
func conformColumn(col arrow.Array, t Type, rows []int32, bad func(row int, v string)) (arrow.Array, error) {
	if rows == nil && arrow.TypeEqual(col.DataType(), t.ArrowType()) {
		col.Retain()
		return col, nil
	}
	str, _ := col.(*array.String)
	var text table.Appender
	if str == nil {
		var err error
		if text, err = table.NewAppender(col); err != nil {
			return nil, err
		}
	}
	n := col.Len()
	if rows != nil {
		n = len(rows)
	}
	b := array.NewBuilder(memory.DefaultAllocator, t.ArrowType())
	defer b.Release()
	b.Reserve(n)
	put := appender(b, t)
	var scratch []byte
	for k := range n {
		i := k
		if rows != nil {
			i = int(rows[k])
		}
		if col.IsNull(i) {
			b.AppendNull()
			continue
		}
		var v string
		if str != nil {
			v = str.Value(i)
		} else {
			scratch = text(scratch[:0], i)
			v = string(scratch)
		}
		if t != String {
			if v = strings.TrimSpace(v); v == "" {
				b.AppendNull()
				continue
			}
		}
		if !put(v) {
			bad(i, strings.Clone(v))
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

// appender returns the function that appends a value read as t to b, or reports that
// it does not read as t.
func appender(b array.Builder, t Type) func(v string) bool {
	switch t {
	case Int:
		ib := b.(*array.Int64Builder)
		return func(v string) bool {
			n, ok := ParseInt(v)
			if ok {
				ib.Append(n)
			}
			return ok
		}
	case Float:
		fb := b.(*array.Float64Builder)
		return func(v string) bool {
			f, ok := ParseFloat(v)
			if ok {
				fb.Append(f)
			}
			return ok
		}
	case Bool:
		bb := b.(*array.BooleanBuilder)
		return func(v string) bool {
			x, ok := ParseBool(v)
			if ok {
				bb.Append(x)
			}
			return ok
		}
	case Date:
		db := b.(*array.Date32Builder)
		return func(v string) bool {
			d, ok := ParseDate(v)
			if ok {
				db.Append(d)
			}
			return ok
		}
	case Datetime:
		tb := b.(*array.TimestampBuilder)
		return func(v string) bool {
			micros, _, ok := table.ParseISODatetime(v)
			if ok {
				tb.Append(arrow.Timestamp(micros))
			}
			return ok
		}
	case Time:
		tb := b.(*array.Time64Builder)
		return func(v string) bool {
			micros, ok := parseClock(v, true)
			if ok {
				tb.Append(arrow.Time64(micros))
			}
			return ok
		}
	case Duration:
		db := b.(*array.DurationBuilder)
		return func(v string) bool {
			micros, ok := parseClock(v, false)
			if ok {
				db.Append(arrow.Duration(micros))
			}
			return ok
		}
	}
	sb := b.(*array.StringBuilder)
	return func(v string) bool {
		sb.Append(v)
		return true
	}
}

// article names t for an error message: "not an int".
func (t Type) article() string {
	switch t {
	case Int:
		return "an int"
	case Date:
		return "a date (YYYY-MM-DD)"
	case Datetime:
		return "a datetime (YYYY-MM-DD HH:MM[:SS])"
	case Duration:
		return "a duration ([-]H:MM:SS)"
	case Time:
		return "a time of day (H:MM:SS below 24:00:00)"
	case Bool:
		return "a bool (true or false)"
	}
	return "a " + t.String()
}

// ParseInt reads an integer as valuetype does: optional sign, digits, within int64.
func ParseInt(v string) (int64, bool) {
	digits := strings.TrimPrefix(v, "+")
	if digits != v && strings.HasPrefix(digits, "-") {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// ParseFloat reads a finite decimal number (no hex, NaN or infinity).
func ParseFloat(v string) (float64, bool) {
	if !expr.IsDecimal(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// ParseBool reads true or false in any letter case.
func ParseBool(v string) (bool, bool) {
	switch {
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	return false, false
}

// ParseDate reads an ISO date (2024-03-01) as days since 1970-01-01.
func ParseDate(v string) (arrow.Date32, bool) {
	micros, hasTime, ok := table.ParseISODatetime(v)
	if !ok || hasTime {
		return 0, false
	}
	return arrow.Date32(micros / (86400 * 1e6)), true
}

// parseClock reads [-]H:MM:SS[.fraction] (any number of hour digits) as microseconds;
// with timeOfDay, only 0:00:00 to 23:59:59.999999.
func parseClock(v string, timeOfDay bool) (int64, bool) {
	neg := strings.HasPrefix(v, "-")
	if neg {
		if timeOfDay {
			return 0, false
		}
		v = v[1:]
	}
	h, rest, ok := strings.Cut(v, ":")
	if !ok || h == "" || len(rest) < 5 || rest[2] != ':' {
		return 0, false
	}
	hours, err := strconv.ParseInt(h, 10, 64)
	if err != nil || h[0] == '+' || timeOfDay && hours > 23 || hours > math.MaxInt64/3_600_000_000-1 {
		return 0, false
	}
	mi, err1 := strconv.Atoi(rest[:2])
	sec, err2 := strconv.Atoi(rest[3:5])
	if err1 != nil || err2 != nil || rest[0] == '+' || rest[3] == '+' || mi > 59 || sec > 59 {
		return 0, false
	}
	micros := (hours*3600 + int64(mi)*60 + int64(sec)) * 1e6
	if frac := rest[5:]; frac != "" {
		if frac[0] != '.' || len(frac) == 1 {
			return 0, false
		}
		scale := int64(1e5)
		for _, c := range frac[1:] {
			if c < '0' || c > '9' {
				return 0, false
			}
			micros += int64(c-'0') * scale
			scale /= 10
		}
	}
	if neg {
		micros = -micros
	}
	return micros, true
}

// AppendClock writes microseconds as [-]H:MM:SS[.fraction], the text parseClock reads:
// a time of day or a duration.
func AppendClock(dst []byte, micros int64) []byte {
	if micros < 0 {
		dst = append(dst, '-')
		micros = -micros
	}
	secs, frac := micros/1e6, micros%1e6
	dst = strconv.AppendInt(dst, secs/3600, 10)
	dst = append(dst, ':', byte('0'+secs/60%60/10), byte('0'+secs/60%10), ':', byte('0'+secs%60/10), byte('0'+secs%10))
	if frac != 0 {
		start := len(dst)
		dst = strconv.AppendInt(append(dst, '.'), frac+1e6, 10)
		dst = append(dst[:start+1], dst[start+2:]...) // drop the 1 that kept the zeros
		for dst[len(dst)-1] == '0' {
			dst = dst[:len(dst)-1]
		}
	}
	return dst
}
