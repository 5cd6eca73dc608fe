package aggregate

import (
	"math"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// approx_quantile(x, q) keeps, per group, counts of values in logarithmic buckets (as
// DDSketch): bucket i holds the values of magnitude in (γ^(i-1), γ^i], and stands for
// 2γ^i/(γ+1), within sketchAlpha relative of every value in it. Counts merge by
// addition, so the result is the same for any split of the input. Memory is one count
// per bucket in use: at most about ln(max/min)/ln γ per group and sign, some 2,800 for
// values spanning 1e-3 to 1e9, however many rows.

const sketchAlpha = 0.005

var (
	sketchGamma   = (1 + sketchAlpha) / (1 - sketchAlpha)
	sketchLnGamma = math.Log(sketchGamma)
)

// bucketOffset keeps bucket indexes (|i| < 2^12 for every finite float64 with γ > 1.01)
// positive in a key's low 31 bits; bit 31 is the sign.
const bucketOffset = 1 << 30

type sketchAcc struct {
	q      float64
	counts map[uint64]int64 // (group, sign, bucket) → values
	zeros  []int64          // per group
	n      []int64          // per group: values counted
	result []float64        // per group, at the first build
}

func newSketchAcc(a *compiledAgg) accumulator {
	return &sketchAcc{q: a.q, counts: map[uint64]int64{}}
}

func (s *sketchAcc) grow(groups int) {
	s.n = extend(s.n, groups, 0)
	s.zeros = extend(s.zeros, groups, 0)
}

// add counts x; NaN and infinities have no bucket and are left out.
func (s *sketchAcc) add(g int32, x float64) {
	if x-x != 0 {
		return
	}
	s.n[g]++
	if x == 0 {
		s.zeros[g]++
		return
	}
	var sign uint64
	if x < 0 {
		sign, x = 1<<31, -x
	}
	i := int64(math.Ceil(math.Log(x) / sketchLnGamma))
	s.counts[uint64(g)<<32|sign|uint64(i+bucketOffset)]++
}

func sketchInts(acc accumulator, in *input) error {
	s := acc.(*sketchAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.add(g, float64(v.i64[i]))
		}
	}
	return nil
}

func sketchFloats(acc accumulator, in *input) error {
	s := acc.(*sketchAcc)
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if v.isValid(i) {
			s.add(g, v.f64[i])
		}
	}
	return nil
}

func sketchTexts(acc accumulator, in *input) error {
	s := acc.(*sketchAcc)
	return eachNumber(in, s.add)
}

func (s *sketchAcc) merge(o accumulator, into []int32) error {
	os := o.(*sketchAcc)
	for k, c := range os.counts {
		g := into[k>>32]
		s.counts[uint64(g)<<32|k&(1<<32-1)] += c
	}
	for g := range os.n {
		s.n[into[g]] += os.n[g]
		s.zeros[into[g]] += os.zeros[g]
	}
	return nil
}

type bucket struct {
	at    float64 // the value it stands for
	count int64
}

func (s *sketchAcc) build(_ *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	if s.result == nil {
		per := make([][]bucket, len(s.n))
		for k, c := range s.counts {
			g := k >> 32
			i := int64(k&(1<<31-1)) - bucketOffset
			at := 2 * math.Pow(sketchGamma, float64(i)) / (sketchGamma + 1)
			if k&(1<<31) != 0 {
				at = -at
			}
			per[g] = append(per[g], bucket{at, c})
		}
		s.result = make([]float64, len(s.n))
		for g, bs := range per {
			if s.zeros[g] > 0 {
				bs = append(bs, bucket{0, s.zeros[g]})
			}
			slices.SortFunc(bs, func(a, b bucket) int {
				switch {
				case a.at < b.at:
					return -1
				case a.at > b.at:
					return 1
				}
				return 0
			})
			if s.n[g] > 0 {
				pos := s.q * float64(s.n[g]-1)
				lo := math.Floor(pos)
				s.result[g] = lerp(rankValue(bs, int64(lo)), rankValue(bs, min(int64(lo)+1, s.n[g]-1)), pos-lo)
			}
		}
		s.counts = nil
	}
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	defer b.Release()
	for _, g := range order {
		if s.n[g] == 0 {
			b.AppendNull()
		} else {
			b.Append(s.result[g])
		}
	}
	return b.NewArray(), nil
}

// rankValue is the value the bucket holding the rank-th smallest value stands for.
func rankValue(bs []bucket, rank int64) float64 {
	for _, b := range bs {
		if rank < b.count {
			return b.at
		}
		rank -= b.count
	}
	return bs[len(bs)-1].at
}
