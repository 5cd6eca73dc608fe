package apply

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
)

// A sort (top-N or full) orders rows by chunk sequence and renumbers the rows it emits,
// so its workers do not wait for the counts of the chunks before theirs: a worker
// consumes its chunk while an earlier chunk is not even decoded, and the errors of an
// expression before the sort still name their lines in the whole input.
func TestSortWorkersDoNotWaitForEarlierChunks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	const rows, bad = 3000, 2500 // bad lies past the first chunk
	if err := os.WriteFile(in, ledgerCSV(rows, bad), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int64{5, -1} {
		run := func(workers int, hold bool) (string, string) {
			var stdout, stderr bytes.Buffer
			o := Options{Inputs: []string{in}, Exprs: []string{"w = v * 2"}, Sort: "-w,id",
				OnError: expr.OnErrorNull, Workers: workers, ChunkSize: 4096, Stdout: &stdout, Stderr: &stderr}
			if limit >= 0 {
				o.Limit = &limit
			}
			if hold {
				holdChunk0UntilChunk1(t, &o)
			}
			if err := Run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			return stdout.String(), stderr.String()
		}
		want, _ := run(1, false)
		got, warning := run(2, true)
		if got != want {
			t.Errorf("limit %d: 2 workers, chunk 0 held back, wrote\n%.300s\nwant\n%.300s", limit, got, want)
		}
		if !strings.HasPrefix(want, "id,v,w\n3000,3000,6000\n2999,2999,5998\n") {
			t.Errorf("limit %d: output %.300s: want the largest w first", limit, want)
		}
		if w := fmt.Sprintf("line %d,", bad+1); !strings.Contains(warning, w) {
			t.Errorf("limit %d: warning %q does not name %s", limit, warning, w)
		}
	}
}
