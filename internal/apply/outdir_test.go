package apply

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/output"
)

func TestSafeFileName(t *testing.T) {
	long := strings.Repeat("é", 200) // 400 bytes
	for _, c := range []struct{ in, want string }{
		{"sales.csv", "sales.csv"},
		{"a/b\\c.csv", "a_b_c.csv"},
		{"tab\there\x7f\u0085.csv", "tab_here__.csv"},
		{".hidden.csv", "_hidden.csv"},
		{"..", "__"},
		{"", "_"},
		{"bad\xffbyte\uFFFD.csv", "bad_byte\uFFFD.csv"},
		{"Q1: sales (draft).csv", "Q1: sales (draft).csv"},
	} {
		if got := safeFileName(c.in); got != c.want {
			t.Errorf("safeFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := safeFileName(long + ".parquet")
	if len(got) > maxOutNameBytes || !strings.HasSuffix(got, "é.parquet") {
		t.Errorf("a long name became %q (%d bytes)", got, len(got))
	}
}

func TestUniqueNames(t *testing.T) {
	got := uniqueNames([]string{"Jan.csv", "jan.csv", "Jan-2.csv", "Feb.csv", "JAN.csv", "noext", "noext"})
	want := []string{"Jan.csv", "jan-2.csv", "Jan-2-2.csv", "Feb.csv", "JAN-3.csv", "noext", "noext-2"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("uniqueNames = %q, want %q", got, want)
	}
}

func TestInputStem(t *testing.T) {
	for in, want := range map[string]string{
		"dir/sales.csv": "sales", "sales.csv.gz": "sales", "book.XLSX": "book", "-": "stdin",
		"noext": "noext", ".profile": ".profile", "a.b.csv.ZST": "a.b",
	} {
		if got := inputStem(in); got != want {
			t.Errorf("inputStem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOutName(t *testing.T) {
	for _, c := range []struct {
		pattern  string
		perSheet bool
		err      string
	}{
		{"{stem}.{ext}", false, ""},
		{"{index}-{stem}-{sheet}.parquet", true, ""},
		{"out/{stem}.csv", false, "without a directory"},
		{"{name}.csv", false, "unknown placeholder {name}"},
		{"{stem}{.csv", false, ""},
	} {
		perSheet, err := checkOutName(c.pattern)
		if c.err == "" && (err != nil || perSheet != c.perSheet) || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("checkOutName(%q) = %v, %v", c.pattern, perSheet, err)
		}
	}
	got := outFileName("{index}-{stem}-{sheet}.{ext}", outNameValues{stem: "book", sheet: "../Q1", index: 3, ext: "csv"})
	if got != "3-book-.._Q1.csv" {
		t.Errorf("outFileName = %q", got)
	}
}

func TestOutputFormat(t *testing.T) {
	for _, c := range []struct {
		o    Options
		want string // format name, or part of the error
	}{
		{Options{OutDir: "d"}, "csv"},
		{Options{OutDir: "d", To: "jsonl"}, "jsonl"},
		{Options{OutDir: "d", OutName: "{stem}-{sheet}.parquet"}, "parquet"},
		{Options{OutDir: "d", OutName: "{stem}.parquet", To: "csv"}, "csv"},
		{Options{OutDir: "d", OutName: "{stem}.pdf"}, "cannot tell the output format"},
		{Options{OutDir: "d", Output: "x.csv"}, "cannot be used together"},
		{Options{OutName: "{stem}.csv"}, "give --out-dir"},
		{Options{Overwrite: true, Output: "x.csv"}, "--overwrite is for --out-dir"},
		{Options{SheetPerSource: true, Output: "x.csv"}, "the output is csv"},
		{Options{SheetPerSource: true, Output: "x.xlsx", SheetName: "S"}, "each sheet is named after its source"},
		{Options{SheetPerSource: true, OutDir: "d", To: "xlsx"}, "xlsx"},
	} {
		f, err := outputFormat(c.o)
		got := f.Name
		if err != nil {
			got = err.Error()
		}
		if !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q, want %q", c.o, got, c.want)
		}
	}
}

// TestCommitTargetsFailing: when putting an output in place fails, those before it stay,
// the others are removed, and the error says which.
func TestCommitTargetsFailing(t *testing.T) {
	base := t.TempDir()
	var targets []*runTarget
	for _, d := range []string{"one", "two", "three"} {
		dir := filepath.Join(base, d)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		dst, err := output.Create(context.Background(), filepath.Join(dir, "out.csv"), nil)
		if err != nil {
			t.Fatal(err)
		}
		dst.Write([]byte(d + "\n"))
		targets = append(targets, &runTarget{path: filepath.Join(dir, "out.csv"), dst: dst})
	}
	// The second output's directory goes away before the commit.
	if err := os.RemoveAll(filepath.Join(base, "two")); err != nil {
		t.Fatal(err)
	}
	err := commitTargets(targets)
	if err == nil || !strings.Contains(err.Error(), "putting output 2 of 3 in place") || !strings.Contains(err.Error(), "output 1 is in place, the others were removed") {
		t.Fatalf("error %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(base, "one", "out.csv")); string(b) != "one\n" {
		t.Errorf("the first output: %q", b)
	}
	if entries, _ := os.ReadDir(filepath.Join(base, "three")); len(entries) != 0 {
		t.Errorf("the third output's directory holds %v", entries)
	}
}
