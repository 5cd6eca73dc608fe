package aggregate

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactRound is the sum of xs computed in big.Float with enough bits to be exact,
// rounded once: the oracle of exactSums.
func exactRound(xs []float64) float64 {
	z := new(big.Float).SetPrec(4000)
	for _, x := range xs {
		z.Add(z, new(big.Float).SetFloat64(x))
	}
	f, _ := z.Float64()
	return f
}

func randomValues(r *rand.Rand, n int, kind int) []float64 {
	xs := make([]float64, n)
	for i := range xs {
		switch kind {
		case 0: // decimals of one scale, as in price columns
			xs[i] = math.Round(r.Float64()*1e9) / 1e6
		case 1: // both signs, cancelling
			xs[i] = (r.Float64() - 0.5) * 1e7
		case 2: // magnitudes far apart: the window gives way to the expansion
			xs[i] = math.Ldexp(r.Float64()-0.5, r.IntN(400)-200)
		case 3: // big and tiny that cancel: 1e16 + 1 - 1e16
			xs[i] = []float64{1e16, 1, -1e16, 1e-10, 3.3}[i%5]
		case 4: // a round first value, then finer ones: the exponent goes down
			xs[i] = []float64{512, -3e9, math.Ldexp(1, -70) * 3, (r.Float64() - 0.5) * 1e-3, 1e15}[min(i, 2+r.IntN(3))]
		case 5: // growing past 2^125 of the smallest bit, and back
			xs[i] = []float64{math.Ldexp(1, -60), math.Ldexp(-1, 70), math.Ldexp(1, 64)*3 - 1, math.Ldexp(1, 70)}[i%4] * float64(1+r.IntN(9))
		case 6: // far out: near the float range, and subnormal
			xs[i] = []float64{1e300, -1e300, 5e-324, math.Ldexp(1, 801), 1.5}[r.IntN(5)]
		}
	}
	return xs
}

func TestExactSumsMatchBigFloat(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for kind := range 7 {
		for trial := range 20 {
			xs := randomValues(r, 1+r.IntN(5000), kind)
			want := exactRound(xs)
			// One accumulator, and the same values split over three merged ones.
			var one exactSums
			one.grow(1)
			for _, x := range xs {
				one.add(0, x)
			}
			var parts [3]exactSums
			for k := range parts {
				parts[k].grow(2)
			}
			for i, x := range xs {
				parts[i%3].add(int32(i%2), x)
			}
			var merged exactSums
			merged.grow(1)
			for k := range parts {
				merged.mergeFrom(0, &parts[k], 0)
				merged.mergeFrom(0, &parts[k], 1)
			}
			for name, s := range map[string]*exactSums{"one": &one, "merged": &merged} {
				if got := round(s.expansion(0, nil)); got != want {
					t.Fatalf("kind %d trial %d %s: sum %v, exactly %v", kind, trial, name, got, want)
				}
				if got, ok := s.rounded(0); ok && got != want {
					t.Fatalf("kind %d trial %d %s: rounded %v, exactly %v", kind, trial, name, got, want)
				}
			}
		}
	}
}

func TestExactSumsSpecial(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{
		{[]float64{1, math.Inf(1)}, math.Inf(1)},
		{[]float64{math.Inf(-1), 2}, math.Inf(-1)},
		{[]float64{math.Inf(1), math.Inf(-1)}, math.NaN()},
		{[]float64{math.NaN(), 1}, math.NaN()},
	} {
		var s exactSums
		s.grow(1)
		for _, x := range c.xs {
			s.add(0, x)
		}
		got, ok := s.nonFinite(0)
		if !ok || !(got == c.want || math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("%v: %v, %v; want %v", c.xs, got, ok, c.want)
		}
	}
}

func TestQuotientIsCorrectlyRounded(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for range 200 {
		xs := randomValues(r, 2+r.IntN(100), r.IntN(3))
		var s exactSums
		s.grow(1)
		for _, x := range xs {
			s.add(0, x)
		}
		z := new(big.Float).SetPrec(4000)
		for _, x := range xs {
			z.Add(z, new(big.Float).SetFloat64(x))
		}
		want, _ := new(big.Float).SetPrec(53).Quo(z, big.NewFloat(float64(len(xs)))).Float64()
		if got := quotient(s.expansion(0, nil), int64(len(xs))); got != want {
			t.Fatalf("mean %v, exactly rounded %v", got, want)
		}
	}
}

// TestIntSumsOverflowExactly holds the int64-first sums to big.Int: values near the
// int64 limits overflow the int64 part in both directions, and sums of partials (the
// merge) bring in 128-bit values and values that fit.
func TestIntSumsOverflowExactly(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 1))
	const groups = 5000 // two pages
	var whole intSums
	whole.grow(groups)
	want := make([]big.Int, groups)
	for range 4 {
		var part intSums
		part.grow(groups)
		for range 40_000 {
			g := int32(r.IntN(groups))
			var x int64
			switch r.IntN(4) {
			case 0:
				x = math.MaxInt64 - r.Int64N(1000)
			case 1:
				x = math.MinInt64 + r.Int64N(1000)
			case 2:
				x = r.Int64N(2001) - 1000
			default:
				x = int64(r.Uint64())
			}
			part.add(g, x)
			want[g].Add(&want[g], big.NewInt(x))
		}
		for g := range int32(groups) {
			whole.addInt128(g, part.get(g))
		}
	}
	fits := 0
	for g := range int32(groups) {
		v := whole.get(g)
		got := new(big.Int).Lsh(big.NewInt(v.hi), 64)
		got.Add(got, new(big.Int).SetUint64(v.lo))
		if got.Cmp(&want[g]) != 0 {
			t.Fatalf("group %d: sum %s, want %s", g, got, &want[g])
		}
		if _, ok := v.int64Value(); ok {
			fits++
		}
	}
	if fits == groups || fits == 0 {
		t.Fatalf("%d of %d sums fit an int64: the test should have both", fits, groups)
	}
}
