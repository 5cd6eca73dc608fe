package sorting

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/table"
)

// benchRows is the shape of ../shared/bench/gen_csv.py's rows (id,a,b,category,name,
// date,flag,c,d,e, about 94 bytes), made once.
const benchRows = 1 << 20

var benchNames = []string{"id", "a", "b", "category", "name", "date", "flag", "c", "d", "e"}

var benchBatch = sync.OnceValue(func() arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(42, 42))
	rows := make([][]string, benchRows)
	for i := range rows {
		name := make([]byte, 5+rng.IntN(16))
		for k := range name {
			name[k] = byte('a' + rng.IntN(26))
		}
		rows[i] = []string{
			fmt.Sprint(i + 1),
			fmt.Sprintf("%.6f", rng.Float64()*1000),
			fmt.Sprint(rng.IntN(1001)),
			fmt.Sprintf("cat%02d", rng.IntN(50)),
			string(name),
			fmt.Sprintf("20%02d-%02d-%02d", rng.IntN(25), 1+rng.IntN(12), 1+rng.IntN(28)),
			fmt.Sprint(rng.IntN(2) == 0),
			fmt.Sprintf("%.4f", (rng.Float64()-0.5)*2e7),
			fmt.Sprint(rng.Int64N(1e10)),
			fmt.Sprintf("%.10f", rng.Float64()),
		}
	}
	return textBatch(benchNames, rows)
})

// benchSort runs the stage over the bench rows in chunks of 32k rows spread over
// partials, and reports ns and allocations per input row.
func benchSort(b *testing.B, keys string, limit int64, memory int64, partials int) {
	batch := benchBatch()
	const chunkRows = 1 << 15
	var chunks []*table.Chunk
	for i := int64(0); i < batch.NumRows(); i += chunkRows {
		chunks = append(chunks, &table.Chunk{Batch: batch.NewSlice(i, min(i+chunkRows, batch.NumRows()))})
	}
	dir := b.TempDir()
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		s, err := Compile(keys, limit, benchNames, Options{Memory: memory, TempDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		parts := make([]*partial, partials)
		for k := range parts {
			parts[k] = s.NewPartial().(*partial)
		}
		var wg sync.WaitGroup
		for k := range parts {
			wg.Go(func() {
				for seq := k; seq < len(chunks); seq += partials {
					if err := parts[k].Consume(int64(seq), chunks[seq]); err != nil {
						b.Error(err)
					}
				}
			})
		}
		wg.Wait()
		rows := 0
		if err := s.Finish(b.Context(), toPartials(parts), func(c *table.Chunk) error { rows += c.NumRows(); return nil }); err != nil {
			b.Fatal(err)
		}
		if want := int(min(uint64(limit), benchRows)); rows != want {
			b.Fatalf("%d rows out, want %d", rows, want)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	// The machine's cores are shared: CPU time is the steadier figure.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/benchRows, "cpu-ns/row")
}

// cpuTime is the process's user and system CPU time so far, in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func BenchmarkTopN(b *testing.B) {
	for _, partials := range []int{1, 2} {
		b.Run(fmt.Sprintf("-a_limit100/partials=%d", partials), func(b *testing.B) { benchSort(b, "-a", 100, 1<<30, partials) })
	}
}

func BenchmarkSortInMemory(b *testing.B) {
	for _, keys := range []string{"date", "-a", "name", "category,-c"} {
		b.Run(keys, func(b *testing.B) { benchSort(b, keys, -1, 1<<30, 2) })
	}
}

func BenchmarkSortExternal(b *testing.B) {
	b.Run("date/memory=16MiB", func(b *testing.B) { benchSort(b, "date", -1, 16<<20, 2) })
}
