package aggregate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/ptransform/ptransform/internal/benchdata"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// benchChunks decodes rows of the benchmark CSV (benchdata: id,a,b,category,name,date,
// flag,c,d,e) into chunks of about 4 MiB, as a run would.
func benchChunks(b *testing.B, rows int) ([]string, []*table.Chunk) {
	path := filepath.Join(b.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := benchdata.Write(f, rows); err != nil {
		b.Fatal(err)
	}
	f.Close()
	in, err := csvfmt.Open(path, csvfmt.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { in.Close() })
	ranges, err := in.Ranges(context.Background(), in.DataStart, 4<<20, 1)
	if err != nil {
		b.Fatal(err)
	}
	var chunks []*table.Chunk
	for _, r := range ranges {
		dec := in.NewDecoder() // each chunk keeps its own buffers
		dd, err := dec.DecodeRange(r)
		if err != nil {
			b.Fatal(err)
		}
		dd.Chunk.Raw = nil
		chunks = append(chunks, dd.Chunk)
	}
	return in.Header, chunks
}

// benchStage times Consume of every chunk into one partial, then Finish: one worker's
// share of a run, without the decoding.
func benchStage(b *testing.B, rows int, groupBy string, aggs ...string) {
	header, chunks := benchChunks(b, rows)
	st, err := Compile(groupBy, aggs, header, expr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		p := st.NewPartial()
		for seq, c := range chunks {
			if err := p.Consume(int64(seq), c); err != nil {
				b.Fatal(err)
			}
		}
		err := st.Finish(context.Background(), []transforms.Partial{p}, func(c *table.Chunk) error {
			c.Batch.Release()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*int64(rows)), "ns/row")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(int64(b.N)*int64(rows)), "cpu-ns/row")
}

// cpuTime is the process's CPU time in ns: on a machine shared with other work, a
// steadier measure than the elapsed time.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

const benchRows = 500_000

// The issue's grouped job: a few dozen groups, five aggregates.
func BenchmarkCategoryFive(b *testing.B) {
	benchStage(b, benchRows, "category", "n = count(); s = sum(a); m = mean(c); lo = min(b); hi = max(e)")
}

func BenchmarkCategoryCount(b *testing.B) {
	benchStage(b, benchRows, "category", "n = count()")
}

func BenchmarkCategorySumInts(b *testing.B) {
	benchStage(b, benchRows, "category", "s = sum(b)")
}

func BenchmarkCategorySumFloats(b *testing.B) {
	benchStage(b, benchRows, "category", "s = sum(a)")
}

// A million-group job's shape: as many groups as a tenth of the rows.
func BenchmarkManyGroups(b *testing.B) {
	benchStage(b, benchRows, "k = id % 50000", "n = count(); s = sum(a)")
}

// The issue's aggregates (issue 11, Bar): count, an exact float sum, the mean of ints,
// min and max of a text column of signed decimals.
const issueAggs = "n = count(); s = sum(a); m = mean(b); mx = max(c); mn = min(c)"

func BenchmarkCategoryIssue(b *testing.B) {
	benchStage(b, benchRows, "category", issueAggs)
}

// The million-group job's shape, ten rows per group: an int key computed by an
// expression, the issue's aggregates.
func BenchmarkManyGroupsIssue(b *testing.B) {
	benchStage(b, benchRows, "g = int(id) % 50000", issueAggs)
}

// BenchmarkBytesPerGroup reports the heap one partial keeps per group of the
// million-group job's shape, once every chunk was consumed: the difference between
// 75,000 and 25,000 groups over the same rows, so that what does not grow with the
// groups (the program's scratch buffers) cancels out.
func BenchmarkBytesPerGroup(b *testing.B) {
	header, chunks := benchChunks(b, benchRows)
	heap := func(groups int) uint64 {
		st, err := Compile(fmt.Sprintf("g = int(id) %% %d", groups), []string{issueAggs}, header, expr.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := st.NewPartial()
		for seq, c := range chunks {
			if err := p.Consume(int64(seq), c); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(p)
		p.Release()
		return after.HeapAlloc - before.HeapAlloc
	}
	var perGroup float64
	for b.Loop() {
		perGroup = (float64(heap(75_000)) - float64(heap(25_000))) / 50_000
	}
	b.ReportMetric(perGroup, "B/group")
}

// BenchmarkFinishTwoPartials times Finish alone over two workers' partials of the
// million-group job's shape (chunks dealt to them in turn, so each holds every group):
// the merge, the order of first rows and the output, the part of the run after the
// input ends. Per group of the output.
func BenchmarkFinishTwoPartials(b *testing.B) {
	header, chunks := benchChunks(b, benchRows)
	const groups = 200_000
	st, err := Compile(fmt.Sprintf("g = int(id) %% %d", groups), []string{issueAggs}, header, expr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var cpu, wall int64
	for b.Loop() {
		b.StopTimer()
		parts := []transforms.Partial{st.NewPartial(), st.NewPartial()}
		for seq, c := range chunks {
			if err := parts[seq%2].Consume(int64(seq), c); err != nil {
				b.Fatal(err)
			}
		}
		cpu0, start := cpuTime(), time.Now()
		b.StartTimer()
		err := st.Finish(context.Background(), parts, func(c *table.Chunk) error {
			c.Batch.Release()
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		cpu, wall = cpu+cpuTime()-cpu0, wall+time.Since(start).Nanoseconds()
	}
	b.ReportMetric(float64(wall)/float64(int64(b.N)*groups), "ns/group")
	b.ReportMetric(float64(cpu)/float64(int64(b.N)*groups), "cpu-ns/group")
}
