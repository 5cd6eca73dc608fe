package apply

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// The sample read in growing steps holds the rows one read of sampleBytes held: for rows
// that fit the first step, rows that need a later one, rows so wide that sampleBytes
// holds fewer than sampleRows, inputs shorter than a step, and several inputs, each
// read from a file and from standard input.
func TestSampleStepsTakeTheRowsOfOneRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, rows, width int) string {
		var b strings.Builder
		b.WriteString("id,v,w\n")
		for i := range rows {
			// The type of w changes past the first rows: which rows are sampled shows.
			w := fmt.Sprint(i)
			if i%997 == 996 {
				w = "x"
			}
			fmt.Fprintf(&b, "%d,%s,%s\n", i, strings.Repeat("a", width), w)
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(b.String()), 0o644)
		return path
	}
	narrow := write("narrow.csv", 5000, 20) // 1000 rows in the first step
	wide := write("wide.csv", 5000, 300)    // in the second
	wider := write("wider.csv", 5000, 3000) // fewer than 1000 rows in sampleBytes
	short := write("short.csv", 300, 20)    // the whole input in the first step
	tail := write("tail.csv", 1000, 130)    // about the first step's size
	for _, inputs := range [][]string{{narrow}, {wide}, {wider}, {short}, {tail}, {short, wide}, {short, short, short, short}} {
		for _, stdin := range []bool{false, true} {
			if stdin && len(inputs) > 1 {
				continue
			}
			got, want := sampleTwice(t, inputs, stdin)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%v (stdin %v): the sample differs from one read of sampleBytes: %d rows, want %d", inputs, stdin, len(got[0]), len(want[0]))
			}
		}
	}
}

// sampleTwice returns the values sampleColumns takes from inputs, and those of the first
// sampleRows rows of one read of sampleBytes from each input.
func sampleTwice(t *testing.T, inputs []string, stdin bool) (got, want [][]string) {
	t.Helper()
	open := func() *opened {
		o := Options{Inputs: inputs}
		if stdin {
			f, err := os.Open(inputs[0])
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			saved := os.Stdin
			os.Stdin = f
			defer func() { os.Stdin = saved }()
			o.Inputs = []string{"-"}
		}
		op, err := openSources(o)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(op.close)
		return op
	}
	ctx := context.Background()
	got, _, err := sampleColumns(ctx, open().sources, 3)
	if err != nil {
		t.Fatal(err)
	}
	want = make([][]string, 3)
	rows := 0
	for _, s := range open().sources {
		if err := s.csv.Reopen(); err != nil {
			t.Fatal(err)
		}
		block, err := s.csv.Sample(ctx, sampleBytes)
		if err != nil {
			t.Fatal(err)
		}
		dec := s.csv.NewDecoder()
		d, err := dec.DecodeBlock(block)
		if err != nil {
			t.Fatal(err)
		}
		take := min(d.Chunk.NumRows(), sampleRows-rows)
		for j := range want {
			col := d.Chunk.Batch.Column(j).(*array.String)
			for i := range take {
				want[j] = append(want[j], strings.Clone(col.Value(i)))
			}
		}
		dec.Close()
		rows += take
	}
	if len(got[0]) == 0 {
		t.Fatalf("%v: nothing sampled", inputs)
	}
	return got, want
}

// The sampled values are the column's, nulls left out, from an array that starts at an
// offset too, and they are copied once per column, not once per value: 10 columns of
// 1,000 sampled rows took over 10,000 allocations.
func TestSampleCopiesEachColumnOnce(t *testing.T) {
	var b strings.Builder
	b.WriteString("c0,c1,c2,c3,c4,c5,c6,c7,c8,c9\n")
	for i := range 3000 {
		for j := range 10 {
			if j > 0 {
				b.WriteByte(',')
			}
			if (i+j)%7 != 0 { // some empty cells: nulls, not sampled
				fmt.Fprintf(&b, "v%d.%d", i, j)
			}
		}
		b.WriteByte('\n')
	}
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	op, err := openSources(Options{Inputs: []string{path}})
	if err != nil {
		t.Fatal(err)
	}
	defer op.close()
	ctx := context.Background()
	values, _, err := sampleColumns(ctx, op.sources, 10)
	if err != nil {
		t.Fatal(err)
	}
	for j, got := range values {
		var want []string
		for i := range sampleRows {
			if (i+j)%7 != 0 {
				want = append(want, fmt.Sprintf("v%d.%d", i, j))
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("column %d: %d values sampled, want %d (first %q)", j, len(got), len(want), got[:min(3, len(got))])
		}
	}
	allocs := testing.AllocsPerRun(3, func() {
		if _, _, err := sampleColumns(ctx, op.sources, 10); err != nil {
			t.Fatal(err)
		}
	})
	if allocs > 2000 {
		t.Errorf("sampling 10 columns of %d rows took %.0f allocations: a copy per value?", sampleRows, allocs)
	}

	bld := array.NewStringBuilder(memory.DefaultAllocator)
	bld.AppendValues([]string{"skipped", "a", "", "bc"}, []bool{true, true, false, true})
	col := bld.NewStringArray()
	sliced := array.NewSlice(col, 1, 4).(*array.String)
	if got := appendSampled([]string{"x"}, sliced, 3); !reflect.DeepEqual(got, []string{"x", "a", "bc"}) {
		t.Errorf("appendSampled of an array at an offset = %q, want [x a bc]", got)
	}
}
