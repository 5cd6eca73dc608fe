package xlsxout

import (
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/klauspost/compress/flate"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// sampleRows is how many data rows of a sheet decide its column widths, whatever the
// chunks: the same widths, and so the same XML, for any chunk size.
const sampleRows = 1000

// Column widths in characters: at least minWidth, at most maxWidth.
const (
	minWidth = 8
	maxWidth = 60
)

// Part is one chunk's rows as sheet XML, deflated into blocks that end with a full
// flush, so that parts concatenate into one deflate stream. A Part refers to none of
// its batch's arrays: the caller may reuse their memory as soon as EncodeChunk
// returns. Writer.Append splits a part that crosses the row limit by inflating it.
// Release gives the part's buffer back for another part; Append does it for the
// parts it writes.
type Part struct {
	sheet  *Sheet
	rows   int
	data   []byte  // deflated XML rows; a buffer of partBuffers
	crc    uint32  // CRC-32 of the XML rows
	raw    int64   // length of the XML rows
	widths []uint8 // text widths of the first min(rows, sampleRows) rows, row-major
}

// Rows is the number of rows in the part.
func (p *Part) Rows() int { return p.rows }

// partBuffers holds the deflated data of parts written and released, for the parts
// encoded next: a chunk's deflated rows are compressed straight into one, neither
// copied nor allocated afresh.
var partBuffers sync.Pool

// Release gives the part's buffer back for another part once it is written, or
// drops a part that will not be appended.
func (p *Part) Release() {
	if p.data != nil {
		data := p.data[:0]
		partBuffers.Put(&data)
		p.data = nil
	}
}

// CellError is a cell whose text Excel cannot hold. Row is the row's index in the
// batch given to EncodeChunk (0-based), for the caller to name its source line.
type CellError struct {
	Sheet  string
	Column string // the column's name in the schema
	Letter string // its column letter in the sheet
	Row    int
	Chars  int
}

func (e *CellError) Error() string {
	return fmt.Sprintf("sheet %q, column %q (%s), row %d of the chunk: text of %d characters; an Excel cell holds at most 32,767 (shorten the value or write another format)",
		e.Sheet, e.Column, e.Letter, e.Row+1, e.Chars)
}

// encoder is one worker's scratch state, pooled between chunks.
type encoder struct {
	xml  []byte
	fw   *flate.Writer
	out  appender // the deflated bytes of the part being encoded
	crc  uint32
	raw  int64
	cols []column
}

// column is one Arrow column, cast once per chunk.
type column struct {
	typ schema.Type
	arr arrow.Array
	str *array.String // a string column, or an int or float column kept as text
	// An int or float column kept as text (schema.Column.Text): value i is
	// text[offsets[i]:offsets[i+1]].
	text    []byte
	offsets []int32
	i64     []int64
	f64     []float64
	bol     *array.Boolean
	d32     []arrow.Date32
	ts      []arrow.Timestamp
	t64     []arrow.Time64
	dur     []arrow.Duration
	null    bool // the array may hold nulls
}

var encoders sync.Pool

func getEncoder(level int) *encoder {
	if e, ok := encoders.Get().(*encoder); ok {
		return e
	}
	fw, err := flate.NewWriter(nil, level)
	if err != nil {
		panic(err) // the level was checked by New
	}
	return &encoder{fw: fw}
}

// appender is an io.Writer that appends to a byte slice.
type appender struct{ b []byte }

func (a *appender) Write(p []byte) (int, error) {
	a.b = append(a.b, p...)
	return len(p), nil
}

func (e *encoder) begin() {
	e.xml = e.xml[:0]
	e.out.b = nil
	if buf, ok := partBuffers.Get().(*[]byte); ok {
		e.out.b = *buf
	}
	e.fw.Reset(&e.out)
	e.crc, e.raw = 0, 0
}

// spill feeds the XML so far to the CRC and the compressor.
func (e *encoder) spill() {
	e.crc = crc32.Update(e.crc, crc32.IEEETable, e.xml)
	e.raw += int64(len(e.xml))
	e.fw.Write(e.xml) // writes to a bytes.Buffer: no error
	e.xml = e.xml[:0]
}

// finish ends the part's deflate blocks with a full flush (byte aligned, no final
// bit) and hands them over: the encoder starts its next part in another buffer.
func (e *encoder) finish() []byte {
	e.spill()
	e.fw.Flush()
	data := e.out.b
	e.out.b = nil
	return data
}

// deflateXML compresses a small piece of XML (a sheet's head or tail) the way parts
// are, with final appending the empty final block that ends the stream.
func deflateXML(level int, xml []byte, final bool) (data []byte, crc uint32) {
	e := getEncoder(level)
	defer encoders.Put(e)
	e.begin()
	e.xml = append(e.xml, xml...)
	data = e.finish()
	if final {
		data = append(data, 0x03, 0x00) // BFINAL=1, fixed Huffman, end of block
	}
	return data, crc32.ChecksumIEEE(xml)
}

// EncodeChunk turns a batch into sheet rows, deflated. Safe to call from many
// goroutines at once, for any sheets; the batch's columns must have the Arrow types
// of the sheet's schema. The part keeps nothing of the batch.
func (s *Sheet) EncodeChunk(batch arrow.RecordBatch) (*Part, error) {
	if int(batch.NumCols()) != len(s.schema) {
		return nil, fmt.Errorf("sheet %q: chunk has %d columns, schema %d", s.name, batch.NumCols(), len(s.schema))
	}
	e := getEncoder(s.w.level)
	defer encoders.Put(e)
	if err := e.cast(s, batch); err != nil {
		return nil, err
	}
	rows := int(batch.NumRows())
	sampled := min(rows, sampleRows)
	p := &Part{sheet: s, rows: rows, widths: make([]uint8, sampled*len(s.schema))}
	e.begin()
	for i := range rows {
		var widths []uint8
		if i < sampled {
			widths = p.widths[i*len(s.schema):][:len(s.schema)]
		}
		if err := e.appendRow(s, i, widths); err != nil {
			if ce, ok := err.(*CellError); ok {
				ce.Row = i
			}
			return nil, err
		}
		if len(e.xml) >= 64<<10 {
			e.spill()
		}
	}
	p.data = e.finish()
	p.crc, p.raw = e.crc, e.raw
	return p, nil
}

func (e *encoder) cast(s *Sheet, batch arrow.RecordBatch) error {
	e.cols = e.cols[:0]
	for j, c := range s.schema {
		arr := batch.Column(j)
		if a, ok := arr.(*array.String); ok && (c.Type == schema.Int || c.Type == schema.Float) {
			col := column{typ: c.Type, arr: arr, null: arr.NullN() > 0, str: a, offsets: a.ValueOffsets()}
			if buf := a.Data().Buffers()[2]; buf != nil {
				col.text = buf.Bytes() // the offsets index the whole buffer
			}
			e.cols = append(e.cols, col)
			continue
		}
		if !arrow.TypeEqual(arr.DataType(), c.Type.ArrowType()) {
			return fmt.Errorf("sheet %q, column %q: chunk holds %s, schema type %s wants %s", s.name, c.Name, arr.DataType(), c.Type, c.Type.ArrowType())
		}
		col := column{typ: c.Type, arr: arr, null: arr.NullN() > 0}
		switch a := arr.(type) {
		case *array.String:
			col.str = a
		case *array.Int64:
			col.i64 = a.Int64Values()
		case *array.Float64:
			col.f64 = a.Float64Values()
		case *array.Boolean:
			col.bol = a
		case *array.Date32:
			col.d32 = a.Date32Values()
		case *array.Timestamp:
			col.ts = a.TimestampValues()
		case *array.Time64:
			col.t64 = a.Time64Values()
		case *array.Duration:
			col.dur = a.DurationValues()
		}
		e.cols = append(e.cols, col)
	}
	return nil
}

// int is row i's value of an int column, typed or kept as text.
func (c *column) int(i int) int64 {
	if c.str != nil {
		n, _ := schema.ParseInt(c.str.Value(i))
		return n
	}
	return c.i64[i]
}

// float is row i's value of a float column, typed or kept as text.
func (c *column) float(i int) float64 {
	if c.str != nil {
		f, _ := schema.ParseFloat(c.str.Value(i))
		return f
	}
	return c.f64[i]
}

// appendRow appends row i as a <row> without row or cell references: readers place
// each row after the previous one and each cell after the previous cell, so a null
// cell before a value is an empty <c/>, and nulls ending a row are left out. widths,
// when not nil, receives each cell's text width.
func (e *encoder) appendRow(s *Sheet, i int, widths []uint8) error {
	b := append(e.xml, "<row>"...)
	empty := 0 // null cells not written yet
	for j := range e.cols {
		c := &e.cols[j]
		if c.null && c.arr.IsNull(i) {
			empty++
			continue
		}
		for ; empty > 0; empty-- {
			b = append(b, "<c/>"...)
		}
		start := len(b)
		width := 0
		switch c.typ {
		case schema.String:
			v := c.str.Value(i)
			if n := textChars(v); n > MaxCellChars {
				e.xml = b
				return &CellError{Sheet: s.name, Column: s.schema[j].Name, Letter: xlsxfmt.ColumnName(j), Chars: n}
			}
			b = appendInlineString(b, v, styleGeneral)
			if widths != nil {
				width = utf8.RuneCountInString(v)
			}
		case schema.Int:
			if c.str != nil {
				v := c.text[c.offsets[i]:c.offsets[i+1]]
				if intText(v) {
					b = append(b, `<c><v>`...)
					b = append(b, v...)
					b = append(b, `</v></c>`...)
					width = len(v)
					break
				}
			}
			v := c.int(i)
			if v > maxExactInt || v < -maxExactInt {
				b = append(b, `<c t="inlineStr"><is><t>`...)
				b = strconv.AppendInt(b, v, 10)
				b = append(b, `</t></is></c>`...)
				width = len(b) - start - len(`<c t="inlineStr"><is><t></t></is></c>`)
				break
			}
			b = append(b, `<c><v>`...)
			b = strconv.AppendInt(b, v, 10)
			width = len(b) - start - len(`<c><v>`)
			b = append(b, `</v></c>`...)
		case schema.Float:
			if c.str != nil {
				text := c.text[c.offsets[i]:c.offsets[i+1]]
				if n, ok := decimalText(text); ok {
					b = append(b, `<c><v>`...)
					b = append(b, text[:n]...)
					b = append(b, `</v></c>`...)
					width = n
					break
				}
			}
			v := c.float(i)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b = append(b, `<c t="e"><v>#NUM!</v></c>`...)
				width = 5
				break
			}
			b = append(b, `<c><v>`...)
			b = appendNumber(b, v)
			width = len(b) - start - len(`<c><v>`)
			b = append(b, `</v></c>`...)
		case schema.Bool:
			if c.bol.Value(i) {
				b = append(b, `<c t="b"><v>1</v></c>`...)
			} else {
				b = append(b, `<c t="b"><v>0</v></c>`...)
			}
			width = 5
		case schema.Date:
			days := int64(c.d32[i])
			width = 10
			serial, ok := dateSerial(days)
			if !ok {
				b = appendInlineString(b, string(appendISO(nil, days*usPerDay, "2006-01-02")), styleGeneral)
				break
			}
			b = append(b, `<c s="2"><v>`...)
			b = strconv.AppendInt(b, serial, 10)
			b = append(b, `</v></c>`...)
		case schema.Datetime:
			us := int64(c.ts[i])
			days, within := floorDiv(us, usPerDay)
			width = 19
			serial, ok := dateSerial(days)
			if !ok {
				b = appendInlineString(b, string(appendISO(nil, us, "2006-01-02T15:04:05.999999")), styleGeneral)
				break
			}
			b = append(b, `<c s="3"><v>`...)
			b = appendNumber(b, float64(serial)+float64(within)/usPerDay)
			b = append(b, `</v></c>`...)
		case schema.Time:
			b = append(b, `<c s="4"><v>`...)
			b = appendNumber(b, float64(c.t64[i])/usPerDay)
			b = append(b, `</v></c>`...)
			width = 8
		case schema.Duration:
			us := int64(c.dur[i])
			b = append(b, `<c s="5"><v>`...)
			b = appendNumber(b, float64(us)/usPerDay)
			b = append(b, `</v></c>`...)
			width = len(strconv.FormatInt(us/3_600_000_000, 10)) + 6
		}
		if widths != nil {
			widths[j] = uint8(min(width, 255))
		}
	}
	e.xml = append(b, "</row>"...)
	return nil
}

// floorDiv divides rounding toward minus infinity, with the remainder in [0, d).
func floorDiv(a, d int64) (q, r int64) {
	q, r = a/d, a%d
	if r < 0 {
		q, r = q-1, r+d
	}
	return q, r
}
