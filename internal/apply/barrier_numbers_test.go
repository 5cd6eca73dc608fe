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

// A group-by reads its chunks' numbers only to name the rows of its errors, and orders
// rows by chunk sequence: a worker folds its chunk in while an earlier chunk is not even
// decoded (it waited for the earlier chunks' counts, a serial step per chunk), and the
// errors, first and last are still those of the whole input in order.
func TestGroupByWorkersDoNotWaitForEarlierChunks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	const rows, bad = 3000, 2500 // bad lies past the first chunk
	os.WriteFile(in, ledgerCSV(rows, bad), 0o644)
	run := func(workers int, hold bool) (string, string) {
		var stdout, stderr bytes.Buffer
		o := Options{Inputs: []string{in}, GroupBy: "k = int(id) % 3",
			Aggs:    []string{"n = count(); s = sum(v); f = first(id); l = last(id); j = string_agg(id, \"\")"},
			OnError: expr.OnErrorNull, Workers: workers, ChunkSize: 4096, Stdout: &stdout, Stderr: &stderr}
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
		t.Errorf("2 workers, chunk 0 held back, wrote\n%.300s\nwant\n%.300s", got, want)
	}
	if !strings.HasPrefix(want, "k,n,s,f,l,j\n1,1000,") || !strings.Contains(want, ",1,2998,1") {
		t.Errorf("output %.300s: want group 1 first, from row 1 to row 2998", want)
	}
	if w := fmt.Sprintf("line %d,", bad+1); !strings.Contains(warning, w) {
		t.Errorf("warning %q does not name %s", warning, w)
	}
}

// A group-by's failing row is named by its line in the whole input, and `_row` in a key
// or an argument still reads the row's number in the input.
func TestGroupByNumbersRows(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, ledgerCSV(3000, 2500), 0o644)
	for _, workers := range []int{1, 2, 3} {
		var stdout bytes.Buffer
		err := Run(context.Background(), Options{Inputs: []string{in}, GroupBy: "k = int(id) % 3",
			Aggs: []string{"s = sum(v)"}, Workers: workers, ChunkSize: 4096, Stdout: &stdout})
		if err == nil || !strings.Contains(err.Error(), "line 2501,") {
			t.Errorf("workers %d: error %v, want one naming line 2501", workers, err)
		}
		stdout.Reset()
		err = Run(context.Background(), Options{Inputs: []string{in}, GroupBy: "k = _row % 2",
			Aggs: []string{"n = count(); r = sum(_row); f = first(_row)"}, Workers: workers, ChunkSize: 4096, Stdout: &stdout})
		if want := "k,n,r,f\n1,1500,2250000,1\n0,1500,2251500,2\n"; err != nil || stdout.String() != want {
			t.Errorf("workers %d: wrote %q (error %v), want %q", workers, stdout.String(), err, want)
		}
	}
}
