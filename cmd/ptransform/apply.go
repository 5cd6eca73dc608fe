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
	"github.com/ptransform/ptransform/internal/lookup"
	"github.com/ptransform/ptransform/internal/transforms"
)

const applyUsage = `ptransform apply [flags] INPUT...

Reads each INPUT (a path, or - for standard input), applies the transforms in this
order: lookups in reference files (--lookup), assignments (--expr), filters (--where),
the first row of each key (--distinct, --distinct-on), the first, last or sampled rows
(--head, --tail, --sample, --sample-fraction), group-by and aggregates (--group-by,
--agg), a filter over the groups (--having), sorting (--sort), the first rows (--limit),
column selection (--select / --drop, then --rename), and writes one output, the rows in
input order unless sorted or grouped. A --where that reads no column an --expr assigns
runs before the assignments, which are then computed only for the rows it keeps (so
-w 'b != 0' -e 'r = a / b' never divides by zero). With no transform flags it is a
format conversion. The expression language is documented in docs/expressions.md; expressions
and column names are checked before any data is read.

The input is cut into chunks of --chunk-size bytes that --workers goroutines decode
and encode in parallel; the output is byte-identical whatever the number of workers or
the chunk size. A file output is written to a temporary file beside it and renamed into
place only when the run succeeds (a symbolic link is followed; a device, FIFO or socket is
written directly; a read-only file is refused: see "Output files" in README.md).

Examples:

  Derive a column and keep the rows that matter:
    ptransform apply --expr 'total = price * qty' --where 'qty > 0' sales.csv -o out.csv

  Several assignments, each seeing the previous ones; text functions; a report of bad rows:
    ptransform apply sales.csv -o out.csv \
        -e 'net = price * (1 - (discount ?? 0)); label = upper(region) ~ "-" ~ _row' \
        --on-error skip --errors bad_rows.csv

  In a cron job: skip bad rows but fail past 100 of them; leave the figures for the scheduler:
    ptransform apply -e 'total = price * qty' --on-error skip --max-errors 100 \
        --errors bad_rows.csv --stats-json run.json sales.csv -o out.csv

  In a script, values as parameters ($NAME) or environment variables, not spliced into
  the expression by shell quoting (a missing one is an error before any data is read):
    ptransform apply --param region="$REGION" --param min=100 -e 'batch = env("BATCH_ID")' \
        -w 'region == $region and total >= $min' sales.csv -o out.csv

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

  A report exported with two title lines above its header:
    ptransform apply --skip-lines 2 report.csv -o clean.csv

  Read a Windows-1252 file without a header row:
    ptransform apply --encoding windows-1252 --no-header legacy.txt --from csv -o out.csv

  One shard of eight in a job array; the parts, joined in order, are the whole output
  (README, "Sharding"; docs/scale.md):
    ptransform apply -e 'total = price * qty' --shard 3/8 big.csv -o part3.csv

Lookups (docs/lookups.md): --lookup PATH adds the columns of a reference file (CSV,
TSV, xlsx, JSON Lines, Parquet: any input format, read once into memory) to each row
whose key --on LEFT=RIGHT finds; keys compare by value (42 matches 42.0 and an Excel
number 42, not the code 042), empty keys
never match. --how left (unmatched rows get nulls) | inner | anti; a duplicate key is an
error unless --lookup-dup first|last. Per-lookup flags given once hold for every
--lookup, given once per --lookup the i-th is the i-th's.

  Product names and prices from a workbook, then a total from them:
    ptransform apply orders.csv --lookup products.xlsx --on product_id=id --prefix p_ \
        --lookup-select name,price -e 'total = qty * p_price' -o out.csv

  The orders whose product is unknown; a key made by an expression:
    ptransform apply orders.csv --lookup products.csv --on product_id=id --how anti
    ptransform apply orders.csv --lookup products.csv --on 'int(code)=id' -o out.csv

  Two references, a region per customer and only the orders of known customers:
    ptransform apply orders.csv --lookup products.csv --on product_id=id --prefix p_ \
        --lookup customers.csv --on customer=cid --prefix '' --how left --how inner

Rows (docs/rows.md): records, not lines, so quoted fields over several lines stay
whole; kept rows are written in input order, the same for any --workers and --chunk-size.
--distinct keeps the first of each distinct row, --distinct-on KEYS (as --group-by's)
the first row of each key; --head N the first N rows after --where (and reads no
further), --tail N the last N; --sample N draws N rows uniformly and --sample-fraction P
each row with probability P, reproducibly for a --seed (default 1).

  The first order of each customer; the first 10 paid orders of a big file, read no further:
    ptransform apply --distinct-on customer_id orders.csv -o first_orders.csv
    ptransform apply -w 'status == "paid"' --head 10 big.csv

  A reproducible sample of 1000 rows, and a report over a 1% sample:
    ptransform apply --sample 1000 --seed 7 big.csv -o sample.csv
    ptransform apply --sample-fraction 0.01 --group-by region --agg 'n = count()' big.csv

Reports (docs/reports.md): --group-by takes columns or NAME=EXPR keys, --agg one or
more 'NAME = FUNC(EXPR)' (count, count_distinct, sum, mean, min, max, first, last,
stddev, variance, median, quantile, approx_quantile, mode, string_agg, any, all);
without --group-by, one summary row. Groups come out in the order of their first row.
--having filters the aggregated rows; --sort 'a,-b' sorts any rows (typed, stable,
nulls last); --limit N keeps the first N (after --sort, a top-N heap). A sort larger
than --memory spills sorted runs to --temp-dir, removed however the run ends.

  Revenue per region and month, the 20 best, as an Excel report:
    ptransform apply sales.csv -e 'total = price * qty' -w 'status == "paid"' \
        --group-by 'region,month=format_date(date, "%Y-%m")' \
        --agg 'revenue = sum(total); orders = count(); avg_order = mean(total)' \
        --sort -revenue --limit 20 -o report.xlsx

  The regions with more than 100 orders; one summary row of the whole file:
    ptransform apply sales.csv --group-by region --agg 'orders = count()' --having 'orders > 100'
    ptransform apply sales.csv --agg 'orders = count(); units = sum(qty); first_day = min(date)'

  The 50 largest orders; every row sorted by date within 256 MiB of memory:
    ptransform apply sales.csv --sort -qty,order_id --limit 50 -o top50.csv
    ptransform apply big.csv --sort date --memory 256MiB --temp-dir /scratch -o by_date.csv

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

JSON Lines (one object per line, recognised by content) is read one row per object,
the columns being the keys of its first 1000 lines in order of appearance (README.md,
"JSON Lines input"); nested values are kept as JSON text:
    ptransform apply events.jsonl -w 'status == "paid"' --select id,amount -o paid.csv

Parquet (recognised by content, or --from parquet) is read in chunks of rows of about
--chunk-size, in parallel, decoding only the columns the run needs; values read as the
text ptransform writes for them (DECIMAL exact, nested values as JSON text) and typed
outputs keep the file's column types (README.md, "Parquet input"):
    ptransform apply events.parquet -e 'amount = price * qty' --select id,amount -o out.csv

Excel workbooks (.xlsx .xlsm .xltx .xltm, recognised by content) are read sheet by sheet;
several inputs, CSV or Excel, are read in parallel and written in order: file order, then
sheet order. _file and _sheet in expressions name each row's source.

  Every visible sheet of two workbooks into one CSV, with the source of each row:
    ptransform apply --sheet '*' -e 'source = _file ~ ":" ~ _sheet' q1.xlsx q2.xlsx -o all.csv

  A workbook on standard input (copied to a temporary file, at most 4 GiB, removed at the end):
    curl -s https://example.com/book.xlsx | ptransform apply - -o book.csv

  A report whose header is on row 4, only columns A to F:
    ptransform apply --header-row 4 --range A4:F100000 report.xlsx -o report.csv

  Monthly exports whose columns drifted over the year:
    ptransform apply --union jan.csv feb.xlsx mar.csv -o q1.csv

One output per source with --out-dir DIR (made if missing): an input file, or each sheet
when --out-name holds {sheet}. --out-name's PATTERN (default {stem}.{ext}) takes {stem}
(file name without extension), {sheet}, {index} (from 1) and {ext} (of --to, else of the
pattern's own extension, else csv); names are made safe and unique (a-2.csv). Each output
has its own columns and schema. A file in the way is refused unless --overwrite; the
outputs appear only when every source succeeded. --sheet-per-source writes one xlsx
sheet per source instead.

  Each sheet of a workbook to its own Parquet file (parts/book-Jan.parquet, ...):
    ptransform apply book.xlsx --sheet '*' --out-dir parts --out-name '{stem}-{sheet}.parquet'

  Clean every export of a directory into another, as JSON Lines:
    ptransform apply exports/*.csv -e 'total = price * qty' --out-dir clean --to jsonl

  One Excel report, a sheet per input file, each with its own columns:
    ptransform apply sales.csv returns.csv stock.xlsx --sheet-per-source -o report.xlsx

Exit status: 0 success, 1 bad data or runtime error, 2 bad usage, 128+N after signal N
(130 SIGINT, 143 SIGTERM, 129 SIGHUP).`

func applyCommand() *cli.Command {
	return &cli.Command{
		Name:      "apply",
		Usage:     "transform and convert tabular files",
		UsageText: applyUsage,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "output `PATH` (default stdout); format from the extension (.csv .tsv .jsonl .ndjson .xlsx .parquet)"},
			&cli.StringFlag{Name: "out-dir", Usage: "one output per source (input file, or sheet with {sheet} in --out-name) in `DIR`, made if missing, instead of one output; files in the way are refused unless --overwrite"},
			&cli.StringFlag{Name: "out-name", Usage: "--out-dir: the outputs' names, `PATTERN` of {stem} {sheet} {index} {ext} (default: {stem}.{ext}); made safe and unique (a-2.csv)"},
			&cli.BoolFlag{Name: "overwrite", Usage: "--out-dir: replace the files that outputs would replace (never an input)"},
			&cli.StringFlag{Name: "to", Usage: "output `FORMAT`: csv | tsv | jsonl | xlsx | parquet (default: by the extension of -o; csv for stdout)"},
			&cli.StringFlag{Name: "schema", Usage: "typed outputs (jsonl, xlsx, parquet): force column types, `'COL:TYPE,...'` with TYPE string | int | float | bool | date | datetime | time | duration (default: from the first 1000 rows; expressions by their type)"},
			&cli.StringFlag{Name: "from", Usage: "input `FORMAT` when the content does not say: csv | tsv | xlsx | parquet | jsonl (Excel workbooks, Parquet and JSON Lines are recognised by content)"},
			&cli.StringSliceFlag{Name: "expr", Aliases: []string{"e"}, Usage: "derive or overwrite a column: `'NAME = EXPR'`; repeatable; ';' separates several"},
			&cli.StringSliceFlag{Name: "where", Aliases: []string{"w"}, Usage: "keep rows where `EXPR` is true; repeatable (all must hold)"},
			&cli.StringSliceFlag{Name: "lookup", Usage: "add the columns of a reference `PATH` (csv, tsv, xlsx, jsonl, parquet: any input format) to each row by key, before --expr (docs/lookups.md); repeatable"},
			&cli.StringSliceFlag{Name: "on", Usage: "--lookup's keys: `LEFT=RIGHT[,...]`, an input column or expression (int(id)) = a reference column; KEY when both name it alike"},
			&cli.StringSliceFlag{Name: "lookup-sheet", Usage: "--lookup of a workbook: the `SHEET` (name, 1-based index; default the first visible)"},
			&cli.StringSliceFlag{Name: "prefix", Usage: "--lookup: put `TEXT` before the names of the columns it adds"},
			&cli.StringSliceFlag{Name: "lookup-select", Usage: "--lookup: add only these reference `COLS` (comma-separated; default all but its keys)"},
			&cli.StringSliceFlag{Name: "how", Usage: "--lookup: `MODE` left (default: unmatched rows get nulls) | inner (only matched rows) | anti (only unmatched rows)"},
			&cli.StringSliceFlag{Name: "lookup-dup", Usage: "--lookup: which of several reference rows with one key a row finds, `first|last` (default: an error naming both rows)"},
			&cli.StringSliceFlag{Name: "param", Usage: "a value for expressions, `NAME=VALUE`, written $NAME in them (text read like a cell); repeatable"},
			&cli.StringFlag{Name: "on-error", Value: "fail", Usage: "a row whose expression fails (bad number, division by zero): `POLICY` fail | skip | null"},
			&cli.Int64Flag{Name: "max-errors", Usage: "with --on-error skip or null, fail the run (nothing written) after more than `N` row errors"},
			&cli.StringFlag{Name: "errors", Usage: "write every row-level error as CSV (file, sheet, row, expression, column, value, message) to `PATH`; - for stderr"},
			&cli.BoolFlag{Name: "explain", Usage: "print the compiled plan (columns, types, expression types) and exit without reading data"},
			&cli.StringFlag{Name: "group-by", Usage: "aggregate rows per group of `KEYS`: columns or NAME=EXPR computed keys, comma-separated (see \"Reports\" in README.md)"},
			&cli.StringSliceFlag{Name: "agg", Usage: "an aggregate column `'NAME = FUNC(EXPR)'`: count, count_distinct, sum, mean, min, max, first, last, stddev, variance, median, quantile, approx_quantile, mode, string_agg, any, all; repeatable; ';' separates several; without --group-by, one summary row"},
			&cli.StringFlag{Name: "having", Usage: "keep the aggregated rows where `EXPR` (over the --group-by and --agg columns) is true"},
			&cli.StringFlag{Name: "sort", Usage: "sort the rows by `KEYS`: col ascending, -col descending, comma-separated; typed, stable, nulls last"},
			&cli.Int64Flag{Name: "limit", Usage: "write only the first `N` rows (after --sort: the top N)"},
			&cli.StringFlag{Name: "memory", Value: "1GiB", Usage: "`SIZE` a sort holds in memory before it spills sorted runs to --temp-dir, and the most a --lookup reference may take (units as --chunk-size); also the Go heap's soft limit in runs with --group-by, --agg, --distinct, --distinct-on, --sort or --limit, unless GOMEMLIMIT is set"},
			&cli.StringFlag{Name: "temp-dir", Usage: "`DIR` for a sort's spilled runs (default: beside the output, else $TMPDIR); removed when the run ends"},
			&cli.StringSliceFlag{Name: "select", Usage: "output only these `COLS`, in this order (comma-separated; repeatable)"},
			&cli.StringSliceFlag{Name: "drop", Usage: "output all columns but these `COLS` (comma-separated; repeatable)"},
			&cli.StringFlag{Name: "rename", Usage: "rename columns: `OLD=NEW[,OLD=NEW...]`"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), DefaultText: "the number of CPUs", Usage: "number of parallel workers `N`; the run uses at most N cores; more than 4 per CPU (at least 8) are not used"},
			&cli.StringFlag{Name: "chunk-size", Usage: "bytes per chunk, with units (`SIZE`: 64KiB, 8MiB) (default: 1MiB; 256KiB for a file written to Parquet or xlsx, and of a Parquet row group's data); raised so that one CSV file makes at most 65536 chunks"},
			&cli.StringFlag{Name: "delimiter", Usage: "input delimiter `C` (default: sniffed among , ; TAB |, or by extension); 'tab' or '\\t' for TAB"},
			&cli.IntFlag{Name: "skip-lines", Usage: "CSV: skip the first `N` lines unread (titles above the header; the same as --header-row N+1); line numbers stay the file's"},
			&cli.BoolFlag{Name: "no-header", Usage: "input has no header row: columns are named c1, c2, ..."},
			&cli.StringFlag{Name: "encoding", Usage: "input `ENCODING`: utf-8, latin1, windows-1252, utf-16le, utf-16be (default: UTF-8, or UTF-16 by its BOM)"},
			&cli.StringFlag{Name: "ragged", Value: "error", Usage: "rows with too few or too many fields: `MODE` error | pad | truncate | pad,truncate"},
			&cli.StringSliceFlag{Name: "sheet", Usage: "Excel: sheets to read, by `NAME`, 1-based INDEX or GLOB ('*' = every visible worksheet); repeatable; default the first visible worksheet"},
			&cli.BoolFlag{Name: "include-hidden", Usage: "Excel: let '*' and other globs match hidden sheets too"},
			&cli.BoolFlag{Name: "union", Usage: "inputs with different columns: combine them by name (missing cells are empty)"},
			&cli.StringFlag{Name: "sheet-name", Usage: "xlsx output: the sheet's `NAME` (default: the first input sheet's, else Sheet1)"},
			&cli.BoolFlag{Name: "sheet-per-source", Usage: "xlsx output: one sheet per source, named after its sheet or file stem, with its own columns and types"},
			&cli.StringFlag{Name: "compression", Usage: "parquet output: `CODEC` zstd | snappy | gzip | none (default: zstd)"},
			&cli.IntFlag{Name: "row-group-size", Usage: "parquet output: `ROWS` per row group (default: 131072)"},
			&cli.BoolFlag{Name: "crlf", Usage: "end csv and tsv output lines with CRLF instead of LF"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar and no warnings"},
			&cli.BoolFlag{Name: "stats", Usage: "print a one-line summary on stderr: inputs, rows in and out, row errors, time, rows/s"},
			&cli.StringFlag{Name: "stats-json", Usage: "write the run's figures as JSON to `PATH`, whether it succeeds or fails (fields: README, \"Progress and run summary\")"},
			&cli.StringFlag{Name: "shard", Usage: "process only shard `K/N` of the inputs (1 <= K <= N), for a job array: the N parts, joined in order, are the whole run's output (README, \"Sharding\")"},
			&cli.BoolFlag{Name: "header-in-every-part", Usage: "with --shard, csv and tsv parts after the first have the header line too"},
		}, append(append(rowFlags(), workbookFlags()...), profileFlags()...)...),
		OnUsageError: usageError,
		BashComplete: completeFlagsOnly,
		Action: func(c *cli.Context) error {
			o, err := applyOptions(c)
			if err != nil {
				return &apply.UsageError{Err: err}
			}
			// Before the profiles are created: one must not replace an input or an output.
			if err := apply.CheckWrittenPaths(o); err != nil {
				return err
			}
			limitHeap(o)
			return withProfiles(c, func() error { return apply.Run(c.Context, o) })
		},
	}
}

func applyOptions(c *cli.Context) (apply.Options, error) {
	o := apply.Options{
		Inputs:  c.Args().Slice(),
		Output:  c.String("output"),
		OutDir:  c.String("out-dir"),
		OutName: c.String("out-name"),
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
	var err error
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
	if o.Lookups, err = lookup.Specs(lookup.Flags{Paths: c.StringSlice("lookup"), Ons: c.StringSlice("on"),
		Sheets: c.StringSlice("lookup-sheet"), Prefixes: c.StringSlice("prefix"), Selects: c.StringSlice("lookup-select"),
		Hows: c.StringSlice("how"), Dups: c.StringSlice("lookup-dup")}); err != nil {
		return o, err
	}
	for _, flag := range c.StringSlice("param") {
		name, value, err := expr.ParseParam(flag)
		if err != nil {
			return o, err
		}
		if _, dup := o.Params[name]; dup {
			return o, fmt.Errorf("--param %s is given twice", name)
		}
		if o.Params == nil {
			o.Params = map[string]string{}
		}
		o.Params[name] = value
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
	o.SheetPerSource = c.Bool("sheet-per-source")
	o.Overwrite = c.Bool("overwrite")
	o.Compression = c.String("compression")
	if o.RowGroupRows = c.Int("row-group-size"); c.IsSet("row-group-size") && o.RowGroupRows < 1 {
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
	if err := reportOptions(c, &o); err != nil {
		return o, err
	}
	if err := rowOptions(c, &o); err != nil {
		return o, err
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
	if o.CSV.SkipLines = c.Int("skip-lines"); o.CSV.SkipLines < 0 {
		return o, fmt.Errorf("--skip-lines must be 0 or more, got %d", o.CSV.SkipLines)
	}
	if o.CSV.SkipLines > 0 && o.HeaderRow > 0 {
		return o, fmt.Errorf("--skip-lines %d and --header-row %d both say where the header is: give one (--skip-lines N is --header-row N+1 on CSV; workbooks take --header-row)", o.CSV.SkipLines, o.HeaderRow)
	}
	if _, err := csvfmt.ParseEncoding(c.String("encoding")); err != nil {
		return o, err
	}
	o.CSV.Encoding = c.String("encoding")
	if o.CSV.Ragged, err = parseRagged(c.String("ragged")); err != nil {
		return o, err
	}
	if !c.Bool("quiet") && showProgress(o.OutDir == "" && dataToTerminal(o.Output), term.IsTerminal(int(os.Stderr.Fd()))) {
		o.Progress = os.Stderr
	}
	if c.Bool("stats") {
		o.Stats = os.Stderr
	}
	o.StatsJSON = c.String("stats-json")
	if c.IsSet("shard") {
		if o.Shard, err = apply.ParseShard(c.String("shard")); err != nil {
			return o, err
		}
	}
	o.HeaderInEveryPart = c.Bool("header-in-every-part")
	o.Profiles = profilePaths(c)
	return o, nil
}

// reportOptions reads the flags of the report stages: --group-by, --agg, --having,
// --sort, --limit and the sort's --memory and --temp-dir.
func reportOptions(c *cli.Context, o *apply.Options) error {
	o.GroupBy = c.String("group-by")
	o.Aggs = c.StringSlice("agg")
	o.Having = c.String("having")
	o.Sort = c.String("sort")
	for _, f := range []struct{ flag, value, what string }{
		{"group-by", o.GroupBy, "columns or NAME=EXPR keys, comma-separated (one summary row is --agg alone)"},
		{"sort", o.Sort, "col ascending, -col descending, comma-separated"},
	} {
		if c.IsSet(f.flag) && strings.TrimSpace(f.value) == "" {
			return fmt.Errorf("--%s needs KEYS: %s", f.flag, f.what)
		}
	}
	if c.IsSet("limit") {
		limit := c.Int64("limit")
		if limit < 0 {
			return &expr.CompileError{Flag: "--limit", Source: c.String("limit"), Msg: fmt.Sprintf("the rows to keep must be 0 or more, got %d", limit)}
		}
		o.Limit = &limit
	}
	var err error
	if o.Memory, err = parseSizeUpTo(c.String("memory"), 1<<40); err != nil {
		return fmt.Errorf("--memory: %w", err)
	}
	o.TempDir = c.String("temp-dir")
	return nil
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
func parseSize(s string) (int64, error) { return parseSizeUpTo(s, 1<<30) }

// parseSizeUpTo is parseSize with a largest size of its own.
func parseSizeUpTo(s string, largest int64) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1}} {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("want a positive size like 64KiB or 8MiB, got %q", s)
	}
	if n > largest/mult {
		return 0, fmt.Errorf("%q is too large (at most %s)", s, humanSize(largest))
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

// humanSize writes a power-of-two size in the largest unit that divides it: 1GiB.
func humanSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
