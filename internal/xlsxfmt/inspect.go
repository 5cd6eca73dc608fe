package xlsxfmt

import (
	"context"
	"errors"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/ptransform/ptransform/internal/valuetype"
)

// BookReport is what `ptransform inspect` shows of a workbook. Field order is stable
// for JSON output.
type BookReport struct {
	File     string        `json:"file"`
	Format   string        `json:"format"`
	Date1904 bool          `json:"date1904"`
	Sheets   []SheetReport `json:"sheets"`
}

// SheetReport describes one sheet: its metadata, the data rows counted exactly, the
// header and column types inferred from the first rows, and those rows (null = empty).
type SheetReport struct {
	SheetInfo
	HeaderRow int            `json:"header_row"`
	Columns   []ColumnReport `json:"columns"`
	FirstRows [][]*string    `json:"first_rows"`
	Warnings  []string       `json:"warnings,omitempty"`
	Error     string         `json:"error,omitempty"`
}

// ColumnReport is one column and the type its sampled values share, inferred as for
// CSV (valuetype.Infer): integer, number, date, datetime, time, bool or text (text
// also when the sample holds no value).
type ColumnReport struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

var errEnough = errors.New("sample complete")

// Inspect reports every sheet of a workbook, reading up to sampleRows data rows of
// each worksheet for types and samples, and counting all its rows. opts.Sheets and
// IncludeHidden are not used: every sheet is reported.
func Inspect(path string, opts Options, sampleRows int) (*BookReport, error) {
	b, err := Open(path, opts)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	rep := &BookReport{File: path, Format: "xlsx", Date1904: b.Date1904}
	for i, info := range b.Sheets {
		sr := SheetReport{SheetInfo: info, Columns: []ColumnReport{}, FirstRows: [][]*string{}}
		if info.Kind == "worksheet" {
			if err := b.inspectSheet(i, sampleRows, &sr); err != nil {
				sr.Error = err.Error()
			}
		}
		rep.Sheets = append(rep.Sheets, sr)
	}
	return rep, nil
}

func (b *Book) inspectSheet(i, sampleRows int, sr *SheetReport) error {
	s, err := b.prepare(i)
	if err != nil {
		return err
	}
	sr.HeaderRow = s.HeaderRow
	rows, err := s.countRows()
	if err != nil {
		return err
	}
	sr.Rows = rows
	d := s.NewDecoder()
	d.NoteTextCells(sampleRows)
	err = s.Split(context.Background(), max(sampleRows, 1), func(block []byte) error {
		c, err := d.DecodeBlock(block)
		if err != nil {
			return err
		}
		defer c.Batch.Release()
		for r := 0; r < c.NumRows() && len(sr.FirstRows) < sampleRows; r++ {
			row := make([]*string, c.Batch.NumCols())
			for j := range row {
				if col := c.Batch.Column(j).(*array.String); col.IsValid(r) {
					v := col.Value(r)
					row[j] = &v
				}
			}
			sr.FirstRows = append(sr.FirstRows, row)
		}
		if len(sr.FirstRows) >= sampleRows {
			return errEnough
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return err
	}
	values := make([]string, len(sr.FirstRows))
	for j, name := range s.Header {
		for i, row := range sr.FirstRows {
			values[i] = ""
			if row[j] != nil {
				values[i] = *row[j]
			}
		}
		typ := valuetype.Infer(values)
		if d.TextCells()[j] {
			typ = valuetype.Text // as a typed output reads it (NoteTextCells)
		}
		sr.Columns = append(sr.Columns, ColumnReport{Name: name, Type: typ})
	}
	sr.Warnings = s.Warnings()
	return nil
}

// countRows counts the data rows as Split would emit them: up to the last row
// holding a value.
func (s *Sheet) countRows() (int, error) {
	if len(s.Header) == 0 {
		return 0, nil
	}
	rc, err := s.book.openPart(s.part)
	if err != nil {
		return 0, s.locate(&Error{Col: -1, Err: err})
	}
	defer rc.Close()
	sc := newRowScanner(rc, s.win, s.book.opts.Limits)
	sc.shared = s.book.strings
	last := s.dataBase()
	var row scannedRow
	for {
		ok, err := sc.next(&row)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return 0, s.locate(e)
			}
			return 0, s.locate(&Error{Col: -1, Err: err})
		}
		if !ok || row.num > s.win.lastRow {
			break
		}
		if row.num > s.dataBase() && row.content {
			last = row.num
		}
	}
	return last - s.dataBase(), nil
}
