package lookup

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// chunksOf cuts the columns of a reference into chunks of the sizes given (the rest in
// a last one), numbered as a reader numbers them: rows from 1, each on its line after
// the header but in the chunk given lines, whose rows are on those lines.
func chunksOf(header []string, columns [][]string, sizes []int, lines map[int][]int64) []*table.Chunk {
	var cs []*table.Chunk
	for first := 0; first < len(columns[0]); {
		end := len(columns[0])
		if len(cs) < len(sizes) {
			end = min(first+sizes[len(cs)], end)
		}
		part := make([][]string, len(columns))
		for j := range columns {
			part[j] = columns[j][first:end]
		}
		c := textChunk(header, part)
		c.Row0 = int64(first + 1)
		c.Lines = lines[len(cs)]
		if c.Lines == nil {
			for i := first; i < end; i++ {
				c.Lines = append(c.Lines, int64(i+2))
			}
		}
		cs = append(cs, c)
		first = end
	}
	return cs
}

// TestLoadInChunks: a reference read in chunks of any sizes (a bit of the validity, a
// text span and a key's row each placed after the rows before) finds what it finds read
// in one chunk, its columns typed alike; a duplicate key names both rows' lines.
func TestLoadInChunks(t *testing.T) {
	header := []string{"product_id", "name", "price"}
	var ids, names, prices []string
	for i := range 1000 {
		id, name, price := strconv.Itoa(i+1), "name "+strconv.Itoa(i), strconv.Itoa(i%7)+".5"
		switch {
		case i%13 == 0:
			name = "" // null
		case i%17 == 0:
			id = "code" + id // a text key
		case i%19 == 0:
			price = ""
		}
		ids, names, prices = append(ids, id), append(names, name), append(prices, price)
	}
	columns := [][]string{ids, names, prices}
	var probe []string
	for i := range 1100 {
		probe = append(probe, strconv.Itoa(i))
	}
	probe = append(probe, "code18", "code35", "")
	orders := textChunk([]string{"product_id"}, [][]string{probe})
	stage := func(cs []*table.Chunk) (*Stage, error) {
		r := NewReference(Spec{Path: "products.csv", On: "product_id", Select: []string{"name", "price"}}, header, 1<<30, readChunks(cs...))
		return Compile([]*Reference{r}, []string{"product_id"}, expr.Options{})
	}
	whole, err := stage([]*table.Chunk{textChunk(header, columns)})
	if err != nil {
		t.Fatal(err)
	}
	want := lookedUp(t, whole, orders)
	for _, sizes := range [][]int{{1, 63, 64, 65, 200}, {64, 64}, {999}, {7, 7, 7, 500, 1, 1}} {
		s, err := stage(chunksOf(header, columns, sizes, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := lookedUp(t, s, orders); got != want {
			t.Errorf("chunks %v: lookups differ from one chunk's", sizes)
		}
		for k, col := range s.Columns()[1:] {
			if wantType := whole.Columns()[1+k].Type; col.Type != wantType {
				t.Errorf("chunks %v: column %s is %v, want %v", sizes, col.Name, col.Type, wantType)
			}
		}
	}
	if whole.Columns()[2].Type != expr.TypeFloat || whole.Columns()[1].Type != expr.TypeText {
		t.Errorf("columns typed %v", whole.Columns())
	}

	// Row 5 repeats row 700's key, the chunk of row 700 on lines of its own.
	dupIDs := append([]string(nil), ids...)
	dupIDs[699] = dupIDs[4]
	_, err = stage(chunksOf(header, [][]string{dupIDs, names, prices}, []int{100, 550, 100}, map[int][]int64{2: seq64(900, 100)}))
	const msg = `--lookup products.csv: the key product_id="5" is on two rows, line 6 and line 998: give --lookup-dup first or last to keep one of them`
	if err == nil || !strings.Contains(err.Error(), msg) {
		t.Errorf("duplicate key: %v, want %s", err, msg)
	}
}

// TestDuplicateKeyText: a duplicate key's message writes the second row's key as it is
// written, whether the chunk's keys are all plain integers (kept as words only) or not.
func TestDuplicateKeyText(t *testing.T) {
	header := []string{"product_id", "name"}
	for _, c := range []struct {
		ids  []string
		want string
	}{
		{[]string{"1", "2", "3", "4", "2"}, `the key product_id="2" is on two rows, line 3 and line 6`},
		{[]string{"0", "1", "-0"}, `the key product_id="-0" is on two rows, line 2 and line 4`},
		{[]string{"7", "x", "7.0"}, `the key product_id="7.0" is on two rows, line 2 and line 4`},
		{[]string{"5", "6", "", " 6"}, `the key product_id=" 6" is on two rows, line 3 and line 5`},
	} {
		names := make([]string, len(c.ids))
		for i := range names {
			names[i] = "n"
		}
		for _, sizes := range [][]int{nil, {1}, {2}} {
			r := NewReference(Spec{Path: "p.csv", On: "product_id"}, header, 1<<30, readChunks(chunksOf(header, [][]string{c.ids, names}, sizes, nil)...))
			_, err := Compile([]*Reference{r}, []string{"product_id"}, expr.Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ids %q in chunks %v: %v, want %s", c.ids, sizes, err, c.want)
			}
		}
	}
}

func seq64(first int64, n int) []int64 {
	lines := make([]int64, n)
	for i := range lines {
		lines[i] = first + int64(2*i) // records of two lines each
	}
	return lines
}

// TestGrowArray: an array keeps its values as it grows from the Go heap into a slab and
// then into a mapping of its own, the room past them zeroed; a mapping of its own is
// unmapped when it is replaced, and release unmaps the rest.
func TestGrowArray(t *testing.T) {
	m := &tableMemory{heapBelow: 1 << 10}
	var s []uint64
	for i := range 1 << 20 { // 8 MiB: heap, slab, then its own mapping
		if len(s) == cap(s) {
			s = growArray(m, s, 1)
			if room := s[len(s):cap(s)]; len(room) > 0 && (room[0] != 0 || room[len(room)-1] != 0) {
				t.Fatalf("at %d: room not zeroed", i)
			}
		}
		s = append(s, uint64(i)*3)
	}
	for i, v := range s {
		if v != uint64(i)*3 {
			t.Fatalf("value %d is %d", i, v)
		}
	}
	if m.slabs.Regions() == 0 || len(m.own) != 1 {
		t.Errorf("%d slabs and %d arrays mapped whole, want slabs and one array", m.slabs.Regions(), len(m.own))
	}
	freeArray(m, s)
	if len(m.own) != 0 {
		t.Errorf("a freed array is still mapped")
	}
	m.release()
	if m.slabs.Regions() != 0 {
		t.Errorf("slabs left after release")
	}
}

// TestGrowArrayReserved: with a reserve, an array that leaves the Go heap gets that much
// address space and never moves again, its values kept.
func TestGrowArrayReserved(t *testing.T) {
	m := &tableMemory{heapBelow: 1 << 10, reserve: 64 << 20}
	defer m.release()
	var s []int32
	var at *int32
	for i := range 1 << 21 { // 8 MiB
		if len(s) == cap(s) {
			s = growArray(m, s, 1)
			if at != nil && &s[0] != at {
				t.Fatalf("at %d: the array moved", i)
			}
			if cap(s) >= 1<<10 {
				at = &s[0]
			}
		}
		s = append(s, int32(i))
	}
	for i, v := range s {
		if v != int32(i) {
			t.Fatalf("value %d is %d", i, v)
		}
	}
	if len(m.own) != 1 || m.slabs.Regions() != 0 {
		t.Errorf("%d mappings and %d slabs, want one reserved mapping", len(m.own), m.slabs.Regions())
	}
}

// TestSequenceNeedsNoTable: ids in order on their rows, read in chunks, need neither a
// list of keys nor an array: the table is their first id and count. A chunk that breaks
// the sequence lists the keys counted so far, and every key still finds its row.
func TestSequenceNeedsNoTable(t *testing.T) {
	header := []string{"product_id", "name"}
	for _, c := range []struct {
		name       string
		ids        func(i int) int
		sequential bool
	}{
		{"in order", func(i int) int { return 101 + i }, true},
		{"a jump after 500", func(i int) int { return 101 + i + i/500*1000 }, false},
		{"two swapped at 300", func(i int) int { return 101 + i + map[int]int{300: 1, 301: -1}[i] }, false},
	} {
		var ids, names []string
		for i := range 1000 {
			ids, names = append(ids, strconv.Itoa(c.ids(i))), append(names, "n"+strconv.Itoa(i))
		}
		r := NewReference(Spec{Path: "p.csv", On: "product_id"}, header, 1<<30, readChunks(chunksOf(header, [][]string{ids, names}, []int{64, 64, 64, 64, 64, 64, 64, 64, 64}, nil)...))
		s, err := Compile([]*Reference{r}, []string{"product_id"}, expr.Options{})
		if err != nil {
			t.Fatal(err)
		}
		words := &s.joins[0].ref.table.words
		if words.sequential != c.sequential || c.sequential && (words.dense != nil || words.slots != nil) {
			t.Errorf("%s: sequential %v (want %v), dense %d, slots %d", c.name, words.sequential, c.sequential, len(words.dense), len(words.slots))
		}
		for i, id := range ids {
			key, _ := appendTextKey(nil, id)
			if got := s.joins[0].ref.table.find(key); got != int32(i) {
				t.Fatalf("%s: id %s finds row %d, want %d", c.name, id, got, i)
			}
		}
		for _, id := range []string{"100", "1101", "5000", "-1"} {
			key, _ := appendTextKey(nil, id)
			if got := s.joins[0].ref.table.find(key); got != -1 && !slices.Contains(ids, id) {
				t.Errorf("%s: id %s finds row %d", c.name, id, got)
			}
		}
	}
}
