package chunk

import (
	"context"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// spin does a fixed amount of arithmetic, a stand-in for decoding and encoding a chunk
// that keeps its processor busy (a sleep would free it for the planner and the writer).
func spin(n int) uint64 {
	x := uint64(n)
	for range n {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

// BenchmarkRunBusyWorkers times a run of CPU-bound tasks of about 0.4 ms each (a 256 KiB
// CSV chunk of the filter job) on as many workers as processors, the shape of `apply
// --workers 2` on a two-core machine, and reports the share of the workers' time spent
// in Work ("busy-%"): the rest is waiting for the planner's next task or for the writer
// to give a token back, or, on a loaded machine, the other processes' turn. Compare
// changes to Run with it on a quiet machine only (docs/performance.md, session 12).
func BenchmarkRunBusyWorkers(b *testing.B) {
	workers := runtime.GOMAXPROCS(0)
	cfg := Config{Workers: workers, Window: 2*workers + 1}
	const tasks = 500
	var busy atomic.Int64
	var sink atomic.Uint64
	start := time.Now()
	for b.Loop() {
		err := Run(context.Background(), cfg, Job[int, uint64]{
			Plan: func(ctx context.Context, emit Emit[int]) error {
				for i := range tasks {
					if err := emit(i); err != nil {
						return err
					}
				}
				return nil
			},
			Work: func(ctx context.Context, worker int, seq int64, task int) (uint64, error) {
				t0 := time.Now()
				v := spin(300_000)
				busy.Add(int64(time.Since(t0)))
				return v, nil
			},
			Write: func(seq int64, r uint64, err error) error {
				sink.Add(r)
				return err
			},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(100*float64(busy.Load())/float64(elapsed)/float64(workers), "busy-%")
	b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N*tasks), "ns/task")
}
