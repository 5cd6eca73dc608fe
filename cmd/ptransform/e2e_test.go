package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClosedStdoutIsQuiet: `ptransform apply big.csv | head` must end with status 0 and
// nothing on stderr when head stops reading.
func TestClosedStdoutIsQuiet(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.csv")
	writeRandomCSV(t, in, 200000, 1)
	cmd := exec.Command(binary, "apply", "--chunk-size", "64KiB", in)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if _, err := io.ReadFull(stdout, buf); err != nil {
		t.Fatal(err)
	}
	stdout.Close()
	err = cmd.Wait()
	if err != nil || stderr.Len() > 0 {
		t.Fatalf("exit %v, stderr %q; want status 0 and no message", err, stderr.String())
	}
}

// waitForTempFile waits until process pid holds a file open in dir: its temporary
// output, which has no name in dir where the system offers unnamed temporary files.
func waitForTempFile(t *testing.T, pid int, dir string) {
	t.Helper()
	fds := fmt.Sprintf("/proc/%d/fd", pid)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if link, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && strings.HasPrefix(link, dir+"/") {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("the run never created its temporary output")
}

// TestDeterministicAcrossWorkersAndChunkSizes runs a file full of traps (quoted line
// breaks, doubled quotes, CRLF, multi-byte UTF-8, empty fields, bare quotes that defeat
// the quote-parity split) with many worker counts and chunk sizes: every output must be
// byte-identical, and each line the same as one sequential reading gives.
func TestDeterministicAcrossWorkersAndChunkSizes(t *testing.T) {
	dir := t.TempDir()
	for _, bare := range []bool{false, true} {
		in := filepath.Join(dir, fmt.Sprintf("in_%v.csv", bare))
		writeTrickyCSV(t, in, 3000, bare)
		var want []byte
		for _, workers := range []string{"1", "2", "8"} {
			for _, size := range []string{"64MiB", "1MiB", "64KiB", "4KiB", "1KiB", "100"} {
				args := []string{"apply", "--workers", workers, "--chunk-size", size, "-e", "n = _row", in}
				got, err := exec.Command(binaryForWorkers(workers), args...).Output()
				if err != nil {
					t.Fatalf("%v: %v", args, err)
				}
				if want == nil {
					want = got
					continue
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("bare quotes %v, --workers %s --chunk-size %s: output differs from --workers 1 --chunk-size 64MiB", bare, workers, size)
				}
			}
		}
		if n := bytes.Count(want, []byte("\n")); n < 3000 {
			t.Fatalf("only %d lines of output", n)
		}
	}
}

// writeRandomCSV writes rows of plain data like the benchmark's.
func writeRandomCSV(t *testing.T, path string, rows int, seed uint64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	var b bytes.Buffer
	b.WriteString("id,a,b,name\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "%d,%.6f,%d,name%d\n", i, rng.Float64()*1000, rng.IntN(1001), rng.IntN(1e6))
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeTrickyCSV(t *testing.T, path string, rows int, bareQuotes bool) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(rows), 3))
	pieces := []string{"plain", "", `"quoted, comma"`, `"two""quotes"""`, "\"line\nbreak\"", "\"crlf\r\ninside\"", "ünïcödé 日本", `""`, "x y"}
	if bareQuotes {
		pieces = append(pieces, `5" tall`, `it"s`, `a""b`)
	}
	var b bytes.Buffer
	b.WriteString("id,p,q,r\r\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "%d,%s,%s,%s", i, pieces[rng.IntN(len(pieces))], pieces[rng.IntN(len(pieces))], pieces[rng.IntN(len(pieces))])
		if rng.IntN(2) == 0 {
			b.WriteString("\r\n")
		} else {
			b.WriteString("\n")
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStdoutToFile: with standard output a file, as after a shell's `> out`, `>> out`
// or `1<> out`, the output lands exactly where sequential writes would put it, including
// when bare quotes make the run resynchronise (positional writes past the real end are
// cut off).
func TestStdoutToFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	writeTrickyCSV(t, in, 20000, true)
	args := []string{"apply", "--workers", "3", "--chunk-size", "4KiB", "-e", "n = _row", in}
	want, err := exec.Command(binary, args...).Output() // through a pipe
	if err != nil {
		t.Fatal(err)
	}
	before := []byte("earlier output\n")
	longer := bytes.Repeat([]byte("x"), len(want)+100)
	for _, tc := range []struct {
		name  string
		flag  int
		start []byte // the file's content before the run
		want  []byte
	}{
		{"> out", os.O_WRONLY | os.O_CREATE | os.O_TRUNC, nil, want},
		{">> out", os.O_WRONLY | os.O_CREATE | os.O_APPEND, before, append(append([]byte(nil), before...), want...)},
		// Opened without truncation: the output overwrites the file's start.
		{"1<> out", os.O_RDWR, longer, append(append([]byte(nil), want...), longer[len(want):]...)},
	} {
		out := filepath.Join(dir, "out.csv")
		if err := os.WriteFile(out, tc.start, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(out, tc.flag, 0o644)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(binary, args...)
		cmd.Stdout = f
		err = cmd.Run()
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) {
			t.Fatalf("%s: %d bytes, want %d (first difference at %d)", tc.name, len(got), len(tc.want), firstDiff(got, tc.want))
		}
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// TestStdoutToFileFailedRun: a run that fails part way leaves in a standard output
// file the rows before the failure, in order, with no gap: what sequential writes leave.
func TestStdoutToFileFailedRun(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	writeRandomCSV(t, good, 100000, 4)
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, append(append([]byte(nil), data...), "1,2\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "apply", "--workers", "4", "--chunk-size", "8KiB", bad)
	cmd.Stdout = f
	err = cmd.Run()
	f.Close()
	if err == nil {
		t.Fatal("a ragged last row did not fail the run")
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, got) {
		t.Fatalf("%d bytes that are not a prefix of the input (first difference at %d)", len(got), firstDiff(got, data))
	}
}

// TestStdinRedirectedFromFile: `apply - < in.csv` reads the file in parallel ranges, as
// `apply in.csv` does, and writes the same bytes, bare quotes and their
// resynchronisation included; `_file` still reads "-".
func TestStdinRedirectedFromFile(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	writeTrickyCSV(t, in, 5000, true)
	run := func(stdin bool, exprs ...string) []byte {
		args := []string{"apply", "--workers", "3", "--chunk-size", "4KiB"}
		for _, e := range exprs {
			args = append(args, "-e", e)
		}
		cmd := exec.Command(binary, append(args, in)...)
		if stdin {
			f, err := os.Open(in)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd = exec.Command(binary, append(args, "-")...)
			cmd.Stdin = f
		}
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got, want := run(true, "n = _row"), run(false, "n = _row"); !bytes.Equal(got, want) {
		t.Fatal("apply - < in.csv differs from apply in.csv")
	}
	if got := string(run(true, "f = _file")); !strings.Contains(got, ",-\n") || strings.Contains(got, "/dev/fd") {
		t.Fatalf("_file from redirected stdin: %.200q", got)
	}
}
