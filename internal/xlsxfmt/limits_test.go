package xlsxfmt

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestBombs builds small zip and XML bombs and checks each fails with a clear error.
func TestBombs(t *testing.T) {
	spaces := strings.Repeat(" ", 4<<20)
	deep := strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100)
	for _, tc := range []struct {
		name   string
		sheet  string
		limits Limits
		want   string
	}{
		{"ratio", `<row r="1"><c r="A1"><v>1</v></c></row>` + spaces, Limits{MaxRatio: 100}, "inflates more than 100 times its compressed size (zip bomb limit)"},
		{"size", `<row r="1"><c r="A1"><v>1</v></c></row>` + spaces, Limits{MaxPartBytes: 1 << 20}, "inflates past 1048576 bytes (zip bomb limit)"},
		{"row", `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>` + spaces + `</t></is></c></row>`, Limits{MaxElementBytes: 1 << 20}, "a row is larger than 1048576 bytes (XML bomb limit)"},
		{"depth", `<row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2">` + deep + `</c></row>`, Limits{}, "row 2: elements nest deeper than 64 (XML bomb limit)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := book{sheets: []string{tc.sheet}}.write(t)
			b, err := Open(path, Options{Limits: tc.limits, NoHeader: true})
			if err == nil {
				defer b.Close()
				err = readErrBook(b)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
	// Entity expansion needs a DTD; a DOCTYPE anywhere is refused.
	path := book{raw: map[string]string{"xl/worksheets/sheet1.xml": `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>`},
		sheets: []string{""}}.write(t)
	if err := readErr(path); err == nil || !strings.Contains(err.Error(), "DOCTYPE declarations are not allowed") {
		t.Errorf("DOCTYPE: %v", err)
	}
}

func readErrBook(b *Book) error {
	sheets, err := b.Selected()
	if err != nil {
		return err
	}
	return sheets[0].Split(context.Background(), 1, func(block []byte) error {
		_, err := sheets[0].NewDecoder().DecodeBlock(block)
		return err
	})
}

func TestInspect(t *testing.T) {
	rep, err := Inspect(corpus(t, "calamine/any_sheets.xlsx"), Options{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := json.Marshal(rep.Sheets[0])
	want := `{"name":"Visible","index":1,"visibility":"visible","kind":"worksheet","dimension":"A1:B5","rows":4,"header_row":1,` +
		`"columns":[{"name":"1","type":"integer"},{"name":"2","type":"integer"}],"first_rows":[["3","4"],["5","6"],[null,null]]}`
	if string(j) != want {
		t.Errorf("got  %s\nwant %s", j, want)
	}
	if rep.Sheets[3].Kind != "chartsheet" || len(rep.Sheets) != 4 {
		t.Errorf("sheets %+v", rep.Sheets)
	}
}
