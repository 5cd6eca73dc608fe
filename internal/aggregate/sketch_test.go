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
