package aggregate

import (
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
)

// count() and count(x).

// rowCount is the number of rows of each group, which a partial counts once for every
// aggregate that needs it (rowSharer): count() is it, and sum and mean keep only the
// rows they leave out (nulls, bad values), not a count of their own, 16 B a group less
// for the million-group job and one increment a row less per aggregate.
type rowCount = paged[int64]

// rowSharer is an accumulator that reads the partial's row count.
type rowSharer interface {
	shareRows(rows *rowCount)
}

// rowsAcc is count(): the partial's row count, merged and grown by the partial.
type rowsAcc struct{ rows *rowCount }

func (c *rowsAcc) shareRows(rows *rowCount) { c.rows = rows }

func (c *rowsAcc) grow(int) {}

func (c *rowsAcc) merge(accumulator, []int32) error { return nil }

func (c *rowsAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(len(order))
	for _, g := range order {
		b.UnsafeAppend(*c.rows.at(g))
	}
	return b.NewArray(), nil
}

// countRows is count()'s kernel: the partial counted the rows already.
func countRows(accumulator, *input) error { return nil }

type countAcc struct{ n paged[int64] }

func newCountAcc(a *compiledAgg) accumulator {
	if a.family == famCountRows {
		return &rowsAcc{}
	}
	return &countAcc{}
}

func (c *countAcc) grow(groups int) {
	c.n.grow(groups, 0)
}

func (c *countAcc) merge(o accumulator, into []int32) error {
	on := &o.(*countAcc).n
	for g := range on.len() {
		*c.n.at(into[g]) += *on.at(int32(g))
	}
	return nil
}

func (c *countAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Reserve(len(order))
	for _, g := range order {
		b.UnsafeAppend(*c.n.at(g))
	}
	return b.NewArray(), nil
}

func countValid(acc accumulator, in *input) error {
	n := &acc.(*countAcc).n
	if in.v.valid == nil {
		for _, g := range in.gids[:in.v.n] {
			*n.at(g)++
		}
		return nil
	}
	for i, g := range in.gids[:in.v.n] {
		if in.v.isValid(i) {
			*n.at(g)++
		}
	}
	return nil
}

// sum(x) and mean(x): integers exactly in 128 bits, other numbers in an expansion.

type sumAcc struct {
	ints   intSums
	floats exactSums
	sawF   paged[bool] // a non-integer value was added
	// The values added to a group are its rows but those left out (nulls, text that
	// is no number), counted in missing, made at the first.
	rows    *rowCount
	missing paged[int64]
	groups  int
	lastInt bool // the last text cell was an integer
	// emitInts, decided at the first build of a sum for every group, says the sums
	// are integers: every value was, and their sums fit.
	emitInts *bool
}

func newSumAcc(*compiledAgg) accumulator { return &sumAcc{} }

func (s *sumAcc) shareRows(rows *rowCount) { s.rows = rows }

func (s *sumAcc) grow(groups int) {
	s.groups = groups
	s.ints.grow(groups)
	s.sawF.grow(groups, false)
	if s.missing.made() {
		s.missing.grow(groups, 0)
	}
	s.floats.grow(groups)
}

// leaveOut counts a row of group g whose value is not added.
func (s *sumAcc) leaveOut(g int32) {
	if !s.missing.made() {
		s.missing.grow(s.groups, 0)
	}
	*s.missing.at(g)++
}

// n is how many values group g added.
func (s *sumAcc) n(g int32) int64 {
	n := *s.rows.at(g)
	if s.missing.made() {
		n -= *s.missing.at(g)
	}
	return n
}

func (s *sumAcc) merge(o accumulator, into []int32) error {
	os := o.(*sumAcc)
	if os.missing.made() && !s.missing.made() {
		s.missing.grow(s.groups, 0)
	}
	for g := range int32(os.sawF.len()) {
		t := into[g]
		if os.ints.made() {
			s.ints.addInt128(t, os.ints.get(g))
		}
		*s.sawF.at(t) = *s.sawF.at(t) || *os.sawF.at(g)
		if os.missing.made() {
			*s.missing.at(t) += *os.missing.at(g)
		}
		s.floats.mergeFrom(t, &os.floats, int32(g))
	}
	return nil
}

func (s *sumAcc) build(a *compiledAgg, order []int32, describe func(int32) string) (arrow.Array, error) {
	mem := memory.DefaultAllocator
	if s.emitInts == nil {
		// Integer cells of a text column sum as int values do (sumType): a sum beyond
		// int64 is an error below, never a rounded float.
		ints := s.allInts() && (a.result == expr.TypeInt || a.argType == expr.TypeText || s.intsFit())
		s.emitInts = &ints
	}
	mean := a.fn.name == "mean"
	if !mean && *s.emitInts {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		for _, g := range order {
			v, ok := s.ints.get(g).int64Value()
			switch {
			case s.n(g) == 0:
				b.AppendNull()
			case !ok:
				return nil, fmt.Errorf("the sum of %s is beyond the integer range (±9.2e18); sum float(x) for a float sum", describe(g))
			default:
				b.Append(v)
			}
		}
		return b.NewArray(), nil
	}
	b := array.NewFloat64Builder(mem)
	defer b.Release()
	var parts []float64
	for _, g := range order {
		n := s.n(g)
		if n == 0 {
			b.AppendNull()
			continue
		}
		if f, ok := s.floats.nonFinite(g); ok {
			b.Append(f)
			continue
		}
		if f, ok := s.floats.rounded(g); ok && !mean && s.ints.get(g) == (int128{}) {
			b.Append(f)
			continue
		}
		parts = s.exact(g, parts)
		if mean {
			b.Append(quotient(parts, n))
		} else {
			b.Append(round(parts))
		}
	}
	return b.NewArray(), nil
}

// allInts reports whether only integers were added, in any group.
func (s *sumAcc) allInts() bool {
	for g := range int32(s.sawF.len()) {
		if *s.sawF.at(g) || s.floats.special(g) {
			return false
		}
	}
	return true
}

// intsFit reports whether every group's integer sum fits an int64.
func (s *sumAcc) intsFit() bool {
	if !s.ints.carried.made() {
		return true
	}
	for g := range int32(s.ints.v.len()) {
		if _, ok := s.ints.get(g).int64Value(); !ok {
			return false
		}
	}
	return true
}

// exact returns group g's whole sum, integers included, as an expansion in buf.
func (s *sumAcc) exact(g int32, buf []float64) []float64 {
	buf = s.floats.expansion(g, buf)
	if v := s.ints.get(g); v != (int128{}) {
		const two32 = 1 << 32
		buf = growExpansion(buf, float64(v.hi>>32)*two32*two32*two32)
		buf = growExpansion(buf, float64(v.hi&(two32-1))*two32*two32)
		buf = growExpansion(buf, float64(v.lo>>32)*two32)
		buf = growExpansion(buf, float64(v.lo&(two32-1)))
	}
	return buf
}

func sumInts(acc accumulator, in *input) error {
	s := acc.(*sumAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.ints.add(g, v.i64[i])
		} else {
			s.leaveOut(g)
		}
	}
	return nil
}

func sumFloats(acc accumulator, in *input) error {
	s := acc.(*sumAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.floats.add(g, v.f64[i])
			*s.sawF.at(g) = true
		} else {
			s.leaveOut(g)
		}
	}
	return nil
}

// sumTexts reads each cell as a number the way expressions do: integer text stays an
// exact integer, any other number is a float. Columns are mostly one or the other, so
// the reader that took the last cell is tried first.
func sumTexts(acc accumulator, in *input) error {
	s := acc.(*sumAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			s.leaveOut(g)
			continue
		}
		text := v.str(i)
		if s.lastInt {
			if x, ok := expr.WholeNumber(text); ok {
				s.ints.add(g, x)
				continue
			}
		}
		f, null, ok := expr.ReadNumber(text)
		switch {
		case null:
			s.leaveOut(g)
		case !ok:
			if err := in.badValue(i, text, "a number"); err != nil {
				return err
			}
			s.leaveOut(g)
		case !s.lastInt && strings.IndexByte(text, '.') < 0:
			if x, isInt := expr.WholeNumber(text); isInt {
				s.ints.add(g, x)
				s.lastInt = true
				continue
			}
			fallthrough
		default:
			s.floats.add(g, f)
			*s.sawF.at(g) = true
			s.lastInt = false
		}
	}
	return nil
}

// intSums are exact integer sums per group, made at the first integer: an int64 while
// the sum fits (8 B a group), what overflowed it moved to a 128-bit carry, whose pages
// are made at the first overflow of any group.
type intSums struct {
	v       paged[int64]
	carried paged[int128]
	groups  int
}

func (s *intSums) grow(groups int) {
	s.groups = groups
	if s.v.made() {
		s.v.grow(groups, 0)
	}
	if s.carried.made() {
		s.carried.grow(groups, int128{})
	}
}

func (s *intSums) add(g int32, x int64) {
	if !s.v.made() {
		s.v.grow(s.groups, 0)
	}
	p := s.v.at(g)
	sum := *p + x
	if (sum^*p)&(sum^x) < 0 { // x and the old sum have one sign, the new sum the other
		s.carry(g, *p)
		sum = x
	}
	*p = sum
}

// carry moves x, group g's int64 sum, to its 128-bit part.
func (s *intSums) carry(g int32, x int64) {
	if !s.carried.made() {
		s.carried.grow(s.groups, int128{})
	}
	s.carried.at(g).add(x)
}

func (s *intSums) addInt128(g int32, x int128) {
	if v, ok := x.int64Value(); ok {
		s.add(g, v)
		return
	}
	if !s.v.made() {
		s.v.grow(s.groups, 0)
	}
	if !s.carried.made() {
		s.carried.grow(s.groups, int128{})
	}
	s.carried.at(g).addInt128(x)
}

func (s *intSums) made() bool { return s.v.made() }

func (s *intSums) get(g int32) int128 {
	var v int128
	if s.v.made() {
		v.add(*s.v.at(g))
	}
	if s.carried.made() {
		v.addInt128(*s.carried.at(g))
	}
	return v
}

// variance(x) and stddev(x): sample statistics (divisor n-1) from the exact sums of x
// and of x², so that the result is one function of the values, whatever the merges.

type momentsAcc struct {
	s1, s2 exactSums
	n      []int64
}

func newMomentsAcc(*compiledAgg) accumulator { return &momentsAcc{} }

func (m *momentsAcc) grow(groups int) {
	m.n = extend(m.n, groups, 0)
	m.s1.grow(groups)
	m.s2.grow(groups)
}

// add adds x and x² exactly: x² is hi + lo, both floats (FMA).
func (m *momentsAcc) add(g int32, x float64) {
	m.s1.add(g, x)
	hi := x * x
	m.s2.add(g, hi)
	if lo := math.FMA(x, x, -hi); lo != 0 && hi-hi == 0 {
		m.s2.add(g, lo)
	}
	m.n[g]++
}

func (m *momentsAcc) merge(o accumulator, into []int32) error {
	om := o.(*momentsAcc)
	for g := range om.n {
		t := into[g]
		m.n[t] += om.n[g]
		m.s1.mergeFrom(t, &om.s1, int32(g))
		m.s2.mergeFrom(t, &om.s2, int32(g))
	}
	return nil
}

func (m *momentsAcc) build(a *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, g := range order {
		n := m.n[g]
		if n < 2 {
			b.AppendNull()
			continue
		}
		if f, ok := m.s1.nonFinite(g); ok {
			b.Append(f - f) // NaN: an infinite value has no spread
			continue
		}
		if f, ok := m.s2.nonFinite(g); ok {
			b.Append(f)
			continue
		}
		// (n·Σx² − (Σx)²) / (n(n−1)), exactly up to the last rounding.
		s1, s2 := exactFloat(m.s1.parts(g, nil)), exactFloat(m.s2.parts(g, nil))
		prec := 2*s1.Prec() + s2.Prec() + 128
		num := new(big.Float).SetPrec(prec).Mul(s2, new(big.Float).SetInt64(n))
		sq := new(big.Float).SetPrec(prec).Mul(s1, s1)
		num.Sub(num, sq)
		if num.Sign() < 0 {
			num.SetInt64(0)
		}
		v := new(big.Float).SetPrec(prec).Quo(num, new(big.Float).SetInt64(n))
		v.Quo(v, new(big.Float).SetInt64(n-1))
		if a.fn.name == "stddev" {
			v = new(big.Float).SetPrec(53).Sqrt(v)
		}
		f, _ := v.Float64()
		b.Append(f)
	}
	return b.NewArray(), nil
}

func momentsInts(acc accumulator, in *input) error {
	m := acc.(*momentsAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			m.add(g, float64(v.i64[i]))
		}
	}
	return nil
}

func momentsFloats(acc accumulator, in *input) error {
	m := acc.(*momentsAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			m.add(g, v.f64[i])
		}
	}
	return nil
}

func momentsTexts(acc accumulator, in *input) error {
	m := acc.(*momentsAcc)
	return eachNumber(in, func(g int32, f float64) { m.add(g, f) })
}

// eachNumber calls add with each valid cell of a text column read as a number.
func eachNumber(in *input, add func(g int32, f float64)) error {
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			continue
		}
		text := v.str(i)
		f, null, ok := expr.ReadNumber(text)
		switch {
		case null:
		case !ok:
			if err := in.badValue(i, text, "a number"); err != nil {
				return err
			}
		default:
			add(g, f)
		}
	}
	return nil
}
