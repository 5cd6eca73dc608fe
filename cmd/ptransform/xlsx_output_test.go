package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	// Every cell reads back as it was written: each input line, and its total.
	var want strings.Builder
	for k, line := range strings.Split(strings.TrimSuffix(in.String(), "\n"), "\n") {
		total := "total"
		if k > 0 {
			total = strconv.FormatFloat(float64(k%100)*2+0.5, 'f', -1, 64)
		}
		fmt.Fprintf(&want, "%s,%s\n", line, total)
	}
	if firstCSV != want.String() {
		got, wanted := strings.Split(firstCSV, "\n"), strings.Split(want.String(), "\n")
		for i := range min(len(got), len(wanted)) {
			if got[i] != wanted[i] {
				t.Fatalf("read back line %d %q, want %q (%d and %d lines)", i+1, got[i], wanted[i], len(got), len(wanted))
			}
		}
		t.Fatalf("read back %d lines, want %d", len(got), len(wanted))
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

// TestXLSXReportReadByOpenpyxlAndLibreOffice: a report written by the command, read by
// the readers users open it with. openpyxl sees the sheet named by --sheet-name (and by
// the first source sheet's name without it), the bold frozen header with its
// autofilter, and every cell with its type (integers of more than 15 digits as text);
// LibreOffice shows the same values.
func TestXLSXReportReadByOpenpyxlAndLibreOffice(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("openpyxl not installed (apt-get install python3-openpyxl): %v", err)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "sales.csv")
	os.WriteFile(in, []byte("region,day,at,qty,price,paid,note\n"+
		"east,2024-03-01,2024-03-01 13:45:00,3,2.5,true,=1+1\n"+
		"west,2024-02-29,2024-02-29T23:59:59,-7,0.125,false,\"a, \"\"b\"\"\"\n"+
		"east,,,9007199254740993,,,\n"), 0o644)
	out := filepath.Join(dir, "report.xlsx")
	if r := runPtransform(t, nil, "apply", in, "-e", "total = int(qty) * 2", "--sheet-name", "Q1: a/b", "-o", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	dump := `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
print("sheets", wb.sheetnames)
ws = wb.active
print("freeze", ws.freeze_panes, "filter", ws.auto_filter.ref, "bold", all(c.font.b for c in ws[1]))
for row in ws.iter_rows():
    print("|".join("%s:%r" % (type(c.value).__name__, c.value) for c in row if c.value is not None))
`
	got, err := exec.Command(python, "-c", dump, out).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl: %v %s", err, got)
	}
	want := strings.Join([]string{
		"sheets ['Q1_ a_b']",
		"freeze A2 filter A1:H4 bold True",
		"str:'region'|str:'day'|str:'at'|str:'qty'|str:'price'|str:'paid'|str:'note'|str:'total'",
		"str:'east'|datetime:datetime.datetime(2024, 3, 1, 0, 0)|datetime:datetime.datetime(2024, 3, 1, 13, 45)|int:3|float:2.5|bool:True|str:'=1+1'|int:6",
		`str:'west'|datetime:datetime.datetime(2024, 2, 29, 0, 0)|datetime:datetime.datetime(2024, 2, 29, 23, 59, 59)|int:-7|float:0.125|bool:False|str:'a, "b"'|int:-14`,
		// Integers of more than 15 digits, which Excel would round, are text.
		"str:'east'|str:'9007199254740993'|str:'18014398509481986'",
	}, "\n") + "\n"
	if string(got) != want {
		t.Errorf("openpyxl reads:\n%s\nwant:\n%s", got, want)
	}

	// Without --sheet-name, the sheet of a CSV source is Sheet1.
	plain := filepath.Join(dir, "plain.xlsx")
	if r := runPtransform(t, nil, "apply", in, "-o", plain); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if names, err := exec.Command(python, "-c", "import sys, openpyxl; print(openpyxl.load_workbook(sys.argv[1]).sheetnames)", plain).CombinedOutput(); err != nil || string(names) != "['Sheet1']\n" {
		t.Errorf("sheets of a CSV source's report: %s (%v), want ['Sheet1']", names, err)
	}

	if testing.Short() {
		return
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
	}
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true,false,false", "--outdir", dir, out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	csv, err := os.ReadFile(filepath.Join(dir, "report.csv"))
	if err != nil {
		t.Fatal(err)
	}
	wantCSV := `"region","day","at","qty","price","paid","note","total"` + "\n" +
		`"east",2024-03-01,2024-03-01 13:45:00,3,2.5,TRUE,"=1+1",6` + "\n" +
		`"west",2024-02-29,2024-02-29 23:59:59,-7,0.125,FALSE,"a, ""b""",-14` + "\n" +
		`"east",,,"9007199254740993",,,,"18014398509481986"` + "\n"
	if string(csv) != wantCSV {
		t.Errorf("LibreOffice shows:\n%s\nwant:\n%s", csv, wantCSV)
	}
}
