package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests of --out-dir and --sheet-per-source (README.md, "One output per source").

// writeFiles writes name → content under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOutDirAllOrNothing: when the second source fails, the first source's finished
// output does not appear either, nor the directory the run would have made; an
// existing directory is left as it was. --stats-json still reports the run.
func TestOutDirAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	var good strings.Builder
	good.WriteString("a,b\n")
	for i := range 5000 {
		fmt.Fprintf(&good, "%d,x%d\n", i, i)
	}
	writeFiles(t, dir, map[string]string{"a.csv": good.String(), "b.csv": "a,b\n1,x\noops,y\n", "c.csv": "a,b\n3,z\n"})
	in := func(name string) string { return filepath.Join(dir, name) }

	missing := filepath.Join(dir, "new", "parts")
	stats := filepath.Join(dir, "run.json")
	r := runPtransform(t, nil, "apply", in("a.csv"), in("b.csv"), in("c.csv"), "-e", "d = a * 2",
		"--out-dir", missing, "--to", "parquet", "--stats-json", stats, "--chunk-size", "1KiB")
	if r.code != 1 || !strings.Contains(r.stderr, "b.csv: line 3") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !os.IsNotExist(err) {
		t.Errorf("the directory the failed run made is still there (%v)", err)
	}
	var s struct {
		OK      bool  `json:"ok"`
		Sources int   `json:"sources"`
		RowsIn  int64 `json:"rows_in"`
	}
	b, err := os.ReadFile(stats)
	if err != nil || json.Unmarshal(b, &s) != nil || s.OK || s.Sources != 3 || s.RowsIn < 5000 {
		t.Errorf("--stats-json %s (%v): %+v", b, err, s)
	}

	existing := filepath.Join(dir, "parts")
	os.Mkdir(existing, 0o755)
	writeFiles(t, existing, map[string]string{"other.txt": "keep"})
	r = runPtransform(t, nil, "apply", in("a.csv"), in("b.csv"), "-e", "d = a * 2", "--out-dir", existing)
	if r.code != 1 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if names := fileNamesIn(t, existing); !slices.Equal(names, []string{"other.txt"}) {
		t.Errorf("after a failed run the directory holds %q", names)
	}
}

// TestOutDirInterrupted: SIGINT while the second source is read ends the run with 130,
// and neither the first, finished output nor the directory the run made is left.
func TestOutDirInterrupted(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "a,b\n1,x\n"})
	out := filepath.Join(dir, "out")
	cmd := exec.Command(binary, "apply", filepath.Join(dir, "a.csv"), "-", "--out-dir", out)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	io.WriteString(stdin, "a,b\n")
	for i := range 20000 {
		fmt.Fprintf(stdin, "%d,x\n", i)
	}
	// Both outputs are open: the first finished, the second being written.
	fds := fmt.Sprintf("/proc/%d/fd", cmd.Process.Pid)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		open := 0
		ents, _ := os.ReadDir(fds)
		for _, e := range ents {
			if link, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && strings.HasPrefix(link, out+"/") {
				open++
			}
		}
		if open == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run never had both outputs open (stderr %q)", stderr.String())
		}
	}
	cmd.Process.Signal(syscall.SIGINT)
	err = cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want 130 (stderr %q)", err, stderr.String())
	}
	if names := fileNamesIn(t, dir); !slices.Equal(names, []string{"a.csv"}) {
		t.Errorf("after the interrupt the directory holds %q", names)
	}
}

// TestOutDirWholeRun: --max-errors, --errors and --stats-json count the row errors
// and rows of every output together, in source order; --overwrite replaces the files in
// the way, which are refused without it.
func TestOutDirWholeRun(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.csv": "n\n1\nx\n2\ny\n", "b.csv": "n\nz\n3\nw\n"})
	a, b := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	out := filepath.Join(dir, "out")
	args := []string{"apply", a, b, "-e", "m = n * 10", "--on-error", "skip", "--out-dir", out}

	r := runPtransform(t, nil, append(args, "--max-errors", "3")...)
	if r.code != 1 || !strings.Contains(r.stderr, "more than 3 row errors") {
		t.Fatalf("--max-errors over two outputs: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a run over --max-errors left %s (%v)", out, err)
	}

	errs, stats := filepath.Join(dir, "errors.csv"), filepath.Join(dir, "run.json")
	r = runPtransform(t, nil, append(args, "--errors", errs, "--stats-json", stats)...)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	log, _ := os.ReadFile(errs)
	var rows []string
	for _, line := range strings.Split(strings.TrimSpace(string(log)), "\n")[1:] {
		f := strings.Split(line, ",")
		rows = append(rows, filepath.Base(f[0])+":"+f[2])
	}
	if want := []string{"a.csv:3", "a.csv:5", "b.csv:2", "b.csv:4"}; !slices.Equal(rows, want) {
		t.Errorf("--errors lists %q, want %q", rows, want)
	}
	var s struct {
		RowsIn    int64 `json:"rows_in"`
		RowsOut   int64 `json:"rows_out"`
		RowErrors int64 `json:"row_errors"`
	}
	if b, _ := os.ReadFile(stats); json.Unmarshal(b, &s) != nil || s.RowsIn != 7 || s.RowsOut != 3 || s.RowErrors != 4 {
		t.Errorf("--stats-json: %+v", s)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "b.csv")); string(got) != "n,m\n3,30\n" {
		t.Errorf("b.csv: %q", got)
	}

	os.WriteFile(filepath.Join(out, "a.csv"), []byte("old\n"), 0o644)
	r = runPtransform(t, nil, append(args, "-e", "m = 1")...)
	if r.code != 2 || !strings.Contains(r.stderr, "out/a.csv and 1 more exist") || !strings.Contains(r.stderr, "--overwrite") {
		t.Errorf("outputs in the way: exit %d, stderr %q", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "a.csv")); string(got) != "old\n" {
		t.Errorf("a refused run changed a.csv: %q", got)
	}
	r = runPtransform(t, nil, "apply", a, b, "--ragged", "pad", "--out-dir", out, "--overwrite")
	if r.code != 0 {
		t.Fatalf("--overwrite: exit %d, stderr %q", r.code, r.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(out, "a.csv")); string(got) != "n\n1\nx\n2\ny\n" {
		t.Errorf("--overwrite: a.csv is %q", got)
	}
}

// TestOutDirDeterministic: each Parquet and xlsx output of --out-dir has the same bytes
// whatever the number of workers.
func TestOutDirDeterministic(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{}
	for k := range 3 {
		var b strings.Builder
		b.WriteString("id,when,amount,label\n")
		for i := range 3000 * (k + 1) {
			fmt.Fprintf(&b, "%d,2024-01-%02d,%d.5,\"l%d, %d\"\n", i, i%28+1, i%97, k, i)
		}
		files[fmt.Sprintf("in%d.csv", k)] = b.String()
	}
	writeFiles(t, dir, files)
	inputs := []string{filepath.Join(dir, "in0.csv"), filepath.Join(dir, "in1.csv"), filepath.Join(dir, "in2.csv")}
	for _, format := range []string{"parquet", "xlsx"} {
		var ref map[string][]byte
		for _, workers := range []string{"1", "2", "8"} {
			out := filepath.Join(dir, format+workers)
			args := append([]string{"apply", "-e", "twice = amount * 2", "--out-dir", out, "--to", format,
				"--out-name", "{index}-{stem}.{ext}", "--workers", workers, "--chunk-size", "4KiB"}, inputs...)
			if r := runPtransform(t, nil, args...); r.code != 0 {
				t.Fatalf("%s --workers %s: exit %d, stderr %q", format, workers, r.code, r.stderr)
			}
			got := filesUnder(out)
			if len(got) != 3 {
				t.Fatalf("%s: outputs %v", format, fileNames(got))
			}
			if ref == nil {
				ref = got
			} else if !sameFiles(got, ref) {
				t.Errorf("%s: --workers %s gives other bytes than --workers 1", format, workers)
			}
		}
	}
}

// TestSheetPerSource: one xlsx sheet per source, read back by openpyxl: each sheet is
// named after its sheet or CSV file, made valid and unique, with its own columns and
// cell types.
func TestSheetPerSource(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("openpyxl not installed (apt-get install python3-openpyxl): %v", err)
	}
	dir := t.TempDir()
	book := filepath.Join("testdata", "cases", "outdir", "sheets_to_files", "book.xlsx")
	longName := strings.Repeat("quarterly", 4) + ".csv"
	writeFiles(t, dir, map[string]string{
		"jan.csv": "id,paid\n10,true\n11,false\n",
		longName:  "code,when\n00123,2024-02-29T10:30:00\n",
	})
	out := filepath.Join(dir, "report.xlsx")
	r := runPtransform(t, nil, "apply", book, filepath.Join(dir, "jan.csv"), filepath.Join(dir, longName),
		"--sheet", "*", "--sheet-per-source", "-e", "src = _file", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	dump := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
for ws in wb:
    print("sheet " + ws.title)
    for row in ws.iter_rows():
        print("|".join("%s:%r" % (type(c.value).__name__, c.value) for c in row if c.value is not None))
`
	got, err := exec.Command(python, "-c", dump, out).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v %s", err, got)
	}
	src := func(path string) string { return fmt.Sprintf("str:'%s'", path) }
	want := strings.Join([]string{
		"sheet Jan",
		"str:'id'|str:'amount'|str:'day'|str:'src'",
		"int:1|float:2.5|datetime:datetime.datetime(2024, 1, 5, 0, 0)|" + src(book),
		"int:2|int:3|" + src(book),
		"sheet Notes",
		"str:'note'|str:'done'|str:'src'",
		"str:'call back'|bool:True|" + src(book),
		"str:'ship'|bool:False|" + src(book),
		"sheet jan (2)",
		"str:'id'|str:'paid'|str:'src'",
		"int:10|bool:True|" + src(filepath.Join(dir, "jan.csv")),
		"int:11|bool:False|" + src(filepath.Join(dir, "jan.csv")),
		"sheet " + strings.Repeat("quarterly", 4)[:31],
		"str:'code'|str:'when'|str:'src'",
		"str:'00123'|datetime:datetime.datetime(2024, 2, 29, 10, 30)|" + src(filepath.Join(dir, longName)),
	}, "\n") + "\n"
	if string(got) != want {
		t.Errorf("openpyxl reads:\n%s\nwant:\n%s", got, want)
	}
	// The same bytes for any number of workers and the same run twice.
	again := filepath.Join(dir, "again.xlsx")
	r = runPtransform(t, nil, "apply", book, filepath.Join(dir, "jan.csv"), filepath.Join(dir, longName),
		"--sheet", "*", "--sheet-per-source", "-e", "src = _file", "-o", again, "--workers", "5")
	first, _ := os.ReadFile(out)
	second, _ := os.ReadFile(again)
	if r.code != 0 || !bytes.Equal(first, second) {
		t.Errorf("--workers 5: exit %d, same bytes %v", r.code, bytes.Equal(first, second))
	}
}
