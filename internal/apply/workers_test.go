package apply

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ptransform/ptransform/internal/expr"
)

// ledgerCSV is a CSV of n rows of id,v whose row bad (1-based) has the value "oops".
func ledgerCSV(n, bad int) []byte {
	var b bytes.Buffer
	b.WriteString("id,v\n")
	for i := 1; i <= n; i++ {
		if i == bad {
			fmt.Fprintf(&b, "%d,oops\n", i)
		} else {
			fmt.Fprintf(&b, "%d,%d\n", i, i)
		}
	}
	return b.Bytes()
}

// A worker finishes a chunk while an earlier chunk is not even decoded: it waits neither
// for the earlier chunk's counts (the row ledger) nor, writing a file, for its size (the
// chunk's offset). Such waits parked a worker for one chunk in five with two workers.
// The line numbers of errors stay those of the whole input.
func TestWorkersDoNotWaitForEarlierChunks(t *testing.T) {
	for _, toFile := range []bool{false, true} {
		t.Run(fmt.Sprintf("file=%v", toFile), func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.csv")
			const rows, bad = 3000, 2500 // bad lies past the first chunk
			data := ledgerCSV(rows, bad)
			os.WriteFile(in, data, 0o644)
			second := make(chan struct{})
			var stdout, stderr bytes.Buffer
			o := Options{Inputs: []string{in}, Exprs: []string{"w = v * 2"}, OnError: expr.OnErrorNull,
				Workers: 2, ChunkSize: 4096, Stdout: &stdout, Stderr: &stderr,
				onWork: func(seq int64) {
					if seq != 0 {
						return
					}
					select { // chunk 0 starts only once chunk 1 is done
					case <-second:
					case <-time.After(20 * time.Second):
						t.Error("chunk 1 waited for chunk 0")
					}
				},
				onWorked: func(seq int64) {
					if seq == 1 {
						close(second)
					}
				},
			}
			if toFile {
				o.Output = filepath.Join(dir, "out.csv")
			}
			if err := Run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			out := stdout.Bytes()
			if toFile {
				out, _ = os.ReadFile(o.Output)
			}
			if got, want := bytes.Count(out, []byte("\n")), rows+1; got != want {
				t.Errorf("%d lines written, want %d", got, want)
			}
			if want := fmt.Sprintf("line %d,", bad+1); !strings.Contains(stderr.String(), want) {
				t.Errorf("warning %q does not name %s", stderr.String(), want)
			}
		})
	}
}

// A failing run names the line of the whole input, not of the chunk, when workers
// number the chunks' errors late.
func TestLateNumbersNameTheInputsLine(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, ledgerCSV(3000, 2500), 0o644)
	for _, workers := range []int{1, 2, 3} {
		var stdout bytes.Buffer
		err := Run(context.Background(), Options{Inputs: []string{in}, Exprs: []string{"w = v * 2"},
			Workers: workers, ChunkSize: 4096, Stdout: &stdout})
		if err == nil || !strings.Contains(err.Error(), "line 2501,") {
			t.Errorf("workers %d: error %v, want one naming line 2501", workers, err)
		}
	}
}
