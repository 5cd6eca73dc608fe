package transforms

import (
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// Assign is a compiled expression program (--expr assignments and --where filters, the
// filters first when they read no assigned column, or a --having filter over aggregated
// columns) as a Streaming stage.
type Assign struct {
	Program *expr.Program
}

// Columns implements Stage: the columns the program's evaluators build, which include
// any selection folded into it (expr.Program.Project).
func (a *Assign) Columns() []Column {
	names, passes, types := a.Program.BuiltNames(), a.Program.Passes(), a.Program.BuiltTypes()
	cols := make([]Column, len(names))
	for k := range names {
		cols[k] = Column{Name: names[k], From: passes[k], Type: types[k]}
	}
	return cols
}

// ReadsNumbers implements Numbered: a program reads them when it reads _row.
func (a *Assign) ReadsNumbers() bool { return a.Program.ReadsRowNumber() }

// NewWorker implements Streaming: each worker evaluates with its own scratch buffers.
func (a *Assign) NewWorker() StreamWorker { return assignWorker{a.Program.NewEvaluator()} }

type assignWorker struct{ ev *expr.Evaluator }

func (w assignWorker) Apply(c *table.Chunk) (*table.Chunk, []expr.RowError, error) {
	return w.ev.Apply(c)
}

func (w assignWorker) Recycle() { w.ev.Recycle() }
