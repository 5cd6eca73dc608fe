package xlsxfmt

import (
	"archive/zip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// book describes a workbook to build for a test: sheet XML bodies (inside
// <sheetData>), shared strings and number formats.
type book struct {
	sheets   []string // sheetData contents, one per sheet
	names    []string // sheet names (default Sheet1...)
	strings  []string // <si> contents
	formats  []string // custom formats; cell style i+1 uses formats[i] (style 0 is General)
	builtin  []int    // further styles with built-in format ids, after the custom ones
	date1904 bool
	fullCalc bool              // <calcPr fullCalcOnLoad="1"/>, as xlsxwriter writes it
	raw      map[string]string // extra or replacement parts
}

func (bk book) write(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	parts := map[string]string{
		"[Content_Types].xml": `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
	}
	var sheets, rels strings.Builder
	for i, body := range bk.sheets {
		name := "Sheet" + string(rune('1'+i))
		if i < len(bk.names) {
			name = bk.names[i]
		}
		id := string(rune('1' + i))
		sheets.WriteString(`<sheet name="` + name + `" sheetId="` + id + `" r:id="rId` + id + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + id + `" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet` + id + `.xml"/>`)
		parts["xl/worksheets/sheet"+id+".xml"] = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + body + `</sheetData></worksheet>`
	}
	rels.WriteString(`<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
	rels.WriteString(`<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`)
	pr := ""
	if bk.date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	calc := ""
	if bk.fullCalc {
		calc = `<calcPr calcId="124519" fullCalcOnLoad="1"/>`
	}
	parts["xl/workbook.xml"] = `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
		pr + `<sheets>` + sheets.String() + `</sheets>` + calc + `</workbook>`
	parts["xl/_rels/workbook.xml.rels"] = `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` + rels.String() + `</Relationships>`
	var sst strings.Builder
	for _, s := range bk.strings {
		sst.WriteString("<si>" + s + "</si>")
	}
	parts["xl/sharedStrings.xml"] = `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + sst.String() + `</sst>`
	var nf, xf strings.Builder
	xf.WriteString(`<xf numFmtId="0"/>`)
	for i, code := range bk.formats {
		id := 164 + i
		nf.WriteString(`<numFmt numFmtId="` + itoa(id) + `" formatCode="` + xmlEscape(code) + `"/>`)
		xf.WriteString(`<xf numFmtId="` + itoa(id) + `"/>`)
	}
	for _, id := range bk.builtin {
		xf.WriteString(`<xf numFmtId="` + itoa(id) + `"/>`)
	}
	parts["xl/styles.xml"] = `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts>` + nf.String() +
		`</numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs>` + xf.String() + `</cellXfs></styleSheet>`
	for k, v := range bk.raw {
		parts[k] = v
	}
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func itoa(n int) string { return string(appendInt(nil, int64(n), 1)) }

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// read opens the workbook and reads its first selected sheet with every block size
// in sizes (all must agree), returning header and rows ("\x00" = null).
func read(t *testing.T, path string, opts Options) (*Sheet, [][]string) {
	t.Helper()
	b, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { b.Close() }) // the sheet returned reads the book's file
	sheets, err := b.Selected()
	if err != nil {
		t.Fatalf("Selected: %v", err)
	}
	var ref [][]string
	for _, n := range []int{1, 2, 5, 100000} {
		rows, _ := sheetRows(t, sheets[0], n)
		if ref == nil {
			ref = rows
		} else if strings.Join(flatten(rows), "|") != strings.Join(flatten(ref), "|") || len(rows) != len(ref) {
			t.Fatalf("block size %d gives different rows: %q vs %q", n, rows, ref)
		}
	}
	return sheets[0], ref
}

func TestSynthValues(t *testing.T) {
	bk := book{
		strings: []string{`<t>name</t>`, `<t xml:space="preserve"> pad </t>`, `<r><rPr><b/></rPr><t>ri</t></r><r><t>ch</t></r><rPh><t>ignored</t></rPh>`, `<t/>`, `<t>a_x005F_x000D_b</t>`},
		formats: []string{`dd/mm/yyyy`, `[$-409]mmmm d, yyyy h:mm AM/PM`, `[h]:mm:ss`, `hh:mm:ss.000`, `"Week "0`, `[Red]0.00;[Blue]-0.00`, `yyyy-mm-dd hh:mm:ss`},
		builtin: []int{14, 22, 46, 18},
		sheets: []string{`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>v</t></is></c></row>` +
			`<row r="2"><c r="A2" s="1"><v>45352</v></c><c r="B2"><v>0.30000000000000004</v></c></row>` +
			`<row r="3"><c r="A3" s="2"><v>45352.5729166667</v></c><c r="B3"><v>1E+22</v></c></row>` +
			`<row r="4"><c r="A4" s="3"><v>1.5104166666666667</v></c><c r="B4"><v>-0</v></c></row>` +
			`<row r="5"><c r="A5" s="4"><v>0.5729166666666666</v></c><c r="B5"><v>123.450</v></c></row>` +
			`<row r="6"><c r="A6" s="5"><v>12</v></c><c r="B6" s="6"><v>-3.5</v></c></row>` +
			`<row r="7"><c r="A7" s="8"><v>45352</v></c><c r="B7" s="9"><v>45352.25</v></c></row>` +
			`<row r="8"><c r="A8" s="10"><v>1.25</v></c><c r="B8" s="11"><v>0.75</v></c></row>` +
			`<row r="9"><c r="A9" t="b"><v>1</v></c><c r="B9" t="b"><v>0</v></c></row>` +
			`<row r="10"><c r="A10" t="e"><v>#DIV/0!</v></c><c r="B10" t="str"><f>A1&amp;"x"</f><v>a&amp;b</v></c></row>` +
			`<row r="11"><c r="A11"><f>SUM(1)</f></c><c r="B11" t="s"><v>1</v></c></row>` +
			`<row r="12"><c r="A12" t="s"><v>2</v></c><c r="B12" t="s"><v>3</v></c></row>` +
			`<row r="13"><c r="A13" t="s"><v>4</v></c><c r="B13" t="d" s="7"><v>2024-03-01T13:45:00.600</v></c></row>` +
			`<row r="14"><c r="A14" s="1"><v>-1</v></c><c r="B14"><v>0.000001</v></c></row>` +
			`<row r="15"><c r="A15" t="inlineStr"><is><t><![CDATA[<x> & y]]></t></is></c><c r="B15"><v>1e-7</v></c></row>`},
	}
	s, rows := read(t, bk.write(t), Options{})
	if strings.Join(s.Header, ",") != "name,v" || s.HeaderRow != 1 {
		t.Fatalf("header %q row %d", s.Header, s.HeaderRow)
	}
	want := [][]string{
		{"2024-03-01", "0.3"},
		{"2024-03-01T13:45:00", "1e+22"},
		{"36:15:00", "0"},
		{"13:45:00.000", "123.45"},
		{"12", "-3.5"},
		{"2024-03-01", "2024-03-01T06:00:00"},
		{"30:00:00", "18:00:00"},
		{"true", "false"},
		{"#DIV/0!", "a&b"},
		{"\x00", " pad "},
		{"rich", "\x00"},
		{"a_x000D_b", "2024-03-01T13:45:01"},
		{"-1", "0.000001"},
		{"<x> & y", "1e-07"},
	}
	if strings.Join(flatten(rows), "|") != strings.Join(flatten(want), "|") {
		for i := range max(len(rows), len(want)) {
			if i < len(rows) && i < len(want) && strings.Join(rows[i], "|") == strings.Join(want[i], "|") {
				continue
			}
			t.Errorf("row %d:\n got %q\nwant %q", i+2, get(rows, i), get(want, i))
		}
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "first: A11") {
		t.Errorf("warnings %q", w)
	}
}

func get(rows [][]string, i int) []string {
	if i < len(rows) {
		return rows[i]
	}
	return nil
}

func TestSynth1904(t *testing.T) {
	bk := book{date1904: true, builtin: []int{14, 46}, sheets: []string{
		`<row><c><v>0</v></c></row><row><c s="1"><v>0</v></c><c s="2"><v>1.5</v></c></row><row><c s="1"><v>42735</v></c></row>`}}
	_, rows := read(t, bk.write(t), Options{NoHeader: true})
	want := "0|\x00|1904-01-01|36:00:00|2021-01-01|\x00"
	if got := strings.Join(flatten(rows), "|"); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestSynthShape(t *testing.T) {
	body := `<row r="2"><c r="B2" t="inlineStr"><is><t>id</t></is></c><c r="D2" t="inlineStr"><is><t>id</t></is></c><c r="E2" t="inlineStr"><is><t>x</t></is></c></row>` +
		`<row r="3" s="1" customFormat="1"/>` + // styled, empty
		`<row r="4"><c r="B4"><v>1</v></c><c r="C4" s="0"/><c r="E4"><v>2</v></c></row>` +
		`<row r="7"><c r="C7"><v>3</v></c><c r="G7"><v>9</v></c></row>` +
		`<row r="8"><c r="B8" s="1"/></row>` +
		`<row r="9"><c r="XFD9" s="1"/></row>` // trailing rows without values
	path := book{sheets: []string{body}}.write(t)
	for _, tc := range []struct {
		name   string
		opts   Options
		header string
		rows   string
		lines  string
	}{
		{"default header", Options{}, "A,id,C,id_2,x", "\x00,\x00,\x00,\x00,\x00|\x00,1,\x00,\x00,2|\x00,\x00,\x00,\x00,\x00|\x00,\x00,\x00,\x00,\x00|\x00,\x00,3,\x00,\x00", "3,4,5,6,7"},
		{"no header", Options{NoHeader: true}, "A,B,C,D,E,F,G", "", "1,2,3,4,5,6,7"},
		{"header row 4", Options{HeaderRow: 4}, "A,1,C,D,2", "\x00,\x00,\x00,\x00,\x00|\x00,\x00,\x00,\x00,\x00|\x00,\x00,3,\x00,\x00", "5,6,7"},
		{"range", Options{Range: "C2:E7"}, "C,id,x", "\x00,\x00,\x00|\x00,\x00,2|\x00,\x00,\x00|\x00,\x00,\x00|3,\x00,\x00", "3,4,5,6,7"},
		{"range no header", Options{Range: "C4:D8", NoHeader: true}, "C,D", "\x00,\x00|\x00,\x00|\x00,\x00|3,\x00", "4,5,6,7"},
		{"columns only", Options{Range: "E:G"}, "x,F,G", "\x00,\x00,\x00|2,\x00,\x00|\x00,\x00,\x00|\x00,\x00,\x00|\x00,\x00,9", "3,4,5,6,7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, rows := read(t, path, tc.opts)
			if got := strings.Join(s.Header, ","); got != tc.header {
				t.Errorf("header %q, want %q", got, tc.header)
			}
			var rs []string
			for _, r := range rows {
				rs = append(rs, strings.Join(r, ","))
			}
			if tc.rows != "" && strings.Join(rs, "|") != tc.rows {
				t.Errorf("rows %q, want %q", strings.Join(rs, "|"), tc.rows)
			}
			_, lines := sheetRows(t, s, 1)
			var ls []string
			for _, l := range lines {
				ls = append(ls, itoa(int(l)))
			}
			if strings.Join(ls, ",") != tc.lines {
				t.Errorf("lines %s, want %s", strings.Join(ls, ","), tc.lines)
			}
		})
	}
	s, _ := read(t, path, Options{})
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "right of the last header column E are dropped (first: G7)") {
		t.Errorf("warnings %q", w)
	}
}

// A stray far-right cell or a huge claimed dimension must not cost memory or time:
// rows are sparse, nothing is sized by the dimension. (The header row here is row 1
// and its width decides the columns.)
func TestSynthStrayCell(t *testing.T) {
	bk := book{raw: map[string]string{}, sheets: []string{
		`<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row><row r="5"><c r="XFD5"><v>7</v></c></row><row r="1048576"><c r="A1048576"><v>8</v></c></row>`}}
	path := bk.write(t)
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sheets, _ := b.Selected()
	s := sheets[0]
	var blocks, rows int
	d := s.NewDecoder()
	err = s.Split(context.Background(), 1000, func(block []byte) error {
		blocks++
		c, err := d.DecodeBlock(block)
		if err != nil {
			return err
		}
		rows += c.NumRows()
		if c.Batch.NumCols() != 2 {
			t.Errorf("%d columns", c.Batch.NumCols())
		}
		c.Batch.Release()
		return nil
	})
	if err != nil || rows != 1048575 {
		t.Errorf("rows %d, err %v", rows, err)
	}
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "XFD5") {
		t.Errorf("warnings %q", w)
	}
	// Without a header the stray cell widens the sheet to XFD; the empty columns
	// share one null layout per chunk.
	b.opts.NoHeader, b.opts.Range = true, "A1:XFD10"
	sheets, err = b.Selected()
	if err != nil {
		t.Fatal(err)
	}
	cells, _ := sheetRows(t, sheets[0], 3)
	if len(sheets[0].Header) != maxCols || len(cells) != 5 || cells[4][maxCols-1] != "7" || cells[0][1] != "2" || cells[2][5] != "\x00" {
		t.Errorf("no header: %d columns, %d rows", len(sheets[0].Header), len(cells))
	}
}

func TestSynthErrors(t *testing.T) {
	for _, tc := range []struct {
		body, want string
	}{
		{`<row r="1"><c r="A1" t="s"><v>7</v></c></row>`, `sheet "Sheet1": row 1, column A: shared string index "7" out of range (the table has 0)`},
		{`<row r="1"><c r="A1"><v>1</v></c></row><row r="3"><c r="B3" t="b"><v>maybe</v></c></row>`, `row 3, column B: bad boolean "maybe"`},
		{`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="B2"><v>1</v></c><c r="A2"><v>1</v></c></row>`, `row 2, column A: cell A2 comes after column B in its row`},
		{`<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>`, `row 1: row 1 comes after row 2 (rows must ascend)`},
		{`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="x"><v>1</v></c></row>`, `row 2, column A: unknown cell type "x"`},
		{`<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v>`, `row 2: the sheet XML ends early`},
		{`<row r="1"><c r="1A"><v>1</v></c></row>`, `bad cell reference "1A"`},
	} {
		path := book{sheets: []string{tc.body}, raw: map[string]string{"xl/worksheets/sheet1.xml": `<worksheet><sheetData>` + tc.body}}.write(t)
		if !strings.Contains(tc.body, "ends early") && strings.HasSuffix(tc.body, "</row>") {
			path = book{sheets: []string{tc.body}}.write(t)
		}
		err := readErr(path)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want %q", tc.body, err, tc.want)
		}
	}
}

func readErr(path string) error {
	b, err := Open(path, Options{NoHeader: true})
	if err != nil {
		return err
	}
	defer b.Close()
	sheets, err := b.Selected()
	if err != nil {
		return err
	}
	d := sheets[0].NewDecoder()
	return sheets[0].Split(context.Background(), 1, func(block []byte) error {
		_, err := d.DecodeBlock(block)
		return err
	})
}
