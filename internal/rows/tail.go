package rows

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Tail is --tail N: the last N rows that reach it, in input order. Each partial keeps
// the last N rows of the chunks it was given (copies, by the chunks' seq), so memory is
// N rows per worker whatever the input's size.
type Tail struct {
	n       int64
	columns []transforms.Column
}

var _ transforms.CopyingBarrier = (*Tail)(nil)

// NewTail returns the stage keeping the last n rows of chunks of these columns.
func NewTail(n int64, names []string) *Tail { return &Tail{n: n, columns: passOn(names)} }

func (t *Tail) Columns() []transforms.Column { return t.columns }
func (t *Tail) ConsumeCopies()               {}
func (t *Tail) Reads() []bool                { return make([]bool, len(t.columns)) }
func (t *Tail) Explain() string {
	return fmt.Sprintf("the last %d rows in input order; each worker holds at most %d rows", t.n, t.n)
}

func (t *Tail) NewPartial() transforms.Partial { return &tailPartial{n: t.n} }

// tailPartial holds pieces in seq order whose rows are the last of the chunks it was
// given: dropping the oldest piece would leave fewer than n rows.
type tailPartial struct {
	n      int64
	pieces []piece
	rows   int64
}

func (p *tailPartial) Consume(seq int64, c *table.Chunk) error {
	rows := int(min(int64(c.NumRows()), p.n))
	if rows == 0 || p.rows >= p.n && seq < p.pieces[0].seq {
		return nil // every row it holds comes after this chunk's
	}
	kept, err := take(c, firstRows(c.NumRows()-rows, c.NumRows()))
	if err != nil {
		return err
	}
	at, _ := slices.BinarySearchFunc(p.pieces, seq, func(pc piece, s int64) int { return cmp.Compare(pc.seq, s) })
	p.pieces = slices.Insert(p.pieces, at, piece{seq, kept})
	p.rows += int64(rows)
	for p.rows-int64(p.pieces[0].chunk.NumRows()) >= p.n {
		p.rows -= int64(p.pieces[0].chunk.NumRows())
		p.pieces[0] = piece{}
		p.pieces = p.pieces[1:]
	}
	return nil
}

func (p *tailPartial) Release() { p.pieces, p.rows = nil, 0 }

func (t *Tail) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	all := collect(parts, func(p transforms.Partial) []piece { return p.(*tailPartial).pieces })
	sortPieces(all)
	// The pieces from the end that hold the last n rows.
	start, skip := len(all), int64(0)
	for rows := int64(0); start > 0 && rows < t.n; {
		start--
		rows += int64(all[start].chunk.NumRows())
		skip = max(0, rows-t.n)
	}
	g := &gatherer{ctx: ctx, emit: emit}
	for k, pc := range all[start:] {
		c := pc.chunk
		if k == 0 && skip > 0 {
			c = slice(c, int(skip), c.NumRows())
		}
		if err := g.add(c); err != nil {
			return err
		}
	}
	return g.flush()
}
