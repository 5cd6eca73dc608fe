package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeRandomJSONL writes n JSON lines full of what cutting could break: escapes,
// multi-byte text, nested values, blank lines, CRLF, keys in varying order and missing.
func writeRandomJSONL(t *testing.T, path string, n int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var b strings.Builder
	texts := []string{"plain", "a,b", `quote "q"`, "line\nbreak", "café ☕", "", "tab\there", "{not nested}", "😀"}
	for i := range n {
		row := map[string]any{"id": i}
		if rng.IntN(4) > 0 {
			row["name"] = texts[rng.IntN(len(texts))]
		}
		if rng.IntN(3) > 0 {
			row["price"] = json.Number(fmt.Sprintf("%d.%02d", rng.IntN(1000), rng.IntN(100)))
		}
		switch rng.IntN(4) {
		case 0:
			row["tags"] = []any{"x", rng.IntN(9), nil}
		case 1:
			row["tags"] = map[string]any{"k": texts[rng.IntN(len(texts))]}
		case 2:
			row["tags"] = nil
		}
		line, err := json.Marshal(row) // keys sorted: id, name, price, tags
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		switch rng.IntN(10) {
		case 0:
			b.WriteString("\r\n")
		case 1:
			b.WriteString("\n\n")
		default:
			b.WriteString("\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// JSON Lines input gives the same bytes for any workers and chunk size, from a file
// (byte ranges) or standard input (blocks), and its errors the same line.
func TestJSONLInputDeterministic(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeRandomJSONL(t, in, 3000, 7)
	data, _ := os.ReadFile(in)
	args := []string{"apply", "-e", "total = price * 2; r = _row", "-w", "id % 3 != 1"}
	want, stderr, err := runBinary(t, time.Minute, nil, append(args, "--workers", "1", "--chunk-size", "64MiB", in)...)
	if err != nil || want == "" {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, workers := range []string{"1", "2", "8"} {
		for _, size := range []string{"7", "1KiB", "64MiB"} {
			out, stderr, err := runBinaryOf(t, binaryForWorkers(workers), time.Minute, nil, append(args, "--workers", workers, "--chunk-size", size, in)...)
			if err != nil || out != want {
				t.Errorf("file, --workers %s --chunk-size %s: %v %s; output differs at byte %d", workers, size, err, stderr, firstDiff([]byte(out), []byte(want)))
			}
			out, stderr, err = runBinaryOf(t, binaryForWorkers(workers), time.Minute, data, append(args, "--workers", workers, "--chunk-size", size, "-")...)
			if err != nil || out != want {
				t.Errorf("stdin, --workers %s --chunk-size %s: %v %s; output differs at byte %d", workers, size, err, stderr, firstDiff([]byte(out), []byte(want)))
			}
		}
	}

	// A line cut short deep in the file is reported at its own line, however cut.
	lines := strings.SplitAfter(string(data), "\n")
	lines[2500] = lines[2500][:len(lines[2500])/2] + "\n"
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o644)
	for _, size := range []string{"7", "1KiB", "64MiB"} {
		_, stderr, err := runBinary(t, time.Minute, nil, "apply", "--workers", "8", "--chunk-size", size, bad)
		if err == nil || !strings.HasPrefix(stderr, fmt.Sprintf("ptransform: %s: line 2501, byte ", bad)) {
			t.Errorf("--chunk-size %s: %v, stderr %q", size, err, stderr)
		}
	}
}
