package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// runBinary runs ptransform with args and stdin, and fails the test instead of hanging
// when the run takes longer than limit.
func runBinary(t *testing.T, limit time.Duration, stdin []byte, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runBinaryOf(t, binary, limit, stdin, args...)
}

// runBinaryOf is runBinary with the binary bin (binary or plainBinary).
func runBinaryOf(t *testing.T, bin string, limit time.Duration, stdin []byte, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin) // a pipe, not a file
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("ptransform %s: still running after %v (hung)", strings.Join(args, " "), limit)
	}
	return out.String(), errb.String(), err
}

// mixedRows are the rows of input k of TestEveryInputOrder: distinct per input, so that
// a misplaced chunk shows.
func mixedRows(k, n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(k*100000 + i), fmt.Sprintf("name %d of input %d", i, k), fmt.Sprint(i % 13)}
	}
	return rows
}

func delimited(rows [][]string, sep string) []byte {
	var b bytes.Buffer
	b.WriteString(strings.Join([]string{"id", "name", "n"}, sep) + "\n")
	for _, r := range rows {
		b.WriteString(strings.Join(r, sep) + "\n")
	}
	return b.Bytes()
}

func writeWorkbook(t *testing.T, path string, rows [][]string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", []any{"id", "name", "n"}); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cells := []any{r[0], r[1], r[2]}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), cells); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var all [][]int
	for _, p := range permutations(n - 1) {
		for i := 0; i <= len(p); i++ {
			q := append(append(append([]int{}, p[:i]...), n-1), p[i:]...)
			all = append(all, q)
		}
	}
	return all
}

// TestEveryInputOrder: CSV, TSV, standard input, gzip CSV and a workbook, each many
// chunks long, in every order, give the concatenation of their single-input runs; a
// workbook before a CSV input once left the CSV's chunks waiting forever for the row
// numbers of the sheet's blocks.
func TestEveryInputOrder(t *testing.T) {
	dir := t.TempDir()
	const rows = 300
	csvPath, tsvPath, gzPath, bookPath := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.tsv"),
		filepath.Join(dir, "c.csv.gz"), filepath.Join(dir, "d.xlsx")
	if err := os.WriteFile(csvPath, delimited(mixedRows(1, rows), ","), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(tsvPath, delimited(mixedRows(2, rows), "\t"), 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(delimited(mixedRows(3, rows), ","))
	zw.Close()
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	writeWorkbook(t, bookPath, mixedRows(4, rows))
	stdin := delimited(mixedRows(5, rows), ",")
	inputs := []string{csvPath, tsvPath, "-", gzPath, bookPath}

	// 1 KiB chunks: every input is more than ten chunks, a sheet's blocks two rows.
	flags := []string{"apply", "--workers", "3", "--chunk-size", "1KiB", "--expr", "r = _row"}
	single := make([]string, len(inputs))
	var header string
	for i, in := range inputs {
		out, stderr, err := runBinary(t, 20*time.Second, stdin, append(flags, in)...)
		if err != nil {
			t.Fatalf("%s alone: %v: %s", in, err, stderr)
		}
		header, single[i], _ = strings.Cut(out, "\n")
		if n := strings.Count(single[i], "\n"); n != rows {
			t.Fatalf("%s alone: %d rows, want %d", in, n, rows)
		}
	}
	for k, order := range permutations(len(inputs)) {
		// Each order checks the ledger's bookkeeping, not data races: one in ten runs
		// under the race detector, which would otherwise make this test minutes long.
		bin := plainBinary
		if k%10 == 0 {
			bin = binary
		}
		args := append([]string{}, flags...)
		want := header + "\n"
		var names []string
		for _, i := range order {
			args = append(args, inputs[i])
			want += single[i]
			names = append(names, filepath.Base(inputs[i]))
		}
		out, stderr, err := runBinaryOf(t, bin, 20*time.Second, stdin, args...)
		if err != nil {
			t.Fatalf("%v: %v: %s", names, err, stderr)
		}
		if out != want {
			t.Fatalf("%v: output differs from the single runs at byte %d", names, firstDiff([]byte(out), []byte(want)))
		}
	}
}

// runWithPipe runs ptransform with a pipe as file descriptor 3, fed with data, and
// args in which /dev/fd/3 names it: what `ptransform apply <(cat in.csv)` does.
func runWithPipe(t *testing.T, data []byte, args ...string) (string, string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.ExtraFiles = []*os.File{r}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	go func() {
		w.Write(data)
		w.Close()
	}()
	err = cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("ptransform %s: hung", strings.Join(args, " "))
	}
	return out.String(), errb.String(), err
}

// Pipes, process substitutions and FIFOs are opened once and lose nothing to the
// sniffing of their content: plain and gzip CSV read as from a file; a workbook in a
// pipe is read from a temporary copy (xlsx_stdin_test.go).
func TestPipesAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	csvData := delimited(mixedRows(1, 2000), ",")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(csvData)
	zw.Close()
	file := filepath.Join(dir, "in.csv")
	os.WriteFile(file, csvData, 0o644)
	want, stderr, err := runBinary(t, 20*time.Second, nil, "apply", file)
	if err != nil {
		t.Fatalf("%v: %s", err, stderr)
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{{"plain", csvData}, {"gzip", gz.Bytes()}} {
		out, stderr, err := runWithPipe(t, tc.data, "apply", "--chunk-size", "4KiB", "/dev/fd/3")
		if err != nil || out != want {
			t.Errorf("%s through /dev/fd/3: %v %s; output differs at byte %d", tc.name, err, stderr, firstDiff([]byte(out), []byte(want)))
		}
		fifo := filepath.Join(dir, tc.name+".fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		go func() {
			f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
			if err != nil {
				return
			}
			f.Write(tc.data)
			f.Close()
		}()
		out, stderr, err = runBinary(t, 20*time.Second, nil, "apply", "--chunk-size", "4KiB", fifo)
		if err != nil || out != want {
			t.Errorf("%s through a FIFO: %v %s; output differs at byte %d", tc.name, err, stderr, firstDiff([]byte(out), []byte(want)))
		}
	}

}

// Thousands of inputs are read with few files open at once: 5,000 under a limit of
// 256 open files, as many as a cron job's glob may give.
func TestManyInputsFewOpenFiles(t *testing.T) {
	dir := t.TempDir()
	const n = 5000
	bookRows := mixedRows(99999, 2)
	writeWorkbook(t, filepath.Join(dir, "book.xlsx"), bookRows)
	book, err := os.ReadFile(filepath.Join(dir, "book.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	want.WriteString("id,name,n\n")
	args := []string{"-c", `ulimit -n 256 && exec "$0" "$@"`, binary, "apply"}
	for i := range n {
		rows := mixedRows(i, 2)
		path := filepath.Join(dir, fmt.Sprintf("f%04d.csv", i))
		data := delimited(rows, ",")
		switch {
		case i%20 == 5: // some workbooks
			data, path, rows = book, path+".xlsx", bookRows
		case i%10 == 0: // some compressed: their headers are read through a decompressor
			var gz bytes.Buffer
			zw := gzip.NewWriter(&gz)
			zw.Write(data)
			zw.Close()
			data, path = gz.Bytes(), path+".gz"
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
		for _, r := range rows {
			want.WriteString(strings.Join(r, ",") + "\n")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	if out.String() != want.String() {
		t.Fatalf("output differs from the inputs at byte %d", firstDiff(out.Bytes(), []byte(want.String())))
	}
}
