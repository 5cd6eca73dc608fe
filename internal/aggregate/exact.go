package aggregate

import (
	"math"
	"math/big"
	"math/bits"
)

// Exact sums. A float sum is kept per group as a Shewchuk expansion: non-overlapping
// partials, smallest first, whose exact sum is the sum of every value added (the
// algorithm of Python's math.fsum). Any order of additions and merges gives the same
// exact value, so the one correctly rounded result never depends on workers or chunks.
// Integer values are summed apart in 128 bits, which cannot overflow before 2^64 rows.

// expansions holds the exact sums of the groups that left their window (exactSums):
// few, so a map, and each group's non-finite values seen.
type expansions struct {
	wide    map[int32][]float64
	special []uint8 // specialPosInf | specialNegInf | specialNaN
}

const (
	specialPosInf = 1 << iota
	specialNegInf
	specialNaN
)

func (e *expansions) grow(groups int) { e.special = extend(e.special, groups, 0) }

// add adds x to group g's sum exactly.
func (e *expansions) add(g int32, x float64) {
	if x-x != 0 { // Inf or NaN
		e.addSpecial(g, x)
		return
	}
	if e.wide == nil {
		e.wide = map[int32][]float64{}
	}
	p := growExpansion(e.wide[g], x)
	if top := p[len(p)-1]; top-top != 0 { // the sum overflowed the float range
		e.addSpecial(g, top)
		p = p[:len(p)-1]
	}
	e.wide[g] = p
}

func (e *expansions) addSpecial(g int32, x float64) {
	switch {
	case math.IsNaN(x):
		e.special[g] |= specialNaN
	case x > 0:
		e.special[g] |= specialPosInf
	default:
		e.special[g] |= specialNegInf
	}
}

// growExpansion adds x to the expansion p (msum).
func growExpansion(p []float64, x float64) []float64 {
	k := 0
	for _, y := range p {
		if math.Abs(x) < math.Abs(y) {
			x, y = y, x
		}
		hi := x + y
		lo := y - (hi - x)
		if lo != 0 {
			p[k] = lo
			k++
		}
		x = hi
	}
	return append(p[:k], x)
}

// parts returns group g's partials (to read, not to keep).
func (e *expansions) parts(g int32) []float64 { return e.wide[g] }

// nonFinite is the sum when non-finite values were added: NaN for a NaN or both
// infinities, else the infinity; ok is false when every value was finite.
func (e *expansions) nonFinite(g int32) (float64, bool) {
	switch s := e.special[g]; {
	case s == 0:
		return 0, false
	case s&specialNaN != 0 || s&specialPosInf != 0 && s&specialNegInf != 0:
		return math.NaN(), true
	case s&specialPosInf != 0:
		return math.Inf(1), true
	}
	return math.Inf(-1), true
}

// round is the exact sum of partials p rounded to the nearest float64 (fsum's last step).
func round(p []float64) float64 {
	n := len(p)
	if n == 0 {
		return 0
	}
	hi, lo := p[n-1], 0.0
	n--
	for n > 0 {
		x, y := hi, p[n-1]
		n--
		hi = x + y
		yr := hi - x
		lo = y - yr
		if lo != 0 {
			break
		}
	}
	// Half-way cases: make the rounding go the way the partials below say.
	if n > 0 && (lo < 0 && p[n-1] < 0 || lo > 0 && p[n-1] > 0) {
		y := lo * 2
		x := hi + y
		if y == x-hi {
			hi = x
		}
	}
	return hi
}

// exactFloat is the exact sum of partials p as a big.Float.
func exactFloat(p []float64) *big.Float {
	z := new(big.Float).SetPrec(precFor(p))
	for _, x := range p {
		z.Add(z, big.NewFloat(x))
	}
	return z
}

// precFor is a precision that holds the sum of p exactly.
func precFor(p []float64) uint {
	lo, hi := 0, 0
	for k, x := range p {
		if x == 0 {
			continue
		}
		_, e := math.Frexp(x)
		if k == 0 || e < lo {
			lo = e
		}
		if k == 0 || e > hi {
			hi = e
		}
	}
	return uint(hi-lo) + 53 + 64
}

// quotient is the exact sum of p divided by n, correctly rounded.
func quotient(p []float64, n int64) float64 {
	if len(p) <= 1 && n < 1<<53 {
		if len(p) == 0 {
			return 0
		}
		return p[0] / float64(n) // one IEEE division of exact operands rounds correctly
	}
	q := new(big.Float).SetPrec(53)
	q.Quo(exactFloat(p), new(big.Float).SetInt64(n))
	f, _ := q.Float64()
	return f
}

// int128 is an exact integer sum.
type int128 struct {
	hi int64
	lo uint64
}

func (v *int128) add(x int64) {
	var carry uint64
	v.lo, carry = bits.Add64(v.lo, uint64(x), 0)
	v.hi += x>>63 + int64(carry)
}

func (v *int128) addInt128(o int128) {
	var carry uint64
	v.lo, carry = bits.Add64(v.lo, o.lo, 0)
	v.hi += o.hi + int64(carry)
}

// int64Value is v when it fits an int64.
func (v int128) int64Value() (int64, bool) {
	x := int64(v.lo)
	return x, v.hi == x>>63
}
