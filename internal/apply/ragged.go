package apply

import (
	"fmt"
	"io"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
)

// reshapedErrors turns the records a chunk's ragged policy padded or truncated into
// row errors for the --errors log; lineBase is the chunk's first line.
func reshapedErrors(file string, rows []csvfmt.Reshaped, lineBase int64) []expr.RowError {
	if len(rows) == 0 {
		return nil
	}
	errs := make([]expr.RowError, len(rows))
	for i, r := range rows {
		errs[i] = expr.RowError{File: file, Line: lineBase + r.Line, Message: r.Message()}
	}
	return errs
}

// reshapedSummary counts the records --ragged padded or truncated, to say so on
// stderr at the end of the run as --on-error's summary does.
type reshapedSummary struct {
	count int64
	first *expr.RowError
}

func (s *reshapedSummary) add(errs []expr.RowError) {
	if len(errs) == 0 {
		return
	}
	if s.first == nil {
		s.first = &errs[0]
	}
	s.count += int64(len(errs))
}

func (s *reshapedSummary) report(w io.Writer, o Options) {
	if w == nil || s.count == 0 {
		return
	}
	where := "; --errors FILE lists them"
	if o.ErrorsPath != "" {
		where = "; listed in " + o.ErrorsPath
	}
	fmt.Fprintf(w, "ptransform: warning: %d %s reshaped by --ragged, first: %s: line %d: %s%s\n",
		s.count, plural(s.count, "row", "rows"), s.first.File, s.first.Line, s.first.Message, where)
}
