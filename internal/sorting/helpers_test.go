package sorting

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// null is how tests write an empty (null) cell.
const null = "\x00null"

// textColumn is a string column of cells (null for a null cell).
func textColumn(cells []string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for _, c := range cells {
		if c == null {
			b.AppendNull()
		} else {
			b.Append(c)
		}
	}
	return b.NewArray()
}

// recordBatch makes a record batch of the given columns.
func recordBatch(names []string, cols []arrow.Array) arrow.RecordBatch {
	fields := make([]arrow.Field, len(names))
	for j, n := range names {
		fields[j] = arrow.Field{Name: n, Type: cols[j].DataType(), Nullable: true}
	}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(cols[0].Len()))
}

// textBatch is a batch of string columns from rows of cells.
func textBatch(names []string, rows [][]string) arrow.RecordBatch {
	cols := make([]arrow.Array, len(names))
	for j := range names {
		cells := make([]string, len(rows))
		for i, r := range rows {
			cells[i] = r[j]
		}
		cols[j] = textColumn(cells)
	}
	return recordBatch(names, cols)
}

// feed cuts the batch into chunks at the cuts (row indexes), gives chunk k to partial
// k % partials in a shuffled order of consumption, and returns the rows Finish emits,
// each cell as text (null for a null).
func feed(t testing.TB, s *Stage, b arrow.RecordBatch, cuts []int, partials int, rng *rand.Rand) [][]string {
	t.Helper()
	out, err := feedErr(s, b, cuts, partials, rng)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func feedErr(s *Stage, b arrow.RecordBatch, cuts []int, partials int, rng *rand.Rand) ([][]string, error) {
	parts := make([]*partial, partials)
	for k := range parts {
		parts[k] = s.NewPartial().(*partial)
	}
	bounds := append(append([]int{0}, cuts...), int(b.NumRows()))
	order := make([]int, len(bounds)-1)
	for k := range order {
		order[k] = k
	}
	if rng != nil {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	for _, k := range order {
		c := &table.Chunk{Batch: b.NewSlice(int64(bounds[k]), int64(bounds[k+1]))}
		if err := parts[k%partials].Consume(int64(k), c); err != nil {
			for _, p := range parts {
				p.Release()
			}
			return nil, err
		}
	}
	return finish(s, parts)
}

func finish(s *Stage, parts []*partial) ([][]string, error) {
	var rows [][]string
	err := s.Finish(context.Background(), toPartials(parts), func(c *table.Chunk) error {
		if c.NumRows() > maxChunkRows {
			panic("chunk too large")
		}
		rows = append(rows, chunkRows(c)...)
		return nil
	})
	return rows, err
}

// chunkRows is a chunk's cells as text.
func chunkRows(c *table.Chunk) [][]string {
	n := c.NumRows()
	rows := make([][]string, n)
	for _, col := range c.Batch.Columns() {
		app, err := table.NewAppender(col)
		if err != nil {
			panic(err)
		}
		for i := range n {
			if col.IsNull(i) {
				rows[i] = append(rows[i], null)
			} else {
				rows[i] = append(rows[i], string(app(nil, i)))
			}
		}
	}
	return rows
}

func column(rows [][]string, j int) string {
	cells := make([]string, len(rows))
	for i, r := range rows {
		cells[i] = strings.ReplaceAll(r[j], null, "∅")
	}
	return strings.Join(cells, " ")
}

func toPartials(parts []*partial) []transforms.Partial {
	tp := make([]transforms.Partial, len(parts))
	for k, p := range parts {
		tp[k] = p
	}
	return tp
}
