package table

import (
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

// Take keeps, in the order of sel, each row's place in Data and its plain bit, across
// the 64-row words of Plain.
func TestRawRowsTake(t *testing.T) {
	const rows = 150
	r := &RawRows{Data: []byte("x"), Delimiter: ';', Sparse: []bool{true, false},
		Starts: make([]int32, rows), Ends: make([]int32, rows), Plain: make([]uint64, 3)}
	for i := range rows {
		r.Starts[i], r.Ends[i] = int32(10*i), int32(10*i+7)
		if i%3 != 0 {
			r.Plain[i>>6] |= 1 << (i & 63)
		}
	}
	sel := []int32{0, 1, 63, 64, 65, 127, 128, 149, 2}
	cols := []arrow.Array{StringColumn(nil, []int32{0}, nil, 0)}
	for _, sparse := range []bool{false, true} {
		got := r.Take(cols, sel, sparse)
		for k, i := range sel {
			plain := got.Plain[k>>6]&(1<<(k&63)) != 0
			if got.Starts[k] != r.Starts[i] || got.Ends[k] != r.Ends[i] || plain != (i%3 != 0) {
				t.Errorf("row %d (input row %d): %d..%d plain %v", k, i, got.Starts[k], got.Ends[k], plain)
			}
		}
		if len(got.Plain) != 1 || got.Delimiter != ';' || &got.Data[0] != &r.Data[0] || len(got.Columns) != 1 {
			t.Errorf("Take lost the rows' context: %+v", got)
		}
		want := r.Sparse
		if sparse {
			want = []bool{true}
		}
		if !slices.Equal(got.Sparse, want) {
			t.Errorf("sparse %v: Sparse %v, want %v", sparse, got.Sparse, want)
		}
	}
}

func TestNumbersOf(t *testing.T) {
	lined := &Chunk{Row0: 11, Lines: []int64{2, 3, 5, 9}}
	for _, tc := range []struct {
		name      string
		c         *Chunk
		sel       []int32
		buf       []int64
		wantRow0  int64
		wantLines []int64
	}{
		{"rows without lines", &Chunk{Row0: 11}, []int32{1, 3}, nil, 12, nil},
		{"no row kept", lined, []int32{}, nil, 11, []int64{}},
		{"lines of the kept rows", lined, []int32{1, 3}, nil, 12, []int64{3, 9}},
		{"into a buffer with room", lined, []int32{0, 2}, make([]int64, 0, 4), 11, []int64{2, 5}},
		{"a buffer too small", lined, []int32{0, 1, 2}, make([]int64, 1), 11, []int64{2, 3, 5}},
	} {
		row0, lines := tc.c.NumbersOf(tc.sel, tc.buf)
		if row0 != tc.wantRow0 || !slices.Equal(lines, tc.wantLines) || (lines == nil) != (tc.wantLines == nil) {
			t.Errorf("%s: got %d %v, want %d %v", tc.name, row0, lines, tc.wantRow0, tc.wantLines)
		}
		if tc.buf != nil && cap(tc.buf) >= len(tc.sel) && len(lines) > 0 && &lines[0] != &tc.buf[:1][0] {
			t.Errorf("%s: lines not written into the buffer", tc.name)
		}
	}
}
