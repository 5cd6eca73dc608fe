package jsonlfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/table"
)

// Decoded is one decoded chunk: its rows, and how many lines (blank ones included) it
// covers, which the next chunk's numbering starts after.
type Decoded struct {
	Chunk *table.Chunk
	Rows  int64
	Lines int64
}

// Decoder decodes chunks of one input; each worker has its own.
type Decoder struct {
	in     *Input
	parser lineParser
	buf    []byte
	seen   []int64 // per column: the last row that gave it a value, +1
}

// NewDecoder returns a decoder of the input's chunks.
func (in *Input) NewDecoder() *Decoder {
	return &Decoder{in: in, seen: make([]int64, len(in.Header))}
}

// readAhead is how much more a range reads at a time to finish its last line.
const readAhead = 64 << 10

// DecodeRange decodes the lines that start in r, the last one read to its end.
func (d *Decoder) DecodeRange(r Range) (Decoded, error) {
	in := d.in
	if r.Start < in.DataStart || r.End > in.Size || r.Start >= r.End {
		return Decoded{}, fmt.Errorf("%s: internal: range [%d, %d) outside the data", in.Name, r.Start, r.End)
	}
	// From the byte before the range: a line starts at r.Start when it is a line end.
	from := max(r.Start-1, in.DataStart)
	buf, err := d.readAt(d.buf[:0], from, r.End)
	if err != nil {
		return Decoded{}, err
	}
	first := 0
	if r.Start > in.DataStart {
		k := bytes.IndexByte(buf, '\n')
		if k < 0 || k+1 >= len(buf) {
			d.buf = buf
			return d.decode(nil) // a line that started earlier covers the whole range
		}
		first = k + 1
	}
	// The last line runs on to its end, past r.End when it must.
	for end := r.End; buf[len(buf)-1] != '\n' && end < in.Size; {
		next := min(end+int64(max(readAhead, len(buf))), in.Size)
		if buf, err = d.readAt(buf, end, next); err != nil {
			return Decoded{}, err
		}
		if k := bytes.IndexByte(buf[len(buf)-int(next-end):], '\n'); k >= 0 {
			buf = buf[:len(buf)-int(next-end)+k+1]
			break
		}
		end = next
	}
	d.buf = buf
	return d.decode(buf[first:])
}

// readAt appends the input's bytes [from, to) to buf.
func (d *Decoder) readAt(buf []byte, from, to int64) ([]byte, error) {
	n := len(buf)
	buf = append(buf, make([]byte, to-from)...)
	if _, err := d.in.file.ReadAt(buf[n:], from); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file shrank while it was read; run again once it is complete", d.in.Name)
		}
		return nil, fmt.Errorf("%s: %w", d.in.Name, err)
	}
	return buf, nil
}

// DecodeBlock decodes a block of whole lines cut by Split.
func (d *Decoder) DecodeBlock(block []byte) (Decoded, error) { return d.decode(block) }

// column builds one column's Arrow string array.
type column struct {
	data  []byte
	offs  []int32
	valid []byte
	nulls int
}

// decode decodes whole lines, the last one perhaps without its line end.
func (d *Decoder) decode(lines []byte) (Decoded, error) {
	in := d.in
	n := len(in.Header)
	// Sized for the block up front: growing the columns row by row cost more than
	// parsing.
	estRows := bytes.Count(lines, []byte{'\n'}) + 1
	cols := make([]column, n)
	for j := range cols {
		cols[j].offs = append(make([]int32, 0, estRows+1), 0)
		cols[j].valid = make([]byte, 0, (estRows+7)/8)
		cols[j].data = make([]byte, 0, len(lines)/n)
	}
	var rows, lineNo int64
	var rowLines []int64
	clear(d.seen)
	for len(lines) > 0 {
		line := lines
		if k := bytes.IndexByte(lines, '\n'); k >= 0 {
			line, lines = lines[:k], lines[k+1:]
		} else {
			lines = nil
		}
		lineNo++
		if blank(line) {
			continue
		}
		if err := d.parser.parse(line); err != nil {
			return Decoded{}, lineParseError(in.Name, lineNo-1, err)
		}
		rows++
		next := 0 // keys mostly come in the columns' order: try the next column first
		for _, f := range d.parser.fields {
			j, ok := next, next < n && in.Header[next] == string(f.key)
			if !ok {
				j, ok = in.index[string(f.key)]
			}
			next = j + 1
			if !ok {
				return Decoded{}, &ParseError{File: in.Name, Line: lineNo - 1,
					Msg:  fmt.Sprintf("key %q is not a column", f.key),
					Hint: fmt.Sprintf("the columns are the keys of the first %d lines; put this key in one of them, null where it has no value", SampleLines)}
			}
			if d.seen[j] == rows {
				return Decoded{}, &ParseError{File: in.Name, Line: lineNo - 1, Msg: fmt.Sprintf("key %q appears twice in the object", f.key)}
			}
			d.seen[j] = rows
			c := &cols[j]
			if !f.null && len(f.value) > 0 {
				c.data = append(c.data, f.value...)
				for len(c.valid)*8 < int(rows) {
					c.valid = append(c.valid, 0)
				}
				c.valid[(rows-1)/8] |= 1 << ((rows - 1) % 8)
			}
		}
		for j := range cols {
			c := &cols[j]
			if int64(len(c.data)) > int64(1<<31-1) {
				return Decoded{}, fmt.Errorf("%s: line %d: a chunk's column holds more than 2 GiB: give a smaller --chunk-size", in.Name, lineNo-1)
			}
			if int32(len(c.data)) == c.offs[len(c.offs)-1] {
				c.nulls++ // nothing appended: null
			}
			c.offs = append(c.offs, int32(len(c.data)))
		}
		rowLines = append(rowLines, lineNo-1)
	}
	arrays := make([]arrow.Array, n)
	for j := range cols {
		c := &cols[j]
		for len(c.valid)*8 < int(rows) {
			c.valid = append(c.valid, 0)
		}
		arrays[j] = table.StringColumn(c.data, c.offs, c.valid, c.nulls)
	}
	chunk := &table.Chunk{
		Source: table.Source{File: in.Name},
		Batch:  array.NewRecordBatch(table.StringSchema(in.Header), arrays, rows),
		Lines:  rowLines,
	}
	return Decoded{Chunk: chunk, Rows: rows, Lines: lineNo}, nil
}
