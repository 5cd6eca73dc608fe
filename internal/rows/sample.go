package rows

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// DefaultSeed is the seed of --sample and --sample-fraction without --seed.
const DefaultSeed = 1

// A row's priority is its place in the random order that --sample and
// --sample-fraction draw from: a 64-bit hash of the seed and of the row's place in
// its input (the input's name and sheet, and the line its record starts on: the CSV
// line, the sheet row, the JSON line), never of the chunk or the worker that met it.
// --sample N keeps the N rows of smallest priority, --sample-fraction P those below
// P·2^64, so the same seed gives the same rows for any --workers and --chunk-size.
//
//	source   = FNV-1a 64 of file name, NUL, sheet name
//	priority = mix(mix(seed XOR source) + line)
//
// where mix is SplitMix64's finalizer, whose output bits each depend on every input bit.
func priority(seed, source uint64, line int64) uint64 {
	return mix(mix(seed^source) + uint64(line))
}

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func sourceHash(s table.Source) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.File))
	h.Write([]byte{0})
	h.Write([]byte(s.Sheet))
	return h.Sum64()
}

// priorities fills dst with the priority of each row of c.
func priorities(dst []uint64, seed uint64, c *table.Chunk) []uint64 {
	src := sourceHash(c.Source)
	dst = slices.Grow(dst[:0], c.NumRows())[:c.NumRows()]
	for i := range dst {
		line := c.Row0 + int64(i) // rows without lines (rows a barrier emitted)
		if i < len(c.Lines) {
			line = c.Lines[i]
		}
		dst[i] = priority(seed, src, line)
	}
	return dst
}

// Fraction is --sample-fraction P: each row independently, kept when its priority is
// below P·2^64. A streaming stage: it keeps the raw rows of the rows it keeps, so that
// a CSV output still copies them.
type Fraction struct {
	p         float64
	seed      uint64
	threshold uint64 // keep priorities below; every row when all
	all       bool
	columns   []transforms.Column
}

// NewFraction returns the stage keeping each row with probability p (0 < p <= 1).
func NewFraction(p float64, seed int64, names []string) *Fraction {
	f := &Fraction{p: p, seed: uint64(seed), columns: passOn(names), all: p >= 1}
	if !f.all {
		f.threshold = uint64(math.Ldexp(p, 64))
	}
	return f
}

func (f *Fraction) Columns() []transforms.Column { return f.columns }
func (f *Fraction) Reads() []bool                { return make([]bool, len(f.columns)) }

// ReadsNumbers implements transforms.Numbered: a row's draw hashes the line it starts on.
func (f *Fraction) ReadsNumbers() bool { return !f.all }

func (f *Fraction) Explain() string {
	return fmt.Sprintf("each row with probability %g (seed %d), by a hash of the seed and the row's input and line", f.p, f.seed)
}

func (f *Fraction) NewWorker() transforms.StreamWorker { return &fractionWorker{f: f} }

type fractionWorker struct {
	f     *Fraction
	prios []uint64
	sel   []int32
}

func (w *fractionWorker) Apply(c *table.Chunk) (*table.Chunk, []expr.RowError, error) {
	if w.f.all {
		return c, nil, nil
	}
	w.prios = priorities(w.prios, w.f.seed, c)
	w.sel = w.sel[:0]
	for i, pr := range w.prios {
		if pr < w.f.threshold {
			w.sel = append(w.sel, int32(i))
		}
	}
	out, err := take(c, w.sel)
	if err != nil {
		return nil, nil, err
	}
	if c.Raw != nil && rawDescribes(c) {
		cols := make([]arrow.Array, len(c.Raw.Columns))
		for j := range cols {
			cols[j] = out.Batch.Column(j)
		}
		out.Raw = c.Raw.Take(cols, w.sel, false)
	}
	return out, nil, nil
}

func (w *fractionWorker) Recycle() {}

// rawDescribes tells whether c's first columns are still the arrays its Raw rows
// decode to, as a writer that copies them requires.
func rawDescribes(c *table.Chunk) bool {
	if len(c.Raw.Columns) > int(c.Batch.NumCols()) {
		return false
	}
	for j, col := range c.Raw.Columns {
		if c.Batch.Column(j) != col {
			return false
		}
	}
	return true
}

// Sample is --sample N: the N rows of smallest priority (all rows when fewer reach
// it), written in input order. Each partial keeps its N best in a heap, copies of the
// rows (a chunk's candidates are copied together, one piece per chunk); Finish keeps
// the N best of those. Memory is N rows per worker, plus pieces' rows that were pushed
// out, compacted when they outnumber the rows held.
type Sample struct {
	n       int64
	seed    uint64
	columns []transforms.Column
}

var _ transforms.CopyingBarrier = (*Sample)(nil)

// NewSample returns the stage keeping a uniform sample of n rows.
func NewSample(n, seed int64, names []string) *Sample {
	return &Sample{n: n, seed: uint64(seed), columns: passOn(names)}
}

func (s *Sample) Columns() []transforms.Column { return s.columns }
func (s *Sample) ConsumeCopies()               {}
func (s *Sample) Reads() []bool                { return make([]bool, len(s.columns)) }
func (s *Sample) Explain() string {
	return fmt.Sprintf("%d rows drawn uniformly (seed %d), by a hash of the seed and each row's input and line; written in input order; each worker holds at most %d rows", s.n, s.seed, s.n)
}

func (s *Sample) NewPartial() transforms.Partial { return &samplePartial{s: s} }

// drawn is one row a sample partial holds.
type drawn struct {
	prio  uint64
	seq   int64
	row   int32 // in its chunk
	piece *samplePiece
	at    int32 // in the piece
}

// before orders rows by priority, ties by input position.
func (a *drawn) before(b *drawn) bool {
	if a.prio != b.prio {
		return a.prio < b.prio
	}
	return a.seq < b.seq || a.seq == b.seq && a.row < b.row
}

type samplePiece struct {
	seq   int64
	chunk *table.Chunk
	live  int // rows of the piece still drawn
}

type samplePartial struct {
	s      *Sample
	heap   []*drawn // max-heap by before: the worst drawn row on top
	stored int      // rows of the pieces that hold a drawn row
	prios  []uint64
	cands  []int32
}

func (p *samplePartial) worst() *drawn { return p.heap[0] }
func (p *samplePartial) full() bool    { return int64(len(p.heap)) >= p.s.n }

func (p *samplePartial) Consume(seq int64, c *table.Chunk) error {
	if p.s.n == 0 || c.NumRows() == 0 {
		return nil
	}
	p.prios = priorities(p.prios, p.s.seed, c)
	p.cands = p.cands[:0]
	for i, pr := range p.prios {
		if !p.full() || (&drawn{prio: pr, seq: seq, row: int32(i)}).before(p.worst()) {
			p.cands = append(p.cands, int32(i))
		}
	}
	if int64(len(p.cands)) > p.s.n {
		// Only this chunk's n best can be drawn: copy no more.
		slices.SortFunc(p.cands, func(a, b int32) int {
			if p.prios[a] != p.prios[b] {
				return cmp.Compare(p.prios[a], p.prios[b])
			}
			return int(a - b)
		})
		p.cands = p.cands[:p.s.n]
		slices.Sort(p.cands)
	}
	if len(p.cands) == 0 {
		return nil
	}
	kept, err := take(c, p.cands)
	if err != nil {
		return err
	}
	pc := &samplePiece{seq: seq, chunk: kept}
	for k, i := range p.cands {
		d := &drawn{prio: p.prios[i], seq: seq, row: i, piece: pc, at: int32(k)}
		if !p.full() {
			p.hold(d)
			p.push(d)
			continue
		}
		if !d.before(p.worst()) {
			continue
		}
		p.drop(p.worst())
		p.hold(d)
		p.heap[0] = d
		p.down(0)
	}
	if int64(p.stored) > 2*p.s.n+maxEmitRows {
		return p.compact()
	}
	return nil
}

// hold accounts for a row drawn into the heap: its piece is kept.
func (p *samplePartial) hold(d *drawn) {
	if d.piece.live++; d.piece.live == 1 {
		p.stored += d.piece.chunk.NumRows()
	}
}

// drop accounts for a drawn row pushed out of the heap: a piece with no drawn row
// left is no longer referenced, and freed.
func (p *samplePartial) drop(d *drawn) {
	if d.piece.live--; d.piece.live == 0 {
		p.stored -= d.piece.chunk.NumRows()
	}
}

// compact copies the drawn rows of each piece into a piece of their own, so that the
// rows pushed out are freed.
func (p *samplePartial) compact() error {
	byPiece := map[*samplePiece][]*drawn{}
	for _, d := range p.heap {
		byPiece[d.piece] = append(byPiece[d.piece], d)
	}
	p.stored = 0
	for old, ds := range byPiece {
		slices.SortFunc(ds, func(a, b *drawn) int { return int(a.at - b.at) })
		sel := make([]int32, len(ds))
		for k, d := range ds {
			sel[k] = d.at
		}
		kept, err := take(old.chunk, sel)
		if err != nil {
			return err
		}
		pc := &samplePiece{seq: old.seq, chunk: kept, live: len(ds)}
		for k, d := range ds {
			d.piece, d.at = pc, int32(k)
		}
		p.stored += len(ds)
	}
	return nil
}

func (p *samplePartial) push(d *drawn) {
	p.heap = append(p.heap, d)
	for i := len(p.heap) - 1; i > 0; {
		parent := (i - 1) / 2
		if !p.heap[parent].before(p.heap[i]) {
			break
		}
		p.heap[parent], p.heap[i] = p.heap[i], p.heap[parent]
		i = parent
	}
}

func (p *samplePartial) down(i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(p.heap) && p.heap[worst].before(p.heap[l]) {
			worst = l
		}
		if r < len(p.heap) && p.heap[worst].before(p.heap[r]) {
			worst = r
		}
		if worst == i {
			return
		}
		p.heap[i], p.heap[worst] = p.heap[worst], p.heap[i]
		i = worst
	}
}

func (p *samplePartial) Release() { p.heap, p.stored = nil, 0 }

func (s *Sample) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	var all []*drawn
	for _, part := range parts {
		all = append(all, part.(*samplePartial).heap...)
	}
	defer func() {
		for _, part := range parts {
			part.Release()
		}
	}()
	if int64(len(all)) > s.n {
		slices.SortFunc(all, func(a, b *drawn) int {
			if a.before(b) {
				return -1
			}
			return 1
		})
		all = all[:s.n]
	}
	slices.SortFunc(all, func(a, b *drawn) int {
		if c := cmp.Compare(a.seq, b.seq); c != 0 {
			return c
		}
		return int(a.row - b.row)
	})
	g := &gatherer{ctx: ctx, emit: emit}
	for len(all) > 0 {
		// The drawn rows of one piece (one chunk) follow each other in input order.
		n := 1
		for n < len(all) && all[n].piece == all[0].piece {
			n++
		}
		sel := make([]int32, n)
		for k, d := range all[:n] {
			sel[k] = d.at
		}
		c, err := take(all[0].piece.chunk, sel)
		if err != nil {
			return err
		}
		if err := g.add(c); err != nil {
			return err
		}
		all = all[n:]
	}
	return g.flush()
}
