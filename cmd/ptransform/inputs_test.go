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
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// runBinary runs ptransform with args and stdin, and fails the test instead of hanging
// when the run takes longer than limit.
func runBinary(t *testing.T, limit time.Duration, stdin []byte, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
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
	for _, order := range permutations(len(inputs)) {
		args := append([]string{}, flags...)
		want := header + "\n"
		var names []string
		for _, i := range order {
			args = append(args, inputs[i])
			want += single[i]
			names = append(names, filepath.Base(inputs[i]))
		}
		out, stderr, err := runBinary(t, 20*time.Second, stdin, args...)
		if err != nil {
			t.Fatalf("%v: %v: %s", names, err, stderr)
		}
		if out != want {
			t.Fatalf("%v: output differs from the single runs at byte %d", names, firstDiff([]byte(out), []byte(want)))
		}
	}
}
