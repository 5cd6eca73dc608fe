package xlsxfmt

import (
	"context"
	"slices"
	"testing"
)

// TestTextCellsNoted: the decoder notes, per column, the cells Excel holds as text
// (shared strings, inline strings, formulas' string results) in a block's first rows,
// whatever their text reads as; numbers, booleans, dates and empty text are not noted.
func TestTextCellsNoted(t *testing.T) {
	path := book{
		strings: []string{`<t>42</t>`, `<t>id</t>`, `<t></t>`},
		sheets: []string{
			`<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="inlineStr"><is><t>n</t></is></c>` +
				`<c r="C1" t="inlineStr"><is><t>f</t></is></c><c r="D1" t="inlineStr"><is><t>b</t></is></c>` +
				`<c r="E1" t="inlineStr"><is><t>late</t></is></c><c r="F1" t="inlineStr"><is><t>e</t></is></c></row>` +
				//  A: shared "42"     B: number 7        C: formula "2024-03-01"                    D: bool      E: number  F: empty shared string
				`<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>7</v></c><c r="C2" t="str"><f>TEXT(1,"0")</f><v>2024-03-01</v></c><c r="D2" t="b"><v>1</v></c><c r="E2"><v>1</v></c><c r="F2" t="s"><v>2</v></c></row>` +
				`<row r="3"><c r="A3" t="inlineStr"><is><t>43</t></is></c><c r="B3"><v>8</v></c><c r="D3" t="b"><v>0</v></c><c r="E3"><v>2</v></c></row>` +
				// E4 is a text cell after the rows noted
				`<row r="4"><c r="B4"><v>9</v></c><c r="E4" t="s"><v>0</v></c></row>`,
		},
	}.write(t)
	sheet := firstSheet(t, path)
	var block []byte
	if err := sheet.Split(context.Background(), 100, func(bl []byte) error { block = bl; return nil }); err != nil {
		t.Fatal(err)
	}
	d := sheet.NewDecoder()
	if d.TextCells() != nil {
		t.Errorf("TextCells before NoteTextCells = %v, want nil", d.TextCells())
	}
	d.NoteTextCells(2)
	c, err := d.DecodeBlock(block)
	if err != nil {
		t.Fatal(err)
	}
	c.Batch.Release()
	want := []bool{true, false, true, false, false, false}
	if got := d.TextCells(); !slices.Equal(got, want) {
		t.Errorf("TextCells = %v, want %v (columns A..F)", got, want)
	}
}

// TestTextCellsNotedOverBlocks: the rows noted are the first ones the decoder decodes,
// however the sheet is cut into blocks; a text cell past them is not noted.
func TestTextCellsNotedOverBlocks(t *testing.T) {
	path := book{
		strings: []string{`<t>late text</t>`},
		sheets: []string{`<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>` +
			`<row r="2"><c r="A2"><v>1</v></c></row><row r="3"><c r="A3"><v>2</v></c></row>` +
			`<row r="5"><c r="A5" t="s"><v>0</v></c></row>`},
	}.write(t)
	sheet := firstSheet(t, path)
	for _, noted := range []int{3, 4} {
		d := sheet.NewDecoder()
		d.NoteTextCells(noted)
		err := sheet.Split(context.Background(), 2, func(block []byte) error {
			c, err := d.DecodeBlock(block)
			if err == nil {
				c.Batch.Release()
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// Rows 2, 3, 4 (empty) are the first three; row 5's text cell is the fourth.
		if got, want := d.TextCells()[0], noted == 4; got != want {
			t.Errorf("NoteTextCells(%d): column A noted %v, want %v", noted, got, want)
		}
	}
}

// firstSheet opens the workbook at path, closed when the test ends, and returns its
// first sheet.
func firstSheet(t *testing.T, path string) *Sheet {
	t.Helper()
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	sheets, err := b.Selected()
	if err != nil {
		t.Fatal(err)
	}
	return sheets[0]
}
