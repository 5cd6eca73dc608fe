package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
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

// Keys that count up from a small start and wrap to 0 (id % n) widen the dense table
// only upwards: the wrap finds 0 in the span already, and the ids are not copied to a
// table one key wider.
func TestWordTableTakesZeroInWhileGrowing(t *testing.T) {
	const n = 100_000
	tab := newWordTable(true)
	for i := 1; i < n; i++ {
		tab.find(uint64(i))
	}
	before := &tab.direct[0]
	if id, added := tab.find(0); !added || id != n-1 {
		t.Fatalf("key 0: id %d, added %v, want %d, true", id, added, n-1)
	}
	if !tab.dense || tab.lo != 0 || &tab.direct[0] != before {
		t.Fatalf("keys 1..%d then 0: dense %v, span from %d, copied %v; want dense from 0, not copied", n-1, tab.dense, tab.lo, &tab.direct[0] != before)
	}
	for i := 0; i < n; i++ {
		if id, added := tab.find(uint64(i)); added || id != int32((i+n-1)%n) {
			t.Fatalf("key %d: id %d, added %v, want %d", i, id, added, (i+n-1)%n)
		}
	}
}

// Rows of a text key find their groups through the recent keys while those hit, and
// through the hash table once they stop: keys that share a slot (same length and end
// bytes), few groups then many, nulls in between; each group counts its own rows,
// in the order of first rows, over any chunking.
func TestRecentTextKeys(t *testing.T) {
	header := []string{"k"}
	var rows [][]string
	want := map[string]int{}
	var order []string
	add := func(k string) {
		rows = append(rows, []string{k})
		if _, ok := want[k]; !ok {
			order = append(order, k)
		}
		want[k]++
	}
	for i := range 40_000 { // 26 keys in one slot, a null now and then
		if i%97 == 0 {
			add("")
			continue
		}
		add("a" + string(rune('A'+i*7%26)) + "b")
	}
	for i := range 30_000 { // then many groups: the recent keys are left
		add(fmt.Sprintf("k%d", i%20_000))
	}
	for _, chunkRows := range []int{1 << 20, 5000, 333} {
		for _, parts := range []int{1, 3} {
			st, err := Compile("k", []string{"n = count()"}, header, expr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			out, err := run(t, st, header, rows, chunkRows, parts)
			if err != nil {
				t.Fatal(err)
			}
			if len(out) != len(order)+1 {
				t.Fatalf("chunks of %d, %d partials: %d groups, want %d", chunkRows, parts, len(out)-1, len(order))
			}
			for i, k := range order {
				got := out[i+1]
				if k == "" {
					k = "∅"
				}
				if got[0] != k || got[1] != fmt.Sprint(want[strings.TrimPrefix(k, "∅")]) {
					t.Fatalf("chunks of %d, %d partials: group %d is %v, want %s with %d rows", chunkRows, parts, i, got, k, want[k])
				}
			}
		}
	}
}
