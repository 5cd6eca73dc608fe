package inspect

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/valuetype"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

func TestCut(t *testing.T) {
	for _, tc := range []struct {
		in    string
		width int
		want  string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"eleven chars", 10, "eleven ch…"},
		{"Zoë Zoë Zoë", 5, "Zoë …"},
		{"two\nlines", 20, `two\nlines`},
		{"tab\there", 6, `tab\t…`},
	} {
		if got := cut(tc.in, tc.width); got != tc.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestSelectSheets(t *testing.T) {
	sheets := []xlsxfmt.SheetInfo{
		{Name: "Sales", Visibility: "visible", Kind: "worksheet"},
		{Name: "Old", Visibility: "hidden", Kind: "worksheet"},
		{Name: "Chart", Visibility: "visible", Kind: "chartsheet"},
		{Name: "Sales 2", Visibility: "visible", Kind: "worksheet"},
	}
	for _, tc := range []struct {
		patterns []string
		hidden   bool
		want     string // shown sheets as 1/0, or the error
	}{
		{nil, false, "1011"},
		{nil, true, "1111"},
		{[]string{"old"}, false, "0100"}, // a name, any case, shows a hidden sheet
		{[]string{"3"}, false, "0010"},
		{[]string{"S*"}, false, "1001"},
		{[]string{"*"}, true, "1101"}, // globs match worksheets only
		{[]string{"Nope"}, false, `no sheet named "Nope"; sheets: "Sales", "Old" (hidden), "Chart" (chartsheet), "Sales 2"`},
		{[]string{"5"}, false, "no sheet number 5: the workbook has 4 sheets"},
		{[]string{"X*"}, false, `no worksheet matches "X*"`},
		{[]string{"["}, false, `bad sheet pattern "["`},
	} {
		show, err := selectSheets(sheets, tc.patterns, tc.hidden)
		got := ""
		if err != nil {
			got = err.Error()
		}
		for _, s := range show {
			got += map[bool]string{false: "0", true: "1"}[s]
		}
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%q hidden=%v: got %q, want %q", tc.patterns, tc.hidden, got, tc.want)
		}
	}
}

// TestJSONShape pins the field order of both report kinds: scripts may rely on it.
func TestJSONShape(t *testing.T) {
	size := int64(10)
	reports := []*Report{
		{File: "a.csv", Format: "csv", Size: &size, CSVReport: &CSVReport{Delimiter: ",", Encoding: "utf-8", Compression: "none", Header: true, Rows: 1,
			Columns: []Column{{"a", valuetype.Integer}}, FirstRows: [][]*string{{nil}}}},
		{File: "b.xlsx", Format: "xlsx", WorkbookReport: &WorkbookReport{Sheets: []xlsxfmt.SheetReport{}, SheetsNotShown: []xlsxfmt.SheetInfo{}}},
	}
	var b bytes.Buffer
	if err := WriteJSON(&b, reports); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	json.Compact(&compact, b.Bytes())
	want := `[{"file":"a.csv","format":"csv","size":10,"delimiter":",","encoding":"utf-8","compression":"none","header":true,"rows":1,"columns":[{"name":"a","type":"integer"}],"first_rows":[[null]]},` +
		`{"file":"b.xlsx","format":"xlsx","size":null,"date1904":false,"sheets":[],"sheets_not_shown":[]}]`
	if compact.String() != want {
		t.Errorf("got  %s\nwant %s", compact.String(), want)
	}
}
