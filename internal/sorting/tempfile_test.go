//go:build linux

package sorting

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ptransform/ptransform/internal/table"
)

// openFilesIn counts the process's open files that are (or were) in dir: the spill
// files, named or not (an unnamed file reads as "dir/#inode (deleted)").
func openFilesIn(t *testing.T, dir string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	n := 0
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir+"/") {
			n++
		}
	}
	return n
}

// spilledPartials consumes rows that make each of two partials spill runs to dir.
func spilledPartials(t *testing.T, dir string) (*Stage, []*partial) {
	t.Helper()
	rng := rand.New(rand.NewPCG(5, 6))
	rows := randomRows(rng, 20000)
	b := textBatch(randomNames, rows)
	s, err := Compile("s", -1, randomNames, Options{Memory: 256 << 10, TempDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	parts := []*partial{s.NewPartial().(*partial), s.NewPartial().(*partial)}
	for k := 0; k < 20; k++ {
		c := &table.Chunk{Batch: b.NewSlice(int64(k*1000), int64(k*1000+1000))}
		if err := parts[k%2].Consume(int64(k), c); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range parts {
		if p.spill == nil || len(p.spill.runs) == 0 {
			t.Fatal("a partial spilled no run")
		}
	}
	if n := openFilesIn(t, dir); n != 2 {
		t.Fatalf("%d spill files open, want 2", n)
	}
	return s, parts
}

// Spill files never have a name in the directory, and are closed, so freed, after a
// success, a failed Finish and a Release.
func TestSpillFilesAreFreed(t *testing.T) {
	t.Run("success", func(t *testing.T) {
		dir := t.TempDir()
		s, parts := spilledPartials(t, dir)
		assertEmptyDir(t, dir)
		if _, err := finish(s, parts); err != nil {
			t.Fatal(err)
		}
		assertFreed(t, dir)
	})
	t.Run("failed finish", func(t *testing.T) {
		dir := t.TempDir()
		s, parts := spilledPartials(t, dir)
		stop := errors.New("stop")
		err := s.Finish(t.Context(), toPartials(parts), func(*table.Chunk) error { return stop })
		if !errors.Is(err, stop) {
			t.Fatalf("got %v, want the emit error", err)
		}
		assertFreed(t, dir)
	})
	t.Run("cancelled finish", func(t *testing.T) {
		dir := t.TempDir()
		s, parts := spilledPartials(t, dir)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		emitted := 0
		err := s.Finish(ctx, toPartials(parts), func(*table.Chunk) error { emitted++; return nil })
		if !errors.Is(err, context.Canceled) || emitted > 0 {
			t.Fatalf("got %v after %d chunks, want the cancellation before any", err, emitted)
		}
		assertFreed(t, dir)
	})
	t.Run("release", func(t *testing.T) {
		dir := t.TempDir()
		_, parts := spilledPartials(t, dir)
		for _, p := range parts {
			p.Release()
		}
		assertFreed(t, dir)
	})
	t.Run("named fallback", func(t *testing.T) {
		dir := t.TempDir()
		f, name, err := createNamedTemp(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if name != "" {
			t.Errorf("the file keeps its name %s", name)
		}
		assertEmptyDir(t, dir)
	})
}

func assertFreed(t *testing.T, dir string) {
	t.Helper()
	assertEmptyDir(t, dir)
	if n := openFilesIn(t, dir); n != 0 {
		t.Errorf("%d spill files still open", n)
	}
}

// A temporary directory that cannot hold files is an error naming it.
func TestSpillCreateFailure(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(t.TempDir(), "missing"), file} {
		rows := randomRows(rand.New(rand.NewPCG(1, 1)), 20000)
		s, err := Compile("n", -1, randomNames, Options{Memory: 64 << 10, TempDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		_, err = feedErr(s, textBatch(randomNames, rows), nil, 1, nil)
		want := "sorting: cannot create a temporary file in " + dir + ": "
		if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), "--temp-dir") {
			t.Errorf("temp dir %s: got %v, want %q...", dir, err, want)
		}
	}
}

// A spill that cannot be written (the disk is full) is an error naming the directory,
// and leaves nothing behind. The test's child process has a file size limit (as a full
// disk, a write fails part way), so the parent's own files are unaffected.
func TestSpillWriteFailure(t *testing.T) {
	if dir := os.Getenv("SORTING_TEST_FULL_DIR"); dir != "" {
		signal.Ignore(syscall.SIGXFSZ)
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 100 << 10, Max: 100 << 10}); err != nil {
			fmt.Println("setrlimit:", err)
			os.Exit(3)
		}
		rows := randomRows(rand.New(rand.NewPCG(1, 1)), 40000)
		s, _ := Compile("n", -1, randomNames, Options{Memory: 256 << 10, TempDir: dir})
		_, err := feedErr(s, textBatch(randomNames, rows), randomCuts(rand.New(rand.NewPCG(2, 2)), 40000, 500), 2, nil)
		fmt.Printf("error: %v\n", err)
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSpillWriteFailure$")
	cmd.Env = append(os.Environ(), "SORTING_TEST_FULL_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	want := "error: sorting: cannot write a sorted run to a temporary file in " + dir + ": file too large (free space there or choose another directory with --temp-dir)"
	if !strings.Contains(string(out), want) {
		t.Errorf("child says %q, want %q", out, want)
	}
	assertEmptyDir(t, dir)
}
