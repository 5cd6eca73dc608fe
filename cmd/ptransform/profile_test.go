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

// A profile that names an input (in any spelling, a --lookup reference too) or another
// file the run writes is refused with exit 2 before anything is read or created: it
// would have replaced the input, or one output the other.
func TestProfilePathsMustNotReplaceInputsOrOutputs(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir)
	ref := filepath.Join(dir, "ref.csv")
	if err := os.WriteFile(ref, []byte("a,r\n1,one\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(in, filepath.Join(dir, "link.csv")); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.csv")
	for _, c := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--memprofile", in}, "--memprofile " + in + " is also an input"},
		{[]string{"--trace", in}, "--trace " + in + " is also an input"},
		{[]string{"--cpuprofile", filepath.Join(dir, "link.csv")}, "is also an input"},
		{[]string{"--cpuprofile", dir + "/./in.csv"}, "is also an input"},
		{[]string{"--lookup", ref, "--on", "a", "--prefix", "r_", "--memprofile", ref}, "--memprofile " + ref + " is also an input"},
		{[]string{"--cpuprofile", out}, "--cpuprofile " + out + " would replace another output of the run (output " + out + ")"},
		{[]string{"--cpuprofile", "p", "--memprofile", "./p"}, "--memprofile ./p would replace another output of the run (--cpuprofile p)"},
		{[]string{"--errors", "e.csv", "--trace", "e.csv"}, "--trace e.csv would replace another output of the run (--errors e.csv)"},
		{[]string{"--stats-json", "s.json", "--trace", "s.json"}, "--trace s.json would replace another output of the run (--stats-json s.json)"},
	} {
		cmd := exec.Command(binary, append([]string{"apply", in, "-o", out}, c.flags...)...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 2 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.flags, code, stderr.String(), c.want)
		}
		if b, _ := os.ReadFile(in); string(b) != smallCSV {
			t.Fatalf("%v: the input now holds %q", c.flags, b)
		}
		if b, _ := os.ReadFile(ref); string(b) != "a,r\n1,one\n" {
			t.Fatalf("%v: the reference now holds %q", c.flags, b)
		}
		if names := fileNamesIn(t, dir); strings.Join(names, ",") != "in.csv,link.csv,ref.csv" {
			t.Fatalf("%v: the directory holds %v", c.flags, names)
		}
	}
}
