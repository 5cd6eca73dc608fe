package apply

import (
	"fmt"
	"strings"
	"time"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// pipeline is the compiled transform of a run: expression program (assignments, then
// filters) and column selection, checked against the input header before any data is read.
type pipeline struct {
	program  *expr.Program // nil without --expr/--where
	columns  *transforms.Columns
	identity bool // columns leaves chunks as they are
}

func compile(o Options, header []string) (*pipeline, error) {
	p := &pipeline{}
	cols := header
	if len(o.Exprs) > 0 || len(o.Wheres) > 0 {
		now := o.Now
		if now.IsZero() {
			now = time.Now()
		}
		prog, err := expr.Compile(o.Exprs, o.Wheres, header, expr.Options{OnError: o.OnError, Now: now, Params: o.Params})
		if err != nil {
			return nil, err
		}
		p.program = prog
		cols = prog.Columns()
	}
	columns, err := transforms.CompileColumns(cols, o.Select, o.Drop, o.Renames)
	if err != nil {
		return nil, err
	}
	p.columns = columns
	p.identity = columns.Identity(cols)
	if p.program != nil && !p.identity {
		// The program builds the selected columns only (see expr.Program.Project).
		p.program = p.program.Project(columns.Picks(), columns.Names())
		p.identity = true
	}
	return p, nil
}

// skipColumns returns, for a CSV source of n columns (the run's), the columns that
// its decoders may leave out of the rows they mark plain (csvfmt.Decoder.SkipColumns):
// those that no expression reads and that reach the output, if at all, only inside
// rows the writer copies from the input bytes, which it does when the output begins
// with the input's columns unchanged and in order (copiesRows: the writer copies rows
// of this source's delimiter). nil when every column is needed.
func (p *pipeline) skipColumns(n int, copiesRows bool) []bool {
	need := make([]bool, n)
	passes := p.columns.Picks() // the input column of each output column, or -1
	if p.program != nil {
		copy(need, p.program.Reads())
		// compile folds any selection into the program: Passes is the output. A
		// filter's chunks keep the raw rows of the rows they keep.
		passes = p.program.Passes()
	}
	copied := copiesRows && len(passes) >= n
	for j := 0; copied && j < n; j++ {
		copied = passes[j] == j
	}
	if !copied {
		for _, j := range passes {
			if j >= 0 {
				need[j] = true
			}
		}
	}
	skip := make([]bool, n)
	some := false
	for j, needed := range need {
		skip[j] = !needed
		some = some || !needed
	}
	if !some {
		return nil
	}
	return skip
}

// stage is one worker's instance of the pipeline: expression evaluators keep scratch
// buffers between chunks, so no two workers share one.
type stage struct {
	eval     *expr.Evaluator
	columns  *transforms.Columns
	identity bool
}

func (p *pipeline) newStage() *stage {
	s := &stage{columns: p.columns, identity: p.identity}
	if p.program != nil {
		s.eval = p.program.NewEvaluator()
	}
	return s
}

// recycle says that the last chunk apply returned is no longer referenced.
func (s *stage) recycle() {
	if s.eval != nil {
		s.eval.Recycle()
	}
}

// apply runs the pipeline over one chunk. Row errors that --on-error skip or null let
// through are returned for the --errors log.
func (s *stage) apply(c *table.Chunk) (*table.Chunk, []expr.RowError, error) {
	var rowErrs []expr.RowError
	if s.eval != nil {
		var err error
		if c, rowErrs, err = s.eval.Apply(c); err != nil {
			return nil, nil, err
		}
	}
	if !s.identity {
		var err error
		if c, err = s.columns.Apply(c); err != nil {
			return nil, nil, err
		}
	}
	return c, rowErrs, nil
}

func (p *pipeline) explain() string {
	var b strings.Builder
	if p.program != nil {
		b.WriteString(p.program.Explain())
		if !strings.HasSuffix(b.String(), "\n") {
			b.WriteByte('\n')
		}
	}
	if p.program == nil || !p.columns.Identity(p.program.Columns()) {
		fmt.Fprintf(&b, "written columns: %s\n", strings.Join(p.columns.Names(), ", "))
	}
	return b.String()
}
