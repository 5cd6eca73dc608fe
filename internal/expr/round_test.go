package expr

import (
	"math"
	mbig "math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

// roundOracle rounds the shortest decimal of x half away from zero at `digits` decimals
// in exact rational arithmetic, as Python's Decimal(str(x)).quantize(ROUND_HALF_UP).
func roundOracle(x float64, digits int) float64 {
	d, _ := new(mbig.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	scale := new(mbig.Rat).SetInt(new(mbig.Int).Exp(mbig.NewInt(10), mbig.NewInt(int64(abs(digits))), nil))
	if digits >= 0 {
		d.Mul(d, scale)
	} else {
		d.Quo(d, scale)
	}
	// |d| + 1/2, truncated: half away from zero.
	neg := d.Sign() < 0
	d.Abs(d)
	d.Add(d, mbig.NewRat(1, 2))
	k := new(mbig.Int).Quo(d.Num(), d.Denom())
	r := new(mbig.Rat).SetInt(k)
	if digits >= 0 {
		r.Quo(r, scale)
	} else {
		r.Mul(r, scale)
	}
	f, _ := r.Float64()
	if neg {
		f = -f
	}
	return f
}

func TestRoundDecimal(t *testing.T) {
	for _, tc := range []struct {
		x      float64
		digits int
		want   float64
	}{
		{1.005, 2, 1.01}, {0.285, 2, 0.29}, {1.015, 2, 1.02}, {10.075, 2, 10.08}, {2.675, 2, 2.68},
		{-1.005, 2, -1.01}, {1.00499999, 2, 1}, {0.5, 0, 1}, {-2.5, 0, -3}, {1250, -2, 1300},
		{1249.9999999999998, -2, 1200}, {5e-324, 2, 0}, {0.005, 2, 0.01}, {0.0049, 2, 0}, {1e300, 2, 1e300},
		{123456789.125, 2, 123456789.13}, {9007199254740.125, 2, 9007199254740.13},
	} {
		if got := roundDecimal(tc.x, tc.digits); got != tc.want {
			t.Errorf("round(%v, %d) = %v, want %v", tc.x, tc.digits, got, tc.want)
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100_000 {
		digits := r.IntN(31) - 15
		var x float64
		switch r.IntN(3) {
		case 0: // a decimal with a 5 right after the rounding place: a tie as written
			places := max(digits+1, 1)
			x, _ = strconv.ParseFloat(strconv.FormatInt(r.Int64N(1e12), 10)+"5e-"+strconv.Itoa(places), 64)
		case 1:
			x = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(40)-20))
		default:
			x = math.Float64frombits(r.Uint64())
			if math.IsNaN(x) || math.IsInf(x, 0) {
				continue
			}
		}
		if got, want := roundDecimal(x, digits), roundOracle(x, digits); got != want && !math.IsInf(want, 0) {
			t.Fatalf("round(%v, %d) = %v, want %v", x, digits, got, want)
		}
	}
}
