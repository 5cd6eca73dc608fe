package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/ptransform/ptransform/internal/apply"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/transforms"
)

const applyUsage = `ptransform apply [flags] INPUT...

Reads each INPUT (a path, or - for standard input), applies the transforms in this
order: assignments (--expr), filters (--where), column selection (--select / --drop,
then --rename), and writes one output with the rows in input order. With no transform
flags it is a format conversion. The expression language is documented in
docs/expressions.md; expressions and column names are checked before any data is read.

The input is cut into chunks of --chunk-size bytes that --workers goroutines decode
and encode in parallel; the output is byte-identical whatever the number of workers or
the chunk size. A file output is written to a temporary file beside it and renamed into
place only when the run succeeds (a symbolic link is followed; a device, FIFO or socket is
written directly; a read-only file is refused: see "Output files" in README.md).

Examples:

  Derive a column and keep the rows that matter:
    ptransform apply --expr 'total = price * qty' --where 'qty > 0' sales.csv -o out.csv

  Several assignments, each seeing the previous ones; text functions; a report of bad rows:
    ptransform apply -e 'net = price * (1 - discount ?? 0); label = upper(region) ~ "-" ~ _row' \
        --on-error skip --errors bad_rows.csv sales.csv -o out.csv

  In a cron job: skip bad rows but fail past 100 of them; leave the figures for the scheduler:
    ptransform apply -e 'total = price * qty' --on-error skip --max-errors 100 \
        --errors bad_rows.csv --stats-json run.json sales.csv -o out.csv

  See the compiled plan (column types, expression types) without reading data:
    ptransform apply --explain -e 'margin = (price - cost) / price' sales.csv

  Convert a semicolon-separated export (delimiter sniffed) to a plain CSV:
    ptransform apply export.csv -o clean.csv

  Keep three columns, in this order, and rename one:
    ptransform apply --select id,name,total --rename total=amount sales.csv -o out.csv

  Drop a column from a compressed stream and write TSV to stdout:
    zcat big.csv.gz | ptransform apply --drop notes - --to tsv | head

  JSON Lines for a pipeline, the zip codes kept as text whatever the first rows hold:
    ptransform apply sales.csv -o sales.jsonl --schema 'zip:string'

  An Excel report of the paid orders, on a sheet named Paid:
    ptransform apply sales.csv -w 'status == "paid"' -o report.xlsx --sheet-name Paid

  Read a Windows-1252 file without a header row:
    ptransform apply --encoding windows-1252 --no-header legacy.txt --from csv -o out.csv

Output formats, by the extension of -o or by --to: csv, tsv (text, as read or computed),
jsonl (JSON Lines, .jsonl or .ndjson: one object per row, typed values), xlsx (an
Excel report: typed cells, bold frozen header, autofilter) and parquet (typed columns,
row groups of --row-group-size rows, --compression). A typed
output has one schema, decided before the first row is written: a column passed on
from the input takes the type every non-empty value of the run's first 1000 rows
shares (int, float, bool, date, datetime, time, duration, else string; 00123, 1e5
among integers and integers beyond int64 stay strings), a computed column its
expression's type (see --explain), and --schema overrides any column. Empty cells are
null. A later value that does not fit its column's type follows --on-error, listed in
--errors with expression "--schema".

Excel workbooks (.xlsx .xlsm .xltx .xltm, recognised by content) are read sheet by sheet;
several inputs, CSV or Excel, are read in parallel and written in order: file order, then
sheet order. _file and _sheet in expressions name each row's source.

  Every visible sheet of two workbooks into one CSV, with the source of each row:
    ptransform apply --sheet '*' -e 'source = _file ~ ":" ~ _sheet' q1.xlsx q2.xlsx -o all.csv

  A report whose header is on row 4, only columns A to F:
    ptransform apply --header-row 4 --range A4:F100000 report.xlsx -o report.csv

  Monthly exports whose columns drifted over the year:
    ptransform apply --union jan.csv feb.xlsx mar.csv -o q1.csv

Exit status: 0 success, 1 bad data or runtime error, 2 bad usage, 128+N after signal N
(130 SIGINT, 143 SIGTERM, 129 SIGHUP).`

func applyCommand() *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "transform and convert tabular files",
		UsageText: applyUsage,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `PATH` (default stdout); format from the extension (.csv .tsv .jsonl .ndjson .xlsx .parquet)"},
			&cli.StringFlag{Name: "to", Usage: "output `FORMAT`: csv | tsv | jsonl | xlsx | parquet (default: by the extension of -o; csv for stdout)"},
			&cli.StringFlag{Name: "schema", Usage: "typed outputs (jsonl, xlsx, parquet): force column types, `'COL:TYPE,...'` with TYPE string | int | float | bool | date | datetime | time | duration (default: from the first 1000 rows; expressions by their type)"},
			&cli.StringFlag{Name: "from", Usage: "input `FORMAT` when the content does not say: csv | tsv | xlsx (Excel workbooks are recognised by content)"},
			&cli.StringSliceFlag{Name: "expr", Aliases: []string{"e"}, Usage: "derive or overwrite a column: `'NAME = EXPR'`; repeatable; ';' separates several"},
			&cli.StringSliceFlag{Name: "where", Aliases: []string{"w"}, Usage: "keep rows where `EXPR` is true; repeatable (all must hold)"},
			&cli.StringFlag{Name: "on-error", Value: "fail", Usage: "a row whose expression fails (bad number, division by zero): `POLICY` fail | skip | null"},
			&cli.Int64Flag{Name: "max-errors", Usage: "with --on-error skip or null, fail the run (nothing written) after more than `N` row errors"},
			&cli.StringFlag{Name: "errors", Usage: "write every row-level error as CSV (file, sheet, row, expression, column, value, message) to `PATH`; - for stderr"},
			&cli.BoolFlag{Name: "explain", Usage: "print the compiled plan (columns, types, expression types) and exit without reading data"},
			&cli.StringSliceFlag{Name: "select", Usage: "output only these `COLS`, in this order (comma-separated; repeatable)"},
			&cli.StringSliceFlag{Name: "drop", Usage: "output all columns but these `COLS` (comma-separated; repeatable)"},
			&cli.StringFlag{Name: "rename", Usage: "rename columns: `OLD=NEW[,OLD=NEW...]`"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), DefaultText: "the number of CPUs", Usage: "number of parallel workers `N`; the run uses at most N cores; more than 4 per CPU (at least 8) are not used"},
			&cli.StringFlag{Name: "chunk-size", Usage: "bytes per chunk, with units (`SIZE`: 64KiB, 8MiB) (default: 256KiB for CSV files, 1MiB for piped standard input, compressed input and sheets); raised so that one CSV file makes at most 65536 chunks"},
			&cli.StringFlag{Name: "delimiter", Usage: "input delimiter `C` (default: sniffed among , ; TAB |, or by extension); 'tab' or '\\t' for TAB"},
			&cli.BoolFlag{Name: "no-header", Usage: "input has no header row: columns are named c1, c2, ..."},
			&cli.StringFlag{Name: "encoding", Usage: "input `ENCODING`: utf-8, latin1, windows-1252, utf-16le, utf-16be (default: UTF-8, or UTF-16 by its BOM)"},
			&cli.StringFlag{Name: "ragged", Value: "error", Usage: "rows with too few or too many fields: `MODE` error | pad | truncate | pad,truncate"},
			&cli.StringSliceFlag{Name: "sheet", Usage: "Excel: sheets to read, by `NAME`, 1-based INDEX or GLOB ('*' = every visible worksheet); repeatable; default the first visible worksheet"},
			&cli.BoolFlag{Name: "include-hidden", Usage: "Excel: let '*' and other globs match hidden sheets too"},
			&cli.BoolFlag{Name: "union", Usage: "inputs with different columns: combine them by name (missing cells are empty)"},
			&cli.StringFlag{Name: "sheet-name", Usage: "xlsx output: the sheet's `NAME` (default: the first input sheet's, else Sheet1)"},
			&cli.StringFlag{Name: "compression", Usage: "parquet output: `CODEC` zstd | snappy | gzip | none (default: zstd)"},
			&cli.IntFlag{Name: "row-group-size", Usage: "parquet output: `ROWS` per row group (default: 131072)"},
			&cli.BoolFlag{Name: "crlf", Usage: "end csv and tsv output lines with CRLF instead of LF"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar and no warnings"},
			&cli.BoolFlag{Name: "stats", Usage: "print a one-line summary on stderr: inputs, rows in and out, row errors, time, rows/s"},
			&cli.StringFlag{Name: "stats-json", Usage: "write the run's figures as JSON to `PATH`, whether it succeeds or fails (fields: README, \"Run summary\")"},
		}, append(workbookFlags(), profileFlags()...)...),
		OnUsageError: usageError,
		BashComplete: completeFlagsOnly,
		Action: func(c *cli.Context) error {
			o, err := applyOptions(c)
			if err != nil {
				return &apply.UsageError{Err: err}
			}
			return withProfiles(c, func() error { return apply.Run(c.Context, o) })
		},
	}
}

func applyOptions(c *cli.Context) (apply.Options, error) {
	o := apply.Options{
		Inputs:  c.Args().Slice(),
		Output:  c.String("output"),
		To:      c.String("to"),
		From:    c.String("from"),
		Select:  splitList(strings.Join(c.StringSlice("select"), ",")),
		Drop:    splitList(strings.Join(c.StringSlice("drop"), ",")),
		Workers: c.Int("workers"),
		CRLF:    c.Bool("crlf"),
		Schema:  c.String("schema"),
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,

		ErrorStream: os.Stderr,

		Exprs:      c.StringSlice("expr"),
		Wheres:     c.StringSlice("where"),
		ErrorsPath: c.String("errors"),
		Explain:    c.Bool("explain"),
	}
	switch c.String("on-error") {
	case "fail":
		o.OnError = expr.OnErrorFail
	case "skip":
		o.OnError = expr.OnErrorSkip
	case "null":
		o.OnError = expr.OnErrorNull
	default:
		return o, fmt.Errorf("--on-error must be fail, skip or null, got %q", c.String("on-error"))
	}
	if c.IsSet("max-errors") {
		limit := c.Int64("max-errors")
		if limit < 0 {
			return o, fmt.Errorf("--max-errors must be 0 or more, got %d", limit)
		}
		if o.OnError == expr.OnErrorFail {
			return o, errors.New("--max-errors needs --on-error skip or null (with fail, the first row error ends the run)")
		}
		o.MaxErrors = &limit
	}
	if c.Bool("quiet") {
		o.Stderr = nil
	}
	o.Sheets = c.StringSlice("sheet")
	wb, err := workbookReadOptions(c)
	if err != nil {
		return o, err
	}
	o.HeaderRow, o.Range, o.Password = wb.headerRow, wb.rng, wb.password
	o.IncludeHidden = c.Bool("include-hidden")
	o.Union = c.Bool("union")
	o.SheetName = c.String("sheet-name")
	o.Compression = c.String("compression")
	if o.RowGroupRows = c.Int("row-group-size"); o.RowGroupRows < 0 {
		return o, fmt.Errorf("--row-group-size must be a positive number of rows, got %d", o.RowGroupRows)
	}
	if o.Workers < 1 {
		return o, fmt.Errorf("--workers must be at least 1, got %d", o.Workers)
	}
	// Workers beyond a few per core cannot help (each decodes and encodes a whole chunk
	// on a core) and each holds chunks in flight: 10,000 took 981 MB on a 147 MB file.
	if limit := maxWorkers(); o.Workers > limit {
		if o.Stderr != nil {
			fmt.Fprintf(o.Stderr, "ptransform: warning: --workers %d is more than can help; using %d (4 per CPU, at least 8)\n", o.Workers, limit)
		}
		o.Workers = limit
	}
	// N workers means N cores: the planner and the writer share them rather than taking
	// more, so --workers 1 leaves the rest of the machine to other jobs.
	if o.Workers < runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(o.Workers)
	}
	if s := c.String("chunk-size"); s != "" {
		if o.ChunkSize, err = parseSize(s); err != nil {
			return o, fmt.Errorf("--chunk-size: %w", err)
		}
	}
	if s := c.String("rename"); s != "" {
		if o.Renames, err = transforms.ParseRenames(s); err != nil {
			return o, err
		}
	}
	if o.CSV.Delimiter, err = parseDelimiter(c.String("delimiter")); err != nil {
		return o, err
	}
	o.CSV.NoHeader = c.Bool("no-header")
	if _, err := csvfmt.ParseEncoding(c.String("encoding")); err != nil {
		return o, err
	}
	o.CSV.Encoding = c.String("encoding")
	if o.CSV.Ragged, err = parseRagged(c.String("ragged")); err != nil {
		return o, err
	}
	if !c.Bool("quiet") && showProgress(dataToTerminal(o.Output), term.IsTerminal(int(os.Stderr.Fd()))) {
		o.Progress = os.Stderr
	}
	if c.Bool("stats") {
		o.Stats = os.Stderr
	}
	o.StatsJSON = c.String("stats-json")
	return o, nil
}

// showProgress decides whether a progress bar goes on stderr: only to a terminal, and
// never while the data goes to a terminal too, where the bar would draw into it.
func showProgress(dataToTerminal, stderrTerminal bool) bool {
	return stderrTerminal && !dataToTerminal
}

// dataToTerminal tells whether the output is a terminal: standard output on one, or a
// path naming a terminal device (-o /dev/tty).
func dataToTerminal(output string) bool {
	if output == "" || output == "-" {
		return term.IsTerminal(int(os.Stdout.Fd()))
	}
	if st, err := os.Stat(output); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false // a file, a FIFO, a new path: not a terminal
	}
	f, err := os.OpenFile(output, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		return false // the run will say why it cannot open it
	}
	defer f.Close()
	return term.IsTerminal(int(f.Fd()))
}

// maxWorkers is the most workers a run uses: 4 per CPU, at least 8.
func maxWorkers() int { return max(8, 4*runtime.NumCPU()) }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// parseSize reads a byte count with an optional unit: 65536, 64KiB, 64KB, 8MiB, 1GiB.
// KB and KiB both mean 1024: nobody sizing a chunk wants powers of ten.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive size like 64KiB or 8MiB, got %q", s)
	}
	if n > (1<<30)/mult {
		return 0, fmt.Errorf("%q is too large (at most 1GiB)", s)
	}
	return n * mult, nil
}

func parseDelimiter(s string) (byte, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", "TAB", `\t`, "\t":
		return '\t', nil
	}
	if len(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r' || s[0] >= 0x80 {
		return 0, fmt.Errorf("--delimiter must be one ASCII character other than a quote or newline, got %q", s)
	}
	return s[0], nil
}

func parseRagged(s string) (csvfmt.RaggedPolicy, error) {
	switch strings.ReplaceAll(s, " ", "") {
	case "error", "fail":
		return csvfmt.RaggedFail, nil
	case "pad":
		return csvfmt.RaggedPad, nil
	case "truncate":
		return csvfmt.RaggedTruncate, nil
	case "pad,truncate", "truncate,pad":
		return csvfmt.RaggedPadTruncate, nil
	}
	return 0, errors.New("--ragged must be error, pad, truncate or pad,truncate")
}
