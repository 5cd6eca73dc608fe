package expr

import (
	"math"
	mbig "math/big"
	"math/rand/v2"
	"testing"
)

const refPrec = 320

func newRef(x float64) *mbig.Float { return new(mbig.Float).SetPrec(refPrec).SetFloat64(x) }

// refLn is ln x for x > 0 to refPrec bits: x = m·2^e, ln m = 2·atanh((m-1)/(m+1)).
func refLn(x *mbig.Float) *mbig.Float {
	m := newRef(0)
	e := x.MantExp(m) // m in [0.5, 1)
	s := newRef(0).Quo(newRef(0).Sub(m, newRef(1)), newRef(0).Add(m, newRef(1)))
	s2 := newRef(0).Mul(s, s)
	sum, term := newRef(0), newRef(0).Set(s)
	eps := newRef(0).SetMantExp(newRef(1), -refPrec-10)
	for k := int64(1); ; k += 2 {
		t := newRef(0).Quo(term, newRef(float64(k)))
		sum.Add(sum, t)
		if t.Abs(t).Cmp(eps) < 0 {
			break
		}
		term.Mul(term, s2)
	}
	sum.Mul(sum, newRef(2))
	return sum.Add(sum, newRef(0).Mul(refLn2(), newRef(float64(e))))
}

var refLn2Cache *mbig.Float

// refLn2 is ln 2 = 2·atanh(1/3).
func refLn2() *mbig.Float {
	if refLn2Cache == nil {
		s := newRef(0).Quo(newRef(1), newRef(3))
		s2 := newRef(0).Mul(s, s)
		sum, term := newRef(0), newRef(0).Set(s)
		for k := 1; k < 700; k += 2 {
			sum.Add(sum, newRef(0).Quo(term, newRef(float64(k))))
			term.Mul(term, s2)
		}
		refLn2Cache = sum.Mul(sum, newRef(2))
	}
	return refLn2Cache
}

// refExp is e^z: z = k·ln 2 + r, e^r from the series of r/2^32 squared 32 times.
func refExp(z *mbig.Float) *mbig.Float {
	kf, _ := newRef(0).Quo(z, refLn2()).Float64()
	k := math.Round(kf)
	r := newRef(0).Sub(z, newRef(0).Mul(refLn2(), newRef(k)))
	r.SetMantExp(r, -32)
	sum, term := newRef(1), newRef(1)
	eps := newRef(0).SetMantExp(newRef(1), -refPrec-10)
	for n := 1; ; n++ {
		term.Mul(term, r)
		term.Quo(term, newRef(float64(n)))
		sum.Add(sum, term)
		if newRef(0).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for range 32 {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}

// ulpsOff is how far f is from the true value v, in ulps of the float nearest v.
func ulpsOff(f float64, v *mbig.Float) float64 {
	near, _ := v.Float64()
	exp := math.Max(float64(math.Ilogb(near)), -1022) - 52
	if near == 0 {
		exp = -1074
	}
	d := newRef(0).Sub(newRef(f), v)
	d.SetMantExp(d, -int(exp))
	off, _ := d.Float64()
	return math.Abs(off)
}

// refPow is x ** y for x > 0.
func refPow(x, y float64) *mbig.Float {
	return refExp(newRef(0).Mul(refLn(newRef(x)), newRef(y)))
}

// Every result is within one ulp of the true value, nearly all correctly rounded
// (within half an ulp), and math.Pow, for comparison, is not.
func TestPowAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	n := 3000
	if testing.Short() {
		n = 300
	}
	worst, worstGo, misrounded := 0.0, 0.0, 0
	var worstX, worstY float64
	for range n {
		var x, y float64
		switch r.IntN(4) {
		case 0: // everyday values
			x, y = r.Float64()*100, float64(r.IntN(80)-40)+float64(r.IntN(4))/4
		case 1: // any base, a result in range
			x = math.Float64frombits(r.Uint64() >> 1)
			if math.IsNaN(x) || math.IsInf(x, 0) || x == 0 {
				continue
			}
			y = (r.Float64()*1400 - 700) / math.Log(x)
		case 2: // subnormal bases
			x = math.Float64frombits(r.Uint64()>>12 | 1)
			y = r.Float64() * 1.5
		default: // near 1, large exponents
			x = 1 + (r.Float64()-0.5)*1e-6
			y = (r.Float64() - 0.5) * 1e8
		}
		if x == 1 {
			continue
		}
		ref := refPow(x, y)
		if want, _ := ref.Float64(); math.IsInf(want, 0) || want == 0 {
			continue
		}
		off := ulpsOff(pow(x, y), ref)
		if off > worst {
			worst, worstX, worstY = off, x, y
		}
		if off > 0.5 {
			misrounded++
		}
		worstGo = math.Max(worstGo, ulpsOff(math.Pow(x, y), ref))
	}
	t.Logf("%d cases: worst %.4f ulp (at %v ** %v), %d not correctly rounded; math.Pow worst %.2f ulp", n, worst, worstX, worstY, misrounded, worstGo)
	if worst > 1 || misrounded > n/1000 {
		t.Errorf("worst %.4f ulp (at %v ** %v), %d not correctly rounded", worst, worstX, worstY, misrounded)
	}
}

// Results a float holds exactly come out exactly.
func TestPowExact(t *testing.T) {
	for _, tc := range [][3]float64{
		{100, 1.5, 1000}, {1e6, 2.5, 1e15}, {4, 0.5, 2}, {8, 1.0 / 3, 2}, {16, 0.75, 8}, {1.5, 10, 57.6650390625},
		{10, 15, 1e15}, {10, -3, 0.001}, {2, -1074, 5e-324}, {0x1p-500, 2.1, 0x1p-1050}, {0x1p-1072, 0.25, 0x1p-268},
		{-2, 3, -8}, {-2, -2, 0.25}, {0.25, -1.5, 8}, {1e-300, 0.5, 1e-150}, {9, 2.5, 243}, {1024, 0.1, 2},
		{1.05, 40, 7.039988712124658}, // not exact: correctly rounded, as Python's (glibc's) pow gives it
	} {
		if got := pow(tc[0], tc[1]); got != tc[2] {
			t.Errorf("pow(%v, %v) = %v, want %v", tc[0], tc[1], got, tc[2])
		}
	}
	// b^(p/q) for b = a^q, q a power of two so that p/q is exact: a^p, exactly.
	for a := 2.0; a <= 30; a++ {
		for _, q := range []float64{2, 4, 8} {
			x := math.Pow(a, q)
			for p := -12.0; p <= 30; p++ {
				want := math.Pow(a, p) // exact: a power of a small integer below 2^53, or its inverse's rounding
				y := p / q
				if y*q != p || math.Abs(want) >= 1<<53 || x >= 1<<53 || p < 0 && math.Mod(a, 2) != 0 {
					continue
				}
				if got := pow(x, y); got != want {
					t.Errorf("pow(%v, %v) = %v, want %v", x, y, got, want)
				}
			}
		}
	}
}

func BenchmarkPow(b *testing.B) {
	xs := make([]float64, 1024)
	for i := range xs {
		xs[i] = 1 + float64(i)/7
	}
	b.Run("pow", func(b *testing.B) {
		s := 0.0
		for i := 0; b.Loop(); i++ {
			s += pow(xs[i&1023], 1.37)
		}
	})
	b.Run("pow-int", func(b *testing.B) {
		s := 0.0
		for i := 0; b.Loop(); i++ {
			s += pow(xs[i&1023], 3)
		}
	})
	b.Run("math.Pow", func(b *testing.B) {
		s := 0.0
		for i := 0; b.Loop(); i++ {
			s += math.Pow(xs[i&1023], 1.37)
		}
	})
}
