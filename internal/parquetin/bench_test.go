package parquetin

import (
	"context"
	"os"
	"testing"
)

// BenchmarkDecode decodes every row group of a Parquet file of benchdata's rows, as
// text: PTRANSFORM_PARQUET_BENCH names one (e.g. DuckDB's of rows_1m.csv), else 200k
// rows are written by our writer. ns/row is per row of all ten columns.
func BenchmarkDecode(b *testing.B) {
	path := os.Getenv("PTRANSFORM_PARQUET_BENCH")
	if path == "" {
		path = writeOurs(b, 200_000, 0)
	}
	in := openPath(b, path)
	d := in.NewDecoder(nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		for rg := range in.RowGroups {
			if _, err := d.Decode(context.Background(), rg); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*in.Rows), "ns/row")
}
