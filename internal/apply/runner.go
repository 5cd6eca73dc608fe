package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/ptransform/ptransform/internal/chunk"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/output"
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
}

// resync is returned by the writer when a range's first record does not start where the
// previous range's last record ended. That happens only when the quote-parity estimate
// of a range start was wrong, which input with bare quotes can cause, or when a range's
// last record runs on far past its end (csvfmt.ErrNeedStream). All chunks before it are
// exact, so the run goes on from that byte with the stream splitter, which follows the
// parser's own state machine.
type resync struct {
	input  int
	first  bool // the chunk was its input's first: numbering starts again there
	offset int64
	seq    int64
}

func (r *resync) Error() string {
	return fmt.Sprintf("internal: resynchronise input %d at byte %d", r.input, r.offset)
}

// resume says where a pipeline run starts.
type resume struct {
	input  int
	stream bool // continue input from offset with the stream splitter
	first  bool // offset is the input's first record
	offset int64
	seq    int64
}

type runner struct {
	o        Options
	inputs   []*csvfmt.Input
	stages   []*stage // per worker
	writer   csvfmt.Writer
	dst      *output.Destination
	errLog   *rowErrorLog
	errCount rowErrorSummary
	ledger   *chunk.Ledger
	cfg      chunk.Config
	decoders [][]*csvfmt.Decoder // [worker][input], opened on first use
	lastEnd  int64               // where the last written range's records ended
	progress *progress
}

func newRunner(o Options, inputs []*csvfmt.Input, p *pipeline, w csvfmt.Writer, dst *output.Destination, errLog *rowErrorLog) *runner {
	workers := max(1, o.Workers)
	chunkSize := o.ChunkSize
	if chunkSize <= 0 {
		chunkSize = DefaultChunkSize
	}
	o.ChunkSize = chunkSize
	// Two chunks per worker keep every worker busy while the writer drains one result.
	cfg := chunk.Config{Workers: workers, Window: 2*workers + 1}
	r := &runner{o: o, inputs: inputs, writer: w, dst: dst, errLog: errLog, cfg: cfg,
		ledger:   chunk.NewLedger(0, chunk.Counts{}, cfg.Window),
		stages:   make([]*stage, workers),
		decoders: make([][]*csvfmt.Decoder, workers),
	}
	for w := range r.stages {
		r.stages[w] = p.newStage()
		r.decoders[w] = make([]*csvfmt.Decoder, len(inputs))
	}
	var total int64
	for _, in := range inputs {
		if !in.Seekable {
			total = -1
			break
		}
		total += in.Size - in.DataStart
	}
	r.progress = newProgress(o.Progress, total)
	return r
}

func (r *runner) run(ctx context.Context) error {
	defer r.closeDecoders()
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
		from = resume{input: rs.input, stream: true, first: rs.first, offset: rs.offset, seq: rs.seq}
	}
}

func (r *runner) plan(ctx context.Context, from resume, emit chunk.Emit[task]) error {
	for i := from.input; i < len(r.inputs); i++ {
		in := r.inputs[i]
		first := true
		emitBlock := func(block []byte) error {
			t := task{input: i, first: first, block: block}
			first = false
			return emit(t)
		}
		switch {
		case i == from.input && from.stream:
			first = from.first
			if err := in.SplitFrom(ctx, from.offset, int(r.o.ChunkSize), emitBlock); err != nil {
				return err
			}
		case in.Seekable:
			ranges, err := in.Ranges(ctx, r.o.ChunkSize, r.cfg.Workers)
			if err != nil {
				return err
			}
			for k, rg := range ranges {
				if err := emit(task{input: i, first: k == 0, ranged: true, rng: rg}); err != nil {
					return err
				}
			}
		default:
			if err := in.Split(ctx, int(r.o.ChunkSize), emitBlock); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *runner) decoder(worker, input int) *csvfmt.Decoder {
	d := r.decoders[worker][input]
	if d == nil {
		d = r.inputs[input].NewDecoder()
		r.decoders[worker][input] = d
	}
	return d
}

func (r *runner) closeDecoders() {
	for _, ds := range r.decoders {
		for _, d := range ds {
			if d != nil {
				d.Close()
			}
		}
	}
}

func (r *runner) work(ctx context.Context, worker int, seq int64, t task) (result, error) {
	in := r.inputs[t.input]
	dec := r.decoder(worker, t.input)
	var d csvfmt.Decoded
	var err error
	res := result{task: t}
	if t.ranged {
		d, err = dec.DecodeRange(t.rng)
		res.start, res.end, res.inBytes = d.Start, d.End, t.rng.End-t.rng.Start
	} else {
		d, err = dec.DecodeBlock(t.block)
		res.inBytes = int64(len(t.block))
		res.task.block = nil // the writer has no use for it; let it be collected
	}
	if err != nil {
		// The chunk's line numbers are relative until every earlier chunk is counted.
		base, berr := r.ledger.Base(ctx, seq, t.first)
		if berr != nil {
			return res, berr
		}
		var pe *csvfmt.ParseError
		if errors.As(err, &pe) {
			pe.Rebase(in.DataLine + base.Lines)
		}
		return res, err
	}
	r.ledger.Publish(seq, t.first, chunk.Counts{Rows: d.Rows, Lines: d.Lines})
	base, err := r.ledger.Base(ctx, seq, t.first)
	if err != nil {
		return res, err
	}
	c := d.Chunk
	c.Row0 = base.Rows + 1
	lineBase := in.DataLine + base.Lines
	for i := range c.Lines {
		c.Lines[i] += lineBase
	}
	if c, res.rowErrs, err = r.stages[worker].apply(c); err != nil {
		var rowErr *expr.RowError
		if errors.As(err, &rowErr) {
			err = fmt.Errorf("%w (--on-error skip or null carries on past such rows)", err)
		}
		return res, err
	}
	buf := bufferPool.Get().(*[]byte)
	*buf, err = r.writer.AppendChunk((*buf)[:0], c.Batch)
	if err != nil {
		return res, err
	}
	res.out = buf
	dec.Recycle(d.Chunk)
	return res, nil
}

func (r *runner) write(seq int64, res result, err error) error {
	t := res.task
	if t.ranged {
		prev := r.lastEnd
		if t.first {
			prev = r.inputs[t.input].DataStart
		}
		// A wrong start invalidates whatever the chunk reported, its error included.
		if res.start != prev || errors.Is(err, csvfmt.ErrNeedStream) {
			return &resync{input: t.input, first: t.first, offset: prev, seq: seq}
		}
	}
	if err != nil {
		return err
	}
	r.lastEnd = res.end
	_, err = r.dst.Write(*res.out)
	bufferPool.Put(res.out)
	r.progress.add(res.inBytes)
	if err != nil {
		return err
	}
	r.errCount.add(res.rowErrs)
	return r.errLog.add(res.rowErrs)
}

func (r *runner) reportRowErrors() {
	r.errCount.report(r.o.Stderr, r.o)
}
