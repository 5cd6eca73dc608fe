package aggregate

import (
	"math/rand/v2"
	"testing"
)

// TestFirstRowsMatchPositions holds firstRows to a plain list of positions: groups added
// chunk by chunk in order (runs), chunks out of order and merged groups (a run for each
// change of chunk), and first rows lowered once a partial is out of order.
func TestFirstRowsMatchPositions(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 7))
	for round := range 200 {
		var f firstRows
		var want []position
		lowered := round%3 == 0
		for step := range 400 {
			at := position{seq: int64(rng.IntN(50)), row: int32(rng.IntN(1000))}
			if round%2 == 0 { // in order: seqs ascend
				at.seq = int64(step / 7)
			}
			if lowered && len(want) > 0 && rng.IntN(4) == 0 {
				id := int32(rng.IntN(len(want)))
				f.lower(id, at, len(want))
				if at.before(want[id]) {
					want[id] = at
				}
				continue
			}
			f.add(int32(len(want)), at)
			want = append(want, at)
		}
		hint := 0
		for id, w := range want {
			if got := f.at(int32(id), &hint); got != w {
				t.Fatalf("round %d: group %d: at with a hint %+v, want %+v", round, id, got, w)
			}
			if got := f.at(int32(id), nil); got != w {
				t.Fatalf("round %d: group %d: at %+v, want %+v", round, id, got, w)
			}
		}
		if !lowered && f.full.made() {
			t.Fatalf("round %d: full positions kept though no first row was lowered", round)
		}
		if !lowered && round%2 == 0 && len(f.runs) > 400/7+1 {
			t.Fatalf("round %d: %d runs for groups added from %d chunks", round, len(f.runs), 400/7+1)
		}
	}
}
