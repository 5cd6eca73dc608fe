package rows

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/table"
)

// take returns rows sel of c (indices in increasing order) as a chunk whose values are
// copies: a partial that keeps it holds these rows only, not the buffers of the chunk
// they came from, which the worker then reuses (transforms.CopyingBarrier). Raw, which
// describes a reader's buffer, is left out.
func take(c *table.Chunk, sel []int32) (*table.Chunk, error) {
	cols := make([]arrow.Array, c.Batch.NumCols())
	for j := range cols {
		col, err := takeColumn(c.Batch.Column(j), sel)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Batch.ColumnName(j), err)
		}
		cols[j] = col
	}
	out := &table.Chunk{Source: c.Source, Batch: array.NewRecordBatch(c.Batch.Schema(), cols, int64(len(sel)))}
	out.Row0, out.Lines = c.NumbersOf(sel, nil)
	return out, nil
}

// takeColumn copies rows sel of col into a new array of its type: the types a chunk
// holds (table's conventions).
func takeColumn(col arrow.Array, sel []int32) (arrow.Array, error) {
	mem := memory.DefaultAllocator
	switch a := col.(type) {
	case *array.String:
		size := 0
		for _, i := range sel {
			size += a.ValueLen(int(i))
		}
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(len(sel))
		b.ReserveData(size)
		for _, i := range sel {
			if a.IsNull(int(i)) {
				b.AppendNull()
			} else {
				b.Append(a.Value(int(i)))
			}
		}
		return b.NewArray(), nil
	case *array.Int64:
		return takeFixed(array.NewInt64Builder(mem), a, sel, a.Value), nil
	case *array.Float64:
		return takeFixed(array.NewFloat64Builder(mem), a, sel, a.Value), nil
	case *array.Date32:
		return takeFixed(array.NewDate32Builder(mem), a, sel, a.Value), nil
	case *array.Timestamp:
		return takeFixed(array.NewTimestampBuilder(mem, a.DataType().(*arrow.TimestampType)), a, sel, a.Value), nil
	case *array.Boolean:
		return takeFixed(array.NewBooleanBuilder(mem), a, sel, a.Value), nil
	case *array.Null:
		return array.NewNull(len(sel)), nil
	}
	return nil, fmt.Errorf("internal error: cannot keep values of type %s", col.DataType())
}

// builderOf is what takeFixed needs of Arrow's typed builders.
type builderOf[T any] interface {
	Reserve(n int)
	Append(v T)
	AppendNull()
	NewArray() arrow.Array
	Release()
}

func takeFixed[T any](b builderOf[T], a arrow.Array, sel []int32, value func(int) T) arrow.Array {
	defer b.Release()
	b.Reserve(len(sel))
	for _, i := range sel {
		if a.IsNull(int(i)) {
			b.AppendNull()
		} else {
			b.Append(value(int(i)))
		}
	}
	return b.NewArray()
}

// concat joins chunks of the same columns, in order, into one (emitted rows are
// gathered into chunks of a useful size rather than one per input chunk).
func concat(parts []*table.Chunk) (*table.Chunk, error) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	first := parts[0]
	cols := make([]arrow.Array, first.Batch.NumCols())
	n := 0
	for _, p := range parts {
		n += p.NumRows()
	}
	for j := range cols {
		arrs := make([]arrow.Array, len(parts))
		for k, p := range parts {
			arrs[k] = p.Batch.Column(j)
		}
		col, err := array.Concatenate(arrs, memory.DefaultAllocator)
		if err != nil {
			return nil, fmt.Errorf("internal error: column %s: %w", first.Batch.ColumnName(j), err)
		}
		cols[j] = col
	}
	out := &table.Chunk{Source: first.Source, Row0: first.Row0,
		Batch: array.NewRecordBatch(first.Batch.Schema(), cols, int64(n))}
	if first.Lines != nil {
		out.Lines = make([]int64, 0, n)
		for _, p := range parts {
			out.Lines = append(out.Lines, p.Lines...)
		}
	}
	return out, nil
}
