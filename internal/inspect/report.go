package inspect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// Options say how to read the inputs and how much of them to show.
type Options struct {
	SampleRows    int // rows read from the start of each table to infer column types
	ShowRows      int // of those, how many are kept in FirstRows
	CSV           csvfmt.Options
	Sheets        []string // workbook sheets shown: NAME | 1-based INDEX | GLOB; empty = every visible sheet
	IncludeHidden bool     // show hidden sheets too (by default, and to globs)
	Workers       int      // goroutines counting a CSV input's rows
	ChunkSize     int64    // bytes per counted CSV range or block; 0 = apply.DefaultChunkSize
}

func (o Options) sampleRows() int { return max(o.SampleRows, o.ShowRows, 1) }

// Report describes one input. Exactly one of CSVReport (format csv) and WorkbookReport
// (format xlsx) is set; their fields are inlined in the JSON object.
type Report struct {
	File   string `json:"file"`
	Format string `json:"format"`
	Size   *int64 `json:"size"` // bytes on disk (compressed, if it is); null for standard input
	*CSVReport
	*WorkbookReport
}

// WorkbookReport is what inspect shows of a workbook besides its name, format and size.
type WorkbookReport struct {
	Date1904       bool                  `json:"date1904"`
	Sheets         []xlsxfmt.SheetReport `json:"sheets"`           // the sheets selected, in workbook order
	SheetsNotShown []xlsxfmt.SheetInfo   `json:"sheets_not_shown"` // the others: metadata and row count only
}

var (
	zipMagic  = []byte("PK\x03\x04")
	ole2Magic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
)

// Inspect reports one input ("-" is standard input). Whether it is a workbook is
// decided by its content, whatever its name: a zip package or an OLE2 compound file
// goes to the workbook reader (which names what it refuses: .xls, .ods, encrypted),
// anything else is read as CSV.
func Inspect(ctx context.Context, name string, o Options) (*Report, error) {
	rep := &Report{File: name}
	if name != "-" {
		if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() {
			size := fi.Size()
			rep.Size = &size
		}
	}
	book := false
	if name != "-" {
		var err error
		if book, err = isWorkbook(name); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", name)
		} else if err != nil {
			return nil, err
		}
	}
	if book {
		wb, err := inspectWorkbook(name, o)
		if err != nil {
			return nil, err
		}
		rep.Format, rep.WorkbookReport = "xlsx", wb
		return rep, nil
	}
	c, err := inspectCSV(ctx, name, o)
	if err != nil {
		return nil, err
	}
	rep.Format, rep.CSVReport = "csv", c
	return rep, nil
}

// isWorkbook reports whether the file starts like an xlsx (zip) or xls (OLE2) file.
func isWorkbook(name string) (bool, error) {
	f, err := os.Open(name)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(ole2Magic))
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	head = head[:n]
	return bytes.HasPrefix(head, zipMagic) || bytes.Equal(head, ole2Magic), nil
}

func inspectWorkbook(name string, o Options) (*WorkbookReport, error) {
	// xlsxfmt.Inspect reads every sheet; the selection only filters what is shown.
	book, err := xlsxfmt.Inspect(name, o.sampleRows())
	if err != nil {
		return nil, err
	}
	infos := make([]xlsxfmt.SheetInfo, len(book.Sheets))
	for i, s := range book.Sheets {
		infos[i] = s.SheetInfo
	}
	show, err := selectSheets(infos, o.Sheets, o.IncludeHidden)
	if err != nil {
		return nil, &xlsxfmt.Error{File: name, Col: -1, Err: selectionError{err}}
	}
	wb := &WorkbookReport{Date1904: book.Date1904, Sheets: []xlsxfmt.SheetReport{}, SheetsNotShown: []xlsxfmt.SheetInfo{}}
	for i, s := range book.Sheets {
		if !show[i] {
			wb.SheetsNotShown = append(wb.SheetsNotShown, s.SheetInfo)
			continue
		}
		s.FirstRows = s.FirstRows[:min(len(s.FirstRows), o.ShowRows)]
		wb.Sheets = append(wb.Sheets, s)
	}
	return wb, nil
}

// selectSheets marks the sheets to show. No pattern shows every visible sheet (every
// sheet with includeHidden). A pattern is a sheet name (exact, else ignoring case; a
// hidden sheet named is shown), a 1-based index, or a glob matching visible worksheets
// (hidden ones too with includeHidden), as apply's --sheet reads them.
func selectSheets(sheets []xlsxfmt.SheetInfo, patterns []string, includeHidden bool) ([]bool, error) {
	show := make([]bool, len(sheets))
	if len(patterns) == 0 {
		for i, s := range sheets {
			show[i] = s.Visibility == "visible" || includeHidden
		}
		return show, nil
	}
	for _, want := range patterns {
		if i := sheetByName(sheets, want); i >= 0 {
			show[i] = true
			continue
		}
		if n, err := strconv.Atoi(want); err == nil {
			if n < 1 || n > len(sheets) {
				return nil, fmt.Errorf("no sheet number %d: the workbook has %d sheets (%s)", n, len(sheets), sheetNames(sheets))
			}
			show[n-1] = true
			continue
		}
		if !strings.ContainsAny(want, "*?[") {
			return nil, fmt.Errorf("no sheet named %q; sheets: %s", want, sheetNames(sheets))
		}
		if _, err := path.Match(want, ""); err != nil {
			return nil, fmt.Errorf("bad sheet pattern %q: %v", want, err)
		}
		matched := false
		for i, s := range sheets {
			if ok, _ := path.Match(want, s.Name); ok && s.Kind == "worksheet" && (s.Visibility == "visible" || includeHidden) {
				show[i], matched = true, true
			}
		}
		if !matched {
			return nil, fmt.Errorf("no worksheet matches %q; sheets: %s", want, sheetNames(sheets))
		}
	}
	return show, nil
}

// selectionError is a --sheet that names no sheet: a usage error, as in apply.
type selectionError struct{ error }

func (e selectionError) Is(target error) bool { return target == xlsxfmt.ErrSheetSelection }

func (e selectionError) Unwrap() error { return e.error }

// sheetByName finds a sheet by exact name, else ignoring case (as Excel compares
// sheet names).
func sheetByName(sheets []xlsxfmt.SheetInfo, name string) int {
	for i, s := range sheets {
		if s.Name == name {
			return i
		}
	}
	for i, s := range sheets {
		if strings.EqualFold(s.Name, name) {
			return i
		}
	}
	return -1
}

func sheetNames(sheets []xlsxfmt.SheetInfo) string {
	names := make([]string, len(sheets))
	for i, s := range sheets {
		names[i] = strconv.Quote(s.Name)
		if s.Kind != "worksheet" {
			names[i] += " (" + s.Kind + ")"
		} else if s.Visibility != "visible" {
			names[i] += " (" + s.Visibility + ")"
		}
	}
	return strings.Join(names, ", ")
}
