package apply

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/aggregate"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/rows"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/sorting"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// pipeline is the compiled transform of a run: a chain of stages, each checked against
// the columns the stage before it emits (the first against the input header), before
// any data is read.
type pipeline struct {
	header []string
	chain  []link
	// program is the --expr/--where program as compiled, before any selection was
	// folded into it: what --explain shows. nil without --expr and --where.
	program *expr.Program
	// cells are the input columns' types from the sample compile was given (Options.cells),
	// which the output schema takes too; nil when it was given none.
	cells []schema.Type
}

// link is one stage of the chain and the flags it comes from.
type link struct {
	flags string
	stage transforms.Stage
}

// chainStep compiles one stage of the chain, when the options ask for it, against the
// names of the columns the previous stage emits.
type chainStep struct {
	flags   string
	used    func(o Options) bool
	compile func(o Options, columns []string, types []expr.Type) (transforms.Stage, error)
}

// chainSteps are the stages a run can have, in the order they apply (issues 11 and 12):
// the --lookup joins, whose columns the expressions see; per row --expr and --where (a
// --where that reads no assigned column first, expr.Program);
// the first row of each key (--distinct); the first, last or sampled rows (--head,
// --tail, --sample, docs/rows.md); the aggregation; --having over the aggregated
// columns; the sort and --limit; the column selection. Each new transform is one step
// here and one file in internal/transforms (or its own package).
var chainSteps = []chainStep{
	{"--lookup", func(o Options) bool { return len(o.Lookups) > 0 }, compileLookups},
	{programFlags, func(o Options) bool { return len(o.Exprs) > 0 || len(o.Wheres) > 0 }, compileProgram},
	{"--distinct, --distinct-on", func(o Options) bool { return o.Distinct || o.DistinctOn != "" }, compileDistinct},
	{"--head, --tail, --sample, --sample-fraction", usesRowPick, compileRowPick},
	{"--group-by, --agg", func(o Options) bool { return o.GroupBy != "" || len(o.Aggs) > 0 }, compileAggregate},
	{"test barrier", func(o Options) bool { return o.testBarrier != nil }, func(o Options, columns []string, _ []expr.Type) (transforms.Stage, error) {
		return o.testBarrier(columns)
	}},
	{"--having", func(o Options) bool { return o.Having != "" }, compileHaving},
	{"--sort, --limit", func(o Options) bool { return o.Sort != "" || o.Limit != nil }, compileSort},
	{"--select, --drop, --rename", func(Options) bool { return true }, compileColumns},
}

// programFlags names the --expr/--where step, whose program --explain shows first.
const programFlags = "--expr, --where"

// exprOptions are the options of every expression program of a run.
func exprOptions(o Options) expr.Options {
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	return expr.Options{OnError: o.OnError, Now: now, Params: o.Params}
}

func compileProgram(o Options, columns []string, _ []expr.Type) (transforms.Stage, error) {
	prog, err := expr.Compile(o.Exprs, o.Wheres, columns, exprOptions(o))
	if err != nil {
		return nil, err
	}
	return &transforms.Assign{Program: prog}, nil
}

func compileAggregate(o Options, columns []string, types []expr.Type) (transforms.Stage, error) {
	return aggregate.CompileCells(o.GroupBy, o.Aggs, columns, types, o.stageCells, exprOptions(o))
}

func compileDistinct(o Options, columns []string, types []expr.Type) (transforms.Stage, error) {
	if o.Distinct && o.DistinctOn != "" {
		return nil, errors.New("--distinct keeps whole rows and --distinct-on one row per key: give one")
	}
	if o.Shard.N > 0 {
		return nil, errors.New("--distinct cannot run in shards: a key's first row may be in another shard (run it over the joined parts)")
	}
	return rows.CompileDistinct(o.DistinctOn, columns, types, exprOptions(o))
}

func usesRowPick(o Options) bool {
	return o.Head != nil || o.Tail != nil || o.Sample != nil || o.SampleFraction != nil
}

// compileRowPick compiles the one of --head, --tail, --sample and --sample-fraction given.
func compileRowPick(o Options, columns []string, _ []expr.Type) (transforms.Stage, error) {
	var given []string
	for _, f := range []struct {
		name string
		set  bool
	}{{"--head", o.Head != nil}, {"--tail", o.Tail != nil}, {"--sample", o.Sample != nil}, {"--sample-fraction", o.SampleFraction != nil}} {
		if f.set {
			given = append(given, f.name)
		}
	}
	if len(given) > 1 {
		return nil, fmt.Errorf("%s each choose the rows to keep: give one of them (docs/rows.md)", strings.Join(given, " and "))
	}
	// --sample-fraction too: a shard's rows do not know their lines in the whole input,
	// which its draws hash.
	if err := refuseInShards(o, given[0]); err != nil {
		return nil, err
	}
	seed := int64(rows.DefaultSeed)
	if o.Seed != nil {
		seed = *o.Seed
	}
	switch {
	case o.Head != nil:
		return rows.NewHead(*o.Head, columns), nil
	case o.Tail != nil:
		return rows.NewTail(*o.Tail, columns), nil
	case o.Sample != nil:
		return rows.NewSample(*o.Sample, seed, columns), nil
	}
	return rows.NewFraction(*o.SampleFraction, seed, columns), nil
}

// DefaultMemory is what a sort holds in memory before it spills sorted runs (--memory).
const DefaultMemory = 1 << 30

func compileSort(o Options, columns []string, _ []expr.Type) (transforms.Stage, error) {
	if o.TempDir != "" {
		// Checked now, not when the first run spills, minutes into the run.
		if st, err := os.Stat(o.TempDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--temp-dir %s: not a directory (a sort spills its runs there)", o.TempDir)
		}
	}
	limit := int64(-1)
	if o.Limit != nil {
		limit = *o.Limit
	}
	memory := o.Memory
	if memory <= 0 {
		memory = DefaultMemory
	}
	if o.Sort == "" {
		if err := refuseInShards(o, "--limit without --sort"); err != nil {
			return nil, err
		}
		return rows.NewHead(limit, columns), nil // the first rows: --head's stage
	}
	return sorting.Compile(o.Sort, limit, columns, sorting.Options{Memory: memory, TempDir: spillDir(o)})
}

// spillDir is where a sort spills its runs: --temp-dir, else beside a file output (on
// the disk the output goes to, which has room for the rows), else $TMPDIR.
func spillDir(o Options) string {
	if o.TempDir != "" || o.Output == "" || o.Output == "-" {
		return o.TempDir
	}
	dir := filepath.Dir(o.Output)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// compileHaving compiles --having as a filter over the aggregated columns. Its errors
// name --having, not the --where it is compiled as.
func compileHaving(o Options, columns []string, types []expr.Type) (transforms.Stage, error) {
	opts := exprOptions(o)
	opts.InputTypes = types // count() is an int, max(date(d)) a date: checked as such
	prog, err := expr.Compile(nil, []string{o.Having}, columns, opts)
	var ce *expr.CompileError
	var unknown *expr.UnknownColumnError
	switch {
	case errors.As(err, &ce):
		ce.Flag = "--having"
		return nil, err
	case errors.As(err, &unknown): // a name that is not one of the aggregated rows' columns
		return nil, &expr.CompileError{Flag: "--having", Source: o.Having, Pos: unknown.Pos,
			Msg: fmt.Sprintf("%v; the aggregated rows have the columns %s (filter input rows with --where)", err, strings.Join(columns, ", "))}
	case err != nil:
		return nil, fmt.Errorf("--having: %w", err)
	}
	return &transforms.Assign{Program: prog}, nil
}

func compileColumns(o Options, columns []string, _ []expr.Type) (transforms.Stage, error) {
	return transforms.CompileColumns(columns, o.Select, o.Drop, o.Renames)
}

func compile(o Options, header []string) (*pipeline, error) {
	if o.Having != "" && !hasAggregation(o) {
		return nil, errors.New("--having filters aggregated rows: it needs --group-by or --agg (filter input rows with --where)")
	}
	p := &pipeline{header: header, cells: o.cells}
	names := header
	// The static type of each column at this point of the chain: input cells are text,
	// a computed column has its stage's type, and a passed-on column keeps its own.
	types := make([]expr.Type, len(header))
	for j := range types {
		types[j] = expr.TypeText
	}
	// What the input columns' cells hold (o.cells), traced alike: a computed column's
	// cells are its type's (TypeText here: not cells).
	var cells []expr.Type
	if len(o.cells) == len(header) {
		cells = make([]expr.Type, len(header))
		for j, t := range o.cells {
			cells[j] = t.Expr()
		}
	}
	for _, step := range chainSteps {
		if !step.used(o) {
			continue
		}
		o.stageCells = cells
		stage, err := step.compile(o, names, types)
		if err != nil {
			return nil, err
		}
		types = columnTypes(stage.Columns(), types)
		if cells != nil {
			cells = columnTypes(stage.Columns(), cells)
		}
		if a, ok := stage.(*transforms.Assign); ok && p.program == nil && step.flags == programFlags {
			p.program = a.Program
		}
		p.chain = append(p.chain, link{step.flags, stage})
		names = columnNames(stage.Columns())
	}
	p.fuse(header)
	return p, nil
}

// columnTypes are the static types of the columns a stage emits, given its input's.
func columnTypes(columns []transforms.Column, in []expr.Type) []expr.Type {
	out := make([]expr.Type, len(columns))
	for k, c := range columns {
		out[k] = c.Type
		if c.From >= 0 {
			out[k] = in[c.From]
		}
	}
	return out
}

// hasAggregation reports whether the run aggregates (the stage --having follows).
func hasAggregation(o Options) bool {
	return o.GroupBy != "" || len(o.Aggs) > 0 || o.testBarrier != nil
}

// fuse removes a column selection that changes nothing and folds one that follows an
// expression program into it (expr.Program.Project): a filtered chunk is made of new
// arrays, and building only the selected ones is where the selection costs nothing.
func (p *pipeline) fuse(header []string) {
	names := header
	var out []link
	for _, l := range p.chain {
		if c, ok := l.stage.(*transforms.Columns); ok {
			if c.Identity(names) {
				continue
			}
			if len(out) > 0 {
				if a, ok := out[len(out)-1].stage.(*transforms.Assign); ok {
					out[len(out)-1].stage = &transforms.Assign{Program: a.Program.Project(c.Picks(), c.Names())}
					names = c.Names()
					continue
				}
			}
		}
		out = append(out, l)
		names = columnNames(l.stage.Columns())
	}
	p.chain = out
}

func columnNames(cols []transforms.Column) []string {
	names := make([]string, len(cols))
	for k, c := range cols {
		names[k] = c.Name
	}
	return names
}

// segment is a stretch of the chain: streaming stages, then the barrier that ends it,
// nil for the last segment, which ends at the sink.
type segment struct {
	streaming []transforms.Streaming
	barrier   transforms.Barrier
	// needs marks the barrier's input columns that it or a stage after it reads, or
	// that reach the output. The others it is given as null arrays (prune): their
	// values may be a decoder's skipped ones, and a sort need not hold them.
	needs []bool
	// rawRows says that the barrier is given the reader's Raw rows (takesRawRows).
	rawRows bool
	// cuts are the Limited stages among the streaming ones, in chain order (cut.go).
	cuts []cut
}

// segments cuts the chain at its barriers.
func (p *pipeline) segments() []segment {
	written := make([]bool, len(p.names()))
	for k := range written {
		written[k] = true
	}
	needs := p.needs(written)
	segs := []segment{{}}
	for i, l := range p.chain {
		cur := &segs[len(segs)-1]
		switch s := l.stage.(type) {
		case transforms.Limited:
			cur.cuts = append(cur.cuts, cut{after: len(cur.streaming), limit: s.Limit()})
		case transforms.Barrier:
			cur.barrier, cur.needs = s, needs[i]
			cur.rawRows = i == 0 && p.takesRawRows()
			segs = append(segs, segment{})
		case transforms.Streaming:
			cur.streaming = append(cur.streaming, s)
		}
	}
	return segs
}

// names are the columns the chain writes.
func (p *pipeline) names() []string {
	if len(p.chain) == 0 {
		return slices.Clone(p.header)
	}
	return columnNames(p.chain[len(p.chain)-1].stage.Columns())
}

// origin is where a written column comes from: an input column, or a stage that
// computes it with a static type.
type origin struct {
	input int // index in the header, or -1 for a computed column
	typ   expr.Type
}

// origins traces each written column back through the chain (transforms.Column.From).
func (p *pipeline) origins() []origin {
	cur := make([]origin, len(p.header))
	for j := range cur {
		cur[j] = origin{input: j}
	}
	for _, l := range p.chain {
		cols := l.stage.Columns()
		next := make([]origin, len(cols))
		for k, c := range cols {
			if c.From >= 0 {
				next[k] = cur[c.From]
			} else {
				next[k] = origin{input: -1, typ: c.Type}
			}
		}
		cur = next
	}
	return cur
}

// skipColumns returns, for a CSV source of n columns (the run's), the columns that
// its decoders may leave out of the rows they mark plain (csvfmt.Decoder.SkipColumns):
// those that no stage reads and that reach the output, if at all, only inside rows the
// writer copies from the input bytes, which it does when the output begins with the
// input's columns unchanged and in order (copiesRows: the writer copies rows of this
// source's delimiter) and no barrier stands between; or, when the chain begins with a
// barrier that takes raw rows (a top-N), every column that barrier does not read. nil
// when every column is needed.
func (p *pipeline) skipColumns(n int, copiesRows bool) []bool {
	if len(p.header) != n {
		return nil
	}
	if p.takesRawRows() {
		// The barrier takes the values of the columns it does not read from raw rows.
		skip := make([]bool, n)
		some := false
		for j, read := range stageReads(p.chain[0].stage, n) {
			skip[j] = !read
			some = some || !read
		}
		if !some {
			return nil
		}
		return skip
	}
	origins := p.origins()
	// A filter's chunks keep the raw rows of the rows they keep.
	copied := copiesRows && len(origins) >= n && !slices.ContainsFunc(p.chain, func(l link) bool {
		_, ok := l.stage.(transforms.Barrier)
		return ok
	})
	for j := 0; copied && j < n; j++ {
		copied = origins[j].input == j
	}
	written := make([]bool, len(origins))
	for k := range written {
		written[k] = !copied
	}
	skip := make([]bool, n)
	some := false
	for j, needed := range p.needs(written)[0] {
		skip[j] = !needed
		some = some || !needed
	}
	if !some {
		return nil
	}
	return skip
}

// takesRawRows reports whether the chain begins with a barrier that wants the reader's
// Raw rows (transforms.RawRowsBarrier): the reader's chunks reach it unchanged.
func (p *pipeline) takesRawRows() bool {
	if len(p.chain) == 0 {
		return false
	}
	b, ok := p.chain[0].stage.(transforms.RawRowsBarrier)
	return ok && b.TakesRawRows()
}

// needs computes backwards through the chain which columns hold values that something
// uses: needs[i] marks stage i's input columns, needs[len(chain)] is written (the
// written columns whose values the writer uses). A column is needed if its stage reads
// it (stageReads) or passes it on (Column.From) as a column needed after.
func (p *pipeline) needs(written []bool) [][]bool {
	needs := make([][]bool, len(p.chain)+1)
	needs[len(p.chain)] = written
	for i := len(p.chain) - 1; i >= 0; i-- {
		inputs := len(p.header)
		if i > 0 {
			inputs = len(p.chain[i-1].stage.Columns())
		}
		need := stageReads(p.chain[i].stage, inputs)
		for k, c := range p.chain[i].stage.Columns() {
			if c.From >= 0 && needs[i+1][k] {
				need[c.From] = true
			}
		}
		needs[i] = need
	}
	return needs
}

// stageReads marks the input columns a stage of that many inputs reads (values it
// merely passes on are not read): every one for a stage that cannot say.
func stageReads(s transforms.Stage, inputs int) []bool {
	reads := make([]bool, inputs)
	switch s := s.(type) {
	case transforms.Reader:
		copy(reads, s.Reads())
	case *transforms.Assign:
		copy(reads, s.Program.Reads())
	case *transforms.Columns: // selects, renames: reads nothing
	default:
		for j := range reads {
			reads[j] = true
		}
	}
	return reads
}

// prune gives the columns of a chunk that the segment's barrier is to consume and that
// nothing needs (segment.needs) as null arrays.
func (s segment) prune(c *table.Chunk) *table.Chunk {
	if !slices.Contains(s.needs, false) {
		return c
	}
	n := c.NumRows()
	cols := slices.Clone(c.Batch.Columns())
	fields := slices.Clone(c.Batch.Schema().Fields())
	for j, needed := range s.needs {
		if !needed && j < len(cols) {
			cols[j] = array.NewNull(n)
			fields[j].Type = arrow.Null
		}
	}
	out := *c
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(n))
	return &out
}

// streamers is one worker's instances of a segment's streaming stages.
type streamers []transforms.StreamWorker

func newStreamers(stages []transforms.Streaming) streamers {
	s := make(streamers, len(stages))
	for k, st := range stages {
		s[k] = st.NewWorker()
	}
	return s
}

// apply runs the stages over one chunk. Row errors that --on-error skip or null let
// through are returned for the --errors log.
func (s streamers) apply(c *table.Chunk) (*table.Chunk, []expr.RowError, error) {
	var rowErrs []expr.RowError
	for _, w := range s {
		out, errs, err := w.Apply(c)
		if err != nil {
			return nil, nil, err
		}
		c, rowErrs = out, append(rowErrs, errs...)
	}
	return c, rowErrs, nil
}

// recycle says that the last chunk apply returned is no longer referenced.
func (s streamers) recycle() {
	for _, w := range s {
		w.Recycle()
	}
}

// explain describes the chain: the expression program's plan, each later stage with its
// columns, and the written columns.
func (p *pipeline) explain() string {
	var b strings.Builder
	if p.program != nil {
		b.WriteString(p.program.Explain())
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	only := p.program != nil && slices.Equal(p.names(), p.program.Columns())
	types := make([]expr.Type, len(p.header))
	for j := range types {
		types[j] = expr.TypeText
	}
	for _, l := range p.chain {
		in := types
		types = columnTypes(l.stage.Columns(), types)
		if l.flags == programFlags {
			continue // shown above
		}
		if _, isColumns := l.stage.(*transforms.Columns); isColumns {
			continue // the written columns, below
		}
		only = false
		kind := "streaming"
		if _, ok := l.stage.(transforms.Limited); ok {
			kind = "streaming, cut in input order"
		} else if _, ok := l.stage.(transforms.Barrier); ok {
			kind = "barrier: reads every row before it writes one"
		}
		fmt.Fprintf(&b, "stage %s (%s):\n", l.flags, kind)
		if e, ok := l.stage.(interface{ Explain() string }); ok {
			for _, line := range strings.Split(strings.TrimRight(e.Explain(), "\n"), "\n") {
				fmt.Fprintf(&b, "  %s\n", line)
			}
		}
		if l.flags == "--having" {
			// What its expression is checked against (compileHaving).
			fmt.Fprintf(&b, "  reads: %s\n", describeTyped(columnNames(l.stage.Columns()), in))
		}
		fmt.Fprintf(&b, "  columns: %s\n", describeColumns(l.stage.Columns()))
	}
	if !only {
		fmt.Fprintf(&b, "written columns: %s\n", strings.Join(p.names(), ", "))
	}
	return b.String()
}

// describeTyped lists columns with their static types.
func describeTyped(names []string, types []expr.Type) string {
	parts := make([]string, len(names))
	for k, name := range names {
		parts[k] = name + " (" + types[k].String() + ")"
	}
	return strings.Join(parts, ", ")
}

// describeColumns lists a stage's columns, a computed one with its type.
func describeColumns(cols []transforms.Column) string {
	parts := make([]string, len(cols))
	for k, c := range cols {
		parts[k] = c.Name
		if c.From < 0 {
			parts[k] += " (" + c.Type.String() + ")"
		}
	}
	return strings.Join(parts, ", ")
}
