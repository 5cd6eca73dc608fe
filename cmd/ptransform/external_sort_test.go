package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestExternalSortMatchesPython: `--sort d,-v` of an input five times --memory spills
// sorted runs and merges them into what Python's stable sort gives (dates ascending,
// numbers descending as numbers, empty cells last in both directions, ties in input
// order), with two workers; the --temp-dir is empty afterwards.
func TestExternalSortMatchesPython(t *testing.T) {
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	r := rand.New(rand.NewPCG(11, 12))
	var b strings.Builder
	b.WriteString("id,d,v,name\n")
	for i := 0; b.Len() < 5<<20+1<<19; i++ {
		d := fmt.Sprintf("2024-%02d-%02d", 1+r.IntN(3), 1+r.IntN(28)) // many ties
		if r.IntN(20) == 0 {
			d = ""
		}
		v := fmt.Sprint([]float64{-1.5, 0, 2, 2.0, 10, 9.75, 100, -20}[r.IntN(8)] * float64(1+r.IntN(3)))
		if r.IntN(15) == 0 {
			v = ""
		}
		fmt.Fprintf(&b, "%d,%s,%s,\"name %d, %s\"\n", i, d, v, r.IntN(1000), strings.Repeat("x", r.IntN(30)))
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	spill := filepath.Join(dir, "spill")
	os.Mkdir(spill, 0o755)
	out := filepath.Join(dir, "out.csv")
	if res := runPtransform(t, nil, "apply", in, "--sort", "d,-v", "--memory", "1MiB", "--temp-dir", spill,
		"--workers", "2", "--chunk-size", "64KiB", "-o", out); res.code != 0 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	want := filepath.Join(dir, "want.csv")
	script := `
import csv, sys
with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
rows.sort(key=lambda r: (r[2] == "", -float(r[2]) if r[2] else 0))  # v descending, empty last
rows.sort(key=lambda r: (r[1] == "", r[1]))                          # then d ascending, empty last
with open(sys.argv[2], "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
`
	if msg, err := exec.Command(python, "-c", script, in, want).CombinedOutput(); err != nil {
		t.Fatalf("python: %v %s", err, msg)
	}
	got, _ := os.ReadFile(out)
	expected, _ := os.ReadFile(want)
	if len(expected) < 5<<20 {
		t.Fatalf("the input is %d bytes, not five times --memory", len(expected))
	}
	if string(got) != string(expected) {
		g, e := strings.Split(string(got), "\n"), strings.Split(string(expected), "\n")
		for i := range min(len(g), len(e)) {
			if g[i] != e[i] {
				t.Fatalf("line %d: %q, Python %q", i+1, g[i], e[i])
			}
		}
		t.Fatalf("%d lines, Python %d", len(g), len(e))
	}
	if names := fileNamesIn(t, spill); len(names) != 0 {
		t.Errorf("--temp-dir holds %v after the run", names)
	}
}
