package xlsxfmt

import (
	"context"
	"errors"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow/array"
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

// ColumnReport is one column and the type its sampled values share: integer, number,
// date, datetime, time, bool or text (text also when the sample holds no value).
type ColumnReport struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

var errEnough = errors.New("sample complete")

// Inspect reports every sheet of a workbook, reading up to sampleRows data rows of
// each worksheet for types and samples, and counting all its rows.
func Inspect(path string, sampleRows int) (*BookReport, error) {
	b, err := Open(path, Options{})
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
	for j, name := range s.Header {
		typ := ""
		for _, row := range sr.FirstRows {
			if row[j] != nil {
				typ = unify(typ, valueType(*row[j]))
			}
		}
		if typ == "" {
			typ = "text"
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

// valueType classifies one cell's text the way the reader writes values.
func valueType(v string) string {
	switch {
	case v == "true" || v == "false":
		return "bool"
	case isISO(v, "0000-00-00"):
		return "date"
	case len(v) >= 19 && isISO(v[:19], "0000-00-00T00:00:00"):
		return "datetime"
	case isClock(v):
		return "time"
	}
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return "integer"
	}
	if _, err := strconv.ParseFloat(v, 64); err == nil && v != "NaN" && v != "Inf" && v != "-Inf" {
		return "number"
	}
	return "text"
}

// isISO matches v against a shape where '0' stands for any digit.
func isISO(v, shape string) bool {
	if len(v) != len(shape) {
		return false
	}
	for i := range len(v) {
		if shape[i] == '0' {
			if v[i] < '0' || v[i] > '9' {
				return false
			}
		} else if v[i] != shape[i] {
			return false
		}
	}
	return true
}

// isClock matches H:MM:SS with any number of hour digits (durations) and optional
// fractional seconds.
func isClock(v string) bool {
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	if i == 0 || len(v) < i+6 || !isISO(v[i:i+6], ":00:00") {
		return false
	}
	rest := v[i+6:]
	if rest == "" {
		return true
	}
	return len(rest) > 1 && rest[0] == '.' && isISO(rest[1:], "000"[:min(len(rest)-1, 3)])
}

// unify is the type of a column whose values have types a and b.
func unify(a, b string) string {
	switch {
	case a == "" || a == b:
		return b
	case (a == "integer" || a == "number") && (b == "integer" || b == "number"):
		return "number"
	case (a == "date" || a == "datetime") && (b == "date" || b == "datetime"):
		return "datetime"
	}
	return "text"
}
