package aggregate

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// approx_quantile is within sketchAlpha (0.5%) relative of the exact quantile, for
// values of one sign spread over many orders of magnitude.
func TestApproxQuantileErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, sign := range []float64{1, -1} {
		var rows [][]string
		var xs []float64
		for range 20000 {
			x := sign * math.Exp(r.NormFloat64()*6)
			rows = append(rows, []string{strconv.FormatFloat(x, 'g', -1, 64)})
			xs = append(xs, x)
		}
		slices.Sort(xs)
		for _, q := range []float64{0, 0.01, 0.25, 0.5, 0.9, 0.999, 1} {
			qs := strconv.FormatFloat(q, 'f', -1, 64)
			st := mustCompile(t, "", []string{"a = approx_quantile(x, " + qs + "); e = quantile(x, " + qs + ")"}, []string{"x"})
			got, err := run(t, st, []string{"x"}, rows, 1000, 3)
			if err != nil {
				t.Fatal(err)
			}
			approx, _ := strconv.ParseFloat(got[1][0], 64)
			exact, _ := strconv.ParseFloat(got[1][1], 64)
			if want := interpolate(xs, q); exact != want {
				t.Errorf("quantile(x, %v) = %v, want %v", q, exact, want)
			}
			if math.Abs(approx-exact) > sketchAlpha*math.Abs(exact) {
				t.Errorf("sign %v, q %v: approx %v, exact %v: off by %.3g relative", sign, q, approx, exact, math.Abs(approx-exact)/math.Abs(exact))
			}
		}
	}
}

// The text fast path of min and max orders plain decimals as textBefore does.
func TestPlainDecimalOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	texts := []string{"0", "0.5", "0.50", "5", "10", "9.999", "10.0", "123456789012345", "1234567890.12345", "00", "5.", ".5", "-1", "1e3"}
	for range 2000 {
		texts = append(texts, strconv.FormatFloat(r.Float64()*math.Pow(10, float64(r.IntN(8))), 'f', r.IntN(6), 64))
	}
	for _, a := range texts {
		la, okA := plainDecimal(a)
		for _, b := range texts[:200] {
			lb, okB := plainDecimal(b)
			if !okA || !okB {
				continue
			}
			if got, want := plainBefore(a, la, b, lb), textBefore(textKeyOf(a), a, textKeyOf(b), b); got != want {
				t.Fatalf("%q before %q: %v, textBefore says %v", a, b, got, want)
			}
		}
	}
	for _, s := range []string{"00", "5.", ".5", "-1", "1e3", "1234567890123456"} {
		if _, ok := plainDecimal(s); ok {
			t.Errorf("%q taken as a plain decimal", s)
		}
	}
}
