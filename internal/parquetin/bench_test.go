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
	path := benchFile(b)
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

// BenchmarkDecodeRowGroup decodes the first row group again and again with one
// decoder: fresh buffers each time, or those of the chunk before, given back by Recycle
// as a run does once the chunk is encoded. ns/row is per row of all ten columns.
func BenchmarkDecodeRowGroup(b *testing.B) {
	path := benchFile(b)
	in := openPath(b, path)
	for _, recycle := range []bool{false, true} {
		b.Run(map[bool]string{false: "fresh", true: "recycled"}[recycle], func(b *testing.B) {
			d := in.NewDecoder(nil)
			b.ReportAllocs()
			for b.Loop() {
				c, err := d.Decode(context.Background(), 0)
				if err != nil {
					b.Fatal(err)
				}
				if recycle {
					d.Recycle(c)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*in.RowGroups[0]), "ns/row")
		})
	}
}

// BenchmarkDecodeParts decodes every row group of the file in parts, as a run does with
// the default --chunk-size (RowParts of 256 KiB), with one decoder that gets each
// chunk's buffers back by Recycle. ns/row is per row of all ten columns.
func BenchmarkDecodeParts(b *testing.B) {
	path := benchFile(b)
	in := openPath(b, path)
	d := in.NewDecoder(nil)
	b.ReportAllocs()
	for b.Loop() {
		for rg := range in.RowGroups {
			bounds := in.RowParts(rg, nil, 256<<10)
			for k := range len(bounds) - 1 {
				c, err := d.DecodeRows(context.Background(), rg, bounds[k], bounds[k+1])
				if err != nil {
					b.Fatal(err)
				}
				d.Recycle(c)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*in.Rows), "ns/row")
}

// benchFile is the benchmarks' Parquet file: PTRANSFORM_PARQUET_BENCH, else 200k rows of
// benchdata written by our writer.
func benchFile(b *testing.B) string {
	if path := os.Getenv("PTRANSFORM_PARQUET_BENCH"); path != "" {
		return path
	}
	return writeOurs(b, 200_000, 0)
}
