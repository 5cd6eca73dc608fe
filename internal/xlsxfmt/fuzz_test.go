package xlsxfmt

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/table"
)

// fuzzSheet is a sheet with shared strings and date styles, for decoding fuzzed blocks.
func fuzzSheet() *Sheet {
	b := &Book{
		Path:    "fuzz.xlsx",
		strings: &sharedStrings{data: []byte("abc"), ends: []uint32{1, 3}},
		formats: []format{{}, {class: classDate}, {class: classDuration, frac: 2}, {class: classDateTime}},
		opts:    Options{Limits: Limits{}.withDefaults()},
	}
	s := &Sheet{Name: "S", Header: []string{"A", "B", "C"}, book: b, win: window{firstRow: 2, lastRow: maxRows, firstCol: 0, lastCol: 2}}
	s.schema = table.StringSchema(s.Header)
	return s
}

// FuzzDecodeBlock: any bytes give a chunk or an error, never a panic, and a chunk
// always has the sheet's columns and consistent row positions.
func FuzzDecodeBlock(f *testing.F) {
	for _, seed := range []string{
		`<?b 1?><row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" s="1"><v>45352</v></c><c r="C2" t="b"><v>1</v></c></row>`,
		`<?b 1?><?r 5?><row><c><v>1.5</v></c><c t="inlineStr"><is><r><t>x</t></r><rPh><t>y</t></rPh></is></c><c s="2"><v>1.25</v></c></row>`,
		`<row r="3"><c r="C3" t="d" s="3"><v>2024-03-01T10:00:00.5</v></c></row><row r="9"/>`,
		`<row r="2"><c r="A2" t="str"><f>A1</f><v>a&amp;b_x000D_</v></c><c r="B2" t="e"><v>#N/A</v></c></row>`,
		`<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[<row>]]></t></is></c></row>`,
		`<x:row r="4"><x:c r="B4"><x:v>7</x:v></x:c></x:row>`,
	} {
		f.Add([]byte(seed))
	}
	s := fuzzSheet()
	f.Fuzz(func(t *testing.T, block []byte) {
		d := s.NewDecoder()
		c, err := d.DecodeBlock(block)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		defer c.Batch.Release()
		if int(c.Batch.NumCols()) != len(s.Header) || len(c.Lines) != c.NumRows() {
			t.Fatalf("chunk shape %d cols, %d lines, %d rows", c.Batch.NumCols(), len(c.Lines), c.NumRows())
		}
		for i := 1; i < len(c.Lines); i++ {
			if c.Lines[i] != c.Lines[i-1]+1 {
				t.Fatalf("lines not consecutive: %v", c.Lines)
			}
		}
	})
}

// FuzzSplit: any sheet XML splits into blocks or fails with an error, never a panic;
// every block decodes the same way whatever the block size.
func FuzzSplit(f *testing.F) {
	for _, seed := range []string{
		`<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row><row r="2"><c r="A2"><v>2</v></c></row></sheetData></worksheet>`,
		`<worksheet><dimension ref="A1:XFD1048576"/><sheetData><row><c><v>1</v></c></row><row/><row><c t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>`,
		`<?xml version="1.0"?><!-- c --><worksheet><sheetData><row r="3"><c r="B3"><f>1+1</f></c><c r="C3"><v><![CDATA[3]]></v></c></row></sheetData></worksheet>`,
		`<worksheet><sheetData><row r="2"><c r="A2"><v>1</v></c></row><row r="1"/></sheetData></worksheet>`,
		`<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet/>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, xml []byte) {
		var outputs []string
		for _, n := range []int{1, 3, 1000} {
			s := fuzzSheet()
			s.win.firstRow = 1
			var got []string
			err := s.split(context.Background(), io.NopCloser(bytes.NewReader(xml)), n, func(block []byte) error {
				c, err := s.NewDecoder().DecodeBlock(block)
				if err != nil {
					got = append(got, "error")
					return nil
				}
				got = append(got, chunkRowsText(c))
				c.Batch.Release()
				return nil
			})
			if err != nil {
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("multi-line error %q", err)
				}
				return
			}
			if strings.Contains(strings.Join(got, ""), "error") {
				return
			}
			outputs = append(outputs, strings.Join(got, ""))
		}
		for _, o := range outputs[1:] {
			if o != outputs[0] {
				t.Fatalf("block size changes output:\n%q\n%q", outputs[0], o)
			}
		}
	})
}

func chunkRowsText(c *table.Chunk) string {
	var b strings.Builder
	for i := range c.NumRows() {
		b.WriteString(itoa(int(c.Lines[i])))
		b.WriteByte(':')
		row := c.Batch.NewSlice(int64(i), int64(i+1))
		b.Write(batchText(row))
		row.Release()
	}
	return b.String()
}
