package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMemoryBoundedByWorkNotInput runs the same job on a 64 MB and a 320 MB CSV: peak RSS
// must stay far below the input size and grow by less than 20% when the input grows 5×
// (or by less than 10 MB: at ~40 MB, when the garbage collector runs moves RSS by a few MB
// from run to run whatever the input).
// `make bench` reports the same figure for a 1 GB input.
func TestMemoryBoundedByWorkNotInput(t *testing.T) {
	if testing.Short() {
		t.Skip("generates 380 MB of CSV")
	}
	dir := t.TempDir()
	// The race detector multiplies memory use; measure the binary users run.
	bin := plainBinary
	peak := func(rows int) (int64, int64) {
		in := filepath.Join(dir, fmt.Sprintf("in_%d.csv", rows))
		writeBenchCSV(t, in, rows)
		st, _ := os.Stat(in)
		cmd := exec.Command(bin, "apply", "--workers", "2", "-e", "total = a * b", in, "-o", filepath.Join(dir, "out.csv"))
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		os.Remove(in)
		return cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024, st.Size()
	}
	small, smallSize := peak(700_000)
	big, bigSize := peak(3_500_000)
	t.Logf("peak RSS %d MB for %d MB of input, %d MB for %d MB", small>>20, smallSize>>20, big>>20, bigSize>>20)
	if big > 200<<20 {
		t.Errorf("peak RSS %d MB on %d MB of input, want at most 200 MB", big>>20, bigSize>>20)
	}
	if float64(big) > 1.2*float64(small) && big-small > 10<<20 {
		t.Errorf("peak RSS grew from %d MB to %d MB when the input grew 5×, want < 20%%", small>>20, big>>20)
	}
}

// writeBenchCSV streams rows shaped like the benchmark's (tools/gencsv) to path.
func writeBenchCSV(t *testing.T, path string, rows int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(1, 2))
	w.WriteString("id,a,b,category,name,date,flag,c,d,e\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(w, "%d,%.6f,%d,cat%d,\"name, %d\",2024-01-%02d,%v,%.4f,%d,%.10f\n", i, rng.Float64()*1000, rng.IntN(1001),
			rng.IntN(50), rng.IntN(1e6), 1+rng.IntN(28), rng.IntN(2) == 0, rng.Float64()*2e7-1e7, rng.Int64N(1e10), rng.Float64())
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
