package rows

import (
	"cmp"
	"context"
	"slices"

	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// piece is rows a partial keeps of one consumed chunk, copied (take), with the chunk's
// place in the input order.
type piece struct {
	seq   int64
	chunk *table.Chunk
}

// sortPieces puts pieces of several partials in input order.
func sortPieces(ps []piece) {
	slices.SortFunc(ps, func(a, b piece) int { return cmp.Compare(a.seq, b.seq) })
}

// maxEmitRows is the most rows Finish emits in one chunk.
const maxEmitRows = 32 << 10

// gatherer joins the pieces a Finish emits, in order, into chunks of up to maxEmitRows
// rows of one source each: a thousand sampled rows are one chunk, not a thousand.
type gatherer struct {
	ctx   context.Context
	emit  func(*table.Chunk) error
	parts []*table.Chunk
	rows  int
}

func (g *gatherer) add(c *table.Chunk) error {
	if c.NumRows() == 0 {
		return nil
	}
	if len(g.parts) > 0 {
		first := g.parts[0]
		if g.rows+c.NumRows() > maxEmitRows || c.Source != first.Source || !c.Batch.Schema().Equal(first.Batch.Schema()) {
			if err := g.flush(); err != nil {
				return err
			}
		}
	}
	g.parts = append(g.parts, c)
	g.rows += c.NumRows()
	return nil
}

func (g *gatherer) flush() error {
	if len(g.parts) == 0 {
		return nil
	}
	if err := g.ctx.Err(); err != nil {
		return err
	}
	c, err := concat(g.parts)
	g.parts, g.rows = g.parts[:0], 0
	if err != nil {
		return err
	}
	return g.emit(c)
}

// collect takes the pieces of every partial and releases the partials.
func collect(parts []transforms.Partial, pieces func(transforms.Partial) []piece) []piece {
	var all []piece
	for _, p := range parts {
		all = append(all, pieces(p)...)
		p.Release()
	}
	return all
}

// firstRows is the indices from, from+1, ..., to-1.
func firstRows(from, to int) []int32 {
	sel := make([]int32, to-from)
	for k := range sel {
		sel[k] = int32(from + k)
	}
	return sel
}

// slice is rows [from, to) of a chunk a partial kept, without a copy.
func slice(c *table.Chunk, from, to int) *table.Chunk {
	out := &table.Chunk{Source: c.Source, Row0: c.Row0 + int64(from), Batch: c.Batch.NewSlice(int64(from), int64(to))}
	if c.Lines != nil {
		out.Lines = c.Lines[from:to]
	}
	return out
}

// passOn is the columns of a stage that passes every input column on unchanged.
func passOn(names []string) []transforms.Column {
	cols := make([]transforms.Column, len(names))
	for j, name := range names {
		cols[j] = transforms.Column{Name: name, From: j}
	}
	return cols
}
