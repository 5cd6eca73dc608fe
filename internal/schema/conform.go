package schema

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/valuetype"
)

// Conform turns a chunk's columns into s's Arrow types (Type.ArrowType), for a typed
// writer: text is parsed as the column's type, computed values converted through their
// text, and columns that already have the type kept as they are; a Text column whose
// every value reads as its type, as it is, stays that text (Column.Text). A null, and
// text that is empty or only spaces, is null (a string column keeps an empty string it
// computed).
//
// A value that does not read as its column's type is a *expr.RowError (expression
// "--schema"): with onError fail Conform returns the first in row order; with skip its
// row is left out (and only its first error returned); with null it becomes null. The
// errors let through are returned, in row order then column order.
func (s Schema) Conform(c *table.Chunk, onError expr.OnError) (*table.Chunk, []expr.RowError, error) {
	return s.ConformWith(c, onError, nil)
}

// ConformWith is Conform with the memory of the int, float, date and bool columns it reads from
// whole text columns lent by mem (nil: the garbage collector's), which takes it back when
// the last of their arrays is released.
func (s Schema) ConformWith(c *table.Chunk, onError expr.OnError, mem memory.Allocator) (*table.Chunk, []expr.RowError, error) {
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
		message := "not " + s[col].Type.article()
		if s[col].Inferred && (s[col].Type == Int || s[col].Type == Float) && valuetype.LeadingZero(v) {
			message += " (a leading zero makes it a code: text)"
		}
		rowErrs = append(rowErrs, expr.RowError{File: c.Source.File, Sheet: c.Source.Sheet, Line: line,
			Column: s[col].Name, Expr: "--schema", Value: v, Message: message})
	}
	cols, err := s.conformColumns(b, nil, mem, bad)
	if err != nil {
		return nil, nil, err
	}
	if len(rowErrs) > 0 && slices.ContainsFunc(s, func(c Column) bool { return c.Unchecked }) {
		// Which error comes first, and which rows are skipped, depends on the values
		// of every column: the unchecked ones are checked too.
		release(cols)
		return s.Checked().Conform(c, onError)
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
			if cols, err = s.conformColumns(b, kept, mem, func(int, int, string) {}); err != nil {
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
	fields := make([]arrow.Field, len(s))
	for j, c := range s {
		// Type.ArrowType, or text that a Text column kept
		fields[j] = arrow.Field{Name: c.Name, Type: cols[j].DataType(), Nullable: true}
	}
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows))
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
func (s Schema) conformColumns(b arrow.RecordBatch, rows []int32, mem memory.Allocator, bad func(col, row int, v string)) ([]arrow.Array, error) {
	cols := make([]arrow.Array, len(s))
	for j, col := range s {
		if col.Text && rows == nil && (col.Unchecked && isText(b.Column(j), col.Type) || readsAsText(b.Column(j), col.Type)) {
			a := b.Column(j)
			a.Retain()
			cols[j] = a
			continue
		}
		a, err := conformColumn(b.Column(j), col, rows, mem, func(row int, v string) { bad(j, row, v) })
		if err != nil {
			release(cols)
			return nil, err
		}
		cols[j] = a
	}
	return cols, nil
}

// readsAsText reports whether col is text whose every value is null or reads as t (an
// int, a float, a bool or a date) as it is, without spaces to trim: then a Text column
// keeps it.
func readsAsText(col arrow.Array, t Type) bool {
	if !isText(col, t) {
		return false
	}
	str := col.(*array.String)
	nulls := col.NullN() > 0
	offsets := str.ValueOffsets()
	var data []byte
	if buf := str.Data().Buffers()[2]; buf != nil {
		data = buf.Bytes() // the offsets index the whole buffer
	}
	for i := range str.Len() {
		if nulls && str.IsNull(i) {
			continue
		}
		if !TextReadsAs(data[offsets[i]:offsets[i+1]], t) {
			return false
		}
	}
	return true
}

// isText reports whether col is text of a type a Text column may keep as text.
func isText(col arrow.Array, t Type) bool {
	_, ok := col.(*array.String)
	return ok && (t == Int || t == Float || t == Bool || t == Date)
}

// TextReadsAs reports whether v, a value of a Text column, reads as t (an int, a float,
// a bool or a date) as it is, without spaces to trim: what Conform asks of every value
// of a column it keeps as text. A number with a leading zero (00123) does not: whether
// it fits its column depends on the column (Column.Inferred), which conformColumn knows.
func TextReadsAs(v []byte, t Type) bool {
	if t == Int && isShortInt(v) || t == Float && isShortDecimal(v) || t == Bool && (string(v) == "true" || string(v) == "false") || t == Date && isISODate(v) {
		return true // the usual value, told by its shape alone
	}
	text := unsafe.String(unsafe.SliceData(v), len(v)) // the parsers keep no reference
	if text == "" || len(trimSpace(text)) != len(text) || (t == Int || t == Float) && valuetype.LeadingZero(text) {
		return false
	}
	var ok bool
	switch t {
	case Int:
		_, ok = ParseInt(text)
	case Float:
		_, ok = ParseFloat(text)
	case Bool:
		_, ok = ParseBool(text)
	case Date:
		_, ok = ParseDate(text)
	}
	return ok
}

// conformColumn builds col's rows (nil: all) as c's type's Arrow type (see ConformWith
// for mem); bad hears each value that does not read as it, which becomes null.
func conformColumn(col arrow.Array, c Column, rows []int32, mem memory.Allocator, bad func(row int, v string)) (arrow.Array, error) {
	t := c.Type
	if rows == nil && arrow.TypeEqual(col.DataType(), t.ArrowType()) {
		col.Retain()
		return col, nil
	}
	if t == String {
		return conformString(col, rows)
	}
	parseInt, parseFloat := numberReaders(c)
	if str, ok := col.(*array.String); ok && rows == nil {
		if a, ok := conformWholeText(str, t, parseInt, parseFloat, mem, bad); ok {
			return a, nil
		}
	}
	r, err := newRowReader(col, rows)
	if err != nil {
		return nil, err
	}
	switch t {
	case Int:
		return conformFixed(r, t, parseInt, bad), nil
	case Float:
		return conformFixed(r, t, parseFloat, bad), nil
	case Date:
		return conformFixed(r, t, ParseDate, bad), nil
	case Datetime:
		return conformFixed(r, t, func(v string) (arrow.Timestamp, bool) {
			micros, _, ok := table.ParseISODatetime(v)
			return arrow.Timestamp(micros), ok
		}, bad), nil
	case Time:
		return conformFixed(r, t, func(v string) (arrow.Time64, bool) {
			micros, ok := parseClock(v, true)
			return arrow.Time64(micros), ok
		}, bad), nil
	case Duration:
		return conformFixed(r, t, func(v string) (arrow.Duration, bool) {
			micros, ok := parseClock(v, false)
			return arrow.Duration(micros), ok
		}, bad), nil
	case Bool:
		return conformBool(r, bad), nil
	}
	return nil, fmt.Errorf("internal error: no conversion to %s", t)
}

// numberReaders are how Conform reads the (trimmed) text of c as an int and as a float:
// ParseInt and ParseFloat, except that in a column whose type was inferred from a sample
// (Column.Inferred) a number with a leading zero, a code the inference reads as text
// (valuetype.LeadingZero), does not fit.
func numberReaders(c Column) (func(string) (int64, bool), func(string) (float64, bool)) {
	if !c.Inferred {
		return ParseInt, ParseFloat
	}
	readInt := func(v string) (int64, bool) {
		if valuetype.LeadingZero(v) {
			return 0, false
		}
		return ParseInt(v)
	}
	readFloat := func(v string) (float64, bool) {
		if valuetype.LeadingZero(v) {
			return 0, false
		}
		return ParseFloat(v)
	}
	return readInt, readFloat
}

// rowReader reads the text of a column's rows: a string column's own, or the text of
// computed values (table.NewAppender).
type rowReader struct {
	col     arrow.Array
	str     *array.String
	text    table.Appender
	scratch []byte
	rows    []int32 // nil: all
	n       int
	nulls   bool // the column has nulls
}

func newRowReader(col arrow.Array, rows []int32) (*rowReader, error) {
	r := &rowReader{col: col, rows: rows, n: col.Len(), nulls: col.NullN() > 0}
	if rows != nil {
		r.n = len(rows)
	}
	var ok bool
	if r.str, ok = col.(*array.String); !ok {
		var err error
		if r.text, err = table.NewAppender(col); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// value returns the k-th row's index in the column and its text, trimmed of spaces;
// ok is false for a null or blank one.
func (r *rowReader) value(k int) (i int, v string, ok bool) {
	i = k
	if r.rows != nil {
		i = int(r.rows[k])
	}
	if r.nulls && r.col.IsNull(i) {
		return i, "", false
	}
	if r.str != nil {
		v = r.str.Value(i)
	} else {
		r.scratch = r.text(r.scratch[:0], i)
		v = string(r.scratch)
	}
	v = trimSpace(v)
	return i, v, v != ""
}

// trimSpace is strings.TrimSpace, with a quick way out for the usual value that starts
// and ends with a printable ASCII byte (every space is either ASCII, at most ' ', or
// starts with a byte of at least utf8.RuneSelf).
func trimSpace(v string) string {
	if v != "" && v[0] > ' ' && v[0] < utf8.RuneSelf && v[len(v)-1] > ' ' && v[len(v)-1] < utf8.RuneSelf {
		return v
	}
	return strings.TrimSpace(v)
}

// conformFixed builds a column of a fixed-width type straight into its buffers.
func conformFixed[T any](r *rowReader, t Type, parse func(string) (T, bool), bad func(row int, v string)) arrow.Array {
	vals := make([]T, r.n)
	valid := make([]byte, bitutil.BytesForBits(int64(r.n)))
	nulls := 0
	for k := range r.n {
		i, v, ok := r.value(k)
		if ok {
			if vals[k], ok = parse(v); !ok {
				bad(i, strings.Clone(v))
			}
		}
		if ok {
			bitutil.SetBit(valid, k)
		} else {
			nulls++
		}
	}
	var size int
	if r.n > 0 {
		size = int(unsafe.Sizeof(vals[0]))
	}
	data := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(vals))), r.n*size)
	return newFixed(t.ArrowType(), r.n, valid, nulls, data)
}

func conformBool(r *rowReader, bad func(row int, v string)) arrow.Array {
	vals := make([]byte, bitutil.BytesForBits(int64(r.n)))
	valid := make([]byte, len(vals))
	nulls := 0
	for k := range r.n {
		i, v, ok := r.value(k)
		if ok {
			var x bool
			if x, ok = ParseBool(v); !ok {
				bad(i, strings.Clone(v))
			} else if x {
				bitutil.SetBit(vals, k)
			}
		}
		if ok {
			bitutil.SetBit(valid, k)
		} else {
			nulls++
		}
	}
	return newFixed(arrow.FixedWidthTypes.Boolean, r.n, valid, nulls, vals)
}

func newFixed(dt arrow.DataType, n int, valid []byte, nulls int, data []byte) arrow.Array {
	var validBuf *memory.Buffer
	if nulls > 0 {
		validBuf = memory.NewBufferBytes(valid)
	}
	d := array.NewData(dt, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(data)}, nil, nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}

// conformString builds the text of col's rows (nil: all) as a string column: empty
// strings stay, nulls stay null.
func conformString(col arrow.Array, rows []int32) (arrow.Array, error) {
	r, err := newRowReader(col, rows)
	if err != nil {
		return nil, err
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(r.n)
	for k := range r.n {
		i := k
		if rows != nil {
			i = int(rows[k])
		}
		switch {
		case col.IsNull(i):
			b.AppendNull()
		case r.str != nil:
			b.Append(r.str.Value(i))
		default:
			r.scratch = r.text(r.scratch[:0], i)
			b.BinaryBuilder.Append(r.scratch)
		}
	}
	return b.NewArray(), nil
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
	if n, ok := expr.WholeNumber(v); ok {
		return n, true
	}
	digits := strings.TrimPrefix(v, "+")
	if digits != v && strings.HasPrefix(digits, "-") {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// isShortInt reports, without computing the value, that v is an optional '-' and 1 to
// 18 digits, the first not a 0 unless alone: integer text that expr.WholeNumber reads
// and that cannot overflow.
func isShortInt(v []byte) bool {
	digits := v
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 18 || leadingZeroAt(digits, 0) {
		return false
	}
	for _, c := range digits {
		if c-'0' > 9 {
			return false
		}
	}
	return true
}

// isISODate reports that v is YYYY-MM-DD of a day that exists in years 1 to 9999: the
// text ParseDate reads.
func isISODate(v []byte) bool {
	_, ok := isoDate(v)
	return ok
}

// pow10 are the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// isShortDecimal reports whether shortDecimal reads v, without computing the value
// (whose digits make a chain of multiplications).
func isShortDecimal(v []byte) bool {
	i := 0
	if len(v) > 0 && v[0] == '-' {
		i = 1
	}
	if leadingZeroAt(v, i) {
		return false
	}
	digits, points := 0, 0
	for _, c := range v[i:] {
		switch {
		case c-'0' <= 9:
			digits++
		case c == '.':
			points++
		default:
			return false
		}
	}
	return digits > 0 && digits <= 15 && points <= 1
}

// leadingZeroAt reports whether the number in v from i starts with a 0 and another digit
// (007, 01.5): a code in the sample's eyes (valuetype.LeadingZero), not the usual shape the
// fast paths read; the long way decides whether it fits (numberReaders).
func leadingZeroAt(v []byte, i int) bool {
	return i+1 < len(v) && v[i] == '0' && v[i+1]-'0' <= 9
}

// ParseFloat reads a finite decimal number (no hex, NaN or infinity). A plain integer
// (no point, no exponent) that a float64 cannot hold exactly, such as 9007199254740993,
// is no float: it would be written rounded (issue 9: integers beyond 2^53 stay exact,
// int64 or string, never a rounded float).
func ParseFloat(v string) (float64, bool) {
	if f, ok := shortDecimal(unsafe.Slice(unsafe.StringData(v), len(v))); ok { // it keeps no reference
		return f, true
	}
	if !expr.IsDecimal(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, false
	}
	return f, !isPlainInteger(v) || holdsInteger(f, v)
}

// isPlainInteger reports whether v, a decimal number, is written as an integer: no
// point, no exponent.
func isPlainInteger(v string) bool { return !strings.ContainsAny(v, ".eE") }

// holdsInteger reports whether f, the float64 nearest the integer written v, is that
// integer: every integer below 2^53 in magnitude is, beyond only some.
func holdsInteger(f float64, v string) bool {
	if math.Abs(f) < 1<<53 {
		return true
	}
	n, ok := new(big.Int).SetString(v, 10)
	if !ok {
		return false
	}
	held, _ := new(big.Float).SetFloat64(f).Int(nil)
	return n.Cmp(held) == 0
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
