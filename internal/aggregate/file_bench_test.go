package aggregate

import (
	"context"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// BenchmarkFile runs a grouped job over the CSV file named by $AGG_BENCH_FILE the way
// a run would, until the runner does it: GOMAXPROCS workers, each decoding its share
// of the ranges (csvfmt) and folding it into its own partial, then Finish.
// $AGG_BENCH_GROUP and $AGG_BENCH_AGG give --group-by and --agg.
//
//	AGG_BENCH_FILE=rows_10m.csv go test -run X -bench File -benchtime 1x ./internal/aggregate
func BenchmarkFile(b *testing.B) {
	path := os.Getenv("AGG_BENCH_FILE")
	if path == "" {
		b.Skip("set AGG_BENCH_FILE to a CSV file")
	}
	groupBy := os.Getenv("AGG_BENCH_GROUP")
	aggs := os.Getenv("AGG_BENCH_AGG")
	if aggs == "" {
		aggs = "n = count(); s = sum(a); m = mean(c); lo = min(b); hi = max(e)"
	}
	in, err := csvfmt.Open(path, csvfmt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	st, err := Compile(groupBy, []string{aggs}, in.Header, expr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	workers := runtime.GOMAXPROCS(0)
	var groups int
	for b.Loop() {
		ranges := in.GuessRanges(in.DataStart, 4<<20)
		parts := make([]transforms.Partial, workers)
		var wg sync.WaitGroup
		errs := make([]error, workers)
		for w := range workers {
			parts[w] = st.NewPartial()
			wg.Add(1)
			go func() {
				defer wg.Done()
				dec := in.NewDecoder()
				defer dec.Close()
				skip := st.Reads()
				for j := range skip {
					skip[j] = !skip[j]
				}
				dec.SkipColumns(skip)
				for seq := w; seq < len(ranges); seq += workers {
					dd, err := dec.DecodeRange(ranges[seq])
					if err == nil {
						dd.Chunk.Raw = nil
						err = parts[w].Consume(int64(seq), dd.Chunk)
					}
					if err != nil {
						errs[w] = err
						return
					}
					dec.Recycle(dd.Chunk)
				}
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
		groups = 0
		var first []string
		err := st.Finish(context.Background(), parts, func(c *table.Chunk) error {
			if groups == 0 {
				for j := range c.Batch.NumCols() {
					app, _ := table.NewAppender(c.Batch.Column(int(j)))
					first = append(first, string(app(nil, 0)))
				}
			}
			groups += c.NumRows()
			c.Batch.Release()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("%d groups; first: %s", groups, strings.Join(first, ","))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "MiB-sys")
}
