package rows

import (
	"cmp"
	"context"
	"slices"

	"github.com/ptransform/ptransform/internal/table"
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
