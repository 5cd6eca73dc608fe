package inspect

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/table"
)

// CSVReport is what inspect shows of a CSV input besides its name, format and size.
type CSVReport struct {
	Delimiter   string      `json:"delimiter"`
	Encoding    string      `json:"encoding"`
	Compression string      `json:"compression"` // none, gzip or zstd
	Header      bool        `json:"header"`      // false with --no-header: columns are c1..cN
	Rows        int64       `json:"rows"`        // data rows, all counted
	Columns     []Column    `json:"columns"`
	FirstRows   [][]*string `json:"first_rows"` // null = empty field
}

// Column is one column and the type its sampled values share.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// inspectCSV samples the first rows of a CSV input and counts all of them, decoding in
// parallel like apply does, so a file apply rejects fails here with the same error.
func inspectCSV(ctx context.Context, name string, o Options) (*CSVReport, error) {
	in, err := csvfmt.Open(name, o.CSV)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	rep := &CSVReport{
		Delimiter:   string(in.Delimiter),
		Encoding:    in.Encoding,
		Compression: in.Compression,
		Header:      !o.CSV.NoHeader,
		Columns:     []Column{},
	}
	if rep.Compression == "" {
		rep.Compression = "none"
	}
	s := &sampler{want: o.sampleRows(), cols: len(in.Header)}
	c := counter{in: in, workers: max(o.Workers, 1), chunkSize: o.chunkSize()}
	if in.Seekable {
		// The sample is a short pass over the first rows on its own; counting then
		// cuts the whole file into ranges like apply.
		if err := c.sample(ctx, s); err != nil {
			return nil, err
		}
		rep.Rows, err = c.countRanges(ctx)
	} else {
		rep.Rows, err = c.countStream(ctx, in.Split, in.DataLine, s)
	}
	if err != nil {
		return nil, err
	}
	values := make([]string, len(s.rows))
	for j, colName := range in.Header {
		for i, row := range s.rows {
			values[i] = ""
			if row[j] != nil {
				values[i] = *row[j]
			}
		}
		rep.Columns = append(rep.Columns, Column{Name: colName, Type: InferType(values)})
	}
	rep.FirstRows = s.rows[:min(len(s.rows), o.ShowRows)]
	return rep, nil
}

// sampler keeps the first `want` rows of decoded chunks fed to it in input order.
type sampler struct {
	want, cols int
	rows       [][]*string
}

func (s *sampler) full() bool { return len(s.rows) >= s.want }

func (s *sampler) add(c *table.Chunk) {
	for r := 0; r < c.NumRows() && !s.full(); r++ {
		row := make([]*string, s.cols)
		for j := range row {
			if col := c.Batch.Column(j).(*array.String); col.IsValid(r) {
				v := strings.Clone(col.Value(r)) // the chunk's buffers are recycled
				row[j] = &v
			}
		}
		s.rows = append(s.rows, row)
	}
}

// part is what one decoded range or block contributes to the count.
type part struct {
	start, end  int64 // ranges: the bytes its records occupy
	rows, lines int64
	err         error
}

type counter struct {
	in        *csvfmt.Input
	workers   int
	chunkSize int64
}

var errSampled = errors.New("sample complete")

// sample decodes blocks from the start of a seekable input until s is full.
func (c counter) sample(ctx context.Context, s *sampler) error {
	d := c.in.NewDecoder()
	defer d.Close()
	var lines int64
	// Blocks of 64 KiB: a sample of 1000 rows rarely needs more than a few.
	err := c.in.SplitFrom(ctx, c.in.DataStart, 64<<10, func(block []byte) error {
		dec, err := d.DecodeBlock(block)
		if err != nil {
			return rebase(err, c.in.DataLine+lines)
		}
		lines += dec.Lines
		s.add(dec.Chunk)
		d.Recycle(dec.Chunk)
		if s.full() {
			return errSampled
		}
		return nil
	})
	if errors.Is(err, errSampled) {
		return nil
	}
	return err
}

// countRanges counts a seekable input's rows with DecodeRange on c.workers goroutines.
// A range whose records do not start where the previous one's ended (bare quotes broke
// the quote-parity estimate) makes the count go on from there with the stream splitter,
// as apply does; a parse error counts only when its range started at the right place.
func (c counter) countRanges(ctx context.Context) (int64, error) {
	ranges, err := c.in.Ranges(ctx, c.chunkSize, c.workers)
	if err != nil {
		return 0, err
	}
	parts := make([]part, len(ranges))
	var next atomic.Int64
	firstFailed := atomic.Int64{}
	firstFailed.Store(int64(len(ranges)))
	var wg sync.WaitGroup
	for range min(c.workers, len(ranges)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := c.in.NewDecoder()
			defer d.Close()
			for {
				i := next.Add(1) - 1
				// Ranges after a failed one are never looked at.
				if i >= int64(len(ranges)) || i > firstFailed.Load() || ctx.Err() != nil {
					return
				}
				dec, err := d.DecodeRange(ranges[i])
				parts[i] = part{start: dec.Start, end: dec.End, rows: dec.Rows, lines: dec.Lines, err: err}
				if err != nil {
					lowerTo(&firstFailed, i)
				} else {
					d.Recycle(dec.Chunk)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return 0, context.Cause(ctx)
	}
	var rows, lines int64
	prevEnd := c.in.DataStart
	for _, p := range parts {
		if p.start != prevEnd || errors.Is(p.err, csvfmt.ErrNeedStream) {
			more, err := c.countStream(ctx, func(ctx context.Context, chunkSize int, emit func([]byte) error) error {
				return c.in.SplitFrom(ctx, prevEnd, chunkSize, emit)
			}, c.in.DataLine+lines, nil)
			return rows + more, err
		}
		if p.err != nil {
			return 0, rebase(p.err, c.in.DataLine+lines)
		}
		rows, lines, prevEnd = rows+p.rows, lines+p.lines, p.end
	}
	return rows, nil
}

// countStream counts the rows of the blocks split emits, decoding them on c.workers
// goroutines. The first blocks feed s (when not nil and not full) on the splitting
// goroutine, since they must be seen in order. lineBase is the line number of the
// first block's first line.
func (c counter) countStream(ctx context.Context, split func(context.Context, int, func([]byte) error) error, lineBase int64, s *sampler) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type task struct {
		block []byte
		p     *part
	}
	tasks := make(chan task, c.workers)
	var wg sync.WaitGroup
	for range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := c.in.NewDecoder()
			defer d.Close()
			// Every task is decoded even after a failure: the error that counts is the
			// first in the input, and blocks before it may still be queued.
			for t := range tasks {
				dec, err := d.DecodeBlock(t.block)
				*t.p = part{rows: dec.Rows, lines: dec.Lines, err: err}
				if err != nil {
					cancel()
				} else {
					d.Recycle(dec.Chunk)
				}
			}
		}()
	}
	var parts []*part
	sampleDec := c.in.NewDecoder()
	defer sampleDec.Close()
	err := split(ctx, int(c.chunkSize), func(block []byte) error {
		p := &part{}
		parts = append(parts, p)
		if s != nil && !s.full() {
			dec, err := sampleDec.DecodeBlock(block)
			*p = part{rows: dec.Rows, lines: dec.Lines, err: err}
			if err != nil {
				return err
			}
			s.add(dec.Chunk)
			sampleDec.Recycle(dec.Chunk)
			return nil
		}
		select {
		case tasks <- task{block, p}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(tasks)
	wg.Wait()
	var rows int64
	lines := lineBase
	for _, p := range parts {
		if p.err != nil {
			return 0, rebase(p.err, lines)
		}
		rows, lines = rows+p.rows, lines+p.lines
	}
	if err != nil {
		if cause := context.Cause(ctx); errors.Is(err, context.Canceled) && cause != nil && !errors.Is(cause, context.Canceled) {
			return 0, cause
		}
		return 0, err
	}
	return rows, nil
}

// lowerTo sets a to v if v is smaller.
func lowerTo(a *atomic.Int64, v int64) {
	for old := a.Load(); v < old && !a.CompareAndSwap(old, v); old = a.Load() {
	}
}

// rebase makes a chunk-relative parse error absolute: base is the line number of the
// chunk's first line.
func rebase(err error, base int64) error {
	var pe *csvfmt.ParseError
	if errors.As(err, &pe) {
		pe.Rebase(base)
	}
	return err
}
