// Package apply runs one `ptransform apply`: it opens the inputs, compiles the transforms
// against their header, and drives the chunk pipeline from the inputs to one output, or
// once per source to one output each (--out-dir) or one sheet each (--sheet-per-source:
// outdir.go).
package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/lookup"
	"github.com/ptransform/ptransform/internal/output"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/sink"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Options are the settings of one run, already parsed from the command line.
type Options struct {
	Inputs  []string // paths; "-" is standard input
	Output  string   // "" or "-" is standard output
	To      string   // output format; "" means by Output's extension, else csv
	From    string   // input format when the extension does not say
	Select  []string
	Drop    []string
	Renames []transforms.Rename

	Exprs      []string // --expr assignments, in order
	Wheres     []string // --where filters, all must hold
	OnError    expr.OnError
	ErrorsPath string            // where row-level errors go as CSV; "" for nowhere, "-" for ErrorStream
	MaxErrors  *int64            // more row errors than this (let through by OnError) fail the run; nil: no limit
	Explain    bool              // print the compiled plan instead of running
	Params     map[string]string // --param NAME=VALUE, referenced as $NAME in expressions

	// Lookups are the --lookup joins (docs/lookups.md), before --expr; references are
	// their files, opened by Run.
	Lookups    []lookup.Spec
	references []*lookup.Reference

	// Reports (docs/reports.md): the stages after --where, in this order.
	GroupBy string   // --group-by: comma-separated columns or NAME=EXPR keys; "" for none
	Aggs    []string // --agg: `NAME = FUNC(EXPR)` specs, several per text separated by ';'
	Having  string   // --having: a filter over the aggregated columns
	Sort    string   // --sort: keys "a,-b"; "" for none
	Limit   *int64   // --limit: the first N rows after the sort; nil for all
	Memory  int64    // --memory: bytes a sort holds before it spills runs; 0 for DefaultMemory
	TempDir string   // --temp-dir: where a sort spills; "" beside the output, else $TMPDIR

	// Rows (docs/rows.md): after --where, before --group-by; at most one of Head, Tail,
	// Sample and SampleFraction.
	Distinct       bool     // --distinct: the first of each distinct whole row
	DistinctOn     string   // --distinct-on: the first row of each key, KEYS as --group-by's
	Head, Tail     *int64   // --head N, --tail N: the first, the last N rows; nil for all
	Sample         *int64   // --sample N: N rows drawn uniformly
	SampleFraction *float64 // --sample-fraction P: each row with probability P
	Seed           *int64   // --seed of the draws; nil for rows.DefaultSeed

	Workers   int
	ChunkSize int64 // 0: DefaultChunkSize or DefaultStreamChunkSize
	CSV       csvfmt.Options
	CRLF      bool
	Schema    string // --schema 'col:type,...': types of a typed output's columns

	// Excel inputs
	Sheets        []string // NAME | 1-based INDEX | GLOB; empty: the first visible worksheet
	IncludeHidden bool     // globs also match hidden sheets
	HeaderRow     int      // 1-based row holding the header; 0: the first row with a value
	Range         string   // read only this rectangle, e.g. A1:F500
	Password      string   // for encrypted workbooks
	Union         bool     // sources with different columns: union them by name
	SheetName     string   // xlsx output: the sheet's name; "": the first source sheet's, else Sheet1
	Compression   string   // parquet output: the codec; "" for zstd
	RowGroupRows  int      // parquet output: rows per row group; 0 for the default

	// One output per source (outdir.go): in OutDir, named by OutName ("" for
	// {stem}.{ext}); files in the way are refused unless Overwrite.
	OutDir    string
	OutName   string
	Overwrite bool
	// SheetPerSource: an xlsx output of one sheet per source (outdir.go).
	SheetPerSource bool

	Stdout io.Writer
	Stderr io.Writer // warnings (row errors skipped or nulled); nil for none
	// ErrorStream is where --errors - writes: standard error, which --quiet does not
	// silence; nil for Stderr.
	ErrorStream io.Writer
	Progress    io.Writer // where the progress bar goes; nil for none
	Now         time.Time // what now() and today() return; zero for the start of the run

	// The run summary: after a progress bar it goes to Progress.
	Stats     io.Writer // where the one-line summary goes (--stats); nil: only after a bar
	StatsJSON string    // where the run's figures go as JSON (--stats-json); "" for nowhere

	// Profiles are files the caller writes during the run (--cpuprofile, --memprofile,
	// --trace): Run does not write them, but refuses them by the rule of its own
	// outputs (CheckWrittenPaths).
	Profiles []WrittenPath

	Shard             Shard // --shard K/N: process only shard K's records (see Shard)
	HeaderInEveryPart bool  // a csv or tsv part of a shard other than the first has the header too

	decodeAll bool // decode every column and give barriers every one, as the tests of pruning compare with
	// onResume, for tests, hears how each resynchronised run goes on (see resync).
	onResume func(resumeMode)
	scanOnly bool // a workbook input is not read but reported (ScanCSV)
	// onPlan, for tests, is called when the planning of a CSV input starts, its file open.
	onPlan func(input int)
	// onWork and onWorked, for tests, are called when a worker starts and ends a
	// chunk of the input (its sequence number).
	onWork, onWorked func(seq int64)
	// onWritten, for tests, is called when the writer reaches chunk seq of the input, in
	// input order, with the rows it decoded and the rows it wrote (none if a barrier
	// took them).
	onWritten func(seq, rowsIn, rowsOut int64)
	// onVerbatim, for tests, is called when a worker writes chunk seq of a positional
	// output as its input bytes (sink.Verbatim): now, or left for another worker;
	// whole when its decoder only checked those bytes (csvfmt.Decoder.DecodeWhole).
	onVerbatim func(seq int64, now, whole bool)
	// testBarrier, for tests of the barrier machinery, compiles a barrier stage that
	// goes where the aggregation goes in the chain.
	testBarrier func(columns []string) (transforms.Stage, error)
	// cells are the types of the input columns' cells (inputCellTypes), given to the
	// aggregates before compile when the run aggregates; stageCells are those of the
	// columns a step of the chain consumes, as compile traces them.
	cells      []schema.Type
	stageCells []expr.Type
}

// The default chunk sizes were chosen by measurement (docs/performance.md, "Chunk size").
// Fewer chunks cost less (system calls, page cache lookups, decoder set-ups, hand-offs
// between goroutines). 256 KiB once made file output much cheaper, because writes of
// 1 MiB were slow here (fileio.WritePiece); outputs are now written in 256 KiB pieces
// whatever the chunk size, and 1 MiB is 4-8% faster on filter, select and derive, the
// same elsewhere (session 15). A stream is cut by one goroutine, and a sheet inflated by one, whose cost
// per block favours large ones too. Files written to a typed output (Parquet, xlsx)
// keep 256 KiB: CSV → Parquet of 1M rows at `--workers 2` took 0.22 s at 1 MiB against
// 0.19 at 256 KiB, its CPU 16% higher. A Parquet row group's parts keep 256 KiB of its
// data: reading its pages whole into larger parts was slower and took 30 MB more. All
// keep a run's memory far below 100 MB.
const (
	DefaultChunkSize       = 1 << 20   // CSV and JSON Lines files, cut in parallel by byte ranges
	DefaultTypedChunkSize  = 256 << 10 // the same, written to a typed output (Parquet, xlsx)
	DefaultStreamChunkSize = 1 << 20   // piped standard input, compressed or transcoded CSV, sheets
	DefaultRowPartSize     = 256 << 10 // the parts of a Parquet row group, in bytes of its data
)

// Run performs the run described by o.
func Run(ctx context.Context, o Options) (err error) {
	if len(o.Inputs) == 0 {
		return usage(errors.New("no input: give one or more files, or - for standard input"))
	}
	if err := checkShardUse(o); err != nil {
		return err
	}
	if err := CheckWrittenPaths(o); err != nil {
		return err
	}
	stdinUses := 0
	for _, in := range o.Inputs {
		if in == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return usage(errors.New("standard input (-) can be read only once"))
	}
	format, err := outputFormat(o)
	if err != nil {
		return usage(err)
	}
	if (o.Compression != "" || o.RowGroupRows != 0) && format.Name != "parquet" {
		return usage(fmt.Errorf("--compression and --row-group-size are for parquet outputs, not %s", format.Name))
	}
	if o.CRLF && format.Typed {
		return usage(fmt.Errorf("--crlf ends the lines of csv and tsv outputs; %s lines end with LF", format.Name))
	}
	op, err := openSources(o)
	if err != nil {
		return err
	}
	defer op.close()
	if err := refuseWorkbookFlags(o, op); err != nil {
		return err
	}
	if len(op.sources) == 0 {
		return usage(errors.New("the inputs hold no sheet to read"))
	}
	refs, closeRefs, err := openLookups(ctx, o)
	if err != nil {
		return err
	}
	defer closeRefs()
	o.references = refs
	if o.OutDir != "" || o.SheetPerSource {
		return runPerSource(ctx, o, format, op.sources)
	}
	header, err := runColumns(op.sources, o.Union)
	if err != nil {
		return usage(err)
	}
	if o.cells, err = aggregatedCellTypes(ctx, o, op.sources, header); err != nil {
		return err
	}
	pipeline, err := compile(o, header)
	if err != nil {
		return usage(err)
	}
	outSchema, err := runSchema(ctx, o, format, op.sources, header, pipeline)
	if err != nil {
		return err
	}
	if o.Explain {
		_, err := io.WriteString(o.Stdout, explainRun(pipeline, format, outSchema))
		return err
	}
	sources, shard := op.sources, (*shardPlan)(nil)
	if o.Shard.N > 0 {
		if sources, shard, err = shardSources(ctx, o, op.sources, pipeline); err != nil {
			return err
		}
	}

	dst, errs, err := createOutputs(ctx, o)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			errs.abort()
			if dst.Wrote() {
				err = &PartialOutputError{err}
			}
			dst.Abort()
		}
	}()

	cfg := sinkConfig(o, outSchema, outputSheetName(o, op.sources))
	cfg.NoHeader = o.Shard.K > 1 && !o.HeaderInEveryPart
	out, err := format.New(cfg)
	if err != nil {
		return usage(err)
	}
	defer func() {
		if a, ok := out.(sink.Aborter); ok && err != nil {
			a.Abort()
		}
	}()
	r := newRunner(o, sources, header, pipeline, out, dst, errs)
	if out.Typed() {
		r.schema = format.ConformSchema(outSchema)
	}
	defer func() {
		r.progress.finish()
		if serr := r.report(err); err == nil {
			err = serr
		}
	}()
	if err := out.Begin(dst); err != nil {
		return err
	}
	if err := r.run(ctx); err != nil {
		return shard.explain(ctx, o, err)
	}
	if err := out.Finish(dst); err != nil {
		return err
	}
	r.progress.finish()
	// The output first: a failed commit of it leaves no errors file that describes an
	// output that is not there.
	if err := dst.Commit(); err != nil {
		return err
	}
	if err := errs.commit(); err != nil {
		return fmt.Errorf("the output was written, but not the --errors file: %w", err)
	}
	r.reportWarnings()
	return nil
}

// runSchema is the schema of an output of format written from sources: typed
// (outputSchema), or every column text.
func runSchema(ctx context.Context, o Options, format sink.Format, sources []*source, header []string, p *pipeline) (schema.Schema, error) {
	if format.Typed {
		return outputSchema(ctx, o, sources, header, p)
	}
	if o.Schema != "" {
		return nil, usage(fmt.Errorf("--schema types the columns of jsonl, xlsx and parquet outputs; %s is text (name a typed format with -o or --to)", format.Name))
	}
	return textSchema(p.names()), nil
}

// explainRun is what --explain prints of a run: its plan, and a typed output's schema.
func explainRun(p *pipeline, format sink.Format, s schema.Schema) string {
	plan := p.explain()
	if format.Typed {
		plan += "output schema: " + s.String() + "\n"
	}
	return plan
}

// outputSheetName is the name of an xlsx output's one sheet: --sheet-name, else the
// first source sheet's; "" (Sheet1) for a CSV source.
func outputSheetName(o Options, sources []*source) string {
	if first := sources[0]; o.SheetName == "" && first.sheet != nil {
		return first.sheet.Name
	}
	return o.SheetName
}

func sinkConfig(o Options, s schema.Schema, sheetName string) sink.Config {
	return sink.Config{Schema: s, CRLF: o.CRLF, SheetName: sheetName,
		Compression: o.Compression, RowGroupRows: o.RowGroupRows, Workers: o.Workers}
}

// createOutputs prepares the output and the --errors file (Run has checked their paths:
// CheckWrittenPaths), and says what the user should know about them. With --out-dir
// there is no one output: dst is nil, and runPerSource creates the outputs.
func createOutputs(ctx context.Context, o Options) (dst *output.Destination, errs *rowErrorLog, err error) {
	switch {
	case o.OutDir != "":
	case o.Output == "" || o.Output == "-":
		dst = output.Stdout(o.Stdout)
	default:
		dst, err = output.Create(ctx, o.Output, o.readPaths())
	}
	if err != nil {
		if errors.Is(err, output.ErrOutputIsInput) {
			return nil, nil, usage(err)
		}
		return nil, nil, err
	}
	if o.ErrorsPath != "" {
		if errs, err = createRowErrorLog(ctx, o); err != nil {
			if dst != nil {
				dst.Abort()
			}
			return nil, nil, err
		}
	}
	if o.Stderr != nil {
		var warnings []string
		if dst != nil {
			warnings = dst.Warnings()
		}
		for _, w := range append(warnings, errs.warnings()...) {
			fmt.Fprintf(o.Stderr, "ptransform: warning: %s\n", w)
		}
	}
	return dst, errs, nil
}

// PartialOutputError is a run that failed after part of its output went to a stream
// (standard output, a FIFO, a device), where it cannot be taken back.
type PartialOutputError struct{ Err error }

func (e *PartialOutputError) Error() string { return e.Err.Error() }
func (e *PartialOutputError) Unwrap() error { return e.Err }

// textSchema is the schema of an untyped output: every column a string.
func textSchema(names []string) schema.Schema {
	s := make(schema.Schema, len(names))
	for i, n := range names {
		s[i] = schema.Column{Name: n, Type: schema.String}
	}
	return s
}

// bufferPool recycles output buffers between workers and the writer, so that steady state
// allocates no chunk-sized memory.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}
