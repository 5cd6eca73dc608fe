package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A workbook through a pipe, standard input or a FIFO is read from a temporary copy,
// exactly as from its file, and the copy is gone when the run ends, whether it
// succeeds or fails.
func TestWorkbookThroughPipes(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "book.xlsx")
	writeWorkbook(t, book, mixedRows(1, 300))
	data, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	want, stderr, err := runBinary(t, 20*time.Second, nil, "apply", book)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	out, stderr, err := runWithPipe(t, data, "apply", "--chunk-size", "1KiB", "/dev/fd/3")
	if err != nil || out != want {
		t.Errorf("through /dev/fd/3: %v %s; output differs at byte %d", err, stderr, firstDiff([]byte(out), []byte(want)))
	}
	out, stderr, err = runBinary(t, 20*time.Second, data, "apply", "--workers", "3", "--chunk-size", "1KiB", "-", "--from", "xlsx")
	if err != nil || out != want {
		t.Errorf("through standard input: %v %s; output differs at byte %d", err, stderr, firstDiff([]byte(out), []byte(want)))
	}
	_, stderr, err = runBinary(t, 20*time.Second, data[:len(data)/2], "apply", "-")
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(stderr, "-: not an xlsx workbook: damaged zip container") {
		t.Errorf("half a workbook: %v, stderr %q", err, stderr)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("temporary files left in TMPDIR: %v", left)
	}
	// The copy goes where TMPDIR says.
	t.Setenv("TMPDIR", filepath.Join(tmp, "missing"))
	_, stderr, _ = runBinary(t, 20*time.Second, data, "apply", "-")
	if !strings.Contains(stderr, "-: is a zip archive, copied to a temporary file to be read: ") {
		t.Errorf("without a TMPDIR: stderr %q", stderr)
	}
}
