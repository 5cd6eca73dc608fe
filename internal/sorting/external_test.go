package sorting

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// randomRows makes rows of (id, n, d, s): a number column with duplicates and nulls,
// a date/datetime column, a text column mixing words, numbers and unicode, and an id
// that tells rows apart.
func randomRows(rng *rand.Rand, n int) [][]string {
	words := []string{"apple", "Äpfel", "zebra", "école", "naïve", "", "x", "日本", "a\tb"}
	rows := make([][]string, n)
	for i := range rows {
		num := null
		switch rng.IntN(10) {
		case 0:
		case 1, 2:
			num = strconv.Itoa(rng.IntN(50) - 25)
		default:
			num = strconv.FormatFloat(rng.NormFloat64()*1000, 'g', -1, 64)
		}
		date := null
		if rng.IntN(8) > 0 {
			date = fmt.Sprintf("20%02d-%02d-%02d", rng.IntN(30), 1+rng.IntN(12), 1+rng.IntN(28))
			if rng.IntN(4) == 0 {
				date += fmt.Sprintf("T%02d:%02d:%02d", rng.IntN(24), rng.IntN(60), rng.IntN(60))
			}
		}
		var text string
		switch rng.IntN(4) {
		case 0:
			text = strconv.Itoa(rng.IntN(1000))
		case 1:
			text = null
		default:
			text = words[rng.IntN(len(words))] + strings.Repeat("z", rng.IntN(30))
		}
		rows[i] = []string{strconv.Itoa(i), num, date, text}
	}
	return rows
}

var randomNames = []string{"id", "n", "d", "s"}

// referenceCompare orders two cells as docs/sorting.md says, from the values: nulls
// last, numbers < dates < text, each kind by its value. It is the test's own reading
// of the rule, independent of the byte keys.
func referenceCompare(a, b string, desc bool) int {
	if a == null || b == null {
		return cmp.Compare(boolInt(a == null), boolInt(b == null))
	}
	kind := func(s string) (int, float64, int64) {
		t := strings.Trim(s, " \t\r\n")
		if expr.IsDecimal(t) {
			f, err := strconv.ParseFloat(t, 64)
			if err == nil {
				return 0, f, 0
			}
		}
		if m, _, ok := table.ParseISODatetime(t); ok {
			return 1, 0, m
		}
		return 2, 0, 0
	}
	ka, fa, ma := kind(a)
	kb, fb, mb := kind(b)
	c := cmp.Compare(ka, kb)
	if c == 0 {
		switch ka {
		case 0:
			c = cmp.Compare(fa, fb)
		case 1:
			c = cmp.Compare(ma, mb)
		default:
			c = strings.Compare(a, b)
		}
	}
	if desc {
		return -c
	}
	return c
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// referenceSort is a stable sort of the rows by the keys, then the limit.
func referenceSort(rows [][]string, keys []Key, limit int) [][]string {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(x, y []string) int {
		for _, k := range keys {
			if c := referenceCompare(x[k.Column], y[k.Column], k.Descending); c != 0 {
				return c
			}
		}
		return 0
	})
	if limit >= 0 && limit < len(out) {
		out = out[:limit]
	}
	return out
}

func randomCuts(rng *rand.Rand, n, avg int) []int {
	var cuts []int
	for i := 1 + rng.IntN(avg); i < n; i += 1 + rng.IntN(2*avg) {
		cuts = append(cuts, i)
	}
	return cuts
}

func sameRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("%s: row %d is %q, want %q", what, i, got[i], want[i])
		}
	}
}

// The same rows give the same output over 1, 2 and 8 partials and different chunk
// cuts, in memory and spilled, and it is the reference's stable sort.
func TestSortDeterministicAndStable(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	rows := randomRows(rng, 6000)
	b := textBatch(randomNames, rows)
	for _, spec := range []string{"n", "-n", "d", "-d,n", "s", "-s,-d", "s,n,d"} {
		for _, limit := range []int64{-1, 0, 1, 37, 5000} {
			keys, err := ParseKeys(spec, randomNames)
			if err != nil {
				t.Fatal(err)
			}
			want := referenceSort(rows, keys, int(limit))
			for _, memory := range []int64{1 << 30, 200 << 10} {
				for _, partials := range []int{1, 2, 8} {
					s, err := Compile(spec, limit, randomNames, Options{Memory: memory, TempDir: t.TempDir()})
					if err != nil {
						t.Fatal(err)
					}
					got := feed(t, s, b, randomCuts(rng, len(rows), 50*partials), partials, rng)
					sameRows(t, fmt.Sprintf("--sort %s --limit %d, memory %d, %d partials", spec, limit, memory, partials), got, want)
				}
			}
		}
	}
}

// An input five times the memory cap is sorted in runs spilled to the temporary
// directory, merged into the reference's stable sort, and the directory is empty after.
func TestExternalSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	rows := randomRows(rng, 40000)
	b := textBatch(randomNames, rows)
	const memory = 256 << 10
	if size := inputBytes(b); size < 5*memory {
		t.Fatalf("input of %d bytes is not 5× the cap", size)
	}
	dir := t.TempDir()
	s, err := Compile("d,-n", -1, randomNames, Options{Memory: memory, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	parts := []*partial{s.NewPartial().(*partial), s.NewPartial().(*partial)}
	bounds := append(append([]int{0}, randomCuts(rng, len(rows), 1000)...), len(rows))
	for k := 0; k+1 < len(bounds); k++ {
		c := &table.Chunk{Batch: b.NewSlice(int64(bounds[k]), int64(bounds[k+1]))}
		if err := parts[k%2].Consume(int64(k), c); err != nil {
			t.Fatal(err)
		}
	}
	runs := 0
	for _, p := range parts {
		if p.spill != nil {
			runs += len(p.spill.runs)
		}
	}
	if runs < 5 {
		t.Errorf("%d runs spilled, want at least 5", runs)
	}
	assertEmptyDir(t, dir)
	got, err := finish(s, parts)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := ParseKeys("d,-n", randomNames)
	sameRows(t, "external sort", got, referenceSort(rows, keys, -1))
	assertEmptyDir(t, dir)
}

func inputBytes(b arrow.RecordBatch) int {
	n := 0
	for _, col := range b.Columns() {
		for _, buf := range col.Data().Buffers() {
			if buf != nil {
				n += buf.Len()
			}
		}
	}
	return n
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) > 0 {
		t.Errorf("%s holds %d files, want none (first: %s)", dir, len(entries), entries[0].Name())
	}
}

// Partials share the memory cap: those of a run, and again those made after a
// restart released the first ones.
func TestMemoryShare(t *testing.T) {
	s, err := Compile("n", -1, randomNames, Options{Memory: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	first := []*partial{s.NewPartial().(*partial), s.NewPartial().(*partial)}
	if got := s.share(); got != 1<<19 {
		t.Errorf("share of 2 partials is %d, want %d", got, 1<<19)
	}
	for _, p := range first {
		p.Release()
		p.Release() // twice is once
	}
	again := []*partial{s.NewPartial().(*partial), s.NewPartial().(*partial)}
	if got := s.share(); got != 1<<19 {
		t.Errorf("share after a restart is %d, want %d", got, 1<<19)
	}
	for _, p := range again {
		p.Release()
	}
}

// A row larger than a partial's memory share is an error that says what to raise.
func TestRowLargerThanShare(t *testing.T) {
	s, err := Compile("a", -1, []string{"a"}, Options{Memory: 64 << 10, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = feedErr(s, textBatch([]string{"a"}, [][]string{{"x"}, {strings.Repeat("y", 100<<10)}}), nil, 1, nil)
	if err == nil || !strings.Contains(err.Error(), "does not fit in the sort's memory share") || !strings.Contains(err.Error(), "raise --memory") {
		t.Errorf("got %v, want the row's size against the share", err)
	}
}
