package rows

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

var testNames = []string{"id", "key", "n"}

// testChunks cuts rows 1..total (id, key = id mod keys or null, n an int column) into
// chunks of the given sizes, in input order, with the lines of a CSV file whose every
// third record takes two lines.
func testChunks(total, keys int, sizes func(int) int) []*table.Chunk {
	var out []*table.Chunk
	line := int64(2)
	for row := 1; row <= total; {
		n := min(sizes(len(out)), total-row+1)
		ids := array.NewStringBuilder(memory.DefaultAllocator)
		ks := array.NewStringBuilder(memory.DefaultAllocator)
		ns := array.NewInt64Builder(memory.DefaultAllocator)
		c := &table.Chunk{Source: table.Source{File: "t.csv"}, Row0: int64(row)}
		for i := range n {
			id := row + i
			ids.Append(strconv.Itoa(id))
			if id%7 == 0 {
				ks.AppendNull()
			} else {
				ks.Append("k" + strconv.Itoa(id%keys))
			}
			if id%5 == 0 {
				ns.AppendNull()
			} else {
				ns.Append(int64(id * 10))
			}
			c.Lines = append(c.Lines, line)
			line++
			if id%3 == 0 {
				line++
			}
		}
		schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
			{Name: "key", Type: arrow.BinaryTypes.String, Nullable: true}, {Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
		c.Batch = array.NewRecordBatch(schema, []arrow.Array{ids.NewArray(), ks.NewArray(), ns.NewArray()}, int64(n))
		out = append(out, c)
		row += n
	}
	return out
}

// rowsOf formats chunks as lines "id,key,n", nulls empty.
func rowsOf(t *testing.T, chunks []*table.Chunk) []string {
	t.Helper()
	var out []string
	for _, c := range chunks {
		apps := make([]table.Appender, c.Batch.NumCols())
		for j := range apps {
			var err error
			if apps[j], err = table.NewAppender(c.Batch.Column(j)); err != nil {
				t.Fatal(err)
			}
		}
		for i := range c.NumRows() {
			var b []byte
			for j, app := range apps {
				if j > 0 {
					b = append(b, ',')
				}
				b = app(b, i)
			}
			out = append(out, string(b))
		}
	}
	return out
}

// runBarrier feeds the chunks to workers partials in a shuffled order, as a run's
// workers do, and returns what Finish emits.
func runBarrier(t *testing.T, b transforms.Barrier, chunks []*table.Chunk, workers int, shuffle uint64) []*table.Chunk {
	t.Helper()
	parts := make([]transforms.Partial, workers)
	for w := range parts {
		parts[w] = b.NewPartial()
	}
	order := make([]int, len(chunks))
	for k := range order {
		order[k] = k
	}
	rng := rand.New(rand.NewPCG(shuffle, 1))
	rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, k := range order {
		if err := parts[rng.IntN(workers)].Consume(int64(k), chunks[k]); err != nil {
			t.Fatal(err)
		}
	}
	var out []*table.Chunk
	if err := b.Finish(context.Background(), parts, func(c *table.Chunk) error {
		out = append(out, c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// layouts are ways to cut the same rows into chunks: a change of any must change no output.
var layouts = []struct {
	name  string
	sizes func(int) int
}{
	{"1", func(int) int { return 1 }},
	{"7", func(int) int { return 7 }},
	{"ragged", func(k int) int { return []int{1, 50, 3, 0, 200, 13}[k%6] }},
	{"one", func(int) int { return 1 << 20 }},
}

// checkAllLayouts runs a barrier over every layout, worker count and shuffle and
// compares with want.
func checkAllLayouts(t *testing.T, name string, b func() transforms.Barrier, total, keys int, want []string) {
	t.Helper()
	for _, l := range layouts {
		for _, workers := range []int{1, 2, 8} {
			for shuffle := range uint64(3) {
				got := rowsOf(t, runBarrier(t, b(), testChunks(total, keys, l.sizes), workers, shuffle))
				if !slices.Equal(got, want) {
					t.Fatalf("%s, chunks %s, %d workers, shuffle %d:\n got %q\nwant %q", name, l.name, workers, shuffle, got, want)
				}
			}
		}
	}
}

func allRows(t *testing.T, total, keys int) []string {
	return rowsOf(t, testChunks(total, keys, func(int) int { return 1 << 20 }))
}

// --head is cut by the runner (transforms.Limited), which internal/apply tests; --tail
// is a barrier.
func TestTail(t *testing.T) {
	const total = 500
	all := allRows(t, total, 10)
	for _, n := range []int64{0, 1, 3, 49, 50, 51, 499, 500, 501, 10000} {
		k := int(min(n, total))
		checkAllLayouts(t, fmt.Sprintf("--tail %d", n), func() transforms.Barrier { return NewTail(n, testNames) }, total, 10, all[total-k:])
	}
}

// A tail partial holds at most n rows plus one chunk's, whatever it was given.
func TestTailMemoryBounded(t *testing.T) {
	p := NewTail(10, testNames).NewPartial().(*tailPartial)
	chunks := testChunks(5000, 10, func(int) int { return 7 })
	for k := len(chunks) - 1; k >= 0; k-- { // the worst order: newest first
		if err := p.Consume(int64(k), chunks[k]); err != nil {
			t.Fatal(err)
		}
		if p.rows > 10+7 {
			t.Fatalf("after chunk %d the partial holds %d rows", k, p.rows)
		}
	}
}

// sampleReference is --sample n by its definition: the n rows of smallest priority,
// in input order.
func sampleReference(t *testing.T, total int, n int64, seed uint64) []string {
	all := allRows(t, total, 10)
	c := testChunks(total, 10, func(int) int { return 1 << 20 })[0]
	prios := priorities(nil, seed, c)
	idx := make([]int, total)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(prios[a], prios[b]) })
	idx = idx[:min(int(n), total)]
	slices.Sort(idx)
	var want []string
	for _, i := range idx {
		want = append(want, all[i])
	}
	return want
}

func TestSampleMatchesDefinition(t *testing.T) {
	const total = 400
	for _, n := range []int64{0, 1, 5, 100, 399, 400, 1000} {
		for _, seed := range []int64{1, 42} {
			want := sampleReference(t, total, n, uint64(seed))
			checkAllLayouts(t, fmt.Sprintf("--sample %d --seed %d", n, seed), func() transforms.Barrier { return NewSample(n, seed, testNames) }, total, 10, want)
		}
	}
}

// A sample partial given many chunks holds its n rows and few others: pushed-out rows
// are freed or compacted away.
func TestSampleMemoryBounded(t *testing.T) {
	s := NewSample(100, 3, testNames)
	p := s.NewPartial().(*samplePartial)
	for k, c := range testChunks(200000, 10, func(int) int { return 1000 }) {
		if err := p.Consume(int64(k), c); err != nil {
			t.Fatal(err)
		}
		if p.stored > 2*100+maxEmitRows {
			t.Fatalf("after chunk %d the partial holds %d rows", k, p.stored)
		}
	}
}

// Every row is drawn equally often over many seeds: a chi-square test over a fixed
// set of seeds, so it never flakes.
func TestSampleUniform(t *testing.T) {
	const total, n, seeds = 60, 6, 3000
	counts := make([]int, total)
	chunks := testChunks(total, 10, func(int) int { return 7 })
	for seed := range int64(seeds) {
		for _, c := range runBarrier(t, NewSample(n, seed, testNames), chunks, 2, uint64(seed)) {
			for _, id := range rowsOf(t, []*table.Chunk{c}) {
				k, _ := strconv.Atoi(strings.Split(id, ",")[0])
				counts[k-1]++
			}
		}
	}
	expected := float64(seeds*n) / total
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - expected
		chi += d * d / expected
	}
	// 59 degrees of freedom: P(chi² > 100) is about 0.0006.
	if chi > 100 {
		t.Fatalf("chi-square %.1f over %d rows: counts %v", chi, total, counts)
	}
	t.Logf("chi-square %.1f (59 degrees of freedom)", chi)
}

func TestFraction(t *testing.T) {
	const total = 20000
	chunks := testChunks(total, 10, func(int) int { return 333 })
	for _, p := range []float64{0.01, 0.3, 1} {
		f := NewFraction(p, 5, testNames)
		var kept []*table.Chunk
		w := f.NewWorker()
		for _, c := range chunks {
			out, _, err := w.Apply(c)
			if err != nil {
				t.Fatal(err)
			}
			kept = append(kept, out)
		}
		got := rowsOf(t, kept)
		mean, sd := p*total, math.Sqrt(total*p*(1-p))
		if d := float64(len(got)) - mean; d > 5*sd+0.5 || d < -5*sd-0.5 {
			t.Errorf("--sample-fraction %g kept %d of %d rows", p, len(got), total)
		}
		// The same rows as --sample of as many rows with the same seed: one order.
		if want := sampleReference(t, total, int64(len(got)), 5); !slices.Equal(got, want) {
			t.Errorf("--sample-fraction %g differs from --sample %d of the same seed", p, len(got))
		}
	}
}

func TestDistinct(t *testing.T) {
	const total = 300
	all := allRows(t, total, 12)
	firstOf := func(key func(row string) string) []string {
		seen := map[string]bool{}
		var want []string
		for _, r := range all {
			if k := key(r); !seen[k] {
				seen[k] = true
				want = append(want, r)
			}
		}
		return want
	}
	field := func(j int) func(string) string {
		return func(r string) string { return strings.Split(r, ",")[j] }
	}
	types := []expr.Type{expr.TypeText, expr.TypeText, expr.TypeInt}
	for _, tc := range []struct {
		keys string
		want []string
	}{
		{"key", firstOf(field(1))},
		{"key,n", firstOf(func(r string) string { return field(1)(r) + "," + field(2)(r) })},
		{"m = n % 4", firstOf(func(r string) string {
			n, err := strconv.Atoi(field(2)(r))
			if err != nil {
				return "null"
			}
			return strconv.Itoa(n % 4)
		})},
		{"", all},
	} {
		checkAllLayouts(t, "--distinct-on "+tc.keys, func() transforms.Barrier {
			d, err := CompileDistinct(tc.keys, testNames, types, expr.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}, total, 12, tc.want)
	}
}
