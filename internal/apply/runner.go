package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/chunk"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/jsonlfmt"
	"github.com/ptransform/ptransform/internal/output"
	"github.com/ptransform/ptransform/internal/parquetin"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/sink"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// task is one chunk descriptor: a byte range of a seekable input, or a block cut by the
// planner from a stream.
type task struct {
	input  int
	first  bool // first chunk of its input: row and line numbering start again
	ranged bool
	rng    csvfmt.Range
	lines  jsonlfmt.Range // a JSON Lines input's byte range
	// rowGroup is a Parquet input's row group, pqRows the rows of it read, from 0.
	rowGroup int
	pqRows   [2]int64
	block    []byte
}

// result is a worker's output for one task.
type result struct {
	task       task
	out        *[]byte // the encoded chunk (sink.Part.Bytes), unless written positionally
	meta       any     // sink.Part.Meta
	start, end int64   // bytes of the input the chunk's records occupy (ranged tasks)
	inBytes    int64
	rowErrs    []expr.RowError // let through by --on-error skip or null
	// reshaped are the records --ragged padded or truncated, with absolute lines: all of
	// them for the --errors log, else the first; reshapedRows counts them.
	reshaped     []csvfmt.Reshaped
	reshapedRows int64
	chunk        *table.Chunk // the decoded chunk itself, for Scan's visit
	taken        any          // what take made of the chunk, for keep
	// numberLate: the chunk's line numbers (in rowErrs, reshaped and a row error) are
	// still relative to it; the writer makes them absolute (see runner.numbersLate).
	numberLate bool
	consumed   bool  // a barrier's partial took the chunk: nothing to write
	full       bool  // the chunk holds the last row a cut passes on (cutting.apply)
	rowsIn     int64 // rows decoded
	rows       int64 // rows written
	// outLen is the size of the chunk in a positional output, which a worker wrote.
	outLen int64
}

// resync is returned by the writer when a range's first record does not start where the
// previous range's last record ended, or when a range's last record runs on far past
// its end (csvfmt.ErrNeedStream). All chunks before it are exact, and the run goes on
// from that byte, one step more careful each time:
//
//   - ranges whose first record is guessed to start after their first line end
//     (csvfmt.GuessRanges), which saves reading the file twice and is wrong only where
//     that line end is inside a quoted field;
//   - after a wrong guess, ranges whose quote parity is counted (csvfmt.Ranges), which
//     input with bare quotes can still get wrong;
//   - after that, the stream splitter, which follows the parser's own state machine.
type resync struct {
	input   int
	first   bool // the chunk was its input's first: numbering starts again there
	guessed bool // the range's quote parity was a guess
	offset  int64
	seq     int64
}

func (r *resync) Error() string {
	return fmt.Sprintf("internal: resynchronise input %d at byte %d", r.input, r.offset)
}

// resume says where a pipeline run starts.
type resume struct {
	input  int
	how    resumeMode // how input goes on from offset
	first  bool       // offset is the input's first record
	offset int64
	seq    int64
	// restart plans every input again from the first: a barrier stage consumed the
	// chunks before the resynchronisation, which cannot be taken back one by one.
	restart bool
}

// resumeMode is how a resynchronised input goes on, one step more careful each time
// (see resync).
type resumeMode int

const (
	guessedRanges resumeMode = iota // the first run: every input in guessed ranges
	countedRanges                   // ranges of counted quote parity
	streamRest                      // the stream splitter
)

type runner struct {
	o       Options
	sources []*source
	columns []string // the run's columns, which every source is conformed to
	// The chain cut at its barriers: segment 0 runs on the decoded chunks, each later
	// one on the rows its barrier's Finish emits. streams and parts are per segment and
	// per worker; a segment that ends at the sink has no parts.
	segs     []segment
	streams  [][]streamers
	parts    [][]transforms.Partial
	sink     sink.Sink
	schema   schema.Schema // a typed sink's: workers conform chunks to it; nil for text
	dst      *output.Destination
	errLog   *rowErrorLog
	errCount rowErrorSummary
	reshaped reshapedSummary
	ledger   *chunk.Ledger
	cfg      chunk.Config
	// For a file output of a sink whose parts are final bytes, workers write the
	// chunks themselves, each where placing puts it: after the chunks before it.
	positional bool
	placing    *positionalWrites
	size       int64 // where the last chunk the writer reached ends
	// lateNumbers: workers do not wait for the ledger; the writer numbers (numbersLate).
	lateNumbers bool
	decoders    [][]decoder // [worker][source], opened on first use
	skips       [][]bool    // per source: the columns its CSV decoders may skip
	rangeSizes  []int64     // per seekable CSV source: the size of its byte ranges
	lastEnd     int64       // where the last written range's records ended
	// After a restart (resume.restart), the row errors and reshaped records that the
	// run before it already logged, which the writer leaves out once more; logged
	// counts what was logged.
	dupErrs, dupReshaped       int64
	loggedErrs, loggedReshaped int64
	progress                   *progress
	// cutting counts the rows that reach the cuts of the segment being run.
	cutting *cutting
	// visit, when set, receives each decoded chunk in input order in place of the
	// transforms and the writer (see ScanCSV).
	visit func(c *table.Chunk) error
	// take and keep, when set, have the decoded chunks in place of the transforms and
	// the writer (a --lookup reference's loading): take runs in the worker, on each
	// chunk before its buffers go back to the decoder, and keep receives what take made
	// of it, in input order.
	take func(c *table.Chunk) (any, error)
	keep func(taken any) error
	// uses counts, per source, the planner and the tasks not yet decoded that need the
	// CSV input's file: it is opened when its planning starts and closed when the
	// count falls to zero, so that open files stay few however many inputs there are.
	usesMu sync.Mutex
	uses   []int
}

// decoder is one worker's reader of one source.
type decoder struct {
	csv   *csvfmt.Decoder
	sheet *xlsxfmt.Decoder
	jsonl *jsonlfmt.Decoder
	pq    *parquetin.Decoder
}

func newRunner(o Options, sources []*source, columns []string, p *pipeline, out sink.Sink, dst *output.Destination, errLog *rowErrorLog) *runner {
	workers := max(1, o.Workers)
	// Two chunks per worker keep every worker busy while the writer drains one result.
	cfg := chunk.Config{Workers: workers, Window: 2*workers + 1}
	r := &runner{o: o, sources: sources, columns: columns, sink: out, dst: dst, errLog: errLog, cfg: cfg,
		ledger:   chunk.NewLedger(0, chunk.Counts{}, cfg.Window),
		segs:     []segment{{}},
		decoders: make([][]decoder, workers),
		uses:     make([]int, len(sources)),
	}
	if p != nil {
		r.segs = p.segments()
	}
	r.streams = make([][]streamers, len(r.segs))
	r.parts = make([][]transforms.Partial, len(r.segs))
	for k, seg := range r.segs {
		r.streams[k] = make([]streamers, workers)
		for w := range workers {
			r.streams[k][w] = newStreamers(seg.streaming)
		}
		if seg.barrier != nil {
			r.parts[k] = newPartials(seg.barrier, workers)
		}
	}
	for w := range r.decoders {
		r.decoders[w] = make([]decoder, len(sources))
	}
	r.skips = make([][]bool, len(sources))
	copier, _ := out.(sink.RowCopier)
	for i, s := range sources {
		// A conformed source's columns are rearranged: its raw rows describe none.
		if p != nil && s.csv != nil && s.conform == nil && !o.decodeAll {
			r.skips[i] = p.skipColumns(len(columns), copier != nil && copier.CopiesRows(s.csv.Delimiter))
		}
		if p != nil && s.pq != nil && s.conform == nil && !o.decodeAll {
			r.skips[i] = p.skipColumns(len(columns), false) // columns never read from the file
		}
	}
	// Decided once per input: a resynchronised input is planned again with the same.
	r.rangeSizes = make([]int64, len(sources))
	for i, s := range sources {
		if s.csv != nil && s.csv.Seekable {
			r.rangeSizes[i] = r.rangeSize(s.csv.Name, s.csv.Size-s.csv.DataStart)
		}
	}
	r.progress = newProgress(o.Progress, -1)
	var total int64
	var compressed []*csvfmt.Input
	for _, s := range sources {
		if s.csv == nil {
			return r // a sheet: its size in rows is unknown until it is read
		}
		if s.csv.Seekable {
			total += s.csv.Size - s.csv.DataStart
		} else if _, size, ok := s.csv.CompressedRead(); ok {
			total += size
			compressed = append(compressed, s.csv)
		} else {
			return r // a stream: the size of what remains is unknown
		}
	}
	r.progress.total = total
	if len(compressed) > 0 {
		r.progress.compressedRead = func() int64 {
			var n int64
			for _, in := range compressed {
				read, _, _ := in.CompressedRead()
				n += read
			}
			return n
		}
	}
	return r
}

func (r *runner) run(ctx context.Context) error {
	defer r.closeDecoders()
	defer r.releasePartials() // those no Finish took: a failed or interrupted run
	r.lateNumbers = r.numbersLate()
	if r.positional = r.dst != nil && r.dst.Positional() && r.visit == nil && r.take == nil && r.sink.Final(); r.positional {
		var err error
		if r.size, err = r.dst.StartPositional(); err != nil {
			return err
		}
		r.placing = newPositionalWrites(0, r.size, r.maxWriting())
	}
	err := r.runChunks(ctx)
	if err == nil {
		err = r.runBarriers(ctx)
	}
	if r.positional {
		// Whatever a resynchronised run wrote past the real end is cut off. A failed
		// run keeps the chunks written in input order: standard output then holds
		// what sequential writes would have left, not chunks after a hole.
		if serr := r.dst.SetSize(r.size); err == nil {
			err = serr
		}
	}
	return err
}

// runChunks runs the pipeline, and runs it again from where it must resynchronise.
func (r *runner) runChunks(ctx context.Context) error {
	from := resume{}
	r.cutting = newCutting(r.segs[0].cuts, 0, r.cfg.Window)
	for {
		r.cfg.FirstSeq = from.seq
		err := chunk.Run(ctx, r.cfg, chunk.Job[task, result]{
			Plan:  func(ctx context.Context, emit chunk.Emit[task]) error { return r.plan(ctx, from, emit) },
			Work:  r.work,
			Write: r.write,
		})
		if errors.Is(err, errEnough) {
			return nil // the rest of the input is not needed
		}
		var rs *resync
		if !errors.As(err, &rs) {
			return err
		}
		if r.segs[0].barrier != nil {
			from = r.restart(rs)
			continue
		}
		base, err := r.ledger.Base(ctx, rs.seq, rs.first)
		if err != nil {
			return err
		}
		r.ledger = chunk.NewLedger(rs.seq, base, r.cfg.Window)
		if err := r.cutting.resume(ctx, rs.seq); err != nil {
			return err
		}
		if r.positional {
			r.placing = newPositionalWrites(rs.seq, r.size, r.maxWriting())
		}
		from = resume{input: rs.input, how: streamRest, first: rs.first, offset: rs.offset, seq: rs.seq}
		if rs.guessed {
			from.how = countedRanges
		}
		if r.o.onResume != nil {
			r.o.onResume(from.how)
		}
	}
}

// restart prepares a run from the first input again after a resynchronisation, for a
// chain whose first barrier has consumed chunks: the partials are released and made
// anew, the counts start again, and the row errors logged before are not logged twice.
// Input rs.input is read the more careful way from its first record.
func (r *runner) restart(rs *resync) resume {
	from := resume{input: rs.input, how: streamRest, first: true, offset: r.sources[rs.input].csv.DataStart, restart: true}
	if rs.guessed {
		from.how = countedRanges
	}
	for _, part := range r.parts[0] {
		part.Release()
	}
	r.parts[0] = newPartials(r.segs[0].barrier, r.cfg.Workers)
	r.ledger = chunk.NewLedger(0, chunk.Counts{}, r.cfg.Window)
	r.cutting = newCutting(r.segs[0].cuts, 0, r.cfg.Window)
	r.dupErrs, r.dupReshaped = r.loggedErrs, r.loggedReshaped
	r.progress.restart()
	if r.o.onResume != nil {
		r.o.onResume(from.how)
	}
	return from
}

// newPartials gives each worker an empty partial of b.
func newPartials(b transforms.Barrier, workers int) []transforms.Partial {
	parts := make([]transforms.Partial, workers)
	for w := range parts {
		parts[w] = b.NewPartial()
	}
	return parts
}

// releasePartials releases the partials that no Finish has taken.
func (r *runner) releasePartials() {
	for k, parts := range r.parts {
		for _, part := range parts {
			part.Release()
		}
		r.parts[k] = nil
	}
}

func (r *runner) plan(ctx context.Context, from resume, emit chunk.Emit[task]) error {
	ahead := make(map[int]*sheetSplit) // sheets whose splitting has started
	start := from.input
	if from.restart {
		start = 0
	}
	for i := start; i < len(r.sources); i++ {
		if err := r.planSource(ctx, from, i, ahead, emit); err != nil {
			return err
		}
	}
	return nil
}

// planSource emits the tasks of source i.
func (r *runner) planSource(ctx context.Context, from resume, i int, ahead map[int]*sheetSplit, emit chunk.Emit[task]) error {
	s := r.sources[i]
	if s.csv != nil {
		if err := r.use(i); err != nil {
			return err
		}
		defer r.done(i)
		if r.o.onPlan != nil {
			r.o.onPlan(i)
		}
		planned := emit
		emit = func(t task) error {
			if err := r.use(i); err != nil {
				return err
			}
			err := planned(t)
			if err != nil {
				r.done(i) // never handed to a worker
			}
			return err
		}
	}
	first := true
	emitBlock := func(block []byte) error {
		t := task{input: i, first: first, block: block}
		first = false
		return emit(t)
	}
	var err error
	switch {
	case s.sheet != nil:
		// Inflating a sheet is sequential, so the next sheets start inflating now,
		// in parallel, each a bounded number of blocks ahead.
		for j := i; j < len(r.sources) && j < i+r.cfg.Workers; j++ {
			if r.sources[j].sheet != nil && ahead[j] == nil {
				ahead[j] = r.startSplit(ctx, r.sources[j])
			}
		}
		err = ahead[i].drain(emitBlock)
		delete(ahead, i)
	case s.jsonl != nil:
		err = r.planJSONL(ctx, i, emit, emitBlock)
	case s.pq != nil:
		err = r.planParquet(i, emit)
	case i == from.input && from.how == streamRest:
		first = from.first
		err = s.csv.SplitFrom(ctx, from.offset, r.streamChunkSize(), emitBlock)
	case s.csv.Seekable:
		size := r.rangeSizes[i]
		var ranges []csvfmt.Range
		if i == from.input && from.how == countedRanges {
			first = from.first
			if ranges, err = s.csv.Ranges(ctx, from.offset, size, r.cfg.Workers); err != nil {
				return err
			}
		} else {
			ranges = s.csv.GuessRanges(s.csv.DataStart, size)
		}
		for _, rg := range ranges {
			if err := emit(task{input: i, first: first, ranged: true, rng: rg}); err != nil {
				return err
			}
			first = false
		}
	default:
		err = s.csv.Split(ctx, r.streamChunkSize(), emitBlock)
	}
	return err
}

// use counts one more user of source i's CSV input, opening it again if it was parked.
func (r *runner) use(i int) error {
	r.usesMu.Lock()
	defer r.usesMu.Unlock()
	if r.uses[i] == 0 {
		if err := r.sources[i].csv.Reopen(); err != nil {
			return err
		}
	}
	r.uses[i]++
	return nil
}

// done counts one user of source i's CSV input less, and parks the input after the last.
func (r *runner) done(i int) {
	r.usesMu.Lock()
	defer r.usesMu.Unlock()
	if r.uses[i]--; r.uses[i] == 0 {
		r.sources[i].csv.Park()
	}
}

// chunkSize is --chunk-size, or def when it was not given.
func (r *runner) chunkSize(def int64) int64 {
	if r.o.ChunkSize > 0 {
		return r.o.ChunkSize
	}
	return def
}

// maxRangesPerInput bounds the byte ranges one input is cut into. Ranges are planned up
// front, a few dozen bytes each: --chunk-size 1 on a 10 MB file took 560 MB and minutes.
// Ranges this small help nothing, so the chunk size is raised to keep within it.
const maxRangesPerInput = 1 << 16

// rangeSize is the chunk size for the ranges of a seekable input of data bytes:
// --chunk-size, or the default, raised (with a warning) to keep the input within
// maxRangesPerInput ranges.
func (r *runner) rangeSize(name string, data int64) int64 {
	def := int64(DefaultChunkSize)
	if r.sink != nil && r.sink.Typed() { // ScanCSV's runner (inspect) has no sink
		def = DefaultTypedChunkSize
	}
	size := r.chunkSize(def)
	least := (data + maxRangesPerInput - 1) / maxRangesPerInput
	if size >= least {
		return size
	}
	if r.o.Stderr != nil {
		fmt.Fprintf(r.o.Stderr, "ptransform: warning: %s: --chunk-size %d would cut it into more than %d chunks; using %d bytes\n",
			name, size, maxRangesPerInput, least)
	}
	return least
}

func (r *runner) streamChunkSize() int { return int(r.chunkSize(DefaultStreamChunkSize)) }

// sheetSplit is a sheet being inflated and cut into blocks by its own goroutine, ahead
// of the planner: at most Window blocks wait in blocks. The goroutine reads the workbook's
// one file (opening it again if parked), and ends when the sheet is cut or the run's
// context ends.
type sheetSplit struct {
	blocks chan []byte
	err    chan error
}

func (r *runner) startSplit(ctx context.Context, s *source) *sheetSplit {
	sp := &sheetSplit{blocks: make(chan []byte, r.cfg.Window), err: make(chan error, 1)}
	go func() {
		defer close(sp.blocks)
		sp.err <- s.sheet.Split(ctx, sheetChunkRows(int64(r.streamChunkSize())), func(b []byte) error {
			select {
			case sp.blocks <- b:
				return nil
			case <-ctx.Done():
				return context.Cause(ctx)
			}
		})
	}()
	return sp
}

// drain hands the sheet's blocks to emit in order, then reports how splitting ended.
func (sp *sheetSplit) drain(emit func([]byte) error) error {
	for b := range sp.blocks {
		if err := emit(b); err != nil {
			return err
		}
	}
	return <-sp.err
}

// sheetChunkRows turns --chunk-size into rows of sheet XML, which runs to a few hundred
// bytes a row for typical sheets, so that chunks of either format cost about the same.
func sheetChunkRows(chunkSize int64) int {
	return int(max(1, chunkSize/400))
}

func (r *runner) decoder(worker, source int) *decoder {
	d := &r.decoders[worker][source]
	if d.csv == nil && d.sheet == nil && d.jsonl == nil && d.pq == nil {
		if s := r.sources[source]; s.csv != nil {
			d.csv = s.csv.NewDecoder()
			d.csv.SkipColumns(r.skips[source])
			if r.wholeChunks(source) {
				d.csv.DecodeWhole()
			}
		} else if s.jsonl != nil {
			d.jsonl = s.jsonl.NewDecoder()
		} else if s.pq != nil {
			d.pq = s.pq.NewDecoder(r.skips[source])
		} else {
			d.sheet = s.sheet.NewDecoder()
		}
	}
	return d
}

// wholeChunks reports whether the chunks of source go from its decoder to the output
// untouched, to be written as their input bytes (sink.Verbatim): a CSV identity run
// into a positional output. Its decoders need then only check that a chunk's bytes
// are what the writer would write (csvfmt.Decoder.DecodeWhole), not decode them.
func (r *runner) wholeChunks(source int) bool {
	seg, s := r.segs[0], r.sources[source]
	if s.csv == nil || !r.positional || s.conform != nil || r.schema != nil || r.o.decodeAll ||
		len(r.segs) != 1 || len(seg.streaming) > 0 || seg.barrier != nil || len(seg.cuts) > 0 {
		return false
	}
	if _, ok := r.sink.(sink.Verbatim); !ok {
		return false
	}
	skip := r.skips[source]
	return len(skip) > 0 && !slices.Contains(skip, false)
}

// maxWriting is how many workers may write chunks of a positional output at once
// (positionalWrites): two when every source's chunks are written as their input bytes
// (wholeChunks), one otherwise.
func (r *runner) maxWriting() int {
	for i := range r.sources {
		if !r.wholeChunks(i) {
			return 1
		}
	}
	return 2
}

func (r *runner) closeDecoders() {
	for _, ds := range r.decoders {
		for _, d := range ds {
			if d.csv != nil {
				d.csv.Close()
			}
		}
	}
}

func (r *runner) work(ctx context.Context, worker int, seq int64, t task) (res result, err error) {
	if r.o.onWork != nil {
		r.o.onWork(seq)
		defer r.o.onWorked(seq)
	}
	s := r.sources[t.input]
	dec := r.decoder(worker, t.input)
	res = result{task: t}
	var c *table.Chunk
	var recycle func(*table.Chunk) // gives the chunk's buffers back to its decoder
	switch {
	case dec.sheet != nil:
		// Sheet blocks carry their own row numbers, but the ledger folds every sequence
		// number in order: a block that published nothing would keep the chunks of
		// the next CSV input waiting forever for their base.
		c, err = dec.sheet.DecodeBlock(t.block)
		res.inBytes = int64(len(t.block))
		res.task.block = nil
		if err != nil {
			return res, err
		}
		r.ledger.Publish(seq, t.first, chunk.Counts{Rows: int64(c.NumRows())})
	case dec.jsonl != nil:
		if c, err = r.decodeJSONL(ctx, dec.jsonl, seq, t, &res); err != nil {
			return res, err
		}
		res.numberLate = r.lateNumbers
	case dec.pq != nil:
		if c, err = r.decodeParquet(ctx, dec.pq, seq, t, &res); err != nil {
			return res, err
		}
		res.numberLate = r.lateNumbers
		recycle = dec.pq.Recycle
	default:
		if c, err = r.decodeCSV(ctx, s.csv, dec.csv, seq, t, &res); err != nil {
			return res, err
		}
		res.numberLate = r.lateNumbers
		recycle = dec.csv.Recycle
	}
	if recycle != nil && (r.take != nil || r.visit == nil && (r.reuses(0) || dec.csv != nil && r.keepsNoText())) {
		decoded := c
		defer func() {
			if res.consumed && err != nil {
				return // the error may refer to the chunk's values
			}
			recycle(decoded)
		}()
	}
	if s.conform != nil {
		c = conformChunk(c, s.conform, r.columns)
	}
	if r.visit != nil {
		c.Raw = nil // the visitor may keep the chunk past the decoder's next read
		res.chunk = c
		return res, nil
	}
	if r.take != nil {
		res.taken, err = r.take(c)
		return res, err
	}
	res.rowsIn = int64(c.NumRows())
	res, err = r.transform(ctx, 0, worker, seq, c, res)
	return res, err
}

// reuses tells whether a chunk's buffers may serve the next chunk once segment seg is
// done with it. Once encoded as final bytes or xlsx parts, nothing refers to them
// (sink.RetainsNothing); Parquet may hold a chunk until its part is appended, and a
// barrier's partial may keep its arrays unless it copies what it keeps: its buffers
// are then the garbage collector's to free, not a pool's to reuse.
func (r *runner) reuses(seg int) bool {
	if b := r.segs[seg].barrier; b != nil {
		_, copies := b.(transforms.CopyingBarrier)
		return copies
	}
	return sink.Retains(r.sink) == sink.RetainsNothing
}

// keepsNoText tells whether the chunks of the first segment end at a sink that copies the
// text it keeps (sink.RetainsTyped): a CSV decoder's chunks, all text, may then be reused
// once encoded, as for a sink of final bytes.
func (r *runner) keepsNoText() bool {
	return sink.Retains(r.sink) == sink.RetainsTyped && r.segs[0].barrier == nil
}

// transform runs segment seg of the chain over one chunk in a worker: its streaming
// stages, then its barrier's partial consumes the chunk, or the sink encodes it (and
// for a positional output, the worker writes it).
func (r *runner) transform(ctx context.Context, seg, worker int, seq int64, c *table.Chunk, res result) (result, error) {
	raw := c.Raw
	if r.parts[seg] != nil {
		// Raw describes the decoder's buffer, which the next chunk reuses, and only a
		// writer copies rows through it. Without it a filter takes every row's values
		// of the columns it passes on, not only those of rows a writer would not copy.
		c.Raw = nil
	}
	var err error
	if len(r.segs[seg].cuts) > 0 {
		c, res.rowErrs, res.full, err = r.cutting.apply(ctx, r.streams[seg][worker], seq, c)
	} else {
		c, res.rowErrs, err = r.streams[seg][worker].apply(c)
	}
	if err == nil && r.parts[seg] != nil {
		sortRowErrors(res.rowErrs)
		if r.segs[seg].rawRows {
			c.Raw = raw // valid until Consume returns, which copies what it keeps
		}
		if !r.o.decodeAll {
			c = r.segs[seg].prune(c)
		}
		res.consumed = true
		part := r.parts[seg][worker]
		if err = part.Consume(seq, c); err != nil {
			return res, err
		}
		if ep, ok := part.(transforms.ErrorReportingPartial); ok && len(ep.RowErrors()) > 0 {
			// The partial's until its next Consume, their values the chunk's.
			for _, e := range ep.RowErrors() {
				e.Value = strings.Clone(e.Value)
				res.rowErrs = append(res.rowErrs, e)
			}
			sortRowErrors(res.rowErrs)
		}
		if r.reuses(seg) {
			r.streams[seg][worker].recycle()
		}
		return res, nil
	}
	unconformed, streamErrs := c, len(res.rowErrs)
	if err == nil && r.schema != nil {
		var typeErrs []expr.RowError
		var mem memory.Allocator
		lender, lends := r.sink.(sink.Lender)
		if lends {
			mem = lender.Memory()
		}
		c, typeErrs, err = r.schema.ConformWith(c, r.o.OnError, mem)
		res.rowErrs = append(res.rowErrs, typeErrs...)
		if err == nil && lends {
			defer c.Batch.Release() // the conformed batch: what Encode keeps, it retained
		}
	}
	if err != nil {
		return res, explainRowError(err)
	}
	sortRowErrors(res.rowErrs)
	// Transforms build new chunks without Raw, except filters, which take the raw rows
	// they keep; AppendRows uses it only for as long as the chunk's first columns are
	// still the arrays it describes.
	if c.Raw == nil {
		c.Raw = raw
	}
	if r.positional && seg == 0 { // a decoder's chunk: its raw rows are its input's bytes
		if verbatim, ok := r.sink.(sink.Verbatim); ok {
			if data, ok := verbatim.Verbatim(c); ok {
				res.rows, res.outLen = int64(c.NumRows()), int64(len(data))
				r.streams[seg][worker].recycle() // nothing refers to the chunk's arrays
				return res, r.writeVerbatim(worker, seq, res.task, data, c.Raw.Whole)
			}
		}
	}
	buf := bufferPool.Get().(*[]byte)
	part, err := r.sink.Encode((*buf)[:0], c)
	if errors.Is(err, sink.ErrUncheckedText) {
		// A column kept as text unchecked holds a value that does not read as its
		// type: the chunk is conformed the long way, which types or reports each value.
		var typeErrs []expr.RowError
		res.rowErrs = res.rowErrs[:streamErrs]
		if c, typeErrs, err = r.schema.Checked().Conform(unconformed, r.o.OnError); err != nil {
			return res, explainRowError(err)
		}
		res.rowErrs = append(res.rowErrs, typeErrs...)
		sortRowErrors(res.rowErrs)
		if c.Raw == nil {
			c.Raw = raw
		}
		part, err = r.sink.Encode((*buf)[:0], c)
	}
	if err != nil {
		return res, err
	}
	*buf = part.Bytes
	res.rows = int64(c.NumRows())
	if sink.Retains(r.sink) == sink.RetainsNothing {
		r.streams[seg][worker].recycle() // encoded: nothing refers to the chunk's arrays
	}
	if !r.positional {
		res.out, res.meta = buf, part.Meta
		return res, nil
	}
	res.outLen = int64(len(*buf))
	return res, r.writePlaced(r.placing.put(seq, *buf, buf))
}

// writeVerbatim writes chunk seq of a positional output whose bytes are data, a piece
// of its input bytes (sink.Verbatim), without copying them: from there at once when the
// chunk can be placed now, else left for the worker that places the chunk before it.
// The bytes of a range are in its decoder's buffer, which then goes with them, and
// the decoder reads on into a buffer from the pool; a block cut from a stream is
// nobody's to reuse.
func (r *runner) writeVerbatim(worker int, seq int64, t task, data []byte, whole bool) error {
	ready, now := r.placing.putIfNext(seq, data)
	if r.o.onVerbatim != nil {
		r.o.onVerbatim(seq, now, whole)
	}
	if !now {
		var buf *[]byte
		if t.ranged {
			buf = bufferPool.Get().(*[]byte)
			*buf = r.decoder(worker, t.input).csv.SwapBuffer((*buf)[:0])
		}
		ready = r.placing.put(seq, data, buf)
	}
	return r.writePlaced(ready)
}

// writePlaced writes chunks that positionalWrites placed, in order, then those queued
// for it meanwhile, and gives their buffers back to the pool. After a failed write it
// writes no more: the run fails at that chunk, in input order.
func (r *runner) writePlaced(ready []placed) error {
	var err error
	for len(ready) > 0 {
		for _, p := range ready {
			switch {
			case err != nil:
			case r.placing.maxWriting > 1:
				err = r.dst.WriteAtOnce(p.data, p.at)
			default:
				err = r.dst.WriteAt(p.data, p.at)
			}
			if p.buf != nil {
				bufferPool.Put(p.buf)
			}
		}
		ready = r.placing.more()
	}
	return err
}

// explainRowError adds to a value's error what the user can do about it.
func explainRowError(err error) error {
	var rowErr *expr.RowError
	switch {
	case errors.As(err, &rowErr) && rowErr.Expr == "--schema":
		return fmt.Errorf("%w, the column's type in the output (--schema %s:string keeps such values as text; --on-error skip or null carries on past such rows)", err, rowErr.Column)
	case errors.As(err, &rowErr):
		return fmt.Errorf("%w (--on-error skip or null carries on past such rows)", err)
	}
	return err
}

// decodeCSV decodes a CSV chunk and makes its positions absolute: a chunk's first row
// and line numbers depend on every earlier chunk, which the ledger sums.
func (r *runner) decodeCSV(ctx context.Context, in *csvfmt.Input, dec *csvfmt.Decoder, seq int64, t task, res *result) (*table.Chunk, error) {
	var d csvfmt.Decoded
	var err error
	if t.ranged {
		d, err = dec.DecodeRange(t.rng)
		res.start, res.end, res.inBytes = d.Start, d.End, t.rng.End-t.rng.Start
	} else {
		d, err = dec.DecodeBlock(t.block)
		res.inBytes = int64(len(t.block))
		res.task.block = nil // the writer has no use for it; let it be collected
	}
	r.done(t.input)
	if err != nil {
		base, berr := r.ledger.Base(ctx, seq, t.first)
		if berr != nil {
			return nil, berr
		}
		var pe *csvfmt.ParseError
		if errors.As(err, &pe) {
			pe.Rebase(in.DataLine + base.Lines)
		}
		return nil, err
	}
	c := d.Chunk
	lineBase, err := r.number(ctx, seq, t.first, c, chunk.Counts{Rows: d.Rows, Lines: d.Lines}, in.RowsBefore, in.DataLine)
	if err != nil {
		return nil, err
	}
	if res.reshapedRows = int64(len(d.Reshaped)); r.errLog != nil {
		res.reshaped = rebasedReshaped(d.Reshaped, lineBase)
	} else {
		res.reshaped = rebasedReshaped(d.Reshaped[:min(1, len(d.Reshaped))], lineBase)
	}
	return c, nil
}

// numbersLate tells whether workers may transform and encode a chunk before the counts
// of the chunks before it are known. Nothing but the line numbers of its errors needs
// them then, and the writer, which reaches the chunks in order, makes those absolute.
// A worker otherwise waits after decoding until every earlier chunk is decoded: with
// two workers, one chunk apart, that was a fifth of the chunks, each wait parking the
// worker's thread and waking it again. `_row` reads the numbers; a barrier's partial
// (a sort) unless it says otherwise (transforms.Numbered: a group-by), a sink that needs
// them (sink.NeedsNumbers) and a visitor may keep them, and a transforms.Numbered
// stage reads them. Conforming a chunk to a typed output's schema does not: its type
// errors take the chunk's lines as they are.
func (r *runner) numbersLate() bool {
	if r.visit != nil || r.take != nil || sink.NeedsNumbers(r.sink) || barrierReadsNumbers(r.segs[0].barrier) {
		return false
	}
	for _, stage := range r.segs[0].streaming {
		if n, ok := stage.(transforms.Numbered); ok && n.ReadsNumbers() {
			return false
		}
	}
	return true
}

// barrierReadsNumbers tells whether the barrier that ends the chain's first segment (nil
// for none) needs its chunks numbered before it consumes them (transforms.Numbered). The
// segments after it run on the rows its Finish emits, numbered by it.
func barrierReadsNumbers(b transforms.Barrier) bool {
	if b == nil {
		return false
	}
	n, ok := b.(transforms.Numbered)
	return !ok || n.ReadsNumbers()
}

// numberErrors makes the line numbers of chunk seq's errors absolute, and returns err so
// numbered, in the writer: all the chunks before it are decoded, so the ledger answers at
// once.
func (r *runner) numberErrors(seq int64, res *result, err error) error {
	if len(res.rowErrs) == 0 && len(res.reshaped) == 0 && err == nil {
		return nil
	}
	base, berr := r.ledger.Base(context.Background(), seq, res.task.first)
	if berr != nil {
		return err // only a context that ends stops Base, and this one does not
	}
	lineBase := base.Lines + 1 // a JSON Lines input's data start at line 1
	if in := r.sources[res.task.input].csv; in != nil {
		lineBase = base.Lines + in.DataLine
	}
	for i := range res.rowErrs {
		res.rowErrs[i].Line += lineBase
	}
	for i := range res.reshaped {
		res.reshaped[i].Line += lineBase
	}
	var rowErr *expr.RowError
	if errors.As(err, &rowErr) {
		err = reword(err, rowErr, func() { rowErr.Line += lineBase })
	}
	return err
}

// number publishes a decoded chunk's counts to the ledger and makes its row and line
// numbers absolute from the counts of every earlier chunk of its input: rows after
// rowsBefore, lines after dataLine (the line of the input's first record). It returns
// the line the chunk's relative line numbers were added to.
func (r *runner) number(ctx context.Context, seq int64, first bool, c *table.Chunk, counts chunk.Counts, rowsBefore, dataLine int64) (int64, error) {
	r.ledger.Publish(seq, first, counts)
	if r.lateNumbers {
		return 0, nil // the writer numbers the chunk's errors: see numbersLate
	}
	base, err := r.ledger.Base(ctx, seq, first)
	if err != nil {
		return 0, err
	}
	c.Row0 = rowsBefore + base.Rows + 1
	lineBase := dataLine + base.Lines
	for i := range c.Lines {
		c.Lines[i] += lineBase
	}
	return lineBase, nil
}

func (r *runner) write(seq int64, res result, err error) error {
	t := res.task
	if errors.Is(err, csvfmt.ErrShrank) {
		return err // the file, not the range's start, is wrong
	}
	if t.ranged {
		prev := r.lastEnd
		if t.first {
			prev = r.sources[t.input].csv.DataStart
		}
		// A wrong start invalidates whatever the chunk reported, its error included.
		if res.start != prev || errors.Is(err, csvfmt.ErrNeedStream) {
			return &resync{input: t.input, first: t.first, guessed: t.rng.Guessed, offset: prev, seq: seq}
		}
	}
	if res.numberLate {
		err = r.numberErrors(seq, &res, err)
	}
	if err != nil {
		return err
	}
	r.lastEnd = res.end
	if r.visit != nil {
		return r.visit(res.chunk)
	}
	if r.take != nil {
		return r.keep(res.taken)
	}
	err = r.record(res)
	if r.o.onWritten != nil {
		r.o.onWritten(seq, res.rowsIn, res.rows)
	}
	return err
}

// record accounts for one chunk the writer has reached in order: its output (appended
// by the writer, or already written at its offset by its worker), the progress, and the
// rows that --ragged reshaped and --on-error let through.
func (r *runner) record(res result) error {
	t := res.task
	var err error
	switch {
	case res.consumed:
	case r.positional:
		r.size += res.outLen
	default:
		err = r.sink.Append(r.dst, sink.Part{Bytes: *res.out, Rows: res.rows, Meta: res.meta})
		bufferPool.Put(res.out)
	}
	var measured int64
	if t.ranged {
		measured = res.inBytes
	}
	r.progress.add(res.inBytes, measured, res.rowsIn, res.rows)
	if err != nil {
		return err
	}
	res.rowErrs = skipLogged(res.rowErrs, &r.dupErrs)
	r.loggedErrs += int64(len(res.rowErrs))
	if r.dupReshaped > 0 {
		dup := min(r.dupReshaped, res.reshapedRows)
		r.dupReshaped -= dup
		res.reshapedRows -= dup
		if r.errLog != nil {
			res.reshaped = res.reshaped[dup:]
		} // else it holds the first only, and the summary has its first already

	}
	r.loggedReshaped += res.reshapedRows
	logged := res.rowErrs
	if len(res.reshaped) > 0 {
		file := r.sources[t.input].csv.Name
		r.reshaped.add(file, res.reshaped[0], res.reshapedRows)
		if r.errLog != nil {
			// In row order with the expressions' errors; a record is reshaped before
			// any expression sees it.
			logged = append(reshapedErrors(file, res.reshaped), res.rowErrs...)
			sortRowErrors(logged)
		}
	}
	r.errCount.add(res.rowErrs)
	if limit := r.o.MaxErrors; limit != nil && r.errCount.count > *limit {
		return fmt.Errorf("more than %d row errors (--max-errors %d), the first: %v", *limit, *limit, r.errCount.first)
	}
	if err := r.errLog.add(logged); err != nil {
		return err
	}
	if res.full {
		return errEnough
	}
	return nil
}

// errEnough ends a run's reading early: the chunks written so far, in input order,
// hold every row a cut (a transforms.Limited stage) passes on.
var errEnough = errors.New("internal: enough rows")

// skipLogged drops from errs (one chunk's, in row order) the first *dup, which a run
// before a restart logged already, and counts them off *dup.
func skipLogged(errs []expr.RowError, dup *int64) []expr.RowError {
	n := min(*dup, int64(len(errs)))
	*dup -= n
	return errs[n:]
}

// runBarriers runs, once every input row went through the first segment, each
// barrier's Finish in chain order: the rows it emits go through the segment after it
// in the workers, in parallel, into the next barrier's partials or to the sink, and the
// writer takes them in the order Finish emitted them.
func (r *runner) runBarriers(ctx context.Context) error {
	for k := 1; k < len(r.segs); k++ {
		barrier, parts := r.segs[k-1].barrier, r.parts[k-1]
		r.parts[k-1] = nil // Finish releases them, whatever happens
		if r.positional {
			r.placing = newPositionalWrites(0, r.size, 1)
		}
		cfg := r.cfg
		cfg.FirstSeq = 0
		r.cutting = newCutting(r.segs[k].cuts, 0, cfg.Window)
		finished := make(chan struct{})
		err := chunk.Run(ctx, cfg, chunk.Job[*table.Chunk, result]{
			Plan: func(ctx context.Context, emit chunk.Emit[*table.Chunk]) error {
				defer close(finished)
				return barrier.Finish(ctx, parts, func(c *table.Chunk) error { return emit(c) })
			},
			Work: func(ctx context.Context, worker int, seq int64, c *table.Chunk) (result, error) {
				return r.transform(ctx, k, worker, seq, c, result{})
			},
			Write: func(_ int64, res result, err error) error {
				if err != nil {
					return err
				}
				return r.record(res)
			},
		})
		// chunk.Run does not wait for its planner, but Finish must have released the
		// partials (temporary files) before the run ends; it stops at the first emit
		// refused.
		<-finished
		if err != nil && !errors.Is(err, errEnough) {
			return err
		}
	}
	return nil
}

// reportWarnings tells on stderr what the run changed or ignored: rows that --on-error
// skip or null let through, and what the sheets held that could not be read as asked.
func (r *runner) reportWarnings() {
	r.reshaped.report(r.o.Stderr, r.o)
	r.errCount.report(r.o.Stderr, r.o)
	if r.o.Stderr == nil {
		return
	}
	for _, s := range r.sources {
		if s.sheet == nil {
			continue
		}
		for _, w := range s.sheet.Warnings() {
			fmt.Fprintf(r.o.Stderr, "ptransform: warning: %s\n", w) // w names file and sheet
		}
	}
	if w, ok := r.sink.(sink.Warner); ok {
		name := r.o.Output
		if name == "" || name == "-" {
			name = "standard output"
		}
		for _, msg := range w.Warnings() {
			fmt.Fprintf(r.o.Stderr, "ptransform: warning: %s: %s\n", name, msg)
		}
	}
}
