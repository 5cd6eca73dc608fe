package apply

import (
	"context"
	"errors"
	"slices"

	"github.com/ptransform/ptransform/internal/chunk"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// cut is a transforms.Limited stage of a segment (--head N, --limit N without --sort):
// it passes on the first limit rows that reach it, in input order. It stands after the
// segment's first after streaming stages.
type cut struct {
	after int
	limit int64
}

// cutting is one chunk.Run's count of the rows that reach each cut of the segment it
// runs. A worker publishes how many rows of its chunk reach a cut, waits for the sum of
// the chunks before it (their workers publish without waiting on anything later, as
// for the row numbers: chunk.Ledger), and passes on only the rows still wanted. So the
// rows go on to the writer as their chunks come, nothing holds them, and the writer
// ends the run after the first chunk, in input order, that fills a cut (full).
type cutting struct {
	cuts    []cut
	ledgers []*chunk.Ledger // per cut: the rows of each chunk that reached it
	window  int
}

// newCutting starts the counts of a segment's cuts for a run whose first chunk is seq
// first.
func newCutting(cuts []cut, first int64, window int) *cutting {
	k := &cutting{cuts: cuts, ledgers: make([]*chunk.Ledger, len(cuts)), window: window}
	for i := range k.ledgers {
		k.ledgers[i] = chunk.NewLedger(first, chunk.Counts{}, window)
	}
	return k
}

// resume carries the counts over to a run that resumes this one at chunk seq (a
// resynchronisation): every chunk before it was written, so its counts are in.
func (k *cutting) resume(ctx context.Context, seq int64) error {
	for i, l := range k.ledgers {
		base, err := l.Base(ctx, seq, false)
		if err != nil {
			return err
		}
		k.ledgers[i] = chunk.NewLedger(seq, base, k.window)
	}
	return nil
}

// apply runs a segment's streaming stages over chunk seq, cut at each of its cuts. full
// says that the chunk holds the last row a cut passes on (or comes after it): the run
// needs no chunk after it. The row errors of the rows after that last row, which the
// output has no use for, are left out, so they do not depend on where a chunk ends.
func (k *cutting) apply(ctx context.Context, s streamers, seq int64, c *table.Chunk) (out *table.Chunk, rowErrs []expr.RowError, full bool, err error) {
	from := 0
	for i, ct := range k.cuts {
		var errs []expr.RowError
		var failed error // a row's error (--on-error fail), which the cut may not need
		if c, errs, failed, err = applyUpToFailure(s[from:ct.after], c); err != nil {
			return nil, nil, false, err
		}
		rowErrs, from = append(rowErrs, errs...), ct.after
		n := int64(c.NumRows())
		k.ledgers[i].Publish(seq, false, chunk.Counts{Rows: n})
		base, err := k.ledgers[i].Base(ctx, seq, false)
		if err != nil {
			return nil, nil, false, err
		}
		left := max(0, ct.limit-base.Rows)
		if failed != nil && n < left {
			return nil, nil, false, failed // a row the cut wants failed
		}
		if n >= left {
			if !full {
				rowErrs = errorsUpTo(rowErrs, c, int(left))
			}
			full, c = true, c.Prefix(int(left))
		}
	}
	var errs []expr.RowError
	if c, errs, err = s[from:].apply(c); err != nil {
		return nil, nil, false, err
	}
	return c, append(rowErrs, errs...), full, nil
}

// applyUpToFailure runs stages s over c. When a row fails (--on-error fail), it runs
// them again over the rows before that row, and so on until none fails: failed is the
// first failure, out what the rows before it give. Whether the failure stops the run is
// the cut's to say: not when the rows before it hold every row the cut still wants, as
// when the chunk had ended before it (the output must not depend on where chunks end).
func applyUpToFailure(s streamers, c *table.Chunk) (out *table.Chunk, rowErrs []expr.RowError, failed, err error) {
	for {
		out, rowErrs, err = s.apply(c)
		var rowErr *expr.RowError
		if err == nil || !errors.As(err, &rowErr) {
			return out, rowErrs, failed, err
		}
		before := rowsBefore(c, rowErr.Line)
		if before >= c.NumRows() {
			return nil, nil, nil, err // not a row of c: no cut can pass it by
		}
		if failed == nil {
			failed = err
		}
		c = c.Prefix(before)
	}
}

// rowsBefore is the number of rows of c before the one at line (the rows' lines, or
// Row0 onwards when c has none, as in an expr.RowError).
func rowsBefore(c *table.Chunk, line int64) int {
	if c.Lines == nil {
		return int(min(max(line-c.Row0, 0), int64(c.NumRows())))
	}
	n, _ := slices.BinarySearch(c.Lines, line)
	return n
}

// errorsUpTo keeps the row errors of the rows of c's chunk up to its n-th row that
// reached the cut, which the errors' lines and c's rows' lines tell apart: none for n
// = 0 (the last row wanted came before the chunk), all of them when c has no lines.
func errorsUpTo(errs []expr.RowError, c *table.Chunk, n int) []expr.RowError {
	if n == 0 {
		return nil
	}
	if c.Lines == nil {
		return errs
	}
	last := c.Lines[n-1]
	kept := errs[:0]
	for _, e := range errs {
		if e.Line <= last {
			kept = append(kept, e)
		}
	}
	return kept
}
