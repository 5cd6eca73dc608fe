package apply

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/output"
)

// rowErrorLog is the --errors file: one CSV row per row-level error that --on-error skip
// or null let through, in row order, then in the order of the expressions, whatever the
// workers and chunk size (see sortRowErrors). A file is committed after the output; "-"
// is standard error, written as the run goes.
type rowErrorLog struct {
	dst    *output.Destination
	writer csvfmt.Writer
	count  int64
	buf    []byte
}

var rowErrorColumns = []string{"file", "sheet", "row", "expression", "column", "value", "message"}

func createRowErrorLog(ctx context.Context, o Options) (*rowErrorLog, error) {
	var dst *output.Destination
	if o.ErrorsPath == "-" {
		stream := o.ErrorStream
		if stream == nil {
			stream = o.Stderr
		}
		if stream == nil {
			stream = io.Discard
		}
		dst = output.Stdout(stream)
	} else {
		var err error
		dst, err = output.Create(ctx, o.ErrorsPath, o.readPaths())
		if errors.Is(err, output.ErrOutputIsInput) {
			return nil, usage(fmt.Errorf("--errors: %w", err))
		}
		if err != nil {
			return nil, fmt.Errorf("--errors: %w", err)
		}
	}
	l := &rowErrorLog{dst: dst, writer: csvfmt.Writer{Delimiter: ','}}
	if _, err := dst.Write(l.writer.AppendHeader(nil, rowErrorColumns)); err != nil {
		dst.Abort()
		return nil, err
	}
	return l, nil
}

// sortRowErrors puts one chunk's row errors, which come expression by expression, in row
// order, keeping the order of the expressions within a row: the chunks being written in
// input order, the whole log is then in the order of the rows, whatever the chunk size.
func sortRowErrors(errs []expr.RowError) {
	slices.SortStableFunc(errs, func(a, b expr.RowError) int { return cmp.Compare(a.Line, b.Line) })
}

func (l *rowErrorLog) add(errs []expr.RowError) error {
	if l == nil || len(errs) == 0 {
		return nil
	}
	l.count += int64(len(errs))
	l.buf = l.buf[:0]
	for _, e := range errs {
		l.buf = l.writer.AppendHeader(l.buf, []string{e.File, e.Sheet, strconv.FormatInt(e.Line, 10), e.Expr, e.Column, e.Value, e.Message})
	}
	_, err := l.dst.Write(l.buf)
	return err
}

func (l *rowErrorLog) warnings() []string {
	if l == nil {
		return nil
	}
	return l.dst.Warnings()
}

func (l *rowErrorLog) commit() error {
	if l == nil {
		return nil
	}
	return l.dst.Commit()
}

func (l *rowErrorLog) abort() {
	if l != nil {
		l.dst.Abort()
	}
}

// rowErrorSummary counts row errors when no --errors file is kept, to say on stderr
// how many rows --on-error changed, with the first as an example.
type rowErrorSummary struct {
	count int64
	first *expr.RowError
}

func (s *rowErrorSummary) add(errs []expr.RowError) {
	if len(errs) == 0 {
		return
	}
	if s.first == nil {
		s.first = &errs[0]
	}
	s.count += int64(len(errs))
}

func (s *rowErrorSummary) report(w io.Writer, o Options) {
	if w == nil || s.count == 0 {
		return
	}
	what := plural(s.count, "row", "rows") + " skipped"
	if o.OnError == expr.OnErrorNull {
		what = plural(s.count, "value", "values") + " set to null"
	}
	where := "; --errors FILE lists them"
	if o.ErrorsPath == "-" {
		where = "; listed above"
	} else if o.ErrorsPath != "" {
		where = "; listed in " + o.ErrorsPath
	}
	fmt.Fprintf(w, "ptransform: warning: %d %s after row errors, first: %v%s\n", s.count, what, s.first, where)
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
