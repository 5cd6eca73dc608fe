package xlsxout

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// testAllocator makes the batches of tests; TestReleases checks it.
var testAllocator memory.Allocator = memory.DefaultAllocator

// batchOf builds a batch of sch from rows of Go values: nil (null), string, int64,
// float64, bool, time.Time (Date: its day; Datetime: its instant, read as UTC),
// time.Duration (Time: since midnight; Duration).
func batchOf(t testing.TB, sch schema.Schema, rows [][]any) arrow.RecordBatch {
	t.Helper()
	b := array.NewRecordBuilder(testAllocator, sch.Arrow())
	defer b.Release()
	for _, row := range rows {
		for j, v := range row {
			f := b.Field(j)
			if v == nil {
				f.AppendNull()
				continue
			}
			switch fb := f.(type) {
			case *array.StringBuilder:
				fb.Append(v.(string))
			case *array.Int64Builder:
				fb.Append(v.(int64))
			case *array.Float64Builder:
				fb.Append(v.(float64))
			case *array.BooleanBuilder:
				fb.Append(v.(bool))
			case *array.Date32Builder:
				fb.Append(arrow.Date32FromTime(v.(time.Time)))
			case *array.TimestampBuilder:
				fb.Append(arrow.Timestamp(v.(time.Time).UnixMicro()))
			case *array.Time64Builder:
				fb.Append(arrow.Time64(v.(time.Duration).Microseconds()))
			case *array.DurationBuilder:
				fb.Append(arrow.Duration(v.(time.Duration).Microseconds()))
			default:
				t.Fatalf("column %d: no builder for %T", j, f)
			}
		}
	}
	return b.NewRecordBatch()
}

// sheetData is one sheet of a test workbook: its schema and rows.
type sheetData struct {
	name string
	sch  schema.Schema
	rows [][]any
}

// patchBuffer is an output in memory that can be patched, as a file of the run's own
// (output.Destination) can.
type patchBuffer struct{ bytes.Buffer }

func (b *patchBuffer) Patchable() bool { return true }

func (b *patchBuffer) Patch(p []byte, off int64) error {
	if off < 0 || off+int64(len(p)) > int64(b.Len()) {
		return fmt.Errorf("patch of %d bytes at %d: only %d written", len(p), off, b.Len())
	}
	copy(b.Bytes()[off:], p)
	return nil
}

// writeBook writes sheets as a workbook to a file-like output (a patchBuffer), cutting
// rows into chunks of chunkRows and encoding them on workers goroutines, appended in
// order as the engine does.
func writeBook(t testing.TB, sheets []sheetData, chunkRows, workers int, setup func(*Writer)) ([]byte, *Writer, error) {
	t.Helper()
	var out patchBuffer
	return writeBookTo(t, &out, &out.Buffer, sheets, chunkRows, workers, setup)
}

// writeBookTo is writeBook to out, whose bytes buf holds.
func writeBookTo(t testing.TB, out io.Writer, buf *bytes.Buffer, sheets []sheetData, chunkRows, workers int, setup func(*Writer)) ([]byte, *Writer, error) {
	t.Helper()
	w, err := New(out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(w)
	}
	type job struct {
		sheet *Sheet
		batch arrow.RecordBatch
		done  chan struct{}
		part  *Part
		err   error
	}
	var jobs []*job
	for _, sd := range sheets {
		s, err := w.AddSheet(sd.name, sd.sch)
		if err != nil {
			return nil, w, err
		}
		for lo := 0; lo < len(sd.rows); lo += chunkRows {
			hi := min(lo+chunkRows, len(sd.rows))
			jobs = append(jobs, &job{sheet: s, batch: batchOf(t, sd.sch, sd.rows[lo:hi]), done: make(chan struct{})})
		}
	}
	queue := make(chan *job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				j.part, j.err = j.sheet.EncodeChunk(j.batch)
				j.batch.Release()
				close(j.done)
			}
		}()
	}
	go func() {
		for _, j := range jobs {
			queue <- j
		}
		close(queue)
	}()
	defer wg.Wait()
	var firstErr error
	for _, j := range jobs {
		<-j.done
		if firstErr == nil && j.err != nil {
			firstErr = j.err
		}
		if firstErr != nil {
			if j.part != nil {
				j.part.Release()
			}
			continue
		}
		firstErr = w.Append(j.part)
	}
	if firstErr != nil {
		return nil, w, firstErr
	}
	if err := w.Close(); err != nil {
		return nil, w, err
	}
	return buf.Bytes(), w, nil
}

// saveBook writes data to a file in a temporary directory.
func saveBook(t testing.TB, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "out.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// readOwn reads every sheet with our reader: header then rows, nulls as "\x00".
func readOwn(t testing.TB, path string) (names []string, sheets map[string][][]string) {
	t.Helper()
	b, err := xlsxfmt.Open(path, xlsxfmt.Options{Sheets: []string{"*"}})
	if err != nil {
		t.Fatalf("xlsxfmt.Open: %v", err)
	}
	defer b.Close()
	sel, err := b.Selected()
	if err != nil {
		t.Fatalf("Selected: %v", err)
	}
	sheets = map[string][][]string{}
	for _, s := range sel {
		names = append(names, s.Name)
		rows := [][]string{s.Header}
		d := s.NewDecoder()
		err := s.Split(context.Background(), 1000, func(block []byte) error {
			c, err := d.DecodeBlock(block)
			if err != nil {
				return err
			}
			defer c.Batch.Release()
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
			return nil
		})
		if err != nil {
			t.Fatalf("sheet %s: %v", s.Name, err)
		}
		sheets[s.Name] = rows
	}
	return names, sheets
}

// entries unpacks every zip entry of data.
func entries(t testing.TB, data []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		b, err := io.ReadAll(rc) // checks the CRC-32 and sizes
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		out[f.Name] = b
	}
	return out
}
