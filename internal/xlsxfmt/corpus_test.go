package xlsxfmt

import (
	"errors"
	"strings"
	"testing"
)

// cellsOf reads one sheet without a header, so cell A1 is rows[0][0].
func cellsOf(t *testing.T, rel, sheet string, opts Options) [][]string {
	t.Helper()
	opts.NoHeader = true
	if sheet != "" {
		opts.Sheets = []string{sheet}
	}
	_, sheets, m := readBook(t, corpus(t, rel), opts, 2)
	return m[sheets[0].Name][1:]
}

func cellAt(rows [][]string, ref string) string {
	col, row, ok := cellRef([]byte(ref))
	if !ok || row-1 >= len(rows) || col >= len(rows[row-1]) {
		return "\x00"
	}
	return rows[row-1][col]
}

// TestCorpusValues checks the expected values SOURCES.md records for the corpus.
// "\x00" is an empty (null) cell.
func TestCorpusValues(t *testing.T) {
	tests := []struct {
		file, sheet string
		opts        Options
		want        map[string]string
	}{
		{"calamine/date.xlsx", "", Options{}, map[string]string{"A1": "2021-01-01", "A3": "255:10:10"}},
		{"calamine/date_1904.xlsx", "", Options{}, map[string]string{"A1": "2021-01-01", "A3": "255:10:10"}},
		{"calamine/date_iso.xlsx", "Sheet", Options{}, map[string]string{"A1": "2021-01-01", "A2": "2021-01-01T10:10:10", "A3": "10:10:10"}},
		{"calamine/date_quoted_format.xlsx", "", Options{}, map[string]string{"A1": "2021-01-01", "A2": "2021-01-01", "A3": "2021-01-01", "A4": "2021-01-01"}},
		{"calamine/errors.xlsx", "Feuil1", Options{}, map[string]string{"A1": "#DIV/0!", "A2": "#NAME?", "A3": "#VALUE!", "A4": "#NULL!", "A5": "#REF!", "A6": "#NUM!", "A7": "#N/A"}},
		{"calamine/issues.xlsx", "issue2", Options{}, map[string]string{"A1": "1", "B1": "a", "A2": "2", "B2": "b", "A3": "3", "B3": "c"}},
		{"calamine/issues.xlsx", "issue5", Options{}, map[string]string{"A1": "0.5"}},
		{"calamine/issues.xlsx", "issue6", Options{}, map[string]string{"A1": "1", "A2": "2", "A3": "ab", "A4": "false"}},
		{"calamine/issue3.xlsm", "Sheet1", Options{}, map[string]string{"A1": "1", "B1": "a"}},
		{"calamine/issue9.xlsx", "Feuil1", Options{}, map[string]string{"A1": "test1", "A2": "test2 other", "A3": "test3 aaa", "A4": "test4"}},
		// SOURCES.md says A2 is empty; the file holds <t>&#xA;</t>, a line feed (excelize agrees).
		{"calamine/encoded_entities.xlsx", "", Options{}, map[string]string{"A1": "&", "A2": "\n"}},
		{"calamine/has_x000D_.xlsx", "", Options{}, map[string]string{"A1": "ABC\r\nDEF"}},
		{"calamine/has_x000D_inline.xlsx", "", Options{}, map[string]string{"A1": "ABC\r\nDEF"}},
		{"calamine/richtext-namespaced.xlsx", "Sheet1", Options{}, map[string]string{"A1": "inline string\nLine 2\nLine 3", "H1": "shared string\nLine 2\nLine 3"}},
		{"calamine/richtext-after-plain.xlsx", "Sheet1", Options{}, map[string]string{"A2": "tvalrval1rval2"}},
		{"calamine/issue_261.xlsx", "Some Sheet", Options{}, map[string]string{"A1": "String Value 32", "A5": "\x00", "G5": "\x00", "G61": "939", "A66": "String Value 42", "D66": "String Value 8"}},
		{"calamine/empty_s_attribute.xlsx", "", Options{}, map[string]string{"A1": "Name", "B1": "Value", "A2": "John", "B2": "1", "A5": "Sam", "B5": "4"}},
		{"calamine/empty_shared_string.xlsx", "", Options{}, map[string]string{"A1": "abc", "A2": "\x00"}},
		{"calamine/empty_shared_string_value.xlsx", "", Options{}, map[string]string{"A1": "Name", "B1": "City", "C1": "Status", "A2": "Alice", "B2": "\x00", "C2": "Active"}},
		{"calamine/inlineStr_with_value.xlsx", "", Options{}, map[string]string{"E1": "ID", "E2": "RQ11610", "D2": "1."}},
		{"calamine/inlineStr_cdata.xlsx", "", Options{}, map[string]string{"A1": "Hello CDATA", "B1": "World", "A2": "12345", "B2": "NormalText"}},
		{"calamine/formula.issue.xlsx", "Sheet1", Options{}, map[string]string{"A1": "23", "C1": "23", "G13": "2", "J14": "US"}},
		{"excelize/SharedStrings.xlsx", "Sheet1", Options{}, map[string]string{"A1": "A"}},
		{"excelize/SharedStrings.xlsx", "Sheet2", Options{}, map[string]string{"A1": "Test Weight (Kgs)"}},
		{"excelize/OverflowNumericCell.xlsx", "", Options{}, map[string]string{"A1": "8595602512225"}},
		{"excelize/encryptSHA1.xlsx", "", Options{Password: "password"}, map[string]string{"A1": "SECRET"}},
		{"tealeg-xlsx/macNumbersTest.xlsx", "主动技能", Options{}, map[string]string{"A1": "编号"}},
		{"tealeg-xlsx/wpsBlankLineTest.xlsx", "Sheet1", Options{}, map[string]string{"A1": "编号"}},
		{"roo/1900_base.xlsx", "", Options{}, map[string]string{"A1": "2009-06-15"}},
		{"roo/1904_base.xlsx", "", Options{}, map[string]string{"A1": "2009-06-15"}},
		{"roo/boolean-from-google-sheets.xlsx", "", Options{}, map[string]string{"A1": "true", "A2": "false"}},
		{"roo/numbers-export.xlsx", "Sheet 1", Options{}, map[string]string{"A1": "Sheet 1"}},
		{"roo/numbers-export.xlsx", "Sheet 2", Options{}, map[string]string{"B2": "Sheet 2"}},
		{"roo/datetime.xlsx", "", Options{}, map[string]string{"A1": "1961-11-21", "C3": "1961-11-21T12:17:18"}},
		{"roo/time-test.xlsx", "Tabelle1", Options{}, map[string]string{"A1": "Mittags:", "B1": "12:13:14", "C1": "15:16:00", "D1": "23:00:00", "A2": "2007-11-21", "B2": "\x00"}},
		{"roo/formula_string_error.xlsx", "", Options{}, map[string]string{"A1": "Teststring", "A2": "Teststring"}},
		{"roo/hidden_sheets.xlsx", "", Options{}, map[string]string{"A1": "visible sheet 1"}},
		{"roo/implicit_coordinates.xlsx", "", Options{}, map[string]string{"A1": "Test", "A2": "A2", "B2": "B2", "C2": "C2"}},
		{"roo/strict.xlsx", "Sheet1", Options{}, map[string]string{"A1": "Sheet 1"}},
		{"roo/strict.xlsx", "Sheet2", Options{}, map[string]string{"A1": "Sheet 2"}},
		{"roo/richtext_example.xlsx", "", Options{}, map[string]string{"A1": "Example richtext", "B1": "Example richtext"}},
		{"roo/Pfand_from_windows_phone.xlsx", "Blatt1", Options{}, map[string]string{"B1": "Summe", "A2": "2011-09-14", "A3": "2011-09-15"}},
		{"xlsxwriter-excel-refs/types01.xlsx", "", Options{}, map[string]string{"A1": "Hello", "A2": "123"}},
		{"xlsxwriter-excel-refs/types02.xlsx", "", Options{}, map[string]string{"A1": "true", "A2": "false"}},
		{"xlsxwriter-excel-refs/types07.xlsx", "", Options{}, map[string]string{"A1": "#NUM!", "A2": "#DIV/0!", "A3": "#DIV/0!"}},
		{"xlsxwriter-excel-refs/formula_results01.xlsx", "", Options{}, map[string]string{
			"A1": "2", "A2": "Foo", "A3": "true", "A4": "false", "A5": "#DIV/0!", "A6": "#N/A", "A7": "#NAME?",
			"A8": "#NULL!", "A9": "#NUM!", "A10": "#REF!", "A11": "#VALUE!", "A12": "#DIV/0!"}},
		{"xlsxwriter-excel-refs/date_1904_01.xlsx", "", Options{}, map[string]string{
			"A1": "1900-01-01", "A2": "1902-09-26", "A3": "1913-09-08", "A4": "1927-05-18", "A5": "2173-10-14", "A6": "4637-11-26"}},
		{"xlsxwriter-excel-refs/date_examples01.xlsx", "", Options{}, map[string]string{
			"A1": "41333.5", "A2": "2013-02-28", "A3": "2013-02-28", "A4": "2013-02-28", "A5": "2013-02-28T12:00:00",
			"A6": "2013-02-28", "A7": "2013-02-28T12:00:00"}},
		{"xlsxwriter-excel-refs/utf8_01.xlsx", "", Options{}, map[string]string{"A1": "Это фраза на русском!"}},
		{"xlsxwriter-excel-refs/utf8_03.xlsx", "Café", Options{}, map[string]string{"A1": "Café"}},
		{"xlsxwriter-excel-refs/escapes01.xlsx", "5&4", Options{}, map[string]string{"A1": "1", "A3": "1b", "A6": "&&", "A8": `"&<>`}},
		{"xlsxwriter-excel-refs/rich_string01.xlsx", "", Options{}, map[string]string{"A1": "Foo", "A2": "Bar", "A3": "abcdefg"}},
		{"xlsxwriter-excel-refs/dynamic_array01.xlsx", "", Options{}, map[string]string{"B1": "12:00", "B2": "12:00"}},
		{"phpspreadsheet/explicitdate.xlsx", "", Options{}, map[string]string{"A3": "2021-12-31T23:44:52", "B3": "2021-12-31", "C3": "23:44:52"}},
		{"sheetjs/xlsx-stream-d-date-cell.xlsx", "", Options{}, map[string]string{"B5": "2014-02-14"}},
	}
	for _, tc := range tests {
		t.Run(tc.file+"!"+tc.sheet, func(t *testing.T) {
			rows := cellsOf(t, tc.file, tc.sheet, tc.opts)
			for ref, want := range tc.want {
				if got := cellAt(rows, ref); got != want {
					t.Errorf("%s = %q, want %q", ref, got, want)
				}
			}
		})
	}
}

func TestCorpusShapes(t *testing.T) {
	if rows := cellsOf(t, "calamine/issue_261.xlsx", "", Options{}); len(rows) != 66 {
		t.Errorf("issue_261: %d rows, want 66", len(rows))
	}
	if rows := cellsOf(t, "calamine/empty_s_attribute.xlsx", "", Options{}); len(rows) != 5 || len(rows[0]) != 2 {
		t.Errorf("empty_s_attribute: %d rows, want 5x2", len(rows))
	}
	if rows := cellsOf(t, "calamine/strict_iso_paths.xlsx", "ml_out", Options{}); len(rows) != 76 {
		t.Errorf("strict_iso_paths: %d rows, want 76", len(rows))
	}
	// The fixed-by-Excel copy holds the same data.
	a := cellsOf(t, "calamine/issue_261.xlsx", "", Options{})
	b := cellsOf(t, "calamine/issue_261_fixed_by_excel.xlsx", "", Options{})
	if strings.Join(flatten(a), "|") != strings.Join(flatten(b), "|") {
		t.Error("issue_261 and its Excel-saved copy differ")
	}
	rows := cellsOf(t, "roo/number_with_zero_prefix.xlsx", "", Options{})
	if len(rows) != 50 || rows[1][0] != "21" || rows[49][19] != "1000" {
		t.Errorf("number_with_zero_prefix: %d rows, row 2 starts %q", len(rows), rows[1][0])
	}
}

func flatten(rows [][]string) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestCorpusSheetList(t *testing.T) {
	b, err := Open(corpus(t, "calamine/any_sheets.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	want := []SheetInfo{
		{Name: "Visible", Index: 1, Visibility: "visible", Kind: "worksheet"},
		{Name: "Hidden", Index: 2, Visibility: "hidden", Kind: "worksheet"},
		{Name: "VeryHidden", Index: 3, Visibility: "veryHidden", Kind: "worksheet"},
		{Name: "Chart", Index: 4, Visibility: "visible", Kind: "chartsheet"},
	}
	for i, w := range want {
		g := b.Sheets[i]
		if g.Name != w.Name || g.Index != w.Index || g.Visibility != w.Visibility || g.Kind != w.Kind {
			t.Errorf("sheet %d = %+v, want %+v", i, g, w)
		}
	}
	for _, tc := range []struct {
		sel           []string
		includeHidden bool
		want          string
		err           string
	}{
		{nil, false, "Visible", ""},
		{[]string{"*"}, false, "Visible", ""},
		{[]string{"*"}, true, "Visible,Hidden,VeryHidden", ""},
		{[]string{"2", "Visible"}, false, "Hidden,Visible", ""},
		{[]string{"hidden"}, false, "Hidden", ""},
		{[]string{"V*"}, true, "Visible,VeryHidden", ""},
		{[]string{"Nope"}, false, "", `no sheet named "Nope"; sheets: "Visible", "Hidden" (hidden), "VeryHidden" (veryHidden), "Chart" (chartsheet)`},
		{[]string{"9"}, false, "", "no sheet number 9"},
		{[]string{"Chart"}, false, "", "a chartsheet holds no cells"},
	} {
		b.opts.Sheets, b.opts.IncludeHidden = tc.sel, tc.includeHidden
		_, err := b.Selected()
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%v: error %v, want %q", tc.sel, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tc.sel, err)
			continue
		}
		// The sheets chosen; Selected then leaves out the empty ones (Hidden and
		// VeryHidden here), which TestEmptySheetsLeftOut checks.
		chosen, _ := b.selectSheets()
		var names []string
		for _, i := range chosen {
			names = append(names, b.Sheets[i].Name)
		}
		if got := strings.Join(names, ","); got != tc.want {
			t.Errorf("%v: selected %s, want %s", tc.sel, got, tc.want)
		}
	}
}

// TestCorpusRefused checks that files that are not readable workbooks fail with a
// one-line error saying what they are.
func TestCorpusRefused(t *testing.T) {
	for _, tc := range []struct {
		file, password string
		is             error
		msg            string
	}{
		{"roo/type_excel.xlsx", "", ErrNotXLSX, "legacy Excel 97–2003 workbook (.xls"},
		{"roo/type_openoffice.xlsx", "", ErrNotXLSX, "OpenDocument spreadsheet (.ods)"},
		{"calamine/pass_protected.xlsx", "", ErrPassword, "password required: the workbook is encrypted"},
		{"excelize/encryptSHA1.xlsx", "", ErrPassword, "password required"},
		{"excelize/encryptSHA1.xlsx", "wrong", ErrPassword, "wrong password"},
	} {
		_, err := Open(corpus(t, tc.file), Options{Password: tc.password})
		if err == nil || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want %q", tc.file, err, tc.msg)
		}
		if err != nil && !strings.HasPrefix(err.Error(), corpusDir) {
			t.Errorf("%s: error %q does not name the file", tc.file, err)
		}
	}
	b, err := Open(corpus(t, "excelize/BadWorkbook.xlsx"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Selected(); err == nil || !strings.Contains(err.Error(), "no visible worksheet") {
		t.Errorf("BadWorkbook: %v", err)
	}
}

// TestCorpusBlockSizes reads corpus sheets with several block sizes: the rows must
// not depend on where blocks are cut.
func TestCorpusBlockSizes(t *testing.T) {
	for _, rel := range []string{"calamine/issue_261.xlsx", "roo/implicit_coordinates.xlsx", "tealeg-xlsx/noStylesAndSharedStringsTest.xlsx", "sheetjs/large_strings.xlsx"} {
		path := corpus(t, rel)
		var ref string
		for _, n := range []int{1, 2, 3, 7, 1000, 1 << 20} {
			_, sheets, m := readBook(t, path, Options{}, n)
			got := strings.Join(flatten(m[sheets[0].Name]), "|")
			if ref == "" {
				ref = got
			} else if got != ref {
				t.Errorf("%s: block size %d changes the rows", rel, n)
			}
		}
	}
}
