package sink

import (
	"fmt"
	"testing"

	"github.com/ptransform/ptransform/internal/schema"
)

// benchChunkRows are rows like those of internal/benchdata: ints, floats, short text,
// dates, bools, some empty.
func benchChunkRows(n int) [][]string {
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{fmt.Sprint(i + 1), fmt.Sprintf("%d.%06d", i%1000, i*7919%1000000), fmt.Sprint(i * 31 % 1000),
			[]string{"blue", "juliet", "kilo", ""}[i%4], fmt.Sprintf("name %d", i), fmt.Sprintf("20%02d-%02d-%02d", i%25, i%12+1, i%28+1),
			[]string{"true", "false"}[i%2], fmt.Sprintf("-%d.%04d", i*13, i%10000), fmt.Sprint(8000000000 + i*37), fmt.Sprintf("0.%010d", i*104729%10000000000)}
	}
	return rows
}

var benchSchema = schema.Schema{{Name: "id", Type: schema.Int}, {Name: "a", Type: schema.Float}, {Name: "b", Type: schema.Int},
	{Name: "category", Type: schema.String}, {Name: "name", Type: schema.String}, {Name: "date", Type: schema.Date},
	{Name: "flag", Type: schema.Bool}, {Name: "c", Type: schema.Float}, {Name: "d", Type: schema.Int}, {Name: "e", Type: schema.Float}}

func BenchmarkJSONLEncode(b *testing.B) {
	const n = 4096
	c := conformed(b, benchSchema, benchChunkRows(n))
	sk, err := newJSONL(Config{Schema: benchSchema})
	if err != nil {
		b.Fatal(err)
	}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		p, err := sk.Encode(buf[:0], c)
		if err != nil {
			b.Fatal(err)
		}
		buf = p.Bytes
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
}

// BenchmarkTypedSinks writes 16 chunks of 4,096 benchmark rows through each typed sink's
// whole seam (Begin, Encode, Append, Finish) on one goroutine, chunks already conformed:
// ns/row is then one core's cost of the format, what --workers divides.
func BenchmarkTypedSinks(b *testing.B) {
	const rows, chunks = 4096, 16
	c := conformed(b, benchSchema, benchChunkRows(rows))
	for _, format := range []string{"jsonl", "xlsx", "parquet"} {
		b.Run(format, func(b *testing.B) {
			f, err := Lookup(format, "")
			if err != nil {
				b.Fatal(err)
			}
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				out := &countingWriter{}
				sk, err := f.New(Config{Schema: benchSchema, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				if err := sk.Begin(out); err != nil {
					b.Fatal(err)
				}
				for range chunks {
					p, err := sk.Encode(buf[:0], c)
					if err != nil {
						b.Fatal(err)
					}
					buf = p.Bytes
					if err := sk.Append(out, p); err != nil {
						b.Fatal(err)
					}
				}
				if err := sk.Finish(out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(rows*chunks), "ns/row")
		})
	}
}

// countingWriter is an output that keeps nothing, so that its growth costs nothing.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}
