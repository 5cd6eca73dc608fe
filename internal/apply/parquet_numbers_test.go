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

// A Parquet output does not make a worker wait for the chunks ahead: its row groups are
// cut by the writer, which counts rows as the parts arrive in order, and a value that does
// not fit its column's type still names the line of the whole input.
func TestParquetOutputDoesNotWaitForEarlierChunks(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	const rows, bad = 3000, 2500
	if err := os.WriteFile(in, ledgerCSV(rows, bad), 0o644); err != nil {
		t.Fatal(err)
	}
	second := make(chan struct{})
	var stderr bytes.Buffer
	o := Options{Inputs: []string{in}, Output: filepath.Join(dir, "out.parquet"), Schema: "v:int",
		OnError: expr.OnErrorNull, Workers: 2, ChunkSize: 4096, RowGroupRows: 1000, Stderr: &stderr,
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
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("line %d,", bad+1); !strings.Contains(stderr.String(), want) {
		t.Errorf("warning %q does not name %s", stderr.String(), want)
	}
	back := filepath.Join(dir, "back.csv")
	if err := Run(context.Background(), Options{Inputs: []string{o.Output}, Output: back}); err != nil {
		t.Fatal(err)
	}
	out, _ := os.ReadFile(back)
	lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
	if len(lines) != rows+1 {
		t.Fatalf("%d rows written, want %d", len(lines)-1, rows)
	}
	for i, line := range lines[1:] { // in input order, the bad value null
		want := fmt.Sprintf("%d,%d", i+1, i+1)
		if i+1 == bad {
			want = fmt.Sprintf("%d,", bad)
		}
		if string(line) != want {
			t.Fatalf("row %d: %s, want %s", i+1, line, want)
		}
	}
}

// A Parquet output's failing run names the line of the whole input, with any number of
// workers.
func TestParquetOutputErrorsNameTheInputsLine(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "type.csv")
	if err := os.WriteFile(in, ledgerCSV(3000, 2500), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 3} {
		err := Run(context.Background(), Options{Inputs: []string{in}, Output: filepath.Join(dir, "out.parquet"),
			Schema: "v:int", Workers: workers, ChunkSize: 4096})
		if err == nil || !strings.Contains(err.Error(), "line 2501,") {
			t.Errorf("workers %d: error %v, want one naming line 2501", workers, err)
		}
	}
}
