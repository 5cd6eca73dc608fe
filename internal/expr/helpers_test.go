package expr

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/ptransform/ptransform/internal/table"
)

// fixedNow is the now() of every test.
var fixedNow = time.Date(2024, 3, 15, 13, 45, 30, 0, time.UTC)

// makeChunk builds a chunk of string columns; "" cells are null, as readers make them.
func makeChunk(cols []string, rows [][]string) *table.Chunk {
	arrs := make([]arrow.Array, len(cols))
	for j := range cols {
		var data []byte
		offs := []int32{0}
		valid := make([]byte, (len(rows)+7)/8)
		nulls := 0
		for i, r := range rows {
			if r[j] == "" {
				nulls++
			} else {
				valid[i/8] |= 1 << (i % 8)
				data = append(data, r[j]...)
			}
			offs = append(offs, int32(len(data)))
		}
		arrs[j] = table.StringColumn(data, offs, valid, nulls)
	}
	lines := make([]int64, len(rows))
	for i := range lines {
		lines[i] = int64(i + 2) // a header line comes first
	}
	return &table.Chunk{
		Source: table.Source{File: "in.csv"},
		Batch:  array.NewRecordBatch(table.StringSchema(cols), arrs, int64(len(rows))),
		Row0:   1,
		Lines:  lines,
	}
}

// cellText is a result cell as the CSV writer would write it, "null" for null.
func cellText(t testing.TB, col arrow.Array, i int) string {
	t.Helper()
	if col.IsNull(i) {
		return "null"
	}
	app, err := table.NewAppender(col)
	if err != nil {
		t.Fatal(err)
	}
	return string(app(nil, i))
}

// evalRow evaluates one expression over one row and returns its text, or the error.
func evalRow(t testing.TB, expr string, cols []string, row []string) (string, error) {
	t.Helper()
	p, err := Compile([]string{"result = " + expr}, nil, cols, Options{Now: fixedNow, Params: docParams, Getenv: docEnv})
	if err != nil {
		return "", err
	}
	out, _, err := p.NewEvaluator().Apply(makeChunk(cols, [][]string{row}))
	if err != nil {
		return "", err
	}
	return cellText(t, out.Batch.Column(len(out.Batch.Columns())-1), 0), nil
}

func columnTexts(t testing.TB, c *table.Chunk, name string) []string {
	t.Helper()
	for j, f := range c.Batch.Schema().Fields() {
		if f.Name == name {
			col := c.Batch.Column(j)
			out := make([]string, col.Len())
			for i := range out {
				out[i] = cellText(t, col, i)
			}
			return out
		}
	}
	t.Fatalf("no column %q in %v", name, c.Batch.Schema())
	return nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
