package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// --cpuprofile and --memprofile write profiles that go tool pprof reads.
func TestProfileFlagsWritePprofFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	var data strings.Builder
	data.WriteString("a,b\n")
	for i := range 20000 {
		data.WriteString(strings.Repeat("x", i%17) + ",1\n")
	}
	if err := os.WriteFile(in, []byte(data.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cpu, mem := filepath.Join(dir, "cpu.prof"), filepath.Join(dir, "mem.prof")
	out := filepath.Join(dir, "out.csv")
	cmd := exec.Command(binary, "apply", "-q", "-e", "c = upper(a)", "--cpuprofile", cpu, "--memprofile", mem, in, "-o", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	for path, period := range map[string]string{cpu: "PeriodType: cpu nanoseconds", mem: "PeriodType: space bytes"} {
		f, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// A pprof file is a gzipped protocol buffer.
		zr, err := gzip.NewReader(bytes.NewReader(f))
		if err != nil {
			t.Fatalf("%s: not gzip: %v", path, err)
		}
		if raw, err := io.ReadAll(zr); err != nil || len(raw) == 0 {
			t.Fatalf("%s: %d bytes after gunzip, %v", path, len(raw), err)
		}
		text, err := exec.Command("go", "tool", "pprof", "-raw", binary, path).CombinedOutput()
		if err != nil {
			t.Fatalf("go tool pprof -raw %s: %v\n%s", path, err, text)
		}
		if !strings.Contains(string(text), period) {
			t.Errorf("%s: pprof -raw does not show %q:\n%.500s", path, period, text)
		}
	}
}

// A profile path that cannot be created stops the run before it reads or writes data.
func TestProfileBadPathFailsFirst(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv")
	if err := os.WriteFile(in, []byte("a\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, flag := range []string{"--cpuprofile", "--memprofile", "--trace"} {
		cmd := exec.Command(binary, "apply", flag, filepath.Join(dir, "missing", "p.prof"), in, "-o", out)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); err == nil || code != 1 {
			t.Errorf("%s: exit %d, want 1", flag, code)
		}
		if !strings.HasPrefix(stderr.String(), "ptransform: "+flag+": open ") {
			t.Errorf("%s: stderr %q", flag, stderr.String())
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("%s: output written", flag)
		}
	}
}

// --trace writes a Go execution trace, which go tool trace reads.
func TestTraceFlagWritesAnExecutionTrace(t *testing.T) {
	dir := t.TempDir()
	in, out, tr := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out.csv"), filepath.Join(dir, "run.trace")
	if err := os.WriteFile(in, []byte("a,b\n1,2\n3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(binary, "apply", "-q", "-e", "c = a * b", "--trace", tr, in, "-o", out).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	data, err := os.ReadFile(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("go 1.")) || !bytes.Contains(data[:16], []byte(" trace")) {
		t.Fatalf("%s does not start like an execution trace: %q", tr, data[:min(16, len(data))])
	}
	if text, err := exec.Command("go", "tool", "trace", "-pprof=sched", tr).CombinedOutput(); err != nil {
		t.Fatalf("go tool trace -pprof=sched: %v\n%.500s", err, text)
	}
}
