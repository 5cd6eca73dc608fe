package parquetin

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/benchdata"
	"github.com/ptransform/ptransform/internal/parquetout"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// benchSchema is the typed shape of benchdata's CSV, as a typed output infers it.
var benchSchema = schema.Schema{
	{Name: "id", Type: schema.Int}, {Name: "a", Type: schema.Float}, {Name: "b", Type: schema.Int},
	{Name: "category", Type: schema.String}, {Name: "name", Type: schema.String},
	{Name: "date", Type: schema.Date}, {Name: "flag", Type: schema.Bool},
	{Name: "c", Type: schema.Float}, {Name: "d", Type: schema.Int}, {Name: "e", Type: schema.Float},
}

// writeOurs writes rows of benchdata's CSV as Parquet with our writer (parquetout), in
// row groups of rowGroup rows, and returns the file's path.
func writeOurs(tb testing.TB, rows, rowGroup int) string {
	tb.Helper()
	var text bytes.Buffer
	if err := benchdata.Write(&text, rows); err != nil {
		tb.Fatal(err)
	}
	records, err := csv.NewReader(&text).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "ours.parquet")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	w, err := parquetout.New(f, benchSchema, parquetout.Options{RowGroupRows: rowGroup, Workers: 1})
	if err != nil {
		tb.Fatal(err)
	}
	const chunkRows = 10000
	for start := 1; start < len(records); start += chunkRows {
		part := records[start:min(start+chunkRows, len(records))]
		cols := make([][]string, len(benchSchema))
		for _, rec := range part {
			for j, v := range rec {
				cols[j] = append(cols[j], v)
			}
		}
		c := stringChunk(records[0], cols)
		typed, _, err := benchSchema.Conform(c, 0)
		if err != nil {
			tb.Fatal(err)
		}
		p, err := w.EncodeChunk(typed.Batch)
		if err != nil {
			tb.Fatal(err)
		}
		if err := w.Append(p); err != nil {
			tb.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// stringChunk is a chunk of text columns.
func stringChunk(header []string, cols [][]string) *table.Chunk {
	arrays := make([]arrow.Array, len(cols))
	for j, values := range cols {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		for _, v := range values {
			if v == "" {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		arrays[j] = b.NewArray()
	}
	return &table.Chunk{Batch: array.NewRecordBatch(table.StringSchema(header), arrays, int64(len(cols[0])))}
}

// openPath opens the Parquet file at path.
func openPath(tb testing.TB, path string) *Input {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	in, err := Open(path, f)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { in.Close() })
	return in
}

// decodeAll decodes every row group and returns the rows' cells as CSV text, the header
// first (nulls as empty cells).
func decodeAll(tb testing.TB, in *Input, skip []bool) string {
	tb.Helper()
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	w.Write(in.Header)
	d := in.NewDecoder(skip)
	for rg := range in.RowGroups {
		c, err := d.Decode(context.Background(), rg)
		if err != nil {
			tb.Fatal(err)
		}
		for i := range c.NumRows() {
			rec := make([]string, len(in.Header))
			for j := range rec {
				if col := c.Batch.Column(j).(*array.String); col.IsValid(i) {
					rec[j] = col.Value(i)
				}
			}
			w.Write(rec)
		}
	}
	w.Flush()
	return out.String()
}
