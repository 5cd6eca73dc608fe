package csvfmt

import (
	"bytes"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/table"
)

// Writer formats records as CSV text: UTF-8, minimal quoting (a field is quoted only
// when it contains the delimiter, '"', CR or LF; quotes are doubled), LF line ends
// unless CRLF. Null and empty values are written as nothing, except that a record of
// one empty field is written as "" so that it does not read back as a blank line.
// The zero Delimiter means comma.
type Writer struct {
	Delimiter byte
	CRLF      bool
}

func (w Writer) delim() byte {
	if w.Delimiter == 0 {
		return ','
	}
	return w.Delimiter
}

func (w Writer) eol(dst []byte) []byte {
	if w.CRLF {
		return append(dst, '\r', '\n')
	}
	return append(dst, '\n')
}

// needsQuotes reports whether b must be quoted.
func (w Writer) needsQuotes(b []byte) bool {
	d := w.delim()
	for _, c := range b {
		if c == d || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

func appendQuoted(dst, b []byte) []byte {
	dst = append(dst, '"')
	for {
		k := bytes.IndexByte(b, '"')
		if k < 0 {
			break
		}
		dst = append(dst, b[:k+1]...)
		dst = append(dst, '"')
		b = b[k+1:]
	}
	dst = append(dst, b...)
	return append(dst, '"')
}

// AppendHeader appends one record of column names.
func (w Writer) AppendHeader(dst []byte, names []string) []byte {
	if len(names) == 0 {
		return dst
	}
	if len(names) == 1 && names[0] == "" {
		return w.eol(append(dst, '"', '"'))
	}
	for i, n := range names {
		if i > 0 {
			dst = append(dst, w.delim())
		}
		if w.needsQuotes([]byte(n)) {
			dst = appendQuoted(dst, []byte(n))
		} else {
			dst = append(dst, n...)
		}
	}
	return w.eol(dst)
}

// textChars are all the bytes table.NewAppender can produce for non-string types
// (digits, signs, exponents, NaN/Inf, true/false, dates and times); only a delimiter
// among them makes such values need quoting.
const textChars = "0123456789+-.:eETNaInftrulsf"

// colWriter writes one column's values. String columns are read straight from their
// buffers; other types go through table.NewAppender.
type colWriter struct {
	str     *array.String
	data    []byte
	offsets []int32
	base    int32
	nulls   bool
	app     table.Appender
	check   bool // some value may need quoting
}

// AppendChunk appends every row of b. Column writers are chosen once per column.
func (w Writer) AppendChunk(dst []byte, b arrow.RecordBatch) ([]byte, error) {
	ncols := int(b.NumCols())
	rows := int(b.NumRows())
	if ncols == 0 || rows == 0 {
		return dst, nil
	}
	d := w.delim()
	cws := make([]colWriter, ncols)
	size := 0
	for j := range cws {
		col := b.Column(j)
		cw := &cws[j]
		if s, ok := col.(*array.String); ok {
			cw.str = s
			cw.offsets = s.ValueOffsets()
			cw.base = cw.offsets[0]
			cw.data = s.ValueBytes()
			cw.nulls = s.NullN() > 0
			cw.check = bytes.IndexByte(cw.data, d) >= 0 || bytes.IndexByte(cw.data, '"') >= 0 ||
				bytes.IndexByte(cw.data, '\n') >= 0 || bytes.IndexByte(cw.data, '\r') >= 0
			size += len(cw.data)
			continue
		}
		app, err := table.NewAppender(col)
		if err != nil {
			return dst, err
		}
		cw.app = app
		cw.check = strings.IndexByte(textChars, d) >= 0
		size += 8 * rows
	}
	size += rows*(ncols+1) + 16
	if cap(dst)-len(dst) < size {
		nd := make([]byte, len(dst), len(dst)+size+size/8)
		copy(nd, dst)
		dst = nd
	}
	for i := 0; i < rows; i++ {
		lineStart := len(dst)
		for j := range cws {
			cw := &cws[j]
			if j > 0 {
				dst = append(dst, d)
			}
			if cw.str != nil {
				if cw.nulls && cw.str.IsNull(i) {
					continue
				}
				s, e := int(cw.offsets[i]-cw.base), int(cw.offsets[i+1]-cw.base)
				if cw.check && w.needsQuotes(cw.data[s:e]) {
					dst = appendQuoted(dst, cw.data[s:e])
				} else {
					dst = appendField(dst, cw.data, s, e)
				}
				continue
			}
			start := len(dst)
			dst = cw.app(dst, i)
			if cw.check && w.needsQuotes(dst[start:]) {
				v := append([]byte(nil), dst[start:]...)
				dst = appendQuoted(dst[:start], v)
			}
		}
		if ncols == 1 && len(dst) == lineStart {
			dst = append(dst, '"', '"')
		}
		dst = w.eol(dst)
	}
	return dst, nil
}
