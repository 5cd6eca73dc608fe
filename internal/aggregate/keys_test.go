package aggregate

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A word table gives each key one id, in the order keys are first found, whether it
// stays dense or turns to hashing: keys in runs up and down, sparse keys, keys at the
// int64 edges, and a null group added in between.
func TestWordTableIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 1))
	patterns := map[string]func(i int) int64{
		"ascending":  func(i int) int64 { return int64(i % 3000) },
		"descending": func(i int) int64 { return int64(-i % 5000) },
		"runs":       func(i int) int64 { return int64(i/7%900) * int64(1-2*(i/2000%2)) },
		"sparse":     func(i int) int64 { return r.Int64N(1<<40) - 1<<39 },
		"dense then far": func(i int) int64 {
			if i == 2500 {
				return math.MaxInt64
			}
			return int64(i % 1000)
		},
		"spreading": func(i int) int64 { return int64(i) * int64(i) },
		"edges":     func(i int) int64 { return []int64{math.MinInt64, math.MaxInt64, 0, -1, 1}[i%5] + int64(i%3) },
	}
	for name, key := range patterns {
		for _, ints := range []bool{true, false} {
			tab := newWordTable(ints)
			ids := map[uint64]int32{}
			null := int32(-1)
			for i := range 6000 {
				if i == 100 {
					null = tab.addUnhashed()
					if int(null) != len(ids) {
						t.Fatalf("%s: null group got id %d after %d keys", name, null, len(ids))
					}
					ids[1<<63-1^0x5a5a] = null // a key no pattern makes, for the count
				}
				k := uint64(key(i))
				id, added := tab.find(k)
				want, seen := ids[k]
				if !seen {
					want = int32(len(ids))
					ids[k] = want
				}
				if id != want || added == seen {
					t.Fatalf("%s (ints %v), row %d, key %d: id %d added %v, want %d added %v", name, ints, i, int64(k), id, added, want, !seen)
				}
				if *tab.keys.at(id) != k {
					t.Fatalf("%s: id %d keeps key %d, want %d", name, id, *tab.keys.at(id), k)
				}
			}
		}
	}
}

// Keys from 1 up that wrap to 0, as `id % n` makes them, keep a dense table's span at n:
// the doubling down from 1 stops at 0.
func TestWordTableSpanStopsAtZero(t *testing.T) {
	const n = 100_000
	tab := newWordTable(true)
	for i := 1; i <= n; i++ {
		tab.find(uint64(i % n))
	}
	if !tab.dense || tab.lo != 0 || len(tab.direct) > 2*n {
		t.Fatalf("keys 1..%d then 0: dense %v, span %d from %d, want at most %d from 0", n-1, tab.dense, len(tab.direct), tab.lo, 2*n)
	}
}
