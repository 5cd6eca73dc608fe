package sink

import (
	"errors"
	"fmt"
	"io"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/xlsxout"
)

// xlsxSink writes an Excel workbook of one sheet through xlsxout: the workers turn their
// chunks into deflated sheet rows, the writer lays them out in order and Finish adds the
// package parts. Cell types follow the schema (see xlsxout's package doc).
type xlsxSink struct {
	cfg   Config
	book  *xlsxout.Writer
	sheet *xlsxout.Sheet
	// shared is the workbook of a Workbook's sheet sink: Begin adds the sheet to it,
	// and the Workbook, not the sink, finishes it.
	shared *xlsxout.Writer
}

func newXLSX(c Config) (Sink, error) { return &xlsxSink{cfg: c}, nil }

func (s *xlsxSink) Typed() bool { return true }

// Final is false: a sheet's parts carry their CRCs and sizes for the zip entry, and a
// part may be split where a sheet reaches Excel's row limit.
func (s *xlsxSink) Final() bool { return false }

// Unnumbered is true: rows and cells carry no r attribute, and the writer counts the
// rows a sheet holds (its limit, the column widths' sample) as parts arrive in order.
// A cell too long names its input line through the chunk's Lines, relative or not.
func (s *xlsxSink) Unnumbered() bool { return true }

// Retains nothing: a part holds the chunk's rows deflated, none of its arrays.
func (s *xlsxSink) Retains() Retention { return RetainsNothing }

func (s *xlsxSink) Begin(w io.Writer) error {
	book := s.shared
	if book == nil {
		var err error
		if book, err = xlsxout.New(w, xlsxout.Options{}); err != nil {
			return err
		}
	}
	name := s.cfg.SheetName
	if name == "" {
		name = "Sheet1"
	}
	sheet, err := book.AddSheet(name, s.cfg.Schema)
	if err != nil {
		return err
	}
	s.book, s.sheet = book, sheet
	return nil
}

func (s *xlsxSink) Encode(dst []byte, c *table.Chunk) (Part, error) {
	p, err := s.sheet.EncodeChunk(c.Batch)
	var cell *xlsxout.CellError
	if errors.As(err, &cell) && cell.Row < len(c.Lines) {
		return Part{}, &expr.RowError{File: c.Source.File, Sheet: c.Source.Sheet, Line: c.Lines[cell.Row], Column: cell.Column,
			Message: fmt.Sprintf("text of %d characters; an Excel cell holds at most 32,767 (shorten the value, or write another format)", cell.Chars)}
	}
	if err != nil {
		return Part{}, err
	}
	return Part{Bytes: dst[:0], Rows: int64(c.NumRows()), Meta: p}, nil
}

func (s *xlsxSink) Append(_ io.Writer, p Part) error {
	return s.book.Append(p.Meta.(*xlsxout.Part))
}

func (s *xlsxSink) Finish(io.Writer) error {
	if s.shared != nil {
		return nil
	}
	return s.book.Close()
}

// Warnings says where the sheet went on past Excel's row limit (a Workbook's says it
// for all its sheets).
func (s *xlsxSink) Warnings() []string {
	if s.book == nil || s.shared != nil {
		return nil
	}
	return s.book.Warnings()
}

// Workbook is an xlsx output of one sheet per source (--sheet-per-source). The engine
// runs each source on its own, with its own columns and schema, through the Sink that
// Sheet returns, one after the other in source order; Close then finishes the file.
// Each sheet has its own column widths and continues past Excel's row limit on its own
// "Name (2)".
type Workbook struct {
	book *xlsxout.Writer
}

// NewWorkbook starts a workbook written to w.
func NewWorkbook(w io.Writer) (*Workbook, error) {
	book, err := xlsxout.New(w, xlsxout.Options{})
	if err != nil {
		return nil, err
	}
	return &Workbook{book: book}, nil
}

// Sheet returns the sink of the next sheet, named c.SheetName made valid and unique
// (xlsxout.SheetName; Excel compares names without case).
func (b *Workbook) Sheet(c Config) Sink { return &xlsxSink{cfg: c, shared: b.book} }

// Close finishes the workbook after its last sheet.
func (b *Workbook) Close() error { return b.book.Close() }

// Warnings says which sheets went on past Excel's row limit.
func (b *Workbook) Warnings() []string { return b.book.Warnings() }
