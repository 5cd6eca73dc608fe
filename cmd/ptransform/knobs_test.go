package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// --workers far beyond the CPUs is clamped with a warning: 10,000 workers once held
// 981 MB of chunks in flight on a 147 MB file, for no speed.
func TestTooManyWorkersAreClamped(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte("a,b\n1,2\n3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "apply", "--workers", "10000", in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if stdout.String() != "a,b\n1,2\n3,4\n" {
		t.Errorf("stdout %q", stdout.String())
	}
	want := fmt.Sprintf("ptransform: warning: --workers 10000 is more than can help; using %d (4 per CPU, at least 8)\n", maxWorkers())
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	// -q silences the warning, not the clamp.
	cmd = exec.Command(binary, "apply", "-q", "--workers", "10000", in)
	if out, err := cmd.CombinedOutput(); err != nil || strings.Contains(string(out), "warning") {
		t.Errorf("-q: %v, %q", err, out)
	}
}
