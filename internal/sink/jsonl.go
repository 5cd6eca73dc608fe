package sink

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// jsonlSink writes JSON Lines: one object per row, its keys the column names in column
// order, each value by its schema type:
//
//	string    a JSON string, escaped per RFC 8259 (", \ and control characters; bytes
//	          that are not UTF-8 become U+FFFD), nothing else escaped
//	int       a JSON number, exact (int64)
//	float     a JSON number that always reads as one with a fraction or exponent (2.0,
//	          0.5, 1e+21), so that readers type the column alike on every line
//	bool      true, false
//	date      "2024-03-01"; datetime "2024-03-01T13:45:00" (fraction when present)
//	time      "13:45:00"; duration "-27:30:00" (H:MM:SS, fraction when present)
//	null      null, for every empty cell
//
// A chunk's bytes are final, so a file output is written at the workers' offsets.
type jsonlSink struct {
	keys  [][]byte      // per column: `{"name":` for the first, `,"name":` for the others
	types []schema.Type // per column
}

func newJSONL(c Config) (Sink, error) {
	s := &jsonlSink{keys: make([][]byte, len(c.Schema)), types: make([]schema.Type, len(c.Schema))}
	for j, col := range c.Schema {
		s.types[j] = col.Type
		sep := byte(',')
		if j == 0 {
			sep = '{'
		}
		s.keys[j] = append(appendJSONString([]byte{sep}, col.Name), ':')
	}
	return s, nil
}

func (s *jsonlSink) Typed() bool            { return true }
func (s *jsonlSink) Final() bool            { return true }
func (s *jsonlSink) Begin(io.Writer) error  { return nil }
func (s *jsonlSink) Finish(io.Writer) error { return nil }
func (s *jsonlSink) Append(w io.Writer, p Part) error {
	_, err := w.Write(p.Bytes)
	return err
}

func (s *jsonlSink) Encode(dst []byte, c *table.Chunk) (Part, error) {
	b := c.Batch
	rows := int(b.NumRows())
	if int(b.NumCols()) != len(s.keys) {
		return Part{}, fmt.Errorf("internal error: a chunk of %d columns for %d keys", b.NumCols(), len(s.keys))
	}
	// Each column is formatted once, column by column, with one loop per type; the row
	// loop then only copies keys and values.
	cols := make([]jsonColumn, len(s.keys))
	size := 3 * rows
	for j := range cols {
		if err := cols[j].format(b.Column(j), s.types[j]); err != nil {
			return Part{}, err
		}
		size += rows*len(s.keys[j]) + int(cols[j].offsets[rows]-cols[j].offsets[0]) + cols[j].extra
	}
	defer func() {
		for j := range cols {
			cols[j].release()
		}
	}()
	dst = slices.Grow(dst, size)
	for i := range rows {
		if len(s.keys) == 0 {
			dst = append(dst, '{')
		}
		for j, key := range s.keys {
			dst = append(dst, key...)
			col := &cols[j]
			switch {
			case col.valid != nil && !bitutil.BitIsSet(col.valid, col.offset+i):
				dst = append(dst, "null"...)
			case col.quote:
				dst = append(dst, '"')
				dst = append(dst, col.data[col.offsets[i]:col.offsets[i+1]]...)
				dst = append(dst, '"')
			default:
				dst = append(dst, col.data[col.offsets[i]:col.offsets[i+1]]...)
			}
		}
		dst = append(dst, '}', '\n')
	}
	return Part{Bytes: dst, Rows: int64(rows)}, nil
}

// jsonColumn is one column's values as JSON text: data[offsets[i]:offsets[i+1]] is row
// i's (nothing for a null), between quotes when quote is set.
type jsonColumn struct {
	data    []byte
	offsets []int32
	quote   bool
	valid   []byte // the column's validity bitmap from bit offset; nil when it has no nulls
	offset  int
	extra   int      // bytes the row loop adds: quotes, "null"
	text    *textBuf // where data lives, back to textBufs after the chunk
}

// textBuf holds a column's formatted text; textBufs recycles them across chunks.
type textBuf struct {
	data []byte
	ends []int32
}

var textBufs = sync.Pool{New: func() any { return new(textBuf) }}

func (c *jsonColumn) release() {
	if c.text != nil {
		textBufs.Put(c.text)
	}
}

// format formats col by its Arrow type (the schema's, see schema.Type.ArrowType), or for
// an int or float column kept as text (schema.Column.Text) by that text. A string column
// that needs no escaping is used as it is.
func (c *jsonColumn) format(col arrow.Array, typ schema.Type) error {
	n := col.Len()
	if col.NullN() > 0 {
		c.valid, c.offset = col.NullBitmapBytes(), col.Data().Offset()
		c.extra += 4 * col.NullN()
	}
	numberText := typ == schema.Int || typ == schema.Float
	if a, ok := col.(*array.String); ok && numberText && allJSONNumberText(a, typ) {
		c.offsets = a.ValueOffsets()
		if buf := a.Data().Buffers()[2]; buf != nil {
			c.data = buf.Bytes() // the offsets index the whole buffer
		}
		return nil
	}
	if a, ok := col.(*array.String); ok && !numberText && !needsEscape(a) {
		c.offsets, c.quote = a.ValueOffsets(), true
		if buf := a.Data().Buffers()[2]; buf != nil {
			c.data = buf.Bytes() // the offsets index the whole buffer
		}
		c.extra += 2 * n
		return nil
	}
	tb := textBufs.Get().(*textBuf)
	c.text = tb
	data, ends := tb.data[:0], append(tb.ends[:0], 0)
	each := func(put func(dst []byte, i int) []byte) {
		for i := range n {
			if c.valid == nil || bitutil.BitIsSet(c.valid, c.offset+i) {
				data = put(data, i)
			}
			ends = append(ends, int32(len(data)))
		}
	}
	switch a := col.(type) {
	case *array.String:
		if numberText {
			each(func(dst []byte, i int) []byte { return appendJSONNumberText(dst, a.Value(i), typ) })
			break
		}
		each(func(dst []byte, i int) []byte { return appendJSONString(dst, a.Value(i)) })
	case *array.Int64:
		each(func(dst []byte, i int) []byte { return strconv.AppendInt(dst, a.Value(i), 10) })
	case *array.Float64:
		each(func(dst []byte, i int) []byte { return appendJSONFloat(dst, a.Value(i)) })
	case *array.Boolean:
		each(func(dst []byte, i int) []byte { return strconv.AppendBool(dst, a.Value(i)) })
	case *array.Date32:
		c.quote = true
		each(func(dst []byte, i int) []byte { return table.AppendDate(dst, a.Value(i)) })
	case *array.Timestamp:
		c.quote = true
		each(func(dst []byte, i int) []byte { return table.AppendTimestamp(dst, int64(a.Value(i))) })
	case *array.Time64:
		c.quote = true
		each(func(dst []byte, i int) []byte { return schema.AppendClock(dst, int64(a.Value(i))) })
	case *array.Duration:
		c.quote = true
		each(func(dst []byte, i int) []byte { return schema.AppendClock(dst, int64(a.Value(i))) })
	default:
		return fmt.Errorf("internal error: no JSON form for column type %s", col.DataType())
	}
	if len(data) > math.MaxInt32 {
		return fmt.Errorf("a chunk's column of more than 2 GiB of JSON: use a smaller --chunk-size")
	}
	if c.quote {
		c.extra += 2 * n
	}
	tb.data, tb.ends = data, ends
	c.data, c.offsets = data, ends
	return nil
}

// needsEscape reports whether any value of a holds a byte JSON escapes or is not
// UTF-8: one pass over the values' bytes, and value by value where some are not ASCII
// (a sequence cut between two values is valid only across them).
func needsEscape(a *array.String) bool {
	offs := a.ValueOffsets()
	if len(offs) == 0 {
		return false
	}
	data := a.Data().Buffers()[2]
	if data == nil {
		return false
	}
	b := data.Bytes()[offs[0]:offs[len(offs)-1]]
	ascii := true
	for _, c := range b {
		if c < 0x20 || c == '"' || c == '\\' {
			return true
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	for i := 0; !ascii && i < a.Len(); i++ {
		if !utf8.ValidString(a.Value(i)) {
			return true
		}
	}
	return false
}

// appendJSONNumberText writes the text of an int or float that Conform checked (see
// schema.Column.Text) as the same JSON number the value would be written as: the text
// itself when it is already that number's text (jsonIntText, jsonFloatText), which is
// most of the time and saves formatting it again, else the value formatted.
func appendJSONNumberText(dst []byte, v string, typ schema.Type) []byte {
	if typ == schema.Int {
		if jsonIntText(v) {
			return append(dst, v...)
		}
		n, _ := schema.ParseInt(v)
		return strconv.AppendInt(dst, n, 10)
	}
	if jsonFloatText(v) {
		return append(dst, v...)
	}
	f, _ := schema.ParseFloat(v)
	return appendJSONFloat(dst, f)
}

// allJSONNumberText reports whether every value of a, an int or float column kept as
// text, is written as that text (nulls aside), so that a can be copied as it is.
func allJSONNumberText(a *array.String, typ schema.Type) bool {
	nulls := a.NullN() > 0
	for i := range a.Len() {
		if nulls && a.IsNull(i) {
			continue
		}
		if v := a.Value(i); typ == schema.Int && !jsonIntText(v) || typ == schema.Float && !jsonFloatText(v) {
			return false
		}
	}
	return true
}

// jsonIntText reports whether v is what strconv.AppendInt writes: no '+', no leading
// zero, no "-0".
func jsonIntText(v string) bool {
	digits := strings.TrimPrefix(v, "-")
	if digits == "" || digits[0] == '0' && (len(digits) > 1 || len(digits) < len(v)) {
		return false
	}
	return allDigits(digits)
}

// jsonFloatText reports whether v is what appendJSONFloat writes for the value v reads
// as: [-]D.F, D without leading zero, F without trailing zero (or F = "0" for an
// integral value, but not "-0.0", written 0.0), at most 15 digits in all, and at least
// 1e-6 in magnitude. Why that is the text written: the value is below 1e15, written in
// its shortest 'f' form (table.AppendFloat, with ".0" added to an integral one), and two
// decimals of at most 15 significant digits are always more than one double apart, so
// no other decimal of as few digits reads back as the same double: the shortest form is
// v's digits.
func jsonFloatText(v string) bool {
	unsigned := strings.TrimPrefix(v, "-")
	whole, frac, ok := strings.Cut(unsigned, ".")
	if !ok || whole == "" || frac == "" || len(whole)+len(frac) > 15 || !allDigits(whole) || !allDigits(frac) {
		return false
	}
	if whole[0] == '0' && len(whole) > 1 {
		return false // a leading zero
	}
	if frac == "0" {
		return unsigned != "0.0" || len(unsigned) == len(v)
	}
	if frac[len(frac)-1] == '0' {
		return false // a trailing zero
	}
	// Below 1: at most 5 zeros after the point (1e-6 = 0.000001 is the least).
	return whole != "0" || len(frac)-len(strings.TrimLeft(frac, "0")) <= 5
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSONFloat writes f as a JSON number with a fraction or an exponent; JSON has no
// NaN or infinity, which are null.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	start := len(dst)
	dst = table.AppendFloat(dst, f)
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' || c == 'E' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string: ", \ and control characters escaped
// (\n, \r, \t, \b, \f by name, the others as \u00XX), invalid UTF-8 as U+FFFD.
func appendJSONString[T ~string | ~[]byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(string(s[i:min(len(s), i+utf8.UTFMax)]))
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		i++
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
