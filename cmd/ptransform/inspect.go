package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/urfave/cli/v2"

	"github.com/ptransform/ptransform/internal/apply"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/inspect"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

const inspectUsage = `ptransform inspect [flags] INPUT...

Describes each INPUT (a path, or - for standard input) without changing it: its format,
and for a CSV file the delimiter, encoding, compression and row count; for a workbook
its sheets (name, visibility, kind, dimension, row count). For each table it shows the
columns, the type their values share in the first --sample rows, and the first --rows
rows. All rows are counted, in parallel like apply, so a file apply would reject fails
here with the same one-line error. Workbooks (.xlsx, .xlsm) are recognised by content.

Column types: integer, number, bool (true/false), date (YYYY-MM-DD), datetime
(YYYY-MM-DD HH:MM[:SS], T or space, optional Z or offset), time (H:MM:SS), text. Empty
values do not count; a column with none is text; integers mixed with numbers are number,
dates mixed with datetimes datetime, anything else mixed text. Numbers written with a
leading zero (007) are text: they are codes.

Examples:

  What is in this export?
    ptransform inspect export.csv

  Two sheets of a workbook, hidden ones included, with 10 preview rows:
    ptransform inspect --sheet Sales --sheet 'Q*' --include-hidden --rows 10 book.xlsx

  Column types of every input, for a script:
    ptransform inspect --json data/*.csv | jq '.[] | {file, columns}'

JSON output (--json) is one array with one object per input, fields in this order:

  {"file": "a.csv", "format": "csv", "size": 1234,        (size: null for stdin)
   "delimiter": ",", "encoding": "utf-8", "compression": "none",  (or gzip, zstd)
   "header": true, "rows": 100,
   "columns": [{"name": "id", "type": "integer"}, ...],
   "first_rows": [["1", "Smith", null], ...]}             (null: empty field)

  {"file": "b.xlsx", "format": "xlsx", "size": 11012, "date1904": false,
   "sheets": [{"name": "Sales", "index": 1, "visibility": "visible",
               "kind": "worksheet", "dimension": "A1:C101", "rows": 100,
               "header_row": 1, "columns": [...], "first_rows": [...],
               "warnings": [...], "error": "..."}],       (the last two only if any)
   "sheets_not_shown": [{"name": "Old", "index": 2, "visibility": "hidden",
               "kind": "worksheet", "dimension": "A1:B2", "rows": 1}]}

  visibility: visible | hidden | veryHidden; kind: worksheet | chartsheet |
  dialogsheet | macrosheet; rows: data rows below the header, -1 for sheets that hold
  no cells (chartsheets).

Workbooks are read as apply reads them: --header-row, --range and --password-env work
alike (by default the header is the first row with a value); --no-header, --delimiter,
--encoding and --ragged apply to CSV inputs only.

Exit status: 0 success, 1 unreadable or bad data, 2 bad usage, 128+N after signal N
(130 SIGINT, 143 SIGTERM, 129 SIGHUP).`

func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "describe inputs: format, sheets, columns and their types, first rows",
		UsageText: inspectUsage,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print one JSON document (see above) instead of tables"},
			&cli.IntFlag{Name: "sample", Value: 1000, Usage: "infer column types from the first `N` rows"},
			&cli.IntFlag{Name: "rows", Value: 5, Usage: "show the first `N` rows"},
			&cli.StringSliceFlag{Name: "sheet", Usage: "show only this sheet: `NAME`, 1-based index or glob; repeatable (default: every visible sheet)"},
			&cli.BoolFlag{Name: "include-hidden", Usage: "show hidden sheets too (by default and to --sheet globs)"},
			&cli.StringFlag{Name: "delimiter", Usage: "CSV delimiter `C` (default: sniffed among , ; TAB |, or by extension); 'tab' or '\\t' for TAB"},
			&cli.BoolFlag{Name: "no-header", Usage: "CSV has no header row: columns are named c1, c2, ..."},
			&cli.StringFlag{Name: "encoding", Usage: "CSV `ENCODING`: utf-8, latin1, windows-1252, utf-16le, utf-16be (default: UTF-8, or UTF-16 by its BOM)"},
			&cli.StringFlag{Name: "ragged", Value: "error", Usage: "CSV rows with too few or too many fields: `MODE` error | pad | truncate | pad,truncate"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), DefaultText: "the number of CPUs", Usage: "goroutines `N` counting rows"},
		}, workbookFlags()...),
		OnUsageError: usageError,
		BashComplete: completeFlagsOnly,
		Action: func(c *cli.Context) error {
			o, err := inspectOptions(c)
			if err != nil {
				return &apply.UsageError{Err: err}
			}
			var reports []*inspect.Report
			for _, name := range c.Args().Slice() {
				r, err := inspect.Inspect(c.Context, name, o)
				if errors.Is(err, xlsxfmt.ErrSheetSelection) {
					return &apply.UsageError{Err: err}
				}
				if err != nil {
					return err
				}
				reports = append(reports, r)
			}
			write := inspect.WriteText
			if c.Bool("json") {
				write = inspect.WriteJSON
			}
			if err := write(os.Stdout, reports); err != nil {
				return err
			}
			return unreadSheet(reports)
		},
	}
}

// unreadSheet is the error of the first sheet shown that could not be read: the report
// says it, and the exit status too, so that a script sees a damaged workbook.
func unreadSheet(reports []*inspect.Report) error {
	for _, r := range reports {
		if r.WorkbookReport == nil {
			continue
		}
		for _, s := range r.Sheets {
			if s.Error != "" {
				return errors.New(s.Error)
			}
		}
	}
	return nil
}

func inspectOptions(c *cli.Context) (inspect.Options, error) {
	o := inspect.Options{
		SampleRows:    c.Int("sample"),
		ShowRows:      c.Int("rows"),
		Sheets:        c.StringSlice("sheet"),
		IncludeHidden: c.Bool("include-hidden"),
		Workers:       c.Int("workers"),
	}
	wb, err := workbookReadOptions(c)
	if err != nil {
		return o, err
	}
	o.HeaderRow, o.Range, o.Password = wb.headerRow, wb.rng, wb.password
	if c.NArg() == 0 {
		return o, errors.New("inspect needs at least one INPUT (a path, or - for standard input)")
	}
	stdinUses := 0
	for _, a := range c.Args().Slice() {
		if a == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return o, errors.New("standard input (-) can be read only once")
	}
	if o.SampleRows < 1 {
		return o, fmt.Errorf("--sample must be at least 1, got %d", o.SampleRows)
	}
	if o.ShowRows < 0 {
		return o, fmt.Errorf("--rows must be at least 0, got %d", o.ShowRows)
	}
	if o.Workers < 1 {
		return o, fmt.Errorf("--workers must be at least 1, got %d", o.Workers)
	}
	if o.CSV.Delimiter, err = parseDelimiter(c.String("delimiter")); err != nil {
		return o, err
	}
	if _, err := csvfmt.ParseEncoding(c.String("encoding")); err != nil {
		return o, err
	}
	o.CSV.Encoding = c.String("encoding")
	o.CSV.NoHeader = c.Bool("no-header")
	if o.CSV.Ragged, err = parseRagged(c.String("ragged")); err != nil {
		return o, err
	}
	return o, nil
}
