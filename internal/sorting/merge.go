package sorting

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"golang.org/x/sync/errgroup"

	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// record is a held row as the merge sees it. Its slices stay valid until the next
// call of the source it came from.
type record struct {
	head    keyHead
	key     []byte
	pos     uint64
	payload []byte
	// transient: the slices are valid only until the source's next call (a spilled
	// run's read buffer), not until the end of Finish (memory the partials hold).
	transient bool
}

func (r *record) less(o *record) bool {
	if c := r.head.compare(o.head); c != 0 {
		return c < 0
	}
	if len(r.key) > headSize || len(o.key) > headSize {
		if c := compareTails(r.key, o.key); c != 0 {
			return c < 0
		}
	}
	return r.pos < o.pos
}

// source is one sorted sequence of rows: a spilled run, or what a partial still holds.
type source interface {
	next() (record, bool, error)
}

// Finish sorts what each partial still holds, in parallel (and spills it as a last run
// when any partial spilled), then merges those rows and every spilled run of every
// partial into one sequence, which it emits in chunks of at most maxChunkRows rows with
// the input's column types, stopping at the limit.
func (s *Stage) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	ps := make([]*partial, 0, len(parts))
	defer func() {
		for _, p := range ps {
			p.Release()
		}
	}()
	for _, tp := range parts {
		p, ok := tp.(*partial)
		if !ok {
			return fmt.Errorf("internal error: sorting: a partial of type %T", tp)
		}
		ps = append(ps, p)
	}
	types, err := s.outputTypes(ps)
	if err != nil || types == nil || s.limit == 0 {
		return err
	}
	// Once rows went to disk, the rest follows, so that the merge holds read buffers
	// rather than the partials' full memory share beside the chunks it makes.
	spilled := slices.ContainsFunc(ps, func(p *partial) bool { return p.spill != nil })
	var g errgroup.Group
	for _, p := range ps {
		g.Go(func() error {
			switch {
			case p.buf != nil && spilled && p.buf.n > 0:
				if err := p.spillRun(); err != nil {
					return err
				}
				p.buf.free()
				p.buf = nil
			case p.buf != nil:
				p.buf.sort()
			case p.heap != nil:
				p.heap.sorted()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return s.merge(ctx, s.sources(ps), types, emit)
}

// outputTypes are the column types the partials saw (nil when no row came in).
func (s *Stage) outputTypes(ps []*partial) ([]arrow.DataType, error) {
	var types []arrow.DataType
	for _, p := range ps {
		if p.types == nil {
			continue
		}
		if types == nil {
			types = p.types
			continue
		}
		for j := range types {
			if !arrow.TypeEqual(types[j], p.types[j]) {
				return nil, columnTypeError(s.names[j], types[j], p.types[j])
			}
		}
	}
	return types, nil
}

// Read buffers of spilled runs share a quarter of the memory cap, within these bounds.
const minRunBuffer, maxRunBuffer = 16 << 10, 1 << 20

func (s *Stage) sources(ps []*partial) []source {
	runs := 0
	for _, p := range ps {
		if p.spill != nil {
			runs += len(p.spill.runs)
		}
	}
	bufSize := int(min(max(s.memory/4/int64(max(runs, 1)), minRunBuffer), maxRunBuffer))
	var srcs []source
	for _, p := range ps {
		if p.spill != nil {
			for _, rn := range p.spill.runs {
				srcs = append(srcs, p.spill.open(rn, bufSize))
			}
		}
		switch {
		case p.buf != nil && p.buf.n > 0:
			srcs = append(srcs, &bufferRun{b: p.buf, rows: p.buf.entries()})
		case p.heap != nil && len(p.heap.rows) > 0:
			srcs = append(srcs, &heapRun{rows: p.heap.rows})
		}
	}
	return srcs
}

// bufferRun reads a sorted run buffer.
type bufferRun struct {
	b       *runBuffer
	rows    []entry
	touched byte
}

// readAhead is how many rows ahead of the one read bufferRun touches a row's bytes:
// rows in sorted order lie anywhere in the buffer, and loading the next ones early
// overlaps their cache misses with the work on this one.
const readAhead = 8

func (r *bufferRun) next() (record, bool, error) {
	if len(r.rows) == 0 {
		return record{}, false, nil
	}
	e := &r.rows[0]
	if len(r.rows) > readAhead {
		r.touched += r.b.region[r.rows[readAhead].off]
	}
	r.rows = r.rows[1:]
	return record{head: e.head, key: r.b.key(e), pos: e.pos, payload: r.b.payload(e)}, true, nil
}

// heapRun reads a top-N heap's rows, sorted.
type heapRun struct{ rows []heldRow }

func (r *heapRun) next() (record, bool, error) {
	if len(r.rows) == 0 {
		return record{}, false, nil
	}
	h := &r.rows[0]
	r.rows = r.rows[1:]
	return record{head: h.head, key: h.key, pos: h.pos, payload: h.payload}, true, nil
}

// cursor is a source and its current row.
type cursor struct {
	src source
	rec record
}

// batch is the values of up to maxChunkRows consecutive output rows, which a decoder
// turns into a chunk.
type batch struct {
	payloads [][]byte
	chunk    *table.Chunk
	done     chan struct{} // closed when chunk is made
}

// merge emits the rows of sorted sources in order. One goroutine picks the rows in
// order (a binary heap of the sources by their current row) and cuts them into
// batches; decoders, one per core, turn batches into chunks, reading each row's values
// where it lies; merge emits the chunks in the batches' order. Picking compares key
// heads only, so gathering the rows' values, which lie anywhere in memory, is what the
// cores share.
func (s *Stage) merge(ctx context.Context, srcs []source, types []arrow.DataType, emit func(*table.Chunk) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := runtime.GOMAXPROCS(0)
	builders := make([]*chunkBuilder, workers)
	for k := range builders {
		var err error
		if builders[k], err = newChunkBuilder(s.names, types); err != nil {
			return err
		}
	}
	// At most 2×workers+1 batches are in flight: being decoded, waiting to be emitted
	// in order, being emitted.
	todo := make(chan *batch)
	inOrder := make(chan *batch, workers)
	var g errgroup.Group
	g.Go(func() error {
		defer close(inOrder)
		defer close(todo)
		return s.pick(ctx, srcs, todo, inOrder)
	})
	for _, out := range builders {
		g.Go(func() error {
			for b := range todo {
				for _, p := range b.payloads {
					out.add(p)
				}
				b.chunk = out.chunk()
				close(b.done)
			}
			return nil
		})
	}
	var emitErr error
	row0 := int64(1)
	for b := range inOrder {
		<-b.done
		if emitErr == nil {
			emitErr = ctx.Err()
		}
		if emitErr == nil {
			b.chunk.Row0 = row0
			row0 += int64(b.chunk.NumRows())
			if emitErr = emit(b.chunk); emitErr != nil {
				cancel()
			}
		}
	}
	if err := g.Wait(); emitErr == nil {
		emitErr = err
	}
	return emitErr
}

// slabSize is the size of the blocks that keep copies of rows whose source reuses its
// buffer (spilled runs) until their batch is decoded.
const slabSize = 1 << 20

// pick sends the rows of the sources in order, up to the limit, in batches: to the
// decoders (todo) and, in the same order, to the emitter (inOrder).
func (s *Stage) pick(ctx context.Context, srcs []source, todo, inOrder chan<- *batch) error {
	h := make([]cursor, 0, len(srcs))
	for _, src := range srcs {
		rec, ok, err := src.next()
		if err != nil {
			return err
		}
		if ok {
			h = append(h, cursor{src, rec})
		}
	}
	less := func(i, j int) bool { return h[i].rec.less(&h[j].rec) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && less(r, l) {
				m = r
			}
			if !less(m, i) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	send := func(b *batch) error {
		for _, ch := range []chan<- *batch{todo, inOrder} {
			select {
			case ch <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	newBatch := func() *batch {
		return &batch{payloads: make([][]byte, 0, maxChunkRows), done: make(chan struct{})}
	}
	b := newBatch()
	var slab []byte
	limit := s.limit
	for len(h) > 0 && limit != 0 {
		p := h[0].rec.payload
		if h[0].rec.transient {
			if len(slab)+len(p) > cap(slab) {
				slab = make([]byte, 0, max(slabSize, len(p)))
			}
			slab = append(slab, p...)
			p = slab[len(slab)-len(p):]
		}
		b.payloads = append(b.payloads, p)
		limit--
		if len(b.payloads) == maxChunkRows {
			if err := send(b); err != nil {
				return err
			}
			b = newBatch()
		}
		rec, ok, err := h[0].src.next()
		switch {
		case err != nil:
			return err
		case ok:
			h[0].rec = rec
		default:
			h[0] = h[len(h)-1]
			h = h[:len(h)-1]
		}
		down(0)
	}
	if len(b.payloads) > 0 {
		return send(b)
	}
	return nil
}

// chunkBuilder decodes held rows into the columns of the chunks Finish emits.
type chunkBuilder struct {
	schema *arrow.Schema
	cols   []*columnBuilder
	rows   int
}

func newChunkBuilder(names []string, types []arrow.DataType) (*chunkBuilder, error) {
	fields := make([]arrow.Field, len(names))
	cols := make([]*columnBuilder, len(names))
	for j, name := range names {
		fields[j] = arrow.Field{Name: name, Type: types[j], Nullable: true}
		var err error
		if cols[j], err = newColumnBuilder(types[j]); err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
	}
	return &chunkBuilder{schema: arrow.NewSchema(fields, nil), cols: cols}, nil
}

func (b *chunkBuilder) add(payload []byte) {
	for _, c := range b.cols {
		payload = c.decode(payload)
	}
	b.rows++
}

// chunk returns the rows added since the last chunk. Its Row0 is for the emitter to
// set: rows count in the sorted order, since a sorted row has no single source.
func (b *chunkBuilder) chunk() *table.Chunk {
	arrays := make([]arrow.Array, len(b.cols))
	for j, c := range b.cols {
		arrays[j] = c.finish()
	}
	c := &table.Chunk{Batch: array.NewRecordBatch(b.schema, arrays, int64(b.rows))}
	for _, a := range arrays {
		a.Release()
	}
	b.rows = 0
	return c
}
