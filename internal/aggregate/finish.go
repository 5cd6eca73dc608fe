package aggregate

import (
	"context"
	"encoding/binary"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// outputRows is the most rows Finish puts in one chunk.
const outputRows = 32 << 10

// collectRows is how many groups Finish emits between two collections of the garbage,
// when it emits more.
const collectRows = 8 * outputRows

// Finish merges the partials into one, orders the groups by their first row in the
// input and emits keys and results; no chunk when there is no group (grouped, no rows).
func (s *Stage) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	// The partials merge into the one with the most groups, each released once merged,
	// so that memory holds one more copy of the groups only while a partial is merged
	// in, and the fewest groups are added (and copied) again.
	var all *partial
	ordered := true
	for _, tp := range parts {
		if p := tp.(*partial); p.groups != nil {
			ordered = ordered && p.ordered
			if all == nil || p.ngroups > all.ngroups {
				all = p
			}
		}
	}
	var lists []firstList
	if all != nil {
		all.ordered = ordered // else merging keeps the earliest first row of each group
		lists = append(lists, firstList{first: all.first, n: all.ngroups})
	}
	for _, tp := range parts {
		p := tp.(*partial)
		if p.groups == nil || p == all {
			continue // released, or the one merged into
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		into, err := all.mergeFrom(p)
		if err != nil {
			return err
		}
		lists = append(lists, firstList{first: p.first, n: p.ngroups, into: into})
		p.Release()
	}
	if all == nil {
		all = s.newPartial(false)
	}
	if s.keyMode == keysNone && all.ngroups == 0 {
		all.addGroup(0, 0) // one summary row, even over no input
	}
	n := all.ngroups
	if all.counts {
		all.rows.grow(n, 0)
	}
	for _, acc := range all.accs {
		acc.grow(n)
	}
	var order []int32
	if ordered {
		order = firstOrder(lists, n)
	}
	if len(order) != n { // a partial met chunks out of order, or no chunk at all
		order = make([]int32, n)
		for g := range order {
			order[g] = int32(g)
		}
		slices.SortFunc(order, func(a, b int32) int {
			fa, fb := all.first.at(a, nil), all.first.at(b, nil)
			if fa.seq != fb.seq {
				return cmpInt(fa.seq, fb.seq)
			}
			return cmpInt(fa.row, fb.row)
		})
	}
	// What a build makes once for every group (sum's choice of int or float, the
	// quantiles, mode's values) is made here, so that parts can be built side by side.
	for k := range s.aggs {
		a := &s.aggs[k]
		col, err := all.accs[a.state].build(a, nil, all.describeGroup)
		if err != nil {
			return aggError(a, err)
		}
		col.Release()
	}
	// Parts of outputRows groups are built a batch at a time, one goroutine a part,
	// and emitted in order.
	batch := runtime.GOMAXPROCS(0)
	built := make([][]arrow.Array, batch)
	errs := make([]error, batch)
	fields := make([]arrow.Field, len(s.columns))
	nextCollect := 0
	for start := 0; start < n; start += batch * outputRows {
		if err := ctx.Err(); err != nil {
			return err
		}
		if n > collectRows && start >= nextCollect {
			// The partials merged in and the parts emitted so far are garbage, and a
			// million groups' worth is 100 MB the heap would take fresh from the OS
			// before its next collection: a page faulted in costs ~20 µs here, a
			// collection of the live state (flat pages, nothing to scan) a few ms.
			runtime.GC()
			nextCollect = start + collectRows
		}
		count := min(batch, (n-start+outputRows-1)/outputRows)
		var wg sync.WaitGroup
		for j := range count {
			lo := start + j*outputRows
			wg.Add(1)
			go func() {
				defer wg.Done()
				built[j], errs[j] = all.build(order[lo:min(lo+outputRows, n)])
			}()
		}
		wg.Wait()
		for j := range count {
			if errs[j] == nil {
				continue
			}
			for _, cols := range built[:count] {
				releaseAll(cols)
			}
			return errs[j]
		}
		for j := range count {
			lo := start + j*outputRows
			rows := min(outputRows, n-lo)
			cols := built[j]
			for k, c := range cols {
				fields[k] = arrow.Field{Name: s.columns[k].Name, Type: c.DataType(), Nullable: true}
			}
			rec := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows))
			releaseAll(cols)
			built[j] = nil
			err := emit(&table.Chunk{Source: table.Source{File: "--agg"}, Batch: rec, Row0: int64(lo) + 1})
			if err != nil {
				for _, cols := range built[j+1 : count] {
					releaseAll(cols)
				}
				return err
			}
		}
	}
	return nil
}

func releaseAll(cols []arrow.Array) {
	for _, c := range cols {
		c.Release()
	}
}

func cmpInt[T int64 | int32](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// firstList are one partial's groups in the order of their first rows, when it met its
// chunks in order: ids 0 to n-1, first row first[g], group into[g] of the merged
// partial (nil: the same id).
type firstList struct {
	first firstRows
	n     int
	into  []int32
}

// firstOrder returns the n merged groups in the order of their first rows in the
// input. Each list is in that order, so merging them, a group taking its place where it
// is met first, gives it in one pass where sorting a million groups took a serial
// tenth of a second. A list's first rows are its partial's own, which merging left
// alone (seen does nothing while the merged partial is ordered).
func firstOrder(lists []firstList, n int) []int32 {
	order := make([]int32, 0, n)
	placed := make([]bool, n)
	next := make([]int, len(lists))
	hints := make([]int, len(lists))
	heads := make([]position, len(lists)) // the first row of list k's next group
	head := func(k int) {
		if next[k] < lists[k].n {
			heads[k] = lists[k].first.at(int32(next[k]), &hints[k])
		}
	}
	for k := range lists {
		head(k)
	}
	for {
		best := -1
		for k := range lists {
			if next[k] < lists[k].n && (best < 0 || heads[k].before(heads[best])) {
				best = k
			}
		}
		if best < 0 {
			return order
		}
		l := &lists[best]
		g := int32(next[best])
		next[best]++
		head(best)
		if l.into != nil {
			g = l.into[g]
		}
		if !placed[g] {
			placed[g] = true
			order = append(order, g)
		}
	}
}

// mergeFrom folds partial o into p: o's groups are found or added among p's, keeping
// the earliest first row, then each aggregate merges its states. into[g] is p's group
// of o's group g.
func (p *partial) mergeFrom(o *partial) (into []int32, err error) {
	into = make([]int32, o.ngroups)
	hint := 0
	for g := range into {
		ng, added := p.findIn(o, int32(g))
		if added {
			p.added(o.first.at(int32(g), &hint))
		} else {
			p.seen(ng, o.first.at(int32(g), &hint))
		}
		into[g] = ng
	}
	if p.counts {
		p.rows.grow(p.ngroups, 0)
		for g, t := range into {
			*p.rows.at(t) += *o.rows.at(int32(g))
		}
	}
	// The aggregates' states are apart: they merge side by side, as the workers have
	// nothing else to do meanwhile.
	errs := make([]error, len(p.accs))
	var wg sync.WaitGroup
	for k, acc := range p.accs {
		wg.Go(func() {
			acc.grow(p.ngroups)
			o.accs[k].grow(o.ngroups)
			errs[k] = acc.merge(o.accs[k], into)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return into, nil
}

// build makes the output columns of groups order.
func (p *partial) build(order []int32) ([]arrow.Array, error) {
	s := p.st
	var cols []arrow.Array
	bs := make([]array.Builder, len(s.keys))
	for k, key := range s.keys {
		bs[k] = newBuilder(key.typ)
		bs[k].Reserve(len(order))
	}
	for _, g := range order {
		p.appendKey(g, bs)
	}
	for _, b := range bs {
		cols = append(cols, b.NewArray())
		b.Release()
	}
	for k := range s.aggs {
		a := &s.aggs[k]
		col, err := p.accs[a.state].build(a, order, p.describeGroup)
		if err != nil {
			releaseAll(cols)
			return nil, aggError(a, err)
		}
		cols = append(cols, col)
	}
	return cols, nil
}

func aggError(a *compiledAgg, err error) error {
	return &aggErr{agg: a.name, err: err}
}

type aggErr struct {
	agg string
	err error
}

func (e *aggErr) Error() string { return "--agg " + e.agg + ": " + e.err.Error() }
func (e *aggErr) Unwrap() error { return e.err }

// describeGroup names group g for messages: `the group region="EU", year=2024`.
func (p *partial) describeGroup(g int32) string {
	s := p.st
	if len(s.keys) == 0 {
		return "the input"
	}
	bs := make([]array.Builder, len(s.keys))
	for k, key := range s.keys {
		bs[k] = newBuilder(key.typ)
		defer bs[k].Release()
	}
	p.appendKey(g, bs)
	var b strings.Builder
	b.WriteString("the group ")
	for k, bk := range bs {
		a := bk.NewArray()
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.keys[k].name + "=")
		if a.IsNull(0) {
			b.WriteString("null")
		} else if app, err := table.NewAppender(a); err == nil {
			b.WriteString(table.QuoteValue(string(app(nil, 0))))
		}
		a.Release()
	}
	return b.String()
}

// newBuilder returns an Arrow builder for values of static type t.
func newBuilder(t expr.Type) array.Builder {
	mem := memory.DefaultAllocator
	switch t {
	case expr.TypeInt:
		return array.NewInt64Builder(mem)
	case expr.TypeFloat:
		return array.NewFloat64Builder(mem)
	case expr.TypeBool:
		return array.NewBooleanBuilder(mem)
	case expr.TypeDate:
		return array.NewDate32Builder(mem)
	case expr.TypeTimestamp:
		return array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Microsecond})
	}
	return array.NewStringBuilder(mem)
}

// appendInt appends a physInt value of static type t.
func appendInt(b array.Builder, t expr.Type, v int64) {
	switch t {
	case expr.TypeBool:
		b.(*array.BooleanBuilder).Append(v != 0)
	case expr.TypeDate:
		b.(*array.Date32Builder).Append(arrow.Date32(v))
	case expr.TypeTimestamp:
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(v))
	default:
		b.(*array.Int64Builder).Append(v)
	}
}

// floatKeyBits is f's bits with -0 as 0 and every NaN alike: equal values group together.
func floatKeyBits(f float64) uint64 {
	switch {
	case f == 0:
		return 0
	case f != f:
		return math.Float64bits(math.NaN())
	}
	return math.Float64bits(f)
}

func floatFromKeyBits(b uint64) float64 { return math.Float64frombits(b) }

func appendUint64(dst []byte, v uint64) []byte { return binary.LittleEndian.AppendUint64(dst, v) }

func readUint64(s string) uint64 { return binary.LittleEndian.Uint64([]byte(s[:8])) }
