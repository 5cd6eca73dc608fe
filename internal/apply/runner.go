package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/ptransform/ptransform/internal/chunk"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/output"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// task is one chunk descriptor: a byte range of a seekable input, or a block cut by the
// planner from a stream.
type task struct {
	input  int
	first  bool // first chunk of its input: row and line numbering start again
	ranged bool
	rng    csvfmt.Range
	block  []byte
}

// result is a worker's output for one task.
type result struct {
	task       task
	out        *[]byte
	start, end int64 // bytes of the input the chunk's records occupy (ranged tasks)
	inBytes    int64
	rowErrs    []expr.RowError // let through by --on-error skip or null
	chunk      *table.Chunk    // the decoded chunk itself, for Scan's visit
	rows       int64           // rows written
	// outAt and outLen locate the chunk in a positional output, which the worker wrote.
	outAt, outLen int64
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
	o        Options
	sources  []*source
	columns  []string // the run's columns, which every source is conformed to
	stages   []*stage // per worker
	writer   csvfmt.Writer
	dst      *output.Destination
	errLog   *rowErrorLog
	errCount rowErrorSummary
	ledger   *chunk.Ledger
	cfg      chunk.Config
	// For a file output, workers write their own chunks at offsets that outputs sums
	// from the sizes of the chunks before (Rows counts bytes here), starting at base.
	positional bool
	outputs    *chunk.Ledger
	base, size int64       // where chunk output starts; where the last written chunk ends
	decoders   [][]decoder // [worker][source], opened on first use
	skips      [][]bool    // per source: the columns its CSV decoders may skip
	lastEnd    int64       // where the last written range's records ended
	progress   *progress
	// visit, when set, receives each decoded chunk in input order in place of the
	// transforms and the writer (see ScanCSV).
	visit func(c *table.Chunk) error
}

// decoder is one worker's reader of one source.
type decoder struct {
	csv   *csvfmt.Decoder
	sheet *xlsxfmt.Decoder
}

func newRunner(o Options, sources []*source, columns []string, p *pipeline, w csvfmt.Writer, dst *output.Destination, errLog *rowErrorLog) *runner {
	workers := max(1, o.Workers)
	// Two chunks per worker keep every worker busy while the writer drains one result.
	cfg := chunk.Config{Workers: workers, Window: 2*workers + 1}
	r := &runner{o: o, sources: sources, columns: columns, writer: w, dst: dst, errLog: errLog, cfg: cfg,
		ledger:   chunk.NewLedger(0, chunk.Counts{}, cfg.Window),
		stages:   make([]*stage, workers),
		decoders: make([][]decoder, workers),
	}
	for w := range r.stages {
		if p != nil {
			r.stages[w] = p.newStage()
		}
		r.decoders[w] = make([]decoder, len(sources))
	}
	r.skips = make([][]bool, len(sources))
	for i, s := range sources {
		// A conformed source's columns are rearranged: its raw rows describe none.
		if p != nil && s.csv != nil && s.conform == nil && !o.decodeAll {
			r.skips[i] = p.skipColumns(len(columns), w.CopiesRows(s.csv.Delimiter))
		}
	}
	var total int64
	for _, s := range sources {
		if s.csv == nil || !s.csv.Seekable {
			total = -1 // a stream or a sheet: the size of what remains is unknown
			break
		}
		total += s.csv.Size - s.csv.DataStart
	}
	r.progress = newProgress(o.Progress, total)
	return r
}

func (r *runner) run(ctx context.Context) error {
	defer r.closeDecoders()
	if r.positional = r.dst != nil && r.dst.Positional() && r.visit == nil; r.positional {
		var err error
		if r.base, err = r.dst.StartPositional(); err != nil {
			return err
		}
		r.size = r.base
		r.outputs = chunk.NewLedger(0, chunk.Counts{}, r.cfg.Window)
	}
	err := r.runChunks(ctx)
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
	for {
		r.cfg.FirstSeq = from.seq
		err := chunk.Run(ctx, r.cfg, chunk.Job[task, result]{
			Plan:  func(ctx context.Context, emit chunk.Emit[task]) error { return r.plan(ctx, from, emit) },
			Work:  r.work,
			Write: r.write,
		})
		var rs *resync
		if !errors.As(err, &rs) {
			return err
		}
		base, err := r.ledger.Base(ctx, rs.seq, rs.first)
		if err != nil {
			return err
		}
		r.ledger = chunk.NewLedger(rs.seq, base, r.cfg.Window)
		if r.positional {
			written, err := r.outputs.Base(ctx, rs.seq, false)
			if err != nil {
				return err
			}
			r.outputs = chunk.NewLedger(rs.seq, written, r.cfg.Window)
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

func (r *runner) plan(ctx context.Context, from resume, emit chunk.Emit[task]) error {
	ahead := make(map[int]*sheetSplit) // sheets whose splitting has started
	for i := from.input; i < len(r.sources); i++ {
		s := r.sources[i]
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
		case i == from.input && from.how == streamRest:
			first = from.first
			err = s.csv.SplitFrom(ctx, from.offset, r.streamChunkSize(), emitBlock)
		case s.csv.Seekable:
			size := r.chunkSize(DefaultChunkSize)
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
		if err != nil {
			return err
		}
	}
	return nil
}

// chunkSize is --chunk-size, or def when it was not given.
func (r *runner) chunkSize(def int64) int64 {
	if r.o.ChunkSize > 0 {
		return r.o.ChunkSize
	}
	return def
}

func (r *runner) streamChunkSize() int { return int(r.chunkSize(DefaultStreamChunkSize)) }

// sheetSplit is a sheet being inflated and cut into blocks by its own goroutine, ahead
// of the planner: at most Window blocks wait in blocks. The goroutine opens the workbook
// by path, and ends when the sheet is cut or the run's context ends.
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
	if d.csv == nil && d.sheet == nil {
		if s := r.sources[source]; s.csv != nil {
			d.csv = s.csv.NewDecoder()
			d.csv.SkipColumns(r.skips[source])
		} else {
			d.sheet = s.sheet.NewDecoder()
		}
	}
	return d
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

func (r *runner) work(ctx context.Context, worker int, seq int64, t task) (result, error) {
	s := r.sources[t.input]
	dec := r.decoder(worker, t.input)
	res := result{task: t}
	var c *table.Chunk
	var err error
	switch {
	case dec.sheet != nil:
		// Sheet blocks carry their own row numbers: no ledger needed.
		c, err = dec.sheet.DecodeBlock(t.block)
		res.inBytes = int64(len(t.block))
		res.task.block = nil
		if err != nil {
			return res, err
		}
	default:
		if c, err = r.decodeCSV(ctx, s.csv, dec.csv, seq, t, &res); err != nil {
			return res, err
		}
		if r.visit == nil {
			defer dec.csv.Recycle(c) // once encoded, nothing refers to the chunk's buffers
		}
	}
	if s.conform != nil {
		c = conformChunk(c, s.conform, r.columns)
	}
	if r.visit != nil {
		c.Raw = nil // the visitor may keep the chunk past the decoder's next read
		res.chunk = c
		return res, nil
	}
	raw := c.Raw
	if c, res.rowErrs, err = r.stages[worker].apply(c); err != nil {
		var rowErr *expr.RowError
		if errors.As(err, &rowErr) {
			err = fmt.Errorf("%w (--on-error skip or null carries on past such rows)", err)
		}
		return res, err
	}
	sortRowErrors(res.rowErrs)
	buf := bufferPool.Get().(*[]byte)
	// Transforms build new chunks without Raw, except filters, which take the raw rows
	// they keep; AppendRows uses it only for as long as the chunk's first columns are
	// still the arrays it describes.
	if c.Raw == nil {
		c.Raw = raw
	}
	*buf, err = r.writer.AppendRows((*buf)[:0], c)
	if err != nil {
		return res, err
	}
	res.rows = int64(c.NumRows())
	r.stages[worker].recycle() // encoded: nothing refers to the chunk's arrays
	if !r.positional {
		res.out = buf
		return res, nil
	}
	// Write the chunk where it belongs as soon as the earlier chunks' sizes are known.
	r.outputs.Publish(seq, false, chunk.Counts{Rows: int64(len(*buf))})
	before, err := r.outputs.Base(ctx, seq, false)
	if err != nil {
		return res, err
	}
	res.outAt, res.outLen = r.base+before.Rows, int64(len(*buf))
	err = r.dst.WriteAt(*buf, res.outAt)
	bufferPool.Put(buf)
	return res, err
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
	r.ledger.Publish(seq, t.first, chunk.Counts{Rows: d.Rows, Lines: d.Lines})
	base, err := r.ledger.Base(ctx, seq, t.first)
	if err != nil {
		return nil, err
	}
	c := d.Chunk
	c.Row0 = base.Rows + 1
	lineBase := in.DataLine + base.Lines
	for i := range c.Lines {
		c.Lines[i] += lineBase
	}
	return c, nil
}

func (r *runner) write(seq int64, res result, err error) error {
	t := res.task
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
	if err != nil {
		return err
	}
	r.lastEnd = res.end
	if r.visit != nil {
		return r.visit(res.chunk)
	}
	if r.positional {
		r.size = res.outAt + res.outLen
	} else {
		_, err = r.dst.Write(*res.out)
		bufferPool.Put(res.out)
	}
	r.progress.add(res.inBytes, res.rows)
	if err != nil {
		return err
	}
	r.errCount.add(res.rowErrs)
	return r.errLog.add(res.rowErrs)
}

// reportWarnings tells on stderr what the run changed or ignored: rows that --on-error
// skip or null let through, and what the sheets held that could not be read as asked.
func (r *runner) reportWarnings() {
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
}
