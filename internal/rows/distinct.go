package rows

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/aggregate"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Distinct is --distinct (whole rows) and --distinct-on KEYS: the first row, in input
// order, of each key, written in the order of those first rows. It is the aggregation
// stage in disguise, so keys are found and compared as --group-by's are: keys are
// --group-by KEYS (every column for --distinct), every other column is first(column),
// which is the value of the key's first row, null included; the stage puts the
// columns back in their input order and drops the keys that NAME=EXPR computed.
// Memory grows with the distinct keys: each holds its key and its first row's values.
type Distinct struct {
	agg     *aggregate.Stage
	pick    []int // output column j is the aggregate's column pick[j]
	columns []transforms.Column
	keys    string // --distinct-on's text; "" for whole rows
}

var _ transforms.CopyingBarrier = (*Distinct)(nil)

// CompileDistinct compiles --distinct-on keys (whole rows for "") against the columns
// (names, of static types) the stage consumes.
func CompileDistinct(keys string, names []string, types []expr.Type, opts expr.Options) (*Distinct, error) {
	groupBy := keys
	if keys == "" {
		quoted := make([]string, len(names))
		for j, name := range names {
			if strings.Contains(name, "`") {
				return nil, fmt.Errorf("--distinct: column %q has a backquote in its name, which a key cannot name; --distinct-on the other columns, or --rename it first", name)
			}
			quoted[j] = "`" + name + "`"
		}
		groupBy = strings.Join(quoted, ",")
	}
	// The keys alone first, to learn which columns they are.
	probe, err := aggregate.CompileTyped(groupBy, nil, names, types, opts)
	if err != nil {
		return nil, distinctError(err)
	}
	keyCols := probe.Columns()
	pick := make([]int, len(names))
	for j := range pick {
		pick[j] = -1
	}
	for k, col := range keyCols {
		if col.From >= 0 && pick[col.From] < 0 {
			pick[col.From] = k
		}
	}
	var aggs []string
	for j, name := range names {
		if pick[j] >= 0 {
			continue
		}
		if strings.Contains(name, "`") {
			return nil, fmt.Errorf("--distinct-on: column %q has a backquote in its name, which cannot be carried through; --rename it first", name)
		}
		pick[j] = len(keyCols) + len(aggs)
		aggs = append(aggs, fmt.Sprintf("`\x00distinct%d` = first(`%s`)", j, name))
	}
	agg := probe
	if len(aggs) > 0 {
		if agg, err = aggregate.CompileTyped(groupBy, []string{strings.Join(aggs, ";")}, names, types, opts); err != nil {
			return nil, distinctError(err)
		}
	}
	return &Distinct{agg: agg, pick: pick, columns: passOn(names), keys: keys}, nil
}

// distinctError names the flag the user wrote in an error of the aggregation's.
func distinctError(err error) error {
	var ce *expr.CompileError
	if errors.As(err, &ce) {
		ce.Flag = "--distinct-on"
		return err
	}
	return errors.New(strings.Replace(err.Error(), "--group-by", "--distinct-on", 1))
}

func (d *Distinct) Columns() []transforms.Column   { return d.columns }
func (d *Distinct) Reads() []bool                  { return d.agg.Reads() }
func (d *Distinct) ConsumeCopies()                 {}
func (d *Distinct) NewPartial() transforms.Partial { return d.agg.NewPartial() }
func (d *Distinct) Explain() string {
	if d.keys == "" {
		return "the first of each distinct row, in input order; memory grows with the distinct rows"
	}
	return fmt.Sprintf("the first row of each key %s (compared as --group-by's), in input order; memory grows with the distinct keys", d.keys)
}

func (d *Distinct) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	return d.agg.Finish(ctx, parts, func(c *table.Chunk) error {
		cols := make([]arrow.Array, len(d.pick))
		fields := make([]arrow.Field, len(d.pick))
		for j, k := range d.pick {
			cols[j] = c.Batch.Column(k)
			fields[j] = arrow.Field{Name: d.columns[j].Name, Type: cols[j].DataType(), Nullable: true}
		}
		batch := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, c.Batch.NumRows())
		return emit(&table.Chunk{Source: table.Source{File: "--distinct"}, Row0: c.Row0, Batch: batch})
	})
}
