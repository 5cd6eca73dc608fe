package xlsxfmt

import (
	"slices"
	"strings"
	"testing"
)

// Writers (ExcelJS, LibreOffice, SheetJS, Excel) store "" as a shared string: such a
// cell holds no value, for the header, for where columns end and for trailing rows.
func TestEmptySharedStrings(t *testing.T) {
	bk := book{
		strings: []string{`<t/>`, `<t>id</t>`, `<t>name</t>`, `<t>x</t>`, `<t></t>`},
		sheets: []string{`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>4</v></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c><c r="C2" t="s"><v>0</v></c></row>` +
			`<row r="3"><c r="A3"><v>1</v></c><c r="B3" t="s"> <v> 3 </v> </c><c r="D3" t="s"><v>0</v></c></row>` +
			`<row r="4"><c r="A4" t="s"><v>0</v></c><c r="B4" t="s"><v>4</v></c></row>`},
	}
	path := bk.write(t)
	s, rows := read(t, path, Options{})
	if !slices.Equal(s.Header, []string{"id", "name"}) || s.HeaderRow != 2 {
		t.Errorf("header %q at row %d, want [id name] at row 2", s.Header, s.HeaderRow)
	}
	if got := flatten(rows); !slices.Equal(got, []string{"1", "x"}) {
		t.Errorf("rows %q, want one row [1 x] (no empty trailing row)", rows)
	}
	if w := s.Warnings(); len(w) > 0 {
		t.Errorf("warnings %q, want none (D3 holds no value)", w)
	}
	s, rows = read(t, path, Options{NoHeader: true})
	if !slices.Equal(s.Header, []string{"A", "B"}) {
		t.Errorf("no header: columns %q, want [A B]", s.Header)
	}
	if len(rows) != 3 {
		t.Errorf("no header: rows %q, want 3 (row 1 empty, no trailing row 4)", rows)
	}
}

// <v></v> after a formula is a cached empty string (=IF(…,"",…)); only a formula
// without <v> lacks a cached value, and the warning names that cell.
func TestFormulaCachedEmptyString(t *testing.T) {
	head := `<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>`
	cachedEmpty := `<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="str"><f>IF(A2=1,"","x")</f><v></v></c></row>` +
		`<row r="3"><c r="A3"><v>3</v></c><c r="B3" t="str"><f>""</f><v/></c></row>`
	s, rows := read(t, book{sheets: []string{head + cachedEmpty}}.write(t), Options{})
	if w := s.Warnings(); len(w) > 0 {
		t.Errorf("warnings %q, want none", w)
	}
	if got := flatten(rows); !slices.Equal(got, []string{"1", "\x00", "3", "\x00"}) {
		t.Errorf("rows %q", rows)
	}
	noValue := `<row r="4"><c r="A4"><v>2</v></c><c r="B4"><f>A4*2</f></c></row>`
	s, _ = read(t, book{sheets: []string{head + cachedEmpty + noValue}}.write(t), Options{})
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "without a cached value") || !strings.Contains(w[0], "(first: B4)") {
		t.Errorf("warnings %q, want one naming B4", w)
	}
}

// xlsxwriter and openpyxl save fullCalcOnLoad="1" and a cached 0 (or nothing) for
// every formula: one warning per sheet with formulas says they were never calculated.
func TestUncalculatedWorkbook(t *testing.T) {
	bk := book{
		fullCalc: true,
		sheets: []string{
			`<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1" t="inlineStr"><is><t>b</t></is></c></row>` +
				`<row r="2"><c r="A2"><v>2</v></c><c r="B2"><f>A2*2</f><v>0</v></c></row>` +
				`<row r="3"><c r="A3"><v>3</v></c><c r="B3"><f>A3*2</f></c></row>`,
			`<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>`,
		},
	}
	path := bk.write(t)
	s, rows := read(t, path, Options{})
	if got := flatten(rows); !slices.Equal(got, []string{"2", "0", "3", "\x00"}) {
		t.Errorf("rows %q", rows)
	}
	w := s.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], "never have been calculated (first: B2)") || !strings.Contains(w[0], "fullCalcOnLoad") {
		t.Errorf("warnings %q, want one saying B2's values were never calculated", w)
	}
	s, _ = read(t, path, Options{Sheets: []string{"Sheet2"}})
	if w := s.Warnings(); len(w) > 0 {
		t.Errorf("a sheet without formulas warns %q", w)
	}
	bk.fullCalc = false
	s, _ = read(t, bk.write(t), Options{})
	if w := s.Warnings(); len(w) != 1 || !strings.Contains(w[0], "without a cached value") {
		t.Errorf("without fullCalcOnLoad: warnings %q, want only the missing cached value", w)
	}
}

// A default blank sheet among those a glob selects is left out with a warning, rather
// than failing the run for its lack of columns.
func TestEmptySheetsLeftOut(t *testing.T) {
	data := `<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row><row r="2"><c r="A2"><v>1</v></c></row>`
	bk := book{sheets: []string{data, "", data, `<row r="1"><c r="A1" t="s"><v>0</v></c></row>`}, strings: []string{`<t/>`}}
	b, err := Open(bk.write(t), Options{Sheets: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	sheets, err := b.Selected()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range sheets {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"Sheet1", "Sheet3"}) {
		t.Fatalf("selected %q, want [Sheet1 Sheet3]", names)
	}
	w := sheets[0].Warnings()
	if len(w) != 2 || !strings.Contains(w[0], `sheet "Sheet2" holds no value`) || !strings.Contains(w[1], `sheet "Sheet4" holds no value`) {
		t.Errorf("warnings %q, want Sheet2 and Sheet4 left out", w)
	}
	if w := sheets[1].Warnings(); len(w) > 0 {
		t.Errorf("second sheet warns %q", w)
	}

	// With a header row given too; an empty header row of a sheet holding values
	// is still an error.
	b1, err := Open(bk.write(t), Options{Sheets: []string{"*"}, HeaderRow: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b1.Close()
	if sheets, err := b1.Selected(); err != nil || len(sheets) != 2 {
		t.Errorf("--header-row 1: %v, %v", sheets, err)
	}
	b1.opts.HeaderRow = 3
	if _, err := b1.Selected(); err == nil || !strings.Contains(err.Error(), "header row 3 is empty") {
		t.Errorf("--header-row 3: error %v, want the empty header row", err)
	}

	// Only empty sheets: one of them is read (as nothing), as when named alone.
	b2, err := Open(bk.write(t), Options{Sheets: []string{"Sheet2", "Sheet4"}})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if sheets, err := b2.Selected(); err != nil || len(sheets) != 1 || sheets[0].Name != "Sheet2" || len(sheets[0].Header) != 0 {
		t.Errorf("all empty: %v, %v", sheets, err)
	}
}

// A t="d" cell holding only a time is Excel's day 0 plus that time: it reads as the
// time whatever its format, never as 1970-01-01.
func TestBareTimeInDateCell(t *testing.T) {
	bk := book{
		formats: []string{`dd/mm/yyyy`, `yyyy-mm-dd hh:mm:ss`, `hh:mm:ss.000`},
		sheets: []string{`<row r="1"><c r="A1" t="inlineStr"><is><t>t</t></is></c></row>` +
			`<row r="2"><c r="A2" t="d"><v>13:45:00</v></c></row>` +
			`<row r="3"><c r="A3" t="d" s="1"><v>13:45:00</v></c></row>` +
			`<row r="4"><c r="A4" t="d" s="2"><v>13:45:30.5</v></c></row>` +
			`<row r="5"><c r="A5" t="d" s="3"><v>13:45:30.5</v></c></row>` +
			`<row r="6"><c r="A6" t="d"><v>13:45:30.25</v></c></row>`},
	}
	_, rows := read(t, bk.write(t), Options{})
	want := []string{"13:45:00", "13:45:00", "13:45:31", "13:45:30.500", "13:45:30.25"}
	if got := flatten(rows); !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// A t="d" cell is a date only where the calendar has that day and time (the rules of
// table.ParseISODatetime); anything else is a bad cell naming row and column.
func TestImpossibleDateCell(t *testing.T) {
	ok := book{sheets: []string{`<row r="1"><c r="A1" t="inlineStr"><is><t>t</t></is></c></row>` +
		`<row r="2"><c r="A2" t="d"><v>2024-02-29</v></c></row>`}}
	if _, rows := read(t, ok.write(t), Options{}); !slices.Equal(flatten(rows), []string{"2024-02-29"}) {
		t.Errorf("2024-02-29 read as %q", flatten(rows))
	}
	for _, v := range []string{"2023-02-29", "2024-04-31T10:00:00", "0000-01-01", "2024-03-01T24:00:00", "2024-03-01T23:59:60"} {
		body := `<row r="1"><c r="A1" t="d"><v>` + v + `</v></c></row>`
		err := readErr(book{sheets: []string{body}}.write(t))
		if want := `row 1, column A: bad ISO 8601 date "` + v + `"`; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", v, err, want)
		}
	}
}
