package transforms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// Columns is the compiled --select / --drop / --rename step: which input columns reach the
// output, in which order, under which names. It only rearranges arrays, never copies values.
type Columns struct {
	pick  []int    // input column index of each output column
	names []string // output column names
}

// Rename is one OLD=NEW pair of --rename.
type Rename struct{ Old, New string }

// ParseRenames reads "OLD=NEW[,OLD=NEW...]".
func ParseRenames(spec string) ([]Rename, error) {
	var out []Rename
	for _, pair := range strings.Split(spec, ",") {
		old, new, ok := strings.Cut(pair, "=")
		if !ok || old == "" || new == "" {
			return nil, fmt.Errorf("--rename wants OLD=NEW pairs separated by commas, got %q", pair)
		}
		out = append(out, Rename{old, new})
	}
	return out, nil
}

// CompileColumns resolves the selection against the columns a chunk has at this point of
// the pipeline. selected and dropped cannot both be set. Unknown names are errors with a
// suggestion; so is a rename that would make two output columns share a name.
func CompileColumns(columns, selected, dropped []string, renames []Rename) (*Columns, error) {
	if len(selected) > 0 && len(dropped) > 0 {
		return nil, fmt.Errorf("--select and --drop cannot be used together")
	}
	// Names match as they do in expressions: exactly, else ignoring case when that
	// match is unique.
	lookup := func(name string) (int, error) {
		i, err := table.FindColumn(name, columns)
		if err == nil && i < 0 {
			err = table.UnknownColumnError(name, columns)
		}
		return i, err
	}
	var pick []int
	switch {
	case len(selected) > 0:
		for _, name := range selected {
			i, err := lookup(name)
			if err != nil {
				return nil, err
			}
			pick = append(pick, i)
		}
	default:
		drop := make(map[int]bool, len(dropped))
		for _, name := range dropped {
			i, err := lookup(name)
			if err != nil {
				return nil, err
			}
			drop[i] = true
		}
		for i := range columns {
			if !drop[i] {
				pick = append(pick, i)
			}
		}
		if len(pick) == 0 && len(columns) > 0 {
			return nil, fmt.Errorf("--drop would remove every column (use --select to choose the columns to keep)")
		}
	}
	names := make([]string, len(pick))
	for k, i := range pick {
		names[k] = columns[i]
	}
	for _, r := range renames {
		i, err := lookup(r.Old)
		if err != nil {
			return nil, fmt.Errorf("--rename: %w", err)
		}
		k := slices.Index(pick, i)
		if k < 0 {
			return nil, fmt.Errorf("--rename: column %q is not in the output", r.Old)
		}
		names[k] = r.New
	}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if seen[n] {
			return nil, fmt.Errorf("output would have two columns named %q", n)
		}
		seen[n] = true
	}
	return &Columns{pick: pick, names: names}, nil
}

// Names are the output column names.
func (c *Columns) Names() []string { return append([]string(nil), c.names...) }

// Picks are the index, among the columns the step was compiled against, of each output
// column.
func (c *Columns) Picks() []int { return append([]int(nil), c.pick...) }

// Identity reports whether the step leaves chunks as they are.
func (c *Columns) Identity(inputColumns []string) bool {
	if len(c.pick) != len(inputColumns) {
		return false
	}
	for k, i := range c.pick {
		if i != k || c.names[k] != inputColumns[i] {
			return false
		}
	}
	return true
}

// Columns implements Stage: each output column passes an input column on unchanged.
func (c *Columns) Columns() []Column {
	cols := make([]Column, len(c.pick))
	for k, i := range c.pick {
		cols[k] = Column{Name: c.names[k], From: i}
	}
	return cols
}

// NewWorker implements Streaming. Columns keeps no scratch state, so its workers share it.
func (c *Columns) NewWorker() StreamWorker { return columnsWorker{c} }

type columnsWorker struct{ c *Columns }

func (w columnsWorker) Apply(ch *table.Chunk) (*table.Chunk, []expr.RowError, error) {
	out, err := w.c.Apply(ch)
	return out, nil, err
}

func (columnsWorker) Recycle() {}

// Apply rearranges one chunk's columns; it never copies values.
func (c *Columns) Apply(ch *table.Chunk) (*table.Chunk, error) {
	in := ch.Batch
	cols := make([]arrow.Array, len(c.pick))
	fields := make([]arrow.Field, len(c.pick))
	for k, i := range c.pick {
		cols[k] = in.Column(i)
		fields[k] = arrow.Field{Name: c.names[k], Type: cols[k].DataType(), Nullable: true}
	}
	out := *ch
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, in.NumRows())
	return &out, nil
}
