package table

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchProducts are the values of `total = a * b` over the benchmark CSV
// (tools/gencsv): a has six decimals below 1000, b is an integer 0..1000.
func benchProducts(n int) []float64 {
	r := rand.New(rand.NewPCG(42, 1))
	vals := make([]float64, n)
	for i := range vals {
		a, _ := strconv.ParseFloat(strconv.FormatFloat(r.Float64()*1000, 'f', 6, 64), 64)
		vals[i] = a * float64(r.IntN(1001))
	}
	return vals
}

func BenchmarkAppendFloat(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	shapes := []struct {
		name string
		vals []float64
	}{
		{"product", benchProducts(4096)},
		{"product-64k", benchProducts(65536)},
		{"six-decimals", genFloats(4096, func() float64 {
			f, _ := strconv.ParseFloat(strconv.FormatFloat(r.Float64()*1000, 'f', 6, 64), 64)
			return f
		})},
		{"integral", genFloats(4096, func() float64 { return float64(r.IntN(1_000_000)) })},
		{"uniform", genFloats(4096, func() float64 { return r.Float64() * 1000 })},
		{"random-bits", genFloats(4096, func() float64 { return math.Float64frombits(r.Uint64()) })},
	}
	for _, s := range shapes {
		b.Run(s.name, func(b *testing.B) {
			buf := make([]byte, 0, 64)
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range s.vals {
					buf = AppendFloat(buf[:0], f)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(s.vals)), "ns/value")
		})
	}
}

func genFloats(n int, gen func() float64) []float64 {
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = gen()
	}
	return vals
}
