package xlsxout

import (
	"bytes"
	"encoding/json"
	"github.com/ptransform/ptransform/internal/schema"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestExcelize(t *testing.T) {
	rows, _ := typedData()
	data, _, err := writeBook(t, []sheetData{{"Typed", typedSchema, rows}}, 3, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := f.GetRows("Typed")
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"id", "amount", "ok", "day", "at", "clock", "spent", "name"},
		{"1", "2.5", "TRUE", "2024-03-01", "2024-03-01 13:45:00", "13:45:00", "36:15:00", "plain"},
		{"-42", "-0.125", "FALSE", "1900-02-28", "1900-01-01 00:00:00", "00:00:00", "0:00:00", "=cmd|' /C calc'!A0"},
		{"1234567890123456789", "1234.5678", "", "1900-03-01", "9999-12-31 23:59:59", "23:59:59", "0:00:25", "+33 1 23"},
		{"", "", "", "", "", "", "", "-1"},
		{"999999999999999", "1E+300", "TRUE", "1899-12-31", "1899-12-31T12:00:00", "", "", "@sum"},
		{"0"},
		{"", "#NUM!", "", "", "", "", "", "a\x01b _x0041_ c\r\nd <&> \uFFFE é 😀"},
		{"", "", "", "", "", "", "", "  spaced  "},
	}
	if len(got) != len(want) {
		t.Fatalf("rows %q", got)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d:\n got %q\nwant %q", i+1, got[i], want[i])
		}
	}
	for cell, want := range map[string]excelize.CellType{
		"A1": excelize.CellTypeInlineString, "A2": excelize.CellTypeUnset /* a number */, "C2": excelize.CellTypeBool,
		"H3": excelize.CellTypeInlineString, "H6": excelize.CellTypeInlineString, "A4": excelize.CellTypeInlineString, "B8": excelize.CellTypeError,
	} {
		if ct, err := f.GetCellType("Typed", cell); err != nil || ct != want {
			t.Errorf("%s: type %v (%v), want %v", cell, ct, err, want)
		}
	}
	for _, cell := range []string{"H3", "H4", "H5", "H6"} {
		if fo, err := f.GetCellFormula("Typed", cell); err != nil || fo != "" {
			t.Errorf("%s: formula %q (%v)", cell, fo, err)
		}
	}
	if panes, err := f.GetPanes("Typed"); err != nil || !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v (%v), want frozen below row 1", panes, err)
	}
}

func TestOpenpyxl(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("openpyxl not installed (apt-get install python3-openpyxl): %v", err)
	}
	rows, _ := typedData()
	data, _, err := writeBook(t, []sheetData{{"Typed", typedSchema, rows}, {"Second: a/b", typedSchema, rows[:1]}}, 3, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(python, "testdata/openpyxl_dump.py", saveBook(t, data)).Output()
	if err != nil {
		t.Fatalf("openpyxl: %v %s", err, out)
	}
	var sheets []struct {
		Name, Freeze, Filter, Extent string
		HeaderBold                   []bool `json:"header_bold"`
		Widths                       map[string]float64
		Rows                         [][]*[3]string
	}
	if err := json.Unmarshal(out, &sheets); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(sheets) != 2 || sheets[0].Name != "Typed" || sheets[1].Name != "Second_ a_b" {
		t.Fatalf("sheets %s", out)
	}
	if sheets[0].Extent != "A1:H9" || sheets[1].Extent != "A1:H2" {
		t.Errorf("read-only extents %q and %q, want A1:H9 and A1:H2", sheets[0].Extent, sheets[1].Extent)
	}
	s := sheets[0]
	if s.Freeze != "A2" || s.Filter != "A1:H9" || slices.Contains(s.HeaderBold, false) || len(s.HeaderBold) != 8 {
		t.Errorf("layout: freeze %q, filter %q, bold header %v", s.Freeze, s.Filter, s.HeaderBold)
	}
	if s.Widths["A"] != 20 || s.Widths["C"] != 8 || s.Widths["E"] != 20 {
		t.Errorf("widths %v, want A 20 (19 digits), C 8 (at least), E 20 (a datetime)", s.Widths)
	}
	// openpyxl leaves _xHHHH_ escapes of inline strings as they are.
	want := []string{
		"str:id s|str:amount s|str:ok s|str:day s|str:at s|str:clock s|str:spent s|str:name s",
		"int:1 n|float:2.5 n|bool:True b|datetime:2024-03-01 00:00:00 d|datetime:2024-03-01 13:45:00 d|time:13:45:00 d|timedelta:1 day, 12:15:00 d|str:plain s",
		"int:-42 n|float:-0.125 n|bool:False b|datetime:1900-02-28 00:00:00 d|datetime:1900-01-01 00:00:00 d|time:00:00:00 d|timedelta:0:00:00 d|str:=cmd|' /C calc'!A0 s",
		"str:1234567890123456789 s|float:1234.5678 n|-|datetime:1900-03-01 00:00:00 d|datetime:9999-12-31 23:59:59 d|time:23:59:59 d|timedelta:0:00:25 d|str:+33 1 23 s",
		"-|-|-|-|-|-|-|str:-1 s",
		"int:999999999999999 n|float:1e+300 n|bool:True b|str:1899-12-31 s|str:1899-12-31T12:00:00 s|-|-|str:@sum s",
		"int:0 n|-|-|-|-|-|-|-",
		"-|str:#NUM! e|-|-|-|-|-|str:a_x0001_b _x005F_x0041_ c_x000D_\nd <&> _xFFFE_ é 😀 s",
		"-|-|-|-|-|-|-|str:  spaced   s",
	}
	if len(s.Rows) != len(want) {
		t.Fatalf("%d rows, want %d: %s", len(s.Rows), len(want), out)
	}
	for i, row := range s.Rows {
		var cells []string
		for _, c := range row {
			if c == nil {
				cells = append(cells, "-")
			} else {
				cells = append(cells, c[0]+":"+c[1]+" "+c[2])
			}
		}
		if got := strings.Join(cells, "|"); got != want[i] {
			t.Errorf("row %d:\n got %s\nwant %s", i+1, got, want[i])
		}
	}
}

func TestLibreOffice(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice takes seconds to start")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice not installed (apt-get install libreoffice-calc-nogui)")
	}
	// Every sheet to its own CSV (LibreOffice 7.2+): the typed sheet continues past a
	// lowered row limit, and a second sheet follows.
	rows, _ := typedData()
	data, _, err := writeBook(t, []sheetData{{"Typed", typedSchema, rows}, {"Second: a/b", typedSchema, rows[:1]}}, 3, 2,
		func(w *Writer) { w.maxRows = 6 })
	if err != nil {
		t.Fatal(err)
	}
	path := saveBook(t, data)
	dir := filepath.Dir(path)
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,true,false,false,-1", "--outdir", dir, path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	var got []byte
	for i, name := range []string{"Typed", "Typed (2)", "Second_ a_b"} {
		csv, err := os.ReadFile(filepath.Join(dir, "out-"+name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		header, body, _ := bytes.Cut(csv, []byte("\n"))
		if string(header) != `"id","amount","ok","day","at","clock","spent","name"` {
			t.Errorf("sheet %s: header %s", name, header)
		}
		if i == 0 {
			got = append(got, header...)
			got = append(got, '\n')
		}
		if i < 2 {
			got = append(got, body...)
		} else if want := "1,2.5,TRUE,2024-03-01,2024-03-01 13:45:00,13:45:00,36:15:00,\"plain\"\n"; string(body) != want {
			t.Errorf("sheet %s: %q, want %q", name, body, want)
		}
	}
	// Text is quoted, numbers, booleans and dates are not: the quotes show the types.
	// LibreOffice counts serials below 61 from 1899-12-31, without Excel's 29th of
	// February 1900: Excel shows 1900-02-28 and 1900-01-01 there.
	want := `"id","amount","ok","day","at","clock","spent","name"
1,2.5,TRUE,2024-03-01,2024-03-01 13:45:00,13:45:00,36:15:00,"plain"
-42,-0.125,FALSE,1900-02-27,1899-12-31 00:00:00,0:00:00,0:00:00,"=cmd|' /C calc'!A0"
"1234567890123456789",1234.5678,,1900-03-01,9999-12-31 23:59:59,23:59:59,0:00:25,"+33 1 23"
,,,,,,,"-1"
999999999999999,1E+300,TRUE,"1899-12-31","1899-12-31T12:00:00",,,"@sum"
0,,,,,,,
,"#NUM!",,,,,,"a` + "\x01" + `b _x0041_ c
d <&> ` + "\uFFFE" + ` é 😀"
,,,,,,,"  spaced  "
`
	if string(got) != want {
		t.Errorf("LibreOffice reads\n%s\nwant\n%s", got, want)
	}
}

// Zip64 fields, which only parts over 4 GiB need, written for every entry: readers
// take them.
func TestZip64(t *testing.T) {
	rows, want := typedData()
	data, _, err := writeBook(t, []sheetData{{"Typed", typedSchema, rows}}, 3, 2, func(w *Writer) { w.zip.zip64 = true })
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("PK\x06\x06")) || !bytes.Contains(data, []byte("PK\x06\x07")) {
		t.Fatal("no Zip64 end of central directory")
	}
	entries(t, data) // archive/zip checks CRCs and sizes
	path := saveBook(t, data)
	if _, sheets := readOwn(t, path); len(sheets["Typed"]) != len(want) {
		t.Errorf("our reader: %q", sheets)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	defer f.Close()
	if got, err := f.GetRows("Typed"); err != nil || len(got) != len(want) {
		t.Errorf("excelize: %q %v", got, err)
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run(); err != nil {
		t.Skipf("openpyxl not installed: %v", err)
	}
	script := `import sys, zipfile, openpyxl
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
ws = openpyxl.load_workbook(sys.argv[1])["Typed"]
print(ws.max_row, ws["A2"].value)`
	out, err := exec.Command("/usr/bin/python3", "-c", script, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "9 1" {
		t.Errorf("python zipfile and openpyxl: %v %s", err, out)
	}
}

// Random text made of the characters escaping cares about reads back unchanged
// through our reader and excelize.
func TestTextRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	alphabet := []string{"a", "_", "x", "0", "4", "1", "F", "_x0041_", "_x00", "\x01", "\x1f", "\t", "\n", "\r", "\r\n", " ", "<", "&", ">", "\"", "'", "é", "😀", "\uFFFE", "\uFFFF", "\u2028"}
	sch := schema.Schema{{Name: "text", Type: schema.String}}
	var rows [][]any
	var want []string
	for range 500 {
		var b strings.Builder
		for range rng.IntN(12) + 1 {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		rows = append(rows, []any{b.String()})
		want = append(want, b.String())
	}
	data, _, err := writeBook(t, []sheetData{{"T", sch, rows}}, 50, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, own := readOwn(t, saveBook(t, data))
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex, err := f.GetRows("T")
	if err != nil || len(ex) != len(want)+1 || len(own["T"]) != len(want)+1 {
		t.Fatalf("excelize %d rows (%v), ours %d, want %d", len(ex), err, len(own["T"]), len(want)+1)
	}
	for i, w := range want {
		if got := own["T"][i+1][0]; got != w {
			t.Errorf("our reader, row %d: %q, want %q", i+1, got, w)
		}
		if got := ex[i+1]; len(got) != 1 || got[0] != w {
			t.Errorf("excelize, row %d: %q, want %q", i+1, got, w)
		}
	}
}
