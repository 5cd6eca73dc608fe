package apply

import (
	"fmt"
	"io"
	"slices"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
)

// rebasedReshaped copies the records a chunk's ragged policy padded or truncated (the
// decoder reuses its list) with absolute lines; lineBase is the chunk's first line.
func rebasedReshaped(rows []csvfmt.Reshaped, lineBase int64) []csvfmt.Reshaped {
	if len(rows) == 0 {
		return nil
	}
	rows = slices.Clone(rows)
	for i := range rows {
		rows[i].Line += lineBase
	}
	return rows
}

// reshapedErrors turns reshaped records into row errors for the --errors log. Only the
// log needs them: messages for every row of a file that is ragged throughout would
// cost more than reading it.
func reshapedErrors(file string, rows []csvfmt.Reshaped) []expr.RowError {
	errs := make([]expr.RowError, len(rows))
	for i, r := range rows {
		errs[i] = expr.RowError{File: file, Line: r.Line, Expr: "--ragged", Message: r.Message()}
	}
	return errs
}

// reshapedSummary counts the records --ragged padded or truncated, to say so on
// stderr at the end of the run as --on-error's summary does.
type reshapedSummary struct {
	count int64
	file  string
	first csvfmt.Reshaped
}

// add counts n reshaped records of file, the first of which is first.
func (s *reshapedSummary) add(file string, first csvfmt.Reshaped, n int64) {
	if s.count == 0 {
		s.file, s.first = file, first
	}
	s.count += n
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
		s.count, plural(s.count, "row", "rows"), s.file, s.first.Line, s.first.Message(), where)
}
