package expr

import "math"

// pow is x ** y to within one ulp of the true value, and correctly rounded but for
// values within about 2^-75 of a rounding boundary: in particular every result that a
// float holds exactly (100 ** 1.5 is 1000, 1e6 ** 2.5 is 1e15). Go's math.Pow
// multiplies float64 powers of the base together: 1.05 ** 40 is 10 ulps off, and
// TestPowAccuracy finds it millions of ulps off for bases near 1 with large exponents
// and for subnormal bases. Here ln x is computed in double-double (to about 2^-78),
// and so is e^(y·ln x), whose rounding to a float is the only one; integer exponents
// up to 64 multiply in double-double.
func pow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case math.IsNaN(x) || math.IsNaN(y) || math.IsInf(x, 0) || math.IsInf(y, 0) || x == 0:
		return math.Pow(x, y) // the IEEE special cases; x == 0 gives 0 or an infinity
	case y == 1:
		return x
	case y == 2:
		return x * x // one rounding
	case y == -1:
		return 1 / x
	case y == 0.5 && x > 0:
		return math.Sqrt(x)
	}
	if n := int(y); float64(n) == y && n >= -64 && n <= 64 {
		if _, e := math.Frexp(x); (abs(e)+1)*abs(n) < 1000 {
			return powInt(x, n)
		}
	}
	neg := false
	if x < 0 {
		if y != math.Trunc(y) {
			return math.NaN()
		}
		neg = math.Abs(y) < 1<<53 && int64(y)&1 == 1
		x = -x
	}
	l := logDD(x)
	var r float64
	switch z := y * l.hi; {
	case z > 1000: // beyond e^709.8, the largest float
		r = math.Inf(1)
	case z < -1000: // below e^-745, half the smallest subnormal
		r = 0
	default:
		m, k := expDD(mulDF(l, y))
		r = ldexpDD(m, k)
	}
	if neg {
		r = -r
	}
	return r
}

// powInt is x^n by squaring in double-double, for 2 <= |n| <= 64 and x^n, x^-n and
// every square on the way well inside the normal floats: fewer than 14 products, each
// 2^-104 off.
func powInt(x float64, n int) float64 {
	p, sq := dd{1, 0}, dd{x, 0}
	for k := abs(n); k > 0; k >>= 1 {
		if k&1 == 1 {
			p = mulDD(p, sq)
		}
		if k > 1 {
			sq = mulDD(sq, sq)
		}
	}
	if n < 0 {
		p = divDD(dd{1, 0}, p)
	}
	return p.hi
}

// divDD is x / y.
func divDD(x, y dd) dd {
	q1 := x.hi / y.hi
	r := addDD(x, mulDF(y, -q1))
	q2 := r.hi / y.hi
	r = addDD(r, mulDF(y, -q2))
	return addDD(quickTwoSum(q1, q2), dd{r.hi / y.hi, 0})
}

// dd is a double-double: the unevaluated sum hi + lo with |lo| <= ulp(hi)/2, about 106
// bits of precision (Dekker; Hida, Li and Bailey's QD library).
type dd struct{ hi, lo float64 }

// twoSum is a + b exactly.
func twoSum(a, b float64) dd {
	s := a + b
	bb := s - a
	return dd{s, (a - (s - bb)) + (b - bb)}
}

// quickTwoSum is a + b exactly when |a| >= |b|.
func quickTwoSum(a, b float64) dd {
	s := a + b
	return dd{s, b - (s - a)}
}

// twoProd is a·b exactly.
func twoProd(a, b float64) dd {
	p := a * b
	return dd{p, math.FMA(a, b, -p)}
}

func addDD(x, y dd) dd {
	s, t := twoSum(x.hi, y.hi), twoSum(x.lo, y.lo)
	s.lo += t.hi
	s = quickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return quickTwoSum(s.hi, s.lo)
}

func mulDD(x, y dd) dd {
	p := twoProd(x.hi, y.hi)
	p.lo += x.hi*y.lo + x.lo*y.hi
	return quickTwoSum(p.hi, p.lo)
}

func mulDF(x dd, f float64) dd {
	p := twoProd(x.hi, f)
	p.lo += x.lo * f
	return quickTwoSum(p.hi, p.lo)
}

// ln2DD is ln 2 to 107 bits.
var ln2DD = dd{0.6931471805599453, 2.3190468138462996e-17}

// sixthDD is 1/6 to 107 bits.
var sixthDD = dd{0.16666666666666666, 9.251858538542972e-18}

// expm1DD is e^r - 1 for |r| <= 0.35 or so, to about 2^-78 relative: a Taylor series
// for s = r/2^6, then the doubling e^2s - 1 = (e^s - 1)·(e^s - 1 + 2) six times.
func expm1DD(r dd) dd {
	s := dd{math.Ldexp(r.hi, -6), math.Ldexp(r.lo, -6)}
	// |s| < 0.0055: the terms from s^4 on are below 2^-26 of the sum, so their sum in
	// float64 (to 2^-52) costs under 2^-78; the series is cut below 2^-106 of the sum.
	q := 1.0 / 479001600
	for _, c := range [...]float64{1.0 / 39916800, 1.0 / 3628800, 1.0 / 362880, 1.0 / 40320, 1.0 / 5040, 1.0 / 720, 1.0 / 120, 1.0 / 24} {
		q = q*s.hi + c
	}
	p := addDD(mulDF(s, q), sixthDD)
	p = addDD(mulDD(p, s), dd{0.5, 0})
	p = addDD(mulDD(p, s), dd{1, 0})
	e := mulDD(p, s)
	for range 6 {
		e = mulDD(e, addDD(e, dd{2, 0}))
	}
	return e
}

// expDD is e^z as m·2^k, m a double-double near 1: z = k·ln 2 + r, |r| <= ln 2 / 2.
func expDD(z dd) (dd, int) {
	k := math.Round(z.hi / ln2DD.hi)
	r := addDD(z, mulDF(ln2DD, -k))
	return addDD(dd{1, 0}, expm1DD(r)), int(k)
}

// logDD is ln x for a finite x > 0 (subnormals too), to about 2^-78 relative: x =
// m·2^e with m in [√½, √2), and ln m by one Newton step from L0 = math.Log(m), which
// doubles its 52 bits: L = L0 + m·e^-L0 - 1 = L0 + (m - 1) + m·(e^-L0 - 1).
func logDD(x float64) dd {
	m, e := math.Frexp(x)
	if m < math.Sqrt2/2 {
		m, e = m*2, e-1
	}
	l0 := math.Log(m)
	corr := addDD(dd{m - 1, 0}, mulDF(expm1DD(dd{-l0, 0}), m)) // m - 1 is exact
	return addDD(addDD(dd{l0, 0}, corr), mulDF(ln2DD, float64(e)))
}

// ldexpDD rounds m·2^k to a float once, subnormal results included, where rounding
// m.hi·2^k and adding m.lo·2^k would round twice.
func ldexpDD(m dd, k int) float64 {
	a := math.Ldexp(m.hi, k)
	if a == 0 || math.Abs(a) >= 0x1p-1022 || math.IsInf(a, 0) {
		return a // the exponent changed, the digits did not: m.hi is m rounded
	}
	// a is m.hi rounded to the subnormal grid; what it left out, plus m.lo, is below a
	// grid step, and rounds to -1, 0 or 1 step of it.
	rest := (m.hi - math.Ldexp(a, -k)) + m.lo
	return a + math.Ldexp(rest, k)
}
