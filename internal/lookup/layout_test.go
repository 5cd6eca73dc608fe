package lookup

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// TestSequentialKeys: ids on rows in their order make the dense table sequential (a
// probe computes the row); a gap, rows out of order or a duplicate kept last do not,
// and every table finds what row-by-row inserts find.
func TestSequentialKeys(t *testing.T) {
	cases := []struct {
		name       string
		ids        []int64
		last       bool
		sequential bool
	}{
		{"in order", seq(101, 5000), false, true},
		{"a gap", append(seq(1, 100), seq(102, 100)...), false, false},
		{"two swapped", append([]int64{2, 1}, seq(3, 100)...), false, false},
		{"duplicate kept first", append(seq(1, 100), 100), false, true},
		{"duplicate kept last", append(seq(1, 100), 50), true, false},
	}
	for _, c := range cases {
		var list keyList
		inserted := newKeyTable()
		for row, id := range c.ids {
			key := appendIntKey(nil, id)
			list.add(key, int32(row))
			if found := inserted.insert(key, int32(row)); found != nil && c.last {
				*found = int32(row)
			}
		}
		inserted.finish()
		built, err := buildKeyTable(&list, nil, func(found *int32, row int32) error {
			if c.last {
				*found = row
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, kt := range []*keyTable{built, inserted} {
			if kt.words.sequential != c.sequential {
				t.Errorf("%s: sequential %v, want %v", c.name, kt.words.sequential, c.sequential)
			}
		}
		for id := int64(-1); id < 5200; id++ {
			key := appendIntKey(nil, id)
			if got, want := built.find(key), inserted.find(key); got != want {
				t.Fatalf("%s: id %d finds row %d, want %d", c.name, id, got, want)
			}
		}
	}
}

func seq(first int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids
}

// TestSequentialProbe: orders looked up in products of ids 1..n sorted (a sequential
// table, probed without its array) and in the same products shuffled get the same names.
func TestSequentialProbe(t *testing.T) {
	const products = 3000
	rng := rand.New(rand.NewPCG(7, 8))
	sorted, shuffled := [3][]string{}, [3][]string{}
	for i := range products {
		id := strconv.Itoa(i + 1)
		sorted[0], sorted[1], sorted[2] = append(sorted[0], id), append(sorted[1], "name "+id), append(sorted[2], id+".5")
	}
	for _, i := range rng.Perm(products) {
		for j := range shuffled {
			shuffled[j] = append(shuffled[j], sorted[j][i])
		}
	}
	var ids []string
	for range 5000 {
		ids = append(ids, strconv.Itoa(rng.IntN(products+200)-100)) // some below 1, some past n
	}
	ids = append(ids, "", "abc", "7.0", "2999")
	orders := textChunk([]string{"product_id"}, [][]string{ids})
	var outs []string
	for k, ref := range [][3][]string{sorted, shuffled} {
		s := textStage(t, ref[:])
		if got := s.joins[0].ref.table.words.sequential; got != (k == 0) {
			t.Fatalf("reference %d: sequential %v", k, got)
		}
		outs = append(outs, lookedUp(t, s, orders))
	}
	if outs[0] != outs[1] {
		t.Errorf("sorted and shuffled references disagree:\n%s\n%s", outs[0][:200], outs[1][:200])
	}
	if !strings.Contains(outs[0], "name 2999|2999.5") || !strings.Contains(outs[0], "null|null") {
		t.Errorf("unexpected output %s", outs[0][:200])
	}
}

// textStage is a left lookup by product_id in a reference of the columns product_id,
// name and price (their values), adding name and price.
func textStage(t *testing.T, columns [][]string) *Stage {
	t.Helper()
	header := []string{"product_id", "name", "price"}
	ref := textChunk(header, columns)
	r := NewReference(Spec{Path: "products.csv", On: "product_id", Select: []string{"name", "price"}},
		header, 1<<30, readChunks(ref))
	s, err := Compile([]*Reference{r}, []string{"product_id"}, expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lookedUp is the added columns of the chunk s makes of c, a row a line: values
// separated by |, null for none.
func lookedUp(t *testing.T, s *Stage, c *table.Chunk) string {
	t.Helper()
	out, _, err := s.NewWorker().Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Batch.Release()
	var b strings.Builder
	for i := range out.NumRows() {
		for j := 1; j < int(out.Batch.NumCols()); j++ {
			if j > 1 {
				b.WriteByte('|')
			}
			col := out.Batch.Column(j)
			if col.IsNull(i) {
				b.WriteString("null")
				continue
			}
			b.WriteString(col.ValueStr(i))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// TestTextCellSpans: a text cell holds a value's start and length packed; a value of
// 16 MiB or more, or one starting past 1 TiB, keeps its span aside, and every span
// reads back as set.
func TestTextCellSpans(t *testing.T) {
	spans := [][2]int64{{0, 0}, {0, 5}, {5, 5 + longSpan - 1}, {7, 7 + longSpan}, {1<<40 - 1, 1<<40 + 2}, {1 << 40, 1<<40 + 3}, {1 << 45, 1 << 46}}
	rc := refColumn{cells: make([]uint64, 2*len(spans)), stride: 2, at: 1}
	for row, s := range spans {
		rc.setSpan(int32(row), s[0], s[1])
	}
	for row, s := range spans {
		if start, end := rc.span(int32(row)); start != s[0] || end != s[1] {
			t.Errorf("row %d: span %d..%d, want %d..%d", row, start, end, s[0], s[1])
		}
		if rc.cells[2*row] != 0 {
			t.Errorf("row %d: the other column's cell was written", row)
		}
	}
	if len(rc.long) != 3 {
		t.Errorf("%d spans kept aside, want 3", len(rc.long))
	}
}

// TestLongTextValue: a reference value of 16 MiB (past what a cell's length holds) is
// added whole, its neighbours unchanged.
func TestLongTextValue(t *testing.T) {
	long := strings.Repeat("x", longSpan+3)
	s := textStage(t, [][]string{{"1", "2", "3"}, {"one", long, "three"}, {"1.5", "2.5", "3.5"}})
	out, _, err := s.NewWorker().Apply(textChunk([]string{"product_id"}, [][]string{{"3", "2", "1", "4"}}))
	if err != nil {
		t.Fatal(err)
	}
	defer out.Batch.Release()
	names := out.Batch.Column(1).(*array.String)
	for i, want := range []string{"three", long, "one"} {
		if got := names.Value(i); got != want {
			t.Errorf("row %d: a name of %d bytes, want %d", i, len(got), len(want))
		}
	}
	if names.IsValid(3) {
		t.Errorf("row 3: a name for no product")
	}
}
