package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Golden cases live in testdata/cases/<topic>/<name>/:
//
//	cmd      the arguments after `ptransform`, shell-quoted, on one line
//	stdin    optional: fed to standard input
//	stdout   expected standard output
//	stderr   expected standard error
//	exit     expected exit status
//	want/F   expected content of file F that the command creates (e.g. with -o F)
//	         beside the inputs; want/D/F for file F in a directory D it creates
//
// Each case runs in a scratch copy of its directory. Successful `apply` cases run again
// with several worker counts and chunk sizes and must give the same bytes every time.
// `go test ./cmd/ptransform -run Golden -update` rewrites the expectations from the
// current behaviour: review the diff before committing it.
var update = flag.Bool("update", false, "rewrite golden expectations")

// binary is the ptransform the tests run, built with the race detector unless
// PTRANSFORM_TEST_NORACE is set; plainBinary is built without it, for the reruns of
// golden cases that check only that the bytes do not change (see parallelVariants).
var binary, plainBinary string

// binaryForWorkers is the binary for one run of a determinism matrix: the race detector
// for the run of the most workers, which has the most to find, and the plain binary,
// which checks the bytes as well, for the others.
func binaryForWorkers(workers string) string {
	if workers == "8" {
		return binary
	}
	return plainBinary
}

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ptransform-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "ptransform")
	plainBinary = filepath.Join(dir, "ptransform-plain")
	builds := [][]string{{"build", "-race", "-o", binary, "."}, {"build", "-o", plainBinary, "."}}
	if os.Getenv("PTRANSFORM_TEST_NORACE") != "" {
		plainBinary = binary
		builds = [][]string{{"build", "-o", binary, "."}}
	}
	for _, args := range builds {
		if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building ptransform: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	// The race runtime sleeps a second at exit by default, waiting for late reports;
	// with hundreds of runs that would dominate the suite. A race still fails the run.
	os.Setenv("GORACE", "atexit_sleep_ms=0 exitcode=66")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// parallelVariants are the extra flags under which every successful apply case must
// produce identical output: one worker with huge chunks down to many workers with
// chunks far smaller than a record. Only the variant with the most workers and chunks
// runs under the race detector (race); the others check bytes only, and the race
// runtime would make them most of the suite's time.
var parallelVariants = []struct {
	flags []string
	race  bool
}{
	{[]string{"--workers", "1", "--chunk-size", "64MiB"}, false},
	{[]string{"--workers", "2", "--chunk-size", "1KiB"}, false},
	{[]string{"--workers", "8", "--chunk-size", "7"}, true},
	{[]string{"--workers", "3", "--chunk-size", "64"}, false},
}

func TestGolden(t *testing.T) {
	cases, _ := filepath.Glob("testdata/cases/*/*/cmd")
	if len(cases) == 0 {
		t.Fatal("no golden cases found")
	}
	for _, cmdPath := range cases {
		dir := filepath.Dir(cmdPath)
		name := strings.TrimPrefix(dir, "testdata/cases/")
		t.Run(name, func(t *testing.T) {
			line, err := os.ReadFile(cmdPath)
			if err != nil {
				t.Fatal(err)
			}
			args, err := shellWords(strings.TrimSpace(string(line)))
			if err != nil {
				t.Fatalf("%s: %v", cmdPath, err)
			}
			got := runCase(t, binary, dir, args)
			if *update {
				writeExpectations(t, dir, got)
				return
			}
			compareCase(t, dir, got)
			if got.exit == 0 && len(args) > 0 && args[0] == "apply" {
				for _, v := range parallelVariants {
					bin := plainBinary
					if v.race {
						bin = binary
					}
					again := runCase(t, bin, dir, append(append([]string{}, args...), v.flags...))
					if again.exit != 0 || !bytes.Equal(again.stdout, got.stdout) || !sameFiles(again.files, got.files) {
						t.Errorf("with %v the output differs (exit %d, stderr %q)", v.flags, again.exit, again.stderr)
					}
				}
			}
		})
	}
}

type caseRun struct {
	stdout, stderr []byte
	exit           int
	files          map[string][]byte // files the command created
}

func runCase(t *testing.T, bin, dir string, args []string) caseRun {
	t.Helper()
	work := t.TempDir()
	before := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(work, e.Name()), b, 0o644)
		before[e.Name()] = true
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = work
	if stdin, err := os.Open(filepath.Join(dir, "stdin")); err == nil {
		defer stdin.Close()
		cmd.Stdin = stdin
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := caseRun{stdout: stdout.Bytes(), stderr: stderr.Bytes(), files: map[string][]byte{}}
	if ee, ok := err.(*exec.ExitError); ok {
		r.exit = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for name, b := range filesUnder(work) {
		if !before[name] {
			r.files[name] = b
		}
	}
	return r
}

// filesUnder reads the regular files under dir, by their slash-separated paths in it.
func filesUnder(dir string) map[string][]byte {
	files := map[string][]byte{}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			files[filepath.ToSlash(rel)], _ = os.ReadFile(path)
		}
		return nil
	})
	return files
}

func writeExpectations(t *testing.T, dir string, r caseRun) {
	t.Helper()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "stdout"), r.stdout, 0o644))
	must(os.WriteFile(filepath.Join(dir, "stderr"), r.stderr, 0o644))
	must(os.WriteFile(filepath.Join(dir, "exit"), []byte(strconv.Itoa(r.exit)+"\n"), 0o644))
	os.RemoveAll(filepath.Join(dir, "want"))
	for name, b := range r.files {
		must(os.MkdirAll(filepath.Dir(filepath.Join(dir, "want", name)), 0o755))
		must(os.WriteFile(filepath.Join(dir, "want", name), b, 0o644))
	}
}

func compareCase(t *testing.T, dir string, r caseRun) {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		return b
	}
	exit, err := strconv.Atoi(strings.TrimSpace(string(read("exit"))))
	if err != nil {
		t.Fatal(err)
	}
	if r.exit != exit {
		t.Errorf("exit status %d, want %d (stderr %q)", r.exit, exit, r.stderr)
	}
	if want := read("stdout"); !bytes.Equal(r.stdout, want) {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, want)
	}
	if want := read("stderr"); !bytes.Equal(r.stderr, want) {
		t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, want)
	}
	want := filesUnder(filepath.Join(dir, "want"))
	if !sameFiles(r.files, want) {
		t.Errorf("created files differ from want/: got %v", fileNames(r.files))
		for name, b := range r.files {
			if !bytes.Equal(b, want[name]) {
				t.Errorf("%s:\n%s\nwant:\n%s", name, b, want[name])
			}
		}
	}
}

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for name, content := range a {
		if other, ok := b[name]; !ok || !bytes.Equal(content, other) {
			return false
		}
	}
	return true
}

func fileNames(m map[string][]byte) []string {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	return names
}

// shellWords splits a command line the way a POSIX shell would for the cases we need:
// whitespace-separated words, 'single' and "double" quotes, backslash escapes outside
// single quotes.
func shellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated double quote")
			}
			inWord = true
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
