package rows

import (
	"context"
	"fmt"

	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Head is --head N: the first N rows that reach it, in input order. It is a barrier
// because a worker cannot know how many rows the chunks before its own hold; it is a
// transforms.Limited one, so the run stops reading once the chunks up to some point of
// the input hold N rows (each partial keeps at most N rows of each chunk it is given).
type Head struct {
	n       int64
	columns []transforms.Column
}

var (
	_ transforms.Limited        = (*Head)(nil)
	_ transforms.CopyingBarrier = (*Head)(nil)
)

// NewHead returns the stage keeping the first n rows of chunks of these columns.
func NewHead(n int64, names []string) *Head { return &Head{n: n, columns: passOn(names)} }

func (h *Head) Columns() []transforms.Column { return h.columns }
func (h *Head) Limit() int64                 { return h.n }
func (h *Head) ConsumeCopies()               {}
func (h *Head) Reads() []bool                { return make([]bool, len(h.columns)) }
func (h *Head) Explain() string {
	return fmt.Sprintf("the first %d rows in input order; the input is read no further once they are found", h.n)
}

func (h *Head) NewPartial() transforms.Partial { return &headPartial{n: h.n} }

type headPartial struct {
	n      int64
	pieces []piece
}

func (p *headPartial) Consume(seq int64, c *table.Chunk) error {
	rows := min(int64(c.NumRows()), p.n)
	if rows == 0 {
		return nil
	}
	kept, err := take(c, firstRows(0, int(rows)))
	if err != nil {
		return err
	}
	p.pieces = append(p.pieces, piece{seq, kept})
	return nil
}

func (p *headPartial) Release() { p.pieces = nil }

func (h *Head) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	all := collect(parts, func(p transforms.Partial) []piece { return p.(*headPartial).pieces })
	sortPieces(all)
	g := &gatherer{ctx: ctx, emit: emit}
	left := h.n
	for _, pc := range all {
		if left == 0 {
			break
		}
		c := pc.chunk
		if int64(c.NumRows()) > left {
			c = slice(c, 0, int(left))
		}
		left -= int64(c.NumRows())
		if err := g.add(c); err != nil {
			return err
		}
	}
	return g.flush()
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
