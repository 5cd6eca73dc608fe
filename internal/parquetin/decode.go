package parquetin

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ptransform/ptransform/internal/table"
)

// Decoder decodes row groups of one input; each worker has its own. Not safe for
// concurrent use.
type Decoder struct {
	in   *Input
	skip []bool // per column: not read, given as nulls
	rdr  *file.Reader
	fr   *pqarrow.FileReader
	// pages reads the direct columns, keeping its buffers from one column chunk to the next.
	pages pagePath
	whole textBuilder // a whole column chunk's text, when only some of its rows are read

	// A row group's text buffers are large, and fresh ones cost the runtime's zeroing
	// of them: Recycle gives those of a chunk no longer referenced to the next row group.
	spare [][]textBuilder // per column, free for the next row group
	// lent is the chunk last returned, so Recycle can take its buffers back: only the
	// last, for a run that never recycles (a typed output) not to keep row groups alive.
	lent lentText
}

// lentText are the text builders behind one returned chunk.
type lentText struct {
	chunk *table.Chunk
	text  []textBuilder
}

// keptBufferBytes bounds a buffer that Recycle keeps: one of a huge row group is left to
// the garbage collector rather than held for as long as the decoder lives.
const keptBufferBytes = 64 << 20

// Recycle gives the buffers of the chunk last returned by Decode back for the next row
// group. Call it from the decoder's goroutine once nothing references the chunk's
// arrays any more. Other chunks are ignored.
func (d *Decoder) Recycle(c *table.Chunk) {
	if c == nil || d.lent.chunk != c {
		return
	}
	if len(d.spare) < 2 {
		for j := range d.lent.text {
			d.lent.text[j].dropLarge()
		}
		d.spare = append(d.spare, d.lent.text)
	}
	d.lent = lentText{}
}

// builders returns a builder per column for the next row group, recycled if it can.
func (d *Decoder) builders() []textBuilder {
	if k := len(d.spare); k > 0 {
		b := d.spare[k-1]
		d.spare = d.spare[:k-1]
		return b
	}
	return make([]textBuilder, len(d.in.fields))
}

// NewDecoder returns a decoder of the input's row groups that leaves out the columns
// marked in skip (nil: none), which then hold nulls: their pages are never read.
func (in *Input) NewDecoder(skip []bool) *Decoder {
	return &Decoder{in: in, skip: skip, pages: pagePath{cache: in.pages}}
}

// Decode reads row group rg (0-based) as one chunk of text columns. Row0 and Lines are
// left for the caller, who knows the rows before.
func (d *Decoder) Decode(ctx context.Context, rg int) (c *table.Chunk, err error) {
	if rg < 0 || rg >= len(d.in.RowGroups) {
		return nil, fmt.Errorf("%s: internal: row group %d of %d", d.in.Name, rg+1, len(d.in.RowGroups))
	}
	return d.DecodeRows(ctx, rg, 0, d.in.RowGroups[rg])
}

// DecodeRows reads rows [from, to) of row group rg (0-based, rows from 0) as one chunk
// of text columns, as Decode does. The decompressed pages of the row group are kept, for
// the parts of it that this decoder or another of the input reads next (pageCache).
func (d *Decoder) DecodeRows(ctx context.Context, rg int, from, to int64) (c *table.Chunk, err error) {
	in := d.in
	where := fmt.Sprintf("in row group %d", rg+1)
	defer recoverAs(&err, in.Name, where)
	if rg < 0 || rg >= len(in.RowGroups) || from < 0 || to < from || to > in.RowGroups[rg] {
		return nil, fmt.Errorf("%s: internal: rows %d to %d of row group %d of %d", in.Name, from, to, rg+1, len(in.RowGroups))
	}
	if d.rdr == nil {
		rdr, err := file.NewParquetReader(io.NewSectionReader(in.file, 0, in.Size), file.WithMetadata(in.meta))
		if err != nil {
			return nil, footerError(in.Name, err)
		}
		d.rdr = rdr
	}
	rows := to - from
	text := d.builders()
	cols := make([]arrow.Array, len(in.fields))
	defer func() {
		if err != nil {
			for _, a := range cols {
				if a != nil {
					a.Release()
				}
			}
		}
	}()
	for j := range in.fields {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		if d.skip != nil && d.skip[j] {
			continue // made after the columns read, which check the rows the footer claims
		}
		if cols[j], err = d.column(ctx, rg, j, from, to, &text[j]); err != nil {
			return nil, fmt.Errorf("%s: row group %d, column %q: %w", in.Name, rg+1, in.Header[j], err)
		}
		if int64(cols[j].Len()) != rows {
			return nil, fmt.Errorf("%s: row group %d, column %q: %d values for %d rows: %w", in.Name, rg+1, in.Header[j], cols[j].Len(), rows, ErrDecode)
		}
	}
	for j := range cols {
		if cols[j] == nil {
			cols[j] = array.MakeArrayOfNull(memory.DefaultAllocator, arrow.BinaryTypes.String, int(rows))
		}
	}
	c = &table.Chunk{
		Source: table.Source{File: in.Name},
		Batch:  array.NewRecordBatch(table.StringSchema(in.Header), cols, rows),
	}
	d.lent = lentText{chunk: c, text: text}
	return c, nil
}

// column reads rows [from, to) of column j of row group rg and returns them as text
// built by b: on the page path when it can, else by the column reader or through
// pqarrow's arrays, which read the whole column chunk (the rows are then copied out).
func (d *Decoder) column(ctx context.Context, rg, j int, from, to int64, b *textBuilder) (arrow.Array, error) {
	in := d.in
	rows := in.RowGroups[rg]
	if in.direct[j] != notDirect {
		leaf := in.leaves[j][0]
		if col, err := in.meta.RowGroup(rg).ColumnChunk(leaf); err == nil {
			nullable := in.meta.Schema.Column(leaf).MaxDefinitionLevel() > 0
			if d.pages.read(in.file, rg, leaf, col, in.direct[j], in.tsNanos[j], nullable, rows, from, to, b) == nil {
				return b.array()
			}
		}
	}
	if from == 0 && to == rows {
		return d.wholeColumn(ctx, rg, j, b)
	}
	whole, err := d.wholeColumn(ctx, rg, j, &d.whole)
	if err != nil {
		return nil, err
	}
	defer whole.Release()
	text, ok := whole.(*array.String)
	if !ok || int64(text.Len()) != rows {
		return nil, fmt.Errorf("%d values for %d rows: %w", whole.Len(), rows, ErrDecode)
	}
	offs := text.ValueOffsets()
	b.reset(int(to-from), int(offs[to]-offs[from]))
	for i := int(from); i < int(to); i++ {
		if text.IsValid(i) {
			b.data = append(b.data, text.Value(i)...)
		}
		b.end()
	}
	return b.array()
}

// wholeColumn reads column j of row group rg as text built by b, by the column reader or
// through pqarrow's arrays.
func (d *Decoder) wholeColumn(ctx context.Context, rg, j int, b *textBuilder) (text arrow.Array, err error) {
	in := d.in
	if in.direct[j] != notDirect {
		return readColumnDirect(d.rdr.RowGroup(rg), in.leaves[j][0], in.direct[j], in.tsNanos[j], in.RowGroups[rg], b)
	}
	if d.fr == nil {
		if d.fr, err = pqarrow.NewFileReader(d.rdr, pqarrow.ArrowReadProperties{BatchSize: 64 << 10}, memory.DefaultAllocator); err != nil {
			return nil, fmt.Errorf("%v: %w", err, ErrDecode)
		}
	}
	leaves := make(map[int]bool, len(d.in.leaves[j]))
	for _, l := range d.in.leaves[j] {
		leaves[l] = true
	}
	rdr, err := d.fr.GetFieldReader(ctx, j, leaves, []int{rg})
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrDecode)
	}
	defer rdr.Release()
	chunked, err := d.fr.ReadColumn([]int{rg}, rdr)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrDecode)
	}
	defer chunked.Release()
	return textOf(chunked.Chunks(), b)
}
