package apply

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/output"
)

// rowErrorLog is the --errors file: one CSV row per row-level error that --on-error skip
// or null let through, in input order (the writer appends them), committed with the output.
type rowErrorLog struct {
	dst    *output.Destination
	writer csvfmt.Writer
	count  int64
	buf    []byte
}

var rowErrorColumns = []string{"file", "sheet", "row", "column", "value", "message"}

func createRowErrorLog(path string, inputs []string) (*rowErrorLog, error) {
	dst, err := output.Create(path, inputs)
	if errors.Is(err, output.ErrOutputIsInput) {
		return nil, usage(fmt.Errorf("--errors: %w", err))
	}
	if err != nil {
		return nil, fmt.Errorf("--errors: %w", err)
	}
	l := &rowErrorLog{dst: dst, writer: csvfmt.Writer{Delimiter: ','}}
	if _, err := dst.Write(l.writer.AppendHeader(nil, rowErrorColumns)); err != nil {
		dst.Abort()
		return nil, err
	}
	return l, nil
}

func (l *rowErrorLog) add(errs []expr.RowError) error {
	if l == nil || len(errs) == 0 {
		return nil
	}
	l.count += int64(len(errs))
	l.buf = l.buf[:0]
	for _, e := range errs {
		l.buf = l.writer.AppendHeader(l.buf, []string{e.File, e.Sheet, strconv.FormatInt(e.Line, 10), e.Column, e.Value, e.Message})
	}
	_, err := l.dst.Write(l.buf)
	return err
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
	if o.ErrorsPath != "" {
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
