package aggregate

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// textChunk makes a chunk of string columns from rows of cells; "" is null.
func textChunk(header []string, rows [][]string) *table.Chunk {
	cols := make([]arrow.Array, len(header))
	for j := range header {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		for _, r := range rows {
			if r[j] == "" {
				b.AppendNull()
			} else {
				b.Append(r[j])
			}
		}
		cols[j] = b.NewArray()
		b.Release()
	}
	lines := make([]int64, len(rows))
	for i := range lines {
		lines[i] = int64(i) + 2
	}
	return &table.Chunk{Source: table.Source{File: "in.csv"}, Row0: 1, Lines: lines,
		Batch: array.NewRecordBatch(table.StringSchema(header), cols, int64(len(rows)))}
}

// parseRows reads "a,b;c,d" style test data: rows split by '|' or newlines, cells by ','.
func parseRows(s string) [][]string {
	var rows [][]string
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		rows = append(rows, strings.Split(strings.TrimSpace(line), ","))
	}
	return rows
}

// run feeds rows to st, cut into chunks of chunkRows rows dealt round-robin over parts
// partials in a shuffled-but-fixed order, and returns the output as text rows
// (null as "∅"), header first.
func run(t testing.TB, st *Stage, header []string, rows [][]string, chunkRows, parts int) ([][]string, error) {
	return runHanded(t, st, header, rows, chunkRows, parts, lastFirst)
}

// handing is the order a test hands chunks to partials in (chunk n goes to partial
// n % parts).
type handing int

const (
	lastFirst handing = iota // no partial sees input order
	inOrder                  // every partial does, as a run's workers do
	firstLast                // in order but chunk 0 last: partial 0 sees it out of order
)

func runHanded(t testing.TB, st *Stage, header []string, rows [][]string, chunkRows, parts int, how handing) ([][]string, error) {
	t.Helper()
	ps := make([]transforms.Partial, parts)
	for k := range ps {
		ps[k] = st.NewPartial()
	}
	var seqs []int
	for lo := 0; lo < len(rows); lo += chunkRows {
		seqs = append(seqs, lo)
	}
	handed := make([]int, len(seqs))
	for k := range handed {
		switch how {
		case lastFirst:
			handed[k] = len(seqs) - 1 - k
		case inOrder:
			handed[k] = k
		case firstLast:
			handed[k] = (k + 1) % len(seqs)
		}
	}
	for _, n := range handed {
		lo := seqs[n]
		c := textChunk(header, rows[lo:min(lo+chunkRows, len(rows))])
		if err := ps[n%parts].Consume(int64(n), c); err != nil {
			return nil, err
		}
	}
	var out [][]string
	var names []string
	for _, c := range st.Columns() {
		names = append(names, c.Name)
	}
	out = append(out, names)
	err := st.Finish(context.Background(), ps, func(c *table.Chunk) error {
		for i := 0; i < c.NumRows(); i++ {
			var row []string
			for j := 0; j < int(c.Batch.NumCols()); j++ {
				col := c.Batch.Column(j)
				if col.IsNull(i) {
					row = append(row, "∅")
					continue
				}
				app, err := table.NewAppender(col)
				if err != nil {
					t.Fatal(err)
				}
				row = append(row, string(app(nil, i)))
			}
			out = append(out, row)
		}
		c.Batch.Release()
		return nil
	})
	return out, err
}

func mustCompile(t testing.TB, groupBy string, aggs []string, header []string) *Stage {
	t.Helper()
	st, err := Compile(groupBy, aggs, header, expr.Options{})
	if err != nil {
		t.Fatalf("Compile(%q, %q): %v", groupBy, aggs, err)
	}
	return st
}

func format(rows [][]string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ","))
		b.WriteByte('\n')
	}
	return b.String()
}
