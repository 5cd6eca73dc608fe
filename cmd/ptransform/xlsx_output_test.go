package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// TestXLSXOutputRoundTrip: CSV written as an xlsx report reads back, through our reader
// and through excelize, with the same values and with cells typed by the output schema;
// the same bytes for any number of workers at a given chunk size, the same cells for
// any chunk size.
func TestXLSXOutputRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var in bytes.Buffer
	in.WriteString("id,name,price,when,day,flag,code\n")
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&in, "%d,\"n%d, \"\"q\"\"\",%d.25,2024-03-%02dT10:%02d:00,2024-01-%02d,%v,=SUM(A%d)\n",
			i, i, i%100, i%28+1, i%60, i%28+1, i%2 == 0, i)
	}
	csvPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csvPath, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var firstBytes []byte
	var firstCSV string
	for k, variant := range [][]string{
		{"--workers", "1", "--chunk-size", "4KiB"},
		{"--workers", "3", "--chunk-size", "4KiB"},
		{"--workers", "2", "--chunk-size", "64MiB"},
	} {
		out := filepath.Join(dir, fmt.Sprintf("out%d.xlsx", k))
		if r := runPtransform(t, nil, append([]string{"apply", csvPath, "-e", "total = price * 2", "-o", out}, variant...)...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", variant, r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		back := runPtransform(t, nil, "apply", out)
		if back.code != 0 {
			t.Fatalf("%v: reading back: %s", variant, back.stderr)
		}
		switch k {
		case 0:
			firstBytes, firstCSV = b, back.stdout
		case 1:
			if !bytes.Equal(b, firstBytes) {
				t.Errorf("%v: bytes differ from --workers 1 at the same chunk size", variant)
			}
		}
		if back.stdout != firstCSV {
			t.Errorf("%v: cells differ from the first run", variant)
		}
	}
	lines := strings.Split(firstCSV, "\n")
	if lines[0] != "id,name,price,when,day,flag,code,total" || lines[1] != `1,"n1, ""q""",1.25,2024-03-02T10:01:00,2024-01-02,false,=SUM(A1),2.5` {
		t.Errorf("read back %q / %q", lines[0], lines[1])
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "out0.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeUnset, "B2": excelize.CellTypeInlineString, "C2": excelize.CellTypeUnset,
		"F2": excelize.CellTypeBool, "G2": excelize.CellTypeInlineString, "H2": excelize.CellTypeUnset,
	} {
		if got, err := f.GetCellType(sheet, cell); err != nil || got != want {
			t.Errorf("%s: cell type %v (%v), want %v", cell, got, err, want)
		}
	}
	if formula, _ := f.GetCellFormula(sheet, "G2"); formula != "" {
		t.Errorf("G2 became the formula %q", formula)
	}
	if rows, err := f.GetRows(sheet); err != nil || len(rows) != 3001 {
		t.Errorf("excelize reads %d rows (%v), want 3001", len(rows), err)
	}
}

// TestXLSXOutputCellTooLong: text longer than an Excel cell holds fails the run naming
// the input line and column, and leaves no file.
func TestXLSXOutputCellTooLong(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("a,b\n1,short\n2,"+strings.Repeat("x", 32768)+"\n"), 0o644)
	out := filepath.Join(dir, "out.xlsx")
	r := runPtransform(t, nil, "apply", in, "-o", out)
	if r.code != 1 || !strings.Contains(r.stderr, `in.csv: line 3, column "b": text of 32768 characters`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed run left its output")
	}
}
