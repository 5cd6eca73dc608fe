package apply

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// numberedCSV is a CSV of n rows whose every value says which file it came from.
func numberedCSV(tag string, n int) []byte {
	var b bytes.Buffer
	b.WriteString("id,from\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d,%s\n", i, tag)
	}
	return b.Bytes()
}

// runInputs runs apply over inputs with small chunks, calling onPlan when the planning
// of each CSV input starts.
func runInputs(t *testing.T, inputs []string, onPlan func(int)) (string, error) {
	t.Helper()
	var out bytes.Buffer
	o := Options{Inputs: inputs, Workers: 3, ChunkSize: 512, Stdout: &out, onPlan: onPlan}
	err := Run(context.Background(), o)
	return out.String(), err
}

// An input replaced while the run reads it (mv new.csv in.csv) is read whole from the
// file the run opened: workers share its one open file instead of opening the name.
func TestInputReplacedWhileRead(t *testing.T) {
	dir := t.TempDir()
	in, replacement := filepath.Join(dir, "in.csv"), filepath.Join(dir, "new.csv")
	old := numberedCSV("old", 2000)
	os.WriteFile(in, old, 0o644)
	os.WriteFile(replacement, numberedCSV("new", 3000), 0o644)
	out, err := runInputs(t, []string{in}, func(int) {
		if err := os.Rename(replacement, in); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if out != string(old) {
		t.Fatalf("output is not the file opened: %d bytes, %d rows from the new file", len(out), strings.Count(out, ",new"))
	}
}

// An input replaced after its header was read and before its data is refused, naming
// the file: its columns were decided from another file.
func TestInputReplacedBeforeRead(t *testing.T) {
	dir := t.TempDir()
	first, second, replacement := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv"), filepath.Join(dir, "new.csv")
	os.WriteFile(first, numberedCSV("a", 500), 0o644)
	os.WriteFile(second, numberedCSV("b", 500), 0o644)
	os.WriteFile(replacement, numberedCSV("new", 500), 0o644)
	_, err := runInputs(t, []string{first, second}, func(i int) {
		if i == 0 {
			if err := os.Rename(replacement, second); err != nil {
				t.Error(err)
			}
		}
	})
	if err == nil || !strings.Contains(err.Error(), second+": the file changed after its header was read") {
		t.Fatalf("error %v, want one saying %s changed", err, second)
	}
}

// An input that shrinks while it is read fails with an error naming it and saying
// so, not a bare EOF, in whichever way it is being read.
func TestInputShrinksWhileRead(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"guessed ranges", numberedCSV("x", 3000)},
		// A quoted line break on every row: ranges are counted, and from where the
		// count proves wrong too, split as a stream.
		{"counted ranges and stream", []byte(strings.Repeat("a,b\n", 1) + strings.Repeat("1,\"x\ny\"\n2,\"bare \" quote\"\n", 1500))},
	} {
		os.WriteFile(in, tc.data, 0o644)
		_, err := runInputs(t, []string{in}, func(int) {
			if err := os.Truncate(in, int64(len(tc.data)/3)); err != nil {
				t.Error(err)
			}
		})
		// Read again from where quote parity proved wrong, the input is found changed.
		if err == nil || !strings.Contains(err.Error(), in+": the file shrank while being read") &&
			!strings.Contains(err.Error(), in+": the file changed after its header was read") {
			t.Errorf("%s: error %v, want one saying %s shrank", tc.name, err, in)
		}
	}
}
