package inspect

import (
	"archive/zip"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/valuetype"
)

// A CSV value gets the type its text reads as (valuetype); the same text in a workbook's
// string cell is text whatever it reads as, as a typed output takes it (a number typed
// as text in Excel is a code). Each case is a column holding one value.
func TestTypesAgreeAcrossFormats(t *testing.T) {
	cases := []struct{ v, want string }{
		{"42", valuetype.Integer}, {"007", valuetype.Text}, {"-01", valuetype.Text},
		{"0.5", valuetype.Number}, {"1e3", valuetype.Number},
		{"nan", valuetype.Text}, {"NaN", valuetype.Text}, {"Inf", valuetype.Text},
		{"0x1p-2", valuetype.Text}, {"1_000", valuetype.Text}, {"1,000", valuetype.Text},
		{"2024-03-01", valuetype.Date}, {"2024-13-45", valuetype.Text}, {"2023-02-29", valuetype.Text},
		{"2024-03-01 13:45", valuetype.Datetime}, {"2024-03-01T13:45:00Z", valuetype.Datetime},
		{"13:45:00", valuetype.Time}, {"36:15:00", valuetype.Time},
		{"TRUE", valuetype.Bool}, {"false", valuetype.Bool}, {"yes", valuetype.Text},
	}
	dir := t.TempDir()
	var header, row []string
	var cells strings.Builder
	for i, c := range cases {
		header = append(header, fmt.Sprintf("c%d", i+1))
		row = append(row, c.v)
		cells.WriteString(`<c t="inlineStr"><is><t>` + c.v + `</t></is></c>`)
	}
	csvPath := filepath.Join(dir, "values.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.WriteAll([][]string{header, row})
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var head strings.Builder
	for _, h := range header {
		head.WriteString(`<c t="inlineStr"><is><t>` + h + `</t></is></c>`)
	}
	bookPath := writeWorkbook(t, dir, `<row r="1">`+head.String()+`</row><row r="2">`+cells.String()+`</row>`)

	ctx := context.Background()
	csvRep, err := Inspect(ctx, csvPath, Options{SampleRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	bookRep, err := Inspect(ctx, bookPath, Options{SampleRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	sheetCols := bookRep.Sheets[0].Columns
	if len(csvRep.Columns) != len(cases) || len(sheetCols) != len(cases) {
		t.Fatalf("columns: csv %d, workbook %d, want %d", len(csvRep.Columns), len(sheetCols), len(cases))
	}
	for i, c := range cases {
		if got := csvRep.Columns[i].Type; got != c.want {
			t.Errorf("CSV %q: %s, want %s", c.v, got, c.want)
		}
		if got := sheetCols[i].Type; got != valuetype.Text {
			t.Errorf("workbook string cell %q: %s, want %s", c.v, got, valuetype.Text)
		}
	}
}

// writeWorkbook writes the smallest workbook Excel's readers accept, one sheet with
// the given sheetData content.
func writeWorkbook(t *testing.T, dir, sheetData string) string {
	t.Helper()
	path := filepath.Join(dir, "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range map[string]string{
		"[Content_Types].xml": `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`,
		"_rels/.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml": `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` + sheetData + `</sheetData></worksheet>`,
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
