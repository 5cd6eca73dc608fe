package xlsxfmt

import (
	"io"
	"strings"
	"testing"
)

// smallReads returns at most n bytes per Read, as an inflater does.
type smallReads struct {
	r io.Reader
	n int
}

func (s smallReads) Read(p []byte) (int, error) { return s.r.Read(p[:min(len(p), s.n)]) }

// A row of many megabytes arriving in small reads is scanned in linear time: the scanner
// may start a row over after reading more, but only when its buffer has doubled, so the
// bytes scanned stay within a small multiple of the row's size. Rescanning the row after
// every read took 106 s of CPU on a crafted 1 MB row.
func TestHugeRowScanIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<worksheet><sheetData><row r="1">`)
	for b.Len() < 8<<20 {
		b.WriteString(`<c r="B1"><v>1</v></c>`)
	}
	b.WriteString(`</row><row r="2"><c><v>2</v></c></row></sheetData></worksheet>`)
	size := b.Len()
	s := newRowScanner(smallReads{strings.NewReader(b.String()), 4096}, fullWindow, Limits{}.withDefaults())
	var row scannedRow
	for n := 1; n <= 2; n++ {
		ok, err := s.next(&row)
		if err != nil || !ok || row.num != n {
			t.Fatalf("row %d: ok %v, err %v, got row %d", n, ok, err, row.num)
		}
	}
	if s.rescanned > 2*int64(size) {
		t.Errorf("scanned %d bytes again for a sheet of %d bytes", s.rescanned, size)
	}
}

// An error about a crafted attribute shows the start of its value, not all of it.
func TestLongValuesAreCutInErrors(t *testing.T) {
	_, _, _, err := cellAttrs([]byte(`r="`+strings.Repeat("Z", 1<<20)+`"`), -1)
	if err == nil || len(err.Error()) > 200 || !strings.Contains(err.Error(), `…" (1048576 bytes)`) {
		t.Errorf("error %.300v", err)
	}
}
