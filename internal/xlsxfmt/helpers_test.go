package xlsxfmt

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

const corpusDir = "../../../shared/corpus/xlsx"

// corpus returns the path of a corpus workbook, skipping the test when the shared
// corpus is not beside the repository.
func corpus(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(corpusDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("corpus file %s not available", p)
	}
	return p
}

// sheetRows reads a whole sheet through Split and DecodeBlock with the given block
// size. Null cells read as "\x00" so tests can tell them from empty strings.
func sheetRows(t testing.TB, s *Sheet, chunkRows int) (rows [][]string, lines []int64) {
	t.Helper()
	d := s.NewDecoder()
	next := int64(1)
	err := s.Split(context.Background(), chunkRows, func(block []byte) error {
		c, err := d.DecodeBlock(block)
		if err != nil {
			return err
		}
		defer c.Batch.Release()
		if c.NumRows() > 0 && c.Row0 != next {
			t.Errorf("Row0 = %d, want %d", c.Row0, next)
		}
		next = c.Row0 + int64(c.NumRows())
		for i := range c.NumRows() {
			row := make([]string, c.Batch.NumCols())
			for j := range row {
				col := c.Batch.Column(j).(*array.String)
				if col.IsNull(i) {
					row[j] = "\x00"
				} else {
					row[j] = col.Value(i)
				}
			}
			rows = append(rows, row)
		}
		lines = append(lines, c.Lines...)
		return nil
	})
	if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	return rows, lines
}

// readBook opens path and reads every selected sheet.
func readBook(t testing.TB, path string, opts Options, chunkRows int) (*Book, []*Sheet, map[string][][]string) {
	t.Helper()
	b, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	sheets, err := b.Selected()
	if err != nil {
		t.Fatalf("Selected: %v", err)
	}
	out := map[string][][]string{}
	for _, s := range sheets {
		rows, _ := sheetRows(t, s, chunkRows)
		out[s.Name] = append([][]string{s.Header}, rows...)
	}
	return b, sheets, out
}
