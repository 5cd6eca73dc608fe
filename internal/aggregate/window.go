package aggregate

import (
	"math"
	"math/bits"
)

// exactSums is the exact float sum of each group, kept the fast way while it can be:
// a fixed-point window of sumDigits base-2^32 digits (a small superaccumulator, after
// Neal) placed at the group's first value. A value adds its 53-bit mantissa, shifted,
// into three digits: integer adds, exact, and no order matters. Digits absorb 2^30
// adds before their carries must move up (normalize). A value outside the window
// (magnitudes over 2^64 apart in one group) moves the group to an expansion
// (expansions), exact too, and slower.
//
// The arrays are made at the first value: a sum over integers never needs them.
type exactSums struct {
	win    paged[window]
	wide   expansions
	groups int    // how many groups the arrays must cover once made
	adds   uint32 // adds since every group's digits were normalized
}

// window is one group's fixed-point sum: 64 bytes, one cache line.
type window struct {
	digits [sumDigits]int64 // digit k weighs 2^(32·(base+k))
	base   int32            // noBase before the group's first value, wideBase once wide
}

const (
	sumDigits = 7
	noBase    = math.MinInt32
	wideBase  = math.MaxInt32 / 64 // every pos from it is negative: the wide path
	// windowSpan: a value's lowest bit must lie in the first sumDigits-2 digits, so
	// that its 53 bits end by the last.
	windowSpan = 32 * (sumDigits - 2)
)

func (s *exactSums) grow(groups int) {
	s.groups = groups
	if s.win.made() {
		s.make()
	}
}

func (s *exactSums) make() {
	s.win.grow(s.groups, window{base: noBase})
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
		s.toWide(g, x) // subnormal: its digits would weigh less than a float can say
		return
	}
	mant |= 1 << 52
	tz := bits.TrailingZeros64(mant)
	mant >>= tz
	e := ef - 1075 + tz // x = ±mant · 2^e, mant odd
	w := s.win.at(g)
	base := w.base
	if base == noBase {
		if e < -900 || e > 900 { // digits so far out that their floats would not be exact

			s.toWide(g, x)
			return
		}
		base = int32(e>>5) - 2 // the first value's lowest bit in digit 2
		w.base = base
	}
	pos := e - 32*int(base)
	if uint(pos) >= windowSpan {
		s.toWide(g, x)
		return
	}
	k, sh := pos>>5, uint(pos&31)
	lo, hi := mant<<sh, mant>>(64-sh) // sh = 0: hi = 0
	d := w.digits[k : k+3]
	if b>>63 != 0 {
		d[0] -= int64(lo & (1<<32 - 1))
		d[1] -= int64(lo >> 32)
		d[2] -= int64(hi)
	} else {
		d[0] += int64(lo & (1<<32 - 1))
		d[1] += int64(lo >> 32)
		d[2] += int64(hi)
	}
	if s.adds++; s.adds == 1<<30 {
		for g := range s.win.len() {
			if base := s.win.at(int32(g)).base; base != noBase && base != wideBase {
				s.normalize(int32(g))
			}
		}
		s.adds = 0
	}
}

// normalize moves carries up: digits below the last end in [0, 2^32).
func (s *exactSums) normalize(g int32) {
	d := &s.win.at(g).digits
	for k := 0; k < sumDigits-1; k++ {
		carry := d[k] >> 32
		d[k] -= carry << 32
		d[k+1] += carry
	}
}

// special reports whether group g saw a non-finite value.
func (s *exactSums) special(g int32) bool { return s.win.made() && s.wide.special[g] != 0 }

// toWide moves group g to an expansion, then adds x there.
func (s *exactSums) toWide(g int32, x float64) {
	if w := s.win.at(g); w.base != wideBase {
		if w.base != noBase {
			for _, p := range s.windowParts(g, nil) {
				s.wide.add(g, p)
			}
			clear(w.digits[:])
		}
		w.base = wideBase
	}
	s.wide.add(g, x)
}

// windowParts appends exact floats whose sum is group g's window.
func (s *exactSums) windowParts(g int32, dst []float64) []float64 {
	s.normalize(g)
	w := s.win.at(g)
	base, d := int(w.base), &w.digits
	for k := 0; k < sumDigits-1; k++ {
		if d[k] != 0 {
			dst = append(dst, math.Ldexp(float64(d[k]), 32*(base+k)))
		}
	}
	// The last digit is signed and may exceed 53 bits: its two halves.
	top := d[sumDigits-1]
	if low := top & (1<<32 - 1); low != 0 {
		dst = append(dst, math.Ldexp(float64(low), 32*(base+sumDigits-1)))
	}
	if high := top >> 32; high != 0 {
		dst = append(dst, math.Ldexp(float64(high), 32*(base+sumDigits)))
	}
	return dst
}

// parts appends exact floats whose sum is group g's sum (non-finite values apart).
func (s *exactSums) parts(g int32, dst []float64) []float64 {
	if !s.win.made() {
		return dst
	}
	switch s.win.at(g).base {
	case noBase:
		return dst
	case wideBase:
		return append(dst, s.wide.parts(g)...)
	}
	return s.windowParts(g, dst)
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
	var buf [sumDigits + 1]float64
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
	var parts [sumDigits + 1]float64
	buf = buf[:0]
	for _, p := range s.parts(g, parts[:0]) {
		buf = growExpansion(buf, p)
	}
	return buf
}
