package sink

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
	keys [][]byte // per column: `{"name":` for the first, `,"name":` for the others
}

func newJSONL(c Config) (Sink, error) {
	s := &jsonlSink{keys: make([][]byte, len(c.Schema))}
	for j, col := range c.Schema {
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
	values := make([]jsonValue, len(s.keys))
	for j := range values {
		var err error
		if values[j], err = jsonValueOf(b.Column(j)); err != nil {
			return Part{}, err
		}
	}
	for i := range rows {
		if len(s.keys) == 0 {
			dst = append(dst, '{')
		}
		for j, key := range s.keys {
			dst = append(dst, key...)
			if b.Column(j).IsNull(i) {
				dst = append(dst, "null"...)
			} else {
				dst = values[j](dst, i)
			}
		}
		dst = append(dst, '}', '\n')
	}
	return Part{Bytes: dst, Rows: int64(rows)}, nil
}

// jsonValue appends row i's value (not null) of one column as JSON.
type jsonValue func(dst []byte, i int) []byte

// jsonValueOf chooses a column's jsonValue once per chunk, by its Arrow type (the
// schema's, see schema.Type.ArrowType).
func jsonValueOf(col arrow.Array) (jsonValue, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte { return appendJSONString(dst, a.Value(i)) }, nil
	case *array.Int64:
		return func(dst []byte, i int) []byte { return strconv.AppendInt(dst, a.Value(i), 10) }, nil
	case *array.Float64:
		return func(dst []byte, i int) []byte { return appendJSONFloat(dst, a.Value(i)) }, nil
	case *array.Boolean:
		return func(dst []byte, i int) []byte { return strconv.AppendBool(dst, a.Value(i)) }, nil
	case *array.Date32:
		return func(dst []byte, i int) []byte {
			return append(table.AppendDate(append(dst, '"'), a.Value(i)), '"')
		}, nil
	case *array.Timestamp:
		return func(dst []byte, i int) []byte {
			return append(table.AppendTimestamp(append(dst, '"'), int64(a.Value(i))), '"')
		}, nil
	case *array.Time64:
		return func(dst []byte, i int) []byte {
			return append(schema.AppendClock(append(dst, '"'), int64(a.Value(i))), '"')
		}, nil
	case *array.Duration:
		return func(dst []byte, i int) []byte {
			return append(schema.AppendClock(append(dst, '"'), int64(a.Value(i))), '"')
		}, nil
	}
	return nil, fmt.Errorf("internal error: no JSON form for column type %s", col.DataType())
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
