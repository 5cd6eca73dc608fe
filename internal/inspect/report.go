package inspect

import (
	"context"
	"errors"
	"os"

	"github.com/ptransform/ptransform/internal/apply"
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
	HeaderRow     int      // workbooks: 1-based row of the header; 0 = the first row with a value
	Range         string   // workbooks: read only this rectangle, e.g. A1:F500
	Password      string   // encrypted workbooks
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

// Inspect reports one input ("-" is standard input). Whether it is a workbook is
// decided by its content, whatever its name, as apply decides it: a zip package or an
// OLE2 compound file goes to the workbook reader (which names what it refuses: .xls,
// .ods, encrypted), anything else is read as CSV.
func Inspect(ctx context.Context, name string, o Options) (*Report, error) {
	rep := &Report{File: name}
	if name != "-" {
		if fi, err := os.Stat(name); err == nil && fi.Mode().IsRegular() {
			size := fi.Size()
			rep.Size = &size
		}
	}
	c, err := inspectCSV(ctx, name, o)
	if errors.Is(err, apply.ErrWorkbook) {
		wb, err := inspectWorkbook(name, o)
		if err != nil {
			return nil, err
		}
		rep.Format, rep.WorkbookReport = "xlsx", wb
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	rep.Format, rep.CSVReport = "csv", c
	return rep, nil
}

func inspectWorkbook(name string, o Options) (*WorkbookReport, error) {
	// xlsxfmt.Inspect reads every sheet; the selection only filters what is shown.
	book, err := xlsxfmt.Inspect(name, xlsxfmt.Options{HeaderRow: o.HeaderRow, Range: o.Range, Password: o.Password}, o.sampleRows())
	if err != nil {
		return nil, err
	}
	infos := make([]xlsxfmt.SheetInfo, len(book.Sheets))
	for i, s := range book.Sheets {
		infos[i] = s.SheetInfo
	}
	show, err := selectSheets(infos, o.Sheets, o.IncludeHidden)
	if err != nil {
		return nil, &xlsxfmt.Error{File: name, Col: -1, Err: err}
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

// selectSheets marks the sheets to show: with no pattern every visible sheet (every
// sheet with includeHidden), else those xlsxfmt.SelectSheets chooses, as apply would.
func selectSheets(sheets []xlsxfmt.SheetInfo, patterns []string, includeHidden bool) ([]bool, error) {
	show := make([]bool, len(sheets))
	if len(sheets) == 0 {
		return nil, xlsxfmt.ErrNoSheets
	}
	if len(patterns) == 0 {
		for i, s := range sheets {
			show[i] = s.Visibility == "visible" || includeHidden
		}
		return show, nil
	}
	chosen, err := xlsxfmt.SelectSheets(sheets, patterns, includeHidden)
	for _, i := range chosen {
		show[i] = true
	}
	return show, err
}
