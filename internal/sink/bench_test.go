package sink

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/xlsxout"
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

// genCSVRows are rows as ../shared/bench/gen_csv.py writes them (the text of the
// speed bars' input): floats with a fixed number of decimals (so some end in 0), about
// 1% of names with a double quote, 50 categories.
func genCSVRows(n int) [][]string {
	rng := rand.New(rand.NewPCG(42, 1))
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ     "
	rows := make([][]string, n)
	for i := range rows {
		name := make([]byte, 5+rng.IntN(16))
		for k := range name {
			name[k] = letters[rng.IntN(len(letters))]
		}
		nm := strings.TrimSpace(string(name))
		if nm == "" {
			nm = "x"
		}
		if rng.IntN(100) < 2 {
			p := rng.IntN(len(nm))
			nm = nm[:p] + []string{",", `"`, ", ", `""`, `,"`, "'"}[rng.IntN(6)] + nm[p:]
		}
		rows[i] = []string{strconv.Itoa(i + 1), strconv.FormatFloat(rng.Float64()*1000, 'f', 6, 64), strconv.Itoa(rng.IntN(1001)),
			fmt.Sprintf("cat%02d", rng.IntN(50)), nm, time.Date(2000, 1, 1+rng.IntN(9131), 0, 0, 0, 0, time.UTC).Format(time.DateOnly),
			strconv.FormatBool(rng.IntN(2) == 0), strconv.FormatFloat((rng.Float64()-0.5)*2e7, 'f', 4, 64), strconv.FormatInt(rng.Int64N(1e10), 10),
			strconv.FormatFloat(rng.Float64(), 'f', 10, 64)}
	}
	return rows
}

// BenchmarkWorker is a worker's share of CSV → JSON Lines and CSV → xlsx after
// decoding, on chunks of gen_csv.py rows: Conform to the format's schema, then Encode.
// jsonl-escapes is JSON Lines on rows whose strings need escapes (a quote in one name
// of three, a tab in one category of five) and whose ints are negative half the time: the
// values the row loop cannot copy as they are, and the cursors past them (see
// jsonColumn.clean). B/s is the JSON Lines bytes written.
func BenchmarkWorker(b *testing.B) {
	const n = 2730 // the rows of a 256 KiB chunk, the default
	escapes := genCSVRows(n)
	for i, row := range escapes {
		if i%3 == 0 {
			row[4] = `say "` + row[4] + `"`
		}
		if i%5 == 0 {
			row[3] += "\tx"
		}
		if i%2 == 0 {
			row[2] = "-" + row[2]
		}
	}
	for _, tc := range []struct {
		name, format string
		rows         [][]string
	}{{"jsonl", "jsonl", genCSVRows(n)}, {"jsonl-escapes", "jsonl", escapes}, {"xlsx", "xlsx", genCSVRows(n)}} {
		text := textChunk(b, benchSchema, tc.rows)
		b.Run(tc.name, func(b *testing.B) {
			format, err := Lookup(tc.format, "")
			if err != nil {
				b.Fatal(err)
			}
			sk, err := format.New(Config{Schema: benchSchema})
			if err != nil {
				b.Fatal(err)
			}
			if err := sk.Begin(&countingWriter{}); err != nil {
				b.Fatal(err)
			}
			conform := format.ConformSchema(benchSchema)
			var buf []byte
			b.ReportAllocs()
			for b.Loop() {
				c, _, err := conform.Conform(text, expr.OnErrorFail)
				if err != nil {
					b.Fatal(err)
				}
				p, err := sk.Encode(buf[:0], c)
				if err != nil {
					b.Fatal(err)
				}
				buf = p.Bytes
				b.SetBytes(int64(len(p.Bytes)))
				if part, ok := p.Meta.(*xlsxout.Part); ok {
					part.Release()
				}
				c.Batch.Release()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
		})
	}
}
