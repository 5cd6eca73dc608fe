package aggregate

import (
	"encoding/binary"
	"math"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
)

// min(x) and max(x) of typed values; of text cells, textExtremeAcc.

type extremeAcc struct {
	max  bool
	vals store
}

func newExtremeAcc(a *compiledAgg) accumulator {
	if a.argType == expr.TypeText {
		return newTextExtremeAcc(a)
	}
	return &extremeAcc{max: a.fn.name == "max", vals: newStore(a.result)}
}

func (e *extremeAcc) grow(groups int) { e.vals.grow(groups) }

// better reports whether group og of o beats group g of e (o may be e).
func (e *extremeAcc) better(o *extremeAcc, og, g int32) bool {
	if *o.vals.null.at(og) {
		return false
	}
	if *e.vals.null.at(g) {
		return true
	}
	a, b := &o.vals, &e.vals // is a's value before b's?
	switch {
	case e.vals.phys == physInt:
		if e.max {
			return *a.i64.at(og) > *b.i64.at(g)
		}
		return *a.i64.at(og) < *b.i64.at(g)
	case e.vals.phys == physFloat:
		if e.max {
			return floatBefore(*b.f64.at(g), *a.f64.at(og))
		}
		return floatBefore(*a.f64.at(og), *b.f64.at(g))
	case e.max:
		return *a.str.at(og) > *b.str.at(g)
	}
	return *a.str.at(og) < *b.str.at(g)
}

func (e *extremeAcc) merge(o accumulator, into []int32) error {
	oe := o.(*extremeAcc)
	for g := range int32(oe.vals.null.len()) {
		if t := into[g]; e.better(oe, g, t) {
			e.vals.copyFrom(t, &oe.vals, g)
		}
	}
	return nil
}

func (e *extremeAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	return e.vals.build(order), nil
}

func extremeInts(acc accumulator, in *input) error {
	e := acc.(*extremeAcc)
	v, s := &in.v, &e.vals
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			continue
		}
		x := v.i64[i]
		if *s.null.at(g) || e.max && x > *s.i64.at(g) || !e.max && x < *s.i64.at(g) {
			*s.i64.at(g), *s.null.at(g) = x, false
		}
	}
	return nil
}

func extremeFloats(acc accumulator, in *input) error {
	e := acc.(*extremeAcc)
	v, s := &in.v, &e.vals
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			continue
		}
		x := v.f64[i]
		if *s.null.at(g) || e.max && floatBefore(*s.f64.at(g), x) || !e.max && floatBefore(x, *s.f64.at(g)) {
			*s.f64.at(g), *s.null.at(g) = x, false
		}
	}
	return nil
}

// extremeStrs folds strings: text cells in textOrder (extremeTexts), string values of
// an expression byte by byte.
func extremeStrs(acc accumulator, in *input) error {
	if te, ok := acc.(*textExtremeAcc); ok {
		return extremeTexts(te, in)
	}
	e := acc.(*extremeAcc)
	v, s := &in.v, &e.vals
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			continue
		}
		x := v.str(i)
		null, cur := s.null.at(g), s.str.at(g)
		if *null || e.max && x > *cur || !e.max && x < *cur {
			*cur, *null = strings.Clone(x), false
		}
	}
	return nil
}

// first(x) and last(x): the value of the group's first or last row, null included.

type pickAcc struct {
	last bool
	vals store
	at   paged[position] // the kept value's row
	has  paged[bool]     // a row was kept
}

func newPickAcc(a *compiledAgg) accumulator {
	return &pickAcc{last: a.fn.name == "last", vals: newStore(a.result)}
}

func (p *pickAcc) grow(groups int) {
	p.vals.grow(groups)
	p.at.grow(groups, position{})
	p.has.grow(groups, false)
}

// wins reports whether the row at replaces group g's.
func (p *pickAcc) wins(g int32, at position) bool {
	if !*p.has.at(g) {
		return true
	}
	if p.last {
		return p.at.at(g).before(at)
	}
	return at.before(*p.at.at(g))
}

// keep keeps the row at as group g's.
func (p *pickAcc) keep(g int32, at position) { *p.at.at(g), *p.has.at(g) = at, true }

func (p *pickAcc) merge(o accumulator, into []int32) error {
	op := o.(*pickAcc)
	for g := range int32(op.has.len()) {
		if t, at := into[g], *op.at.at(g); *op.has.at(g) && p.wins(t, at) {
			p.vals.copyFrom(t, &op.vals, g)
			p.keep(t, at)
		}
	}
	return nil
}

func (p *pickAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	return p.vals.build(order), nil
}

// pickAny walks the chunk from the end that wins (last: backwards), so each group's
// value is copied at most once per chunk.
func pickAny(acc accumulator, in *input) error {
	p := acc.(*pickAcc)
	v, seq := &in.v, in.seq
	gids := in.gids[:v.n]
	if p.last {
		for i := len(gids) - 1; i >= 0; i-- {
			if g, at := gids[i], (position{seq, int32(i)}); p.wins(g, at) {
				p.vals.set(g, v, i)
				p.keep(g, at)
			}
		}
		return nil
	}
	for i, g := range gids {
		if at := (position{seq, int32(i)}); p.wins(g, at) {
			p.vals.set(g, v, i)
			p.keep(g, at)
		}
	}
	return nil
}

// mode(x) and count_distinct(x) keep each group's distinct values in one table keyed
// by (group, value): mode with each value's count and first position.

type valueTable struct {
	hash  hasher
	typ   expr.Type
	phys  physKind
	table *keyTable
	group []int32 // per entry
	buf   []byte
}

func newValueTable(a *compiledAgg) valueTable {
	t := a.argType
	if a.fn.name == "count_distinct" && t == expr.TypeNull {
		t = expr.TypeString
	}
	return valueTable{hash: a.hash, typ: t, phys: physOf(t), table: newKeyTable()}
}

// find returns the entry of (g, row i of v), adding it when new.
func (t *valueTable) find(g int32, v *view, i int) (int32, bool) {
	t.buf = binary.LittleEndian.AppendUint32(t.buf[:0], uint32(g))
	switch t.phys {
	case physInt:
		t.buf = appendUint64(t.buf, uint64(v.i64[i]))
	case physFloat:
		t.buf = appendUint64(t.buf, floatKeyBits(v.f64[i]))
	default:
		t.buf = append(t.buf, v.str(i)...)
	}
	return t.findKey(g, bytesAsString(t.buf))
}

func (t *valueTable) findKey(g int32, key string) (int32, bool) {
	e, added := t.table.find(key, t.hash.str(key))
	if added {
		t.group = append(t.group, g)
	}
	return e, added
}

// remapped returns entry e's key with its group replaced by g.
func (t *valueTable) remapped(e int32, g int32, dst []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst[:0], uint32(g))
	return append(dst, t.table.key(e)[4:]...)
}

// appendValue appends entry e's value to b.
func (t *valueTable) appendValue(b array.Builder, e int32) {
	val := t.table.key(e)[4:]
	switch t.phys {
	case physInt:
		appendInt(b, t.typ, int64(readUint64(val)))
	case physFloat:
		b.(*array.Float64Builder).Append(floatFromKeyBits(readUint64(val)))
	default:
		b.(*array.StringBuilder).Append(val)
	}
}

type distinctAcc struct {
	values valueTable
	n      []int64
}

func newDistinctAcc(a *compiledAgg) accumulator { return &distinctAcc{values: newValueTable(a)} }

func (d *distinctAcc) grow(groups int) {
	d.n = extend(d.n, groups, 0)
}

func distinctAny(acc accumulator, in *input) error {
	d := acc.(*distinctAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			if _, added := d.values.find(g, v, i); added {
				d.n[g]++
			}
		}
	}
	return nil
}

func (d *distinctAcc) merge(o accumulator, into []int32) error {
	od := o.(*distinctAcc)
	var buf []byte
	for e, g := range od.values.group {
		t := into[g]
		buf = od.values.remapped(int32(e), t, buf)
		if _, added := d.values.findKey(t, bytesAsString(buf)); added {
			d.n[t]++
		}
	}
	return nil
}

func (d *distinctAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, g := range order {
		b.Append(d.n[g])
	}
	return b.NewArray(), nil
}

type modeAcc struct {
	values valueTable
	count  []int64 // per entry
	seq    []int64 // per entry: its first position
	row    []int32
	best   []int32 // per group, at build: its entry, -1 for none
	typ    expr.Type
}

func newModeAcc(a *compiledAgg) accumulator { return &modeAcc{values: newValueTable(a), typ: a.result} }

func (m *modeAcc) grow(int) {}

func (m *modeAcc) add(e int32, added bool, n int64, seq int64, row int32) {
	if added {
		m.count = append(m.count, n)
		m.seq = append(m.seq, seq)
		m.row = append(m.row, row)
		return
	}
	m.count[e] += n
	if seq < m.seq[e] || seq == m.seq[e] && row < m.row[e] {
		m.seq[e], m.row[e] = seq, row
	}
}

func modeAny(acc accumulator, in *input) error {
	m := acc.(*modeAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			e, added := m.values.find(g, v, i)
			m.add(e, added, 1, in.seq, int32(i))
		}
	}
	return nil
}

func (m *modeAcc) merge(o accumulator, into []int32) error {
	om := o.(*modeAcc)
	var buf []byte
	for e, g := range om.values.group {
		buf = om.values.remapped(int32(e), into[g], buf)
		ne, added := m.values.findKey(into[g], bytesAsString(buf))
		m.add(ne, added, om.count[e], om.seq[e], om.row[e])
	}
	return nil
}

// build picks each group's most frequent value; a tie goes to the value seen first.
func (m *modeAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	if m.best == nil {
		groups := 0
		for _, g := range order {
			groups = max(groups, int(g)+1)
		}
		for _, g := range m.values.group {
			groups = max(groups, int(g)+1)
		}
		m.best = make([]int32, groups)
		for g := range m.best {
			m.best[g] = -1
		}
		for e, g := range m.values.group {
			b := m.best[g]
			if b < 0 || m.count[e] > m.count[b] || m.count[e] == m.count[b] &&
				(m.seq[e] < m.seq[b] || m.seq[e] == m.seq[b] && m.row[e] < m.row[b]) {
				m.best[g] = int32(e)
			}
		}
	}
	b := newBuilder(m.typ)
	defer b.Release()
	for _, g := range order {
		if int(g) >= len(m.best) || m.best[g] < 0 {
			b.AppendNull()
			continue
		}
		m.values.appendValue(b, m.best[g])
	}
	return b.NewArray(), nil
}

// median(x) and quantile(x, q): every value is kept (as float64), sorted per group at
// the end; the quantile interpolates linearly between the two nearest ranks.

type sortedAcc struct {
	q      float64
	gs     []int32
	vals   []float64
	result []float64 // per group, at the first build
	has    []bool
}

func newSortedAcc(a *compiledAgg) accumulator { return &sortedAcc{q: a.q} }

func (s *sortedAcc) grow(int) {}

func (s *sortedAcc) add(g int32, f float64) {
	if f == f { // NaN has no rank
		s.gs = append(s.gs, g)
		s.vals = append(s.vals, f)
	}
}

func sortedInts(acc accumulator, in *input) error {
	s := acc.(*sortedAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.add(g, float64(v.i64[i]))
		}
	}
	return nil
}

func sortedFloats(acc accumulator, in *input) error {
	s := acc.(*sortedAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.add(g, v.f64[i])
		}
	}
	return nil
}

func sortedTexts(acc accumulator, in *input) error {
	s := acc.(*sortedAcc)
	return eachNumber(in, s.add)
}

func (s *sortedAcc) merge(o accumulator, into []int32) error {
	os := o.(*sortedAcc)
	for k, g := range os.gs {
		s.gs = append(s.gs, into[g])
		s.vals = append(s.vals, os.vals[k])
	}
	return nil
}

// byGroup returns the indexes of gs grouped by group (counting sort): group g's are
// idx[start[g]:start[g+1]], in their order in gs.
func byGroup(gs []int32, groups int) (idx []int32, start []int) {
	start = make([]int, groups+1)
	for _, g := range gs {
		start[g+1]++
	}
	for g := 1; g <= groups; g++ {
		start[g] += start[g-1]
	}
	idx = make([]int32, len(gs))
	next := slices.Clone(start[:groups])
	for k, g := range gs {
		idx[next[g]] = int32(k)
		next[g]++
	}
	return idx, start
}

func groupsIn(order []int32, gs []int32) int {
	n := 0
	for _, g := range order {
		n = max(n, int(g)+1)
	}
	for _, g := range gs {
		n = max(n, int(g)+1)
	}
	return n
}

func (s *sortedAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	if s.result == nil {
		groups := groupsIn(order, s.gs)
		idx, start := byGroup(s.gs, groups)
		s.result, s.has = make([]float64, groups), make([]bool, groups)
		var xs []float64
		for g := range groups {
			xs = xs[:0]
			for _, k := range idx[start[g]:start[g+1]] {
				xs = append(xs, s.vals[k])
			}
			if len(xs) == 0 {
				continue
			}
			slices.Sort(xs)
			s.result[g], s.has[g] = interpolate(xs, s.q), true
		}
		s.gs, s.vals = nil, nil
	}
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, g := range order {
		if int(g) < len(s.has) && s.has[g] {
			b.Append(s.result[g])
		} else {
			b.AppendNull()
		}
	}
	return b.NewArray(), nil
}

// interpolate is the q-quantile of sorted xs, linear between the nearest ranks (as
// DuckDB's quantile_cont and numpy's default).
func interpolate(xs []float64, q float64) float64 {
	pos := q * float64(len(xs)-1)
	lo := math.Floor(pos)
	i := int(lo)
	if i+1 >= len(xs) {
		return xs[len(xs)-1]
	}
	return lerp(xs[i], xs[i+1], pos-lo)
}

func lerp(a, b, d float64) float64 {
	if a == b {
		return a
	}
	return a + d*(b-a)
}

// string_agg(x, sep): every value is kept with its position, joined in input order.

type stringAggAcc struct {
	sep  string
	gs   []int32
	seq  []int64
	row  []int32
	ends []int
	data []byte
	// at the first build
	idx   []int32
	start []int
}

func newStringAggAcc(a *compiledAgg) accumulator { return &stringAggAcc{sep: a.sep} }

func (s *stringAggAcc) grow(int) {}

func stringAggStrs(acc accumulator, in *input) error {
	s := acc.(*stringAggAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.data = append(s.data, v.str(i)...)
			s.ends = append(s.ends, len(s.data))
			s.gs = append(s.gs, g)
			s.seq = append(s.seq, in.seq)
			s.row = append(s.row, int32(i))
		}
	}
	return nil
}

func (s *stringAggAcc) value(k int) []byte {
	lo := 0
	if k > 0 {
		lo = s.ends[k-1]
	}
	return s.data[lo:s.ends[k]]
}

func (s *stringAggAcc) merge(o accumulator, into []int32) error {
	os := o.(*stringAggAcc)
	for k, g := range os.gs {
		s.data = append(s.data, os.value(k)...)
		s.ends = append(s.ends, len(s.data))
		s.gs = append(s.gs, into[g])
		s.seq = append(s.seq, os.seq[k])
		s.row = append(s.row, os.row[k])
	}
	return nil
}

func (s *stringAggAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	if s.start == nil {
		s.idx, s.start = byGroup(s.gs, groupsIn(order, s.gs))
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	var joined []byte
	for _, g := range order {
		if int(g)+1 >= len(s.start) || s.start[g] == s.start[g+1] {
			b.AppendNull()
			continue
		}
		ks := s.idx[s.start[g]:s.start[g+1]]
		slices.SortFunc(ks, func(a, c int32) int {
			if s.seq[a] != s.seq[c] {
				return cmpInt(s.seq[a], s.seq[c])
			}
			return cmpInt(s.row[a], s.row[c])
		})
		joined = joined[:0]
		for n, k := range ks {
			if n > 0 {
				joined = append(joined, s.sep...)
			}
			joined = append(joined, s.value(int(k))...)
		}
		b.BinaryBuilder.Append(joined)
	}
	return b.NewArray(), nil
}

// any(b) and all(b): nulls left out; null when a group has no value.

type boolAcc struct {
	all bool
	has []bool
	val []bool
}

func newBoolAcc(a *compiledAgg) accumulator { return &boolAcc{all: a.fn.name == "all"} }

func (b *boolAcc) grow(groups int) {
	b.has = extend(b.has, groups, false)
	b.val = extend(b.val, groups, b.all)
}

func (b *boolAcc) add(g int32, x bool) {
	b.has[g] = true
	if b.all {
		b.val[g] = b.val[g] && x
	} else {
		b.val[g] = b.val[g] || x
	}
}

func boolInts(acc accumulator, in *input) error {
	b := acc.(*boolAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			b.add(g, v.i64[i] != 0)
		}
	}
	return nil
}

func boolTexts(acc accumulator, in *input) error {
	b := acc.(*boolAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			continue
		}
		text := v.str(i)
		x, null, ok := expr.ReadBool(text)
		switch {
		case null:
		case !ok:
			if err := in.badValue(i, text, "true or false"); err != nil {
				return err
			}
		default:
			b.add(g, x)
		}
	}
	return nil
}

func (b *boolAcc) merge(o accumulator, into []int32) error {
	ob := o.(*boolAcc)
	for g, has := range ob.has {
		if has {
			b.add(into[g], ob.val[g])
		}
	}
	return nil
}

func (b *boolAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	bb := array.NewBooleanBuilder(memory.DefaultAllocator)
	defer bb.Release()
	for _, g := range order {
		if b.has[g] {
			bb.Append(b.val[g])
		} else {
			bb.AppendNull()
		}
	}
	return bb.NewArray(), nil
}
