package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A JSON Lines output of many chunks is the same bytes for any workers and chunk size,
// to a file (positional writes) or a stream, and every line is a JSON object with the
// columns' keys in order and values of the types the sample decided.
func TestJSONLDeterministic(t *testing.T) {
	const rows = 20_000
	in := writeBenchCSV(t, rows)
	dir := t.TempDir()
	var first []byte
	for k, run := range []struct {
		workers int
		chunk   int64
		stdout  bool
	}{{1, 64 << 20, false}, {2, 1 << 10, false}, {8, 7, false}, {3, 64, true}, {2, 0, true}} {
		o := Options{Inputs: []string{in}, Workers: run.workers, ChunkSize: run.chunk, To: "jsonl"}
		var stdout bytes.Buffer
		if run.stdout {
			o.Stdout = &stdout
		} else {
			o.Output = filepath.Join(dir, fmt.Sprintf("out%d.jsonl", k))
		}
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		got := stdout.Bytes()
		if !run.stdout {
			var err error
			if got, err = os.ReadFile(o.Output); err != nil {
				t.Fatal(err)
			}
		}
		if first == nil {
			first = got
			continue
		}
		if !bytes.Equal(got, first) {
			t.Fatalf("workers %d, chunk size %d, stdout %v: %d bytes differ from the first run's %d", run.workers, run.chunk, run.stdout, len(got), len(first))
		}
	}
	lines := strings.Split(strings.TrimSuffix(string(first), "\n"), "\n")
	if len(lines) != rows {
		t.Fatalf("%d lines for %d rows", len(lines), rows)
	}
	keys := []string{"id", "a", "b", "category", "name", "date", "flag", "c", "d", "e"}
	for i, line := range lines {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		if len(obj) != len(keys) || !strings.HasPrefix(line, `{"id":`+fmt.Sprint(i+1)+`,"a":`) {
			t.Fatalf("line %d: %s", i+1, line)
		}
		if _, ok := obj["b"].(json.Number); !ok {
			t.Fatalf("line %d: b is not a number: %s", i+1, line)
		}
		if _, ok := obj["flag"].(bool); !ok {
			t.Fatalf("line %d: flag is not a bool: %s", i+1, line)
		}
	}
}
