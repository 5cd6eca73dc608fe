package apply

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// minimalCSV is rows of id,name,n written with minimal quoting and LF line ends, as the
// CSV writer writes them: an identity run's output is the file itself.
func minimalCSV(rows int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 5))
	names := []string{"plain", "x y", `"a,b"`, `"say ""hi"""`, "", "日本", `"q"""`}
	var b bytes.Buffer
	b.WriteString("id,name,n\n")
	for i := range rows {
		name := "plain"
		if r.IntN(8) == 0 {
			name = names[r.IntN(len(names))]
		}
		fmt.Fprintf(&b, "%d,%s,%d\n", i, name, r.IntN(1000))
	}
	return b.Bytes()
}

// trickyCSV is minimalCSV's rows with what the CSV writer would write otherwise, each in
// one stretch of the file: quotes it would not write, CR LF line ends, a quoted line
// break, blank lines, and no line end after the last row.
func trickyCSV(rows int, seed uint64) []byte {
	lines := strings.SplitAfter(string(minimalCSV(rows, seed)), "\n")
	lines = lines[:len(lines)-1]
	n := len(lines)
	for i := range lines {
		switch {
		case i > 0 && i == n/5:
			lines[i] = fmt.Sprintf("%d,\"needless\",1\n", i)
		case i > n/4 && i < n/4+20:
			lines[i] = strings.TrimSuffix(lines[i], "\n") + "\r\n"
		case i == n/2:
			lines[i] = fmt.Sprintf("%d,\"line\nbreak\",2\n", i)
		case i > 0 && i%97 == 0:
			lines[i] += "\n"
		}
	}
	return []byte(strings.TrimSuffix(strings.Join(lines, ""), "\n"))
}

// A chunk whose output is its input bytes is written from them (sink.Verbatim), by the
// worker whose chunk is the next to place or, with another chunk ahead of it, by the
// worker placing that one, the decoder's buffer going with the bytes. The output is the
// one the CSV writer gives (a run to standard output, which encodes every chunk) for any
// --workers and --chunk-size: chunks that qualify and chunks that do not (quotes the
// writer would not write, CR LF, a quoted line break, blank lines, a last row without
// a line end, a changed column, a filter).
func TestVerbatimChunksWrittenFromInput(t *testing.T) {
	dir := t.TempDir()
	inputs := map[string][]byte{"minimal": minimalCSV(1200, 1), "tricky": trickyCSV(1200, 2)}
	runs := []struct {
		name     string
		o        Options
		verbatim bool // chunks must be written from the input (false: none may be)
		maybe    bool // chunks may be written from the input (a chunk of the rows kept)
		hold     bool // chunk 1 runs without chunk 0 (not --head's: it waits for chunk 0's rows)
		whole    bool // chunks are decoded whole (only checked): an identity run's
	}{
		{"identity", Options{}, true, false, true, true},
		{"head", Options{Head: ptr(int64(700))}, true, false, false, false},
		{"all rows kept", Options{Wheres: []string{"n >= 0"}}, true, false, true, false},
		{"rows dropped", Options{Wheres: []string{"n > 500"}}, false, true, true, false},
		{"changed column", Options{Exprs: []string{"name = upper(name)"}}, false, false, true, false},
	}
	for inName, data := range inputs {
		in := filepath.Join(dir, inName+".csv")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, run := range runs {
			want := verbatimRun(t, run.o, in, "", 1, 64<<20, false)
			if inName == "minimal" && run.name == "identity" && !bytes.Equal(want, data) {
				t.Fatalf("identity of a minimally quoted file: %d bytes, not the file's %d", len(want), len(data))
			}
			for _, workers := range []int{1, 2, 8} {
				for _, size := range []int64{7, 1 << 10, 64 << 20} {
					for _, hold := range []bool{false, true} {
						if hold && (workers == 1 || size == 64<<20 || !run.hold) {
							continue // chunk 0 would wait for itself; one chunk; --head
						}
						out := filepath.Join(dir, "out.csv")
						var mu sync.Mutex
						now, later, whole := 0, 0, 0
						o := run.o
						o.onVerbatim = func(seq int64, placedNow, decodedWhole bool) {
							mu.Lock()
							defer mu.Unlock()
							if decodedWhole {
								whole++
							}
							if placedNow {
								now++
							} else {
								later++
							}
						}
						got := verbatimRun(t, o, in, out, workers, size, hold)
						if !bytes.Equal(got, want) {
							t.Fatalf("%s, %s, --workers %d --chunk-size %d, chunk 0 held %v: output differs from the encoded one",
								inName, run.name, workers, size, hold)
						}
						if run.whole && inName == "minimal" && size > 7 && whole == 0 || !run.whole && whole > 0 {
							t.Errorf("%s, %s, --workers %d --chunk-size %d: %d chunks decoded whole", inName, run.name, workers, size, whole)
						}
						if run.verbatim && inName == "minimal" && now == 0 {
							t.Errorf("%s, %s, --workers %d --chunk-size %d: no chunk written from its input", inName, run.name, workers, size)
						}
						if !run.verbatim && !run.maybe && now+later > 0 {
							t.Errorf("%s, %s: %d chunks written from their input", inName, run.name, now+later)
						}
						if run.verbatim && inName == "minimal" && hold && later == 0 {
							t.Errorf("%s, %s, --workers %d --chunk-size %d: chunk 1, done before chunk 0, was not left with its input bytes",
								inName, run.name, workers, size)
						}
					}
				}
			}
		}
	}
}

// verbatimRun runs o over in with the given workers and chunk size, to the file out
// (positional writes), or to standard output when out is "", and returns the output.
// hold keeps chunk 0 back until chunk 1 is done.
func verbatimRun(t *testing.T, o Options, in, out string, workers int, size int64, hold bool) []byte {
	t.Helper()
	var stdout bytes.Buffer
	o.Inputs, o.Output, o.Workers, o.ChunkSize, o.Stdout = []string{in}, out, workers, size, &stdout
	if hold {
		holdChunk0UntilChunk1(t, &o)
	}
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("%s: %v", in, err)
	}
	if out == "" {
		return stdout.Bytes()
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// A CSV file is read in ranges of DefaultChunkSize, whatever the run does with its rows
// and wherever its output goes, but for a typed output (DefaultTypedChunkSize), unless
// --chunk-size says otherwise.
func TestCSVFileChunkSizes(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	data := minimalCSV(400_000, 3) // about 5 MB
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	for _, c := range []struct {
		name string
		o    Options
		size int64
	}{
		{"identity to a file", Options{Output: out}, DefaultChunkSize},
		{"--head to a file", Options{Output: out, Head: ptr(int64(1_000_000))}, DefaultChunkSize},
		{"identity to standard output", Options{}, DefaultChunkSize},
		{"a derived column", Options{Output: out, Exprs: []string{"m = n * 2"}}, DefaultChunkSize},
		{"a filter", Options{Output: out, Wheres: []string{"n >= 0"}}, DefaultChunkSize},
		{"to Parquet", Options{Output: filepath.Join(dir, "out.parquet")}, DefaultTypedChunkSize},
		{"to xlsx", Options{Output: filepath.Join(dir, "out.xlsx")}, DefaultTypedChunkSize},
		{"--chunk-size given", Options{Output: out, ChunkSize: 64 << 10}, 64 << 10},
	} {
		var stdout bytes.Buffer
		o := c.o
		o.Inputs, o.Workers, o.Stdout = []string{in}, 2, &stdout
		chunks := 0
		o.onWritten = func(int64, int64, int64) { chunks++ }
		if err := Run(context.Background(), o); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := (int64(len(data)) + c.size - 1) / c.size
		if int64(chunks) != want && int64(chunks) != want+1 {
			t.Errorf("%s: %d chunks, want %d (ranges of %d bytes)", c.name, chunks, want, c.size)
		}
	}
}
