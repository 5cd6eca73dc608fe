package aggregate

import (
	"math"
	"math/bits"
)

// exactSums is the exact float sum of each group, kept the fast way while it can be:
// a 128-bit integer s and an exponent, the sum being s·2^exp (a float with a 125-bit
// significand, exact). A value ±m·2^e (m odd, 53 bits at most) adds m shifted by
// e-exp; a value below exp lowers exp and shifts s up first. Integer adds, exact, and
// no order matters. A group whose sum would need more than 125 bits (values more than
// about 2^72 apart in magnitude, or sums past 2^125 of its smallest bit) moves to an
// expansion (expansions), exact too, and slower.
//
// The arrays are made at the first value: a sum over integers never needs them.
type exactSums struct {
	win    paged[window]
	wide   expansions
	groups int // how many groups the arrays must cover once made
}

// window is one group's sum s·2^exp, s = hi·2^64 + lo in two's complement: 24 bytes.
type window struct {
	lo  uint64
	hi  int64
	exp int32 // noExp before the group's first value, wideExp once wide
}

const (
	noExp   = math.MinInt32
	wideExp = math.MaxInt32
	// sumBits bounds |s|: below 2^sumBits after every add, so that the next add of a
	// value below 2^sumBits cannot overflow 128 bits.
	sumBits = 125
	// maxShift is the most a 53-bit significand is shifted up: it stays below 2^sumBits.
	maxShift = sumBits - 53
)

func (s *exactSums) grow(groups int) {
	s.groups = groups
	if s.win.made() {
		s.make()
	}
}

func (s *exactSums) make() {
	s.win.grow(s.groups, window{exp: noExp})
	s.wide.grow(s.groups)
}

// add adds x to group g's sum exactly.
func (s *exactSums) add(g int32, x float64) {
	if !s.win.made() {
		s.make()
	}
	b := math.Float64bits(x)
	ef := int(b>>52) & 0x7ff
	mant := b & (1<<52 - 1)
	switch {
	case ef == 0x7ff: // Inf, NaN
		s.wide.addSpecial(g, x)
		return
	case ef == 0:
		if mant == 0 {
			return // ±0
		}
		s.toWide(g, x) // subnormal: its bits would weigh less than a float can say
		return
	}
	mant |= 1 << 52
	tz := bits.TrailingZeros64(mant)
	mant >>= tz
	e := int32(ef - 1075 + tz) // x = ±mant · 2^e, mant odd
	w := s.win.at(g)
	switch {
	case w.exp == wideExp:
		s.wide.add(g, x)
		return
	case w.exp == noExp:
		if e < -900 || e > 800 { // the sum's parts must stay floats: below 2^(800+sumBits)
			s.toWide(g, x)
			return
		}
		w.lo, w.hi, w.exp = 0, 0, e
	case e < w.exp:
		if !w.lower(e) {
			s.toWide(g, x)
			return
		}
	}
	sh := uint(e - w.exp)
	if sh > maxShift {
		s.toWide(g, x)
		return
	}
	lo, hi := mant<<sh, mant>>(64-sh) // sh = 0: hi = 0
	if sh >= 64 {
		lo, hi = 0, mant<<(sh-64)
	}
	var c uint64
	if b>>63 != 0 {
		w.lo, c = bits.Sub64(w.lo, lo, 0)
		w.hi -= int64(hi + c)
	} else {
		w.lo, c = bits.Add64(w.lo, lo, 0)
		w.hi += int64(hi + c)
	}
	if w.hi >= 1<<(sumBits-64) || w.hi < -1<<(sumBits-64) {
		s.toWide(g, 0) // x is in s: moved with it
	}
}

// lower sets w's exponent to e (below it), shifting s up, when s stays below
// 2^sumBits.
func (w *window) lower(e int32) bool {
	d := uint(w.exp - e)
	lo, hi := w.lo, uint64(w.hi)
	if w.hi < 0 { // the magnitude's bits
		var c uint64
		lo, c = bits.Sub64(0, lo, 0)
		hi = -hi - c
	}
	size := uint(128 - bits.LeadingZeros64(hi))
	if hi == 0 {
		size = uint(64 - bits.LeadingZeros64(lo))
	}
	if size+d > sumBits {
		return false
	}
	if size > 0 { // s << d, in two's complement
		if d >= 64 {
			w.hi, w.lo = int64(w.lo<<(d-64)), 0
		} else {
			w.hi, w.lo = w.hi<<d|int64(w.lo>>(64-d)), w.lo<<d
		}
	}
	w.exp = e
	return true
}

// special reports whether group g saw a non-finite value.
func (s *exactSums) special(g int32) bool { return s.win.made() && s.wide.special[g] != 0 }

// toWide moves group g to an expansion, then adds x there.
func (s *exactSums) toWide(g int32, x float64) {
	if w := s.win.at(g); w.exp != wideExp {
		if w.exp != noExp {
			for _, p := range s.windowParts(g, nil) {
				s.wide.add(g, p)
			}
		}
		*w = window{exp: wideExp}
	}
	if x != 0 {
		s.wide.add(g, x)
	}
}

// windowParts appends exact floats whose sum is group g's window: s in four pieces
// of 32 bits, the top one signed.
func (s *exactSums) windowParts(g int32, dst []float64) []float64 {
	w := s.win.at(g)
	e := int(w.exp)
	for k, d := range [4]int64{int64(w.lo & (1<<32 - 1)), int64(w.lo >> 32), w.hi & (1<<32 - 1), w.hi >> 32} {
		if d != 0 {
			dst = append(dst, math.Ldexp(float64(d), e+32*k))
		}
	}
	return dst
}

// parts appends exact floats whose sum is group g's sum (non-finite values apart).
func (s *exactSums) parts(g int32, dst []float64) []float64 {
	if !s.win.made() {
		return dst
	}
	switch s.win.at(g).exp {
	case noExp:
		return dst
	case wideExp:
		return append(dst, s.wide.parts(g)...)
	}
	return s.windowParts(g, dst)
}

// rounded returns group g's sum rounded, when it is a window whose integer fits an
// int64 and that stays a normal float: one conversion, which rounds to nearest even,
// and an exact scaling. ok is false for the other sums (round their parts).
func (s *exactSums) rounded(g int32) (f float64, ok bool) {
	if !s.win.made() {
		return 0, true
	}
	w := s.win.at(g)
	switch {
	case w.exp == noExp:
		return 0, true
	case w.exp == wideExp || w.exp < -1022 || w.hi != int64(w.lo)>>63 || s.wide.special[g] != 0:
		return 0, false
	}
	return math.Ldexp(float64(int64(w.lo)), int(w.exp)), true
}

// mergeFrom adds group from of o into group g.
func (s *exactSums) mergeFrom(g int32, o *exactSums, from int32) {
	if !o.win.made() {
		return
	}
	if !s.win.made() {
		s.make()
	}
	s.wide.special[g] |= o.wide.special[from]
	var buf [4]float64
	for _, p := range o.parts(from, buf[:0]) {
		s.add(g, p)
	}
}

func (s *exactSums) nonFinite(g int32) (float64, bool) {
	if !s.win.made() {
		return 0, false
	}
	return s.wide.nonFinite(g)
}

// expansion returns group g's sum as a Shewchuk expansion (for round, quotient and
// exactFloat), in buf.
func (s *exactSums) expansion(g int32, buf []float64) []float64 {
	var parts [4]float64
	buf = buf[:0]
	for _, p := range s.parts(g, parts[:0]) {
		buf = growExpansion(buf, p)
	}
	return buf
}
