package apply

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ptransform/ptransform/internal/benchdata"
)

// benchRows is the size of the benchmark input: about 10 MB, so that the figures are
// those of whole runs (many chunks) without the noise of a disk.
const benchRows = 100_000

// writeBenchCSV writes the first rows of the `make bench` data (internal/benchdata).
func writeBenchCSV(tb testing.TB, rows int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := benchdata.Write(f, rows); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// cpuTime is the user and system CPU time the process has used so far.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRunWorkers runs the derive and upper jobs with one and two workers, to a
// discarded output and to a file, and reports CPU time per row beside wall time: on a
// loaded machine wall time says little, but CPU time still shows what a second worker
// costs (it should cost nothing: the same rows, the same work).
func BenchmarkRunWorkers(b *testing.B) {
	path := writeBenchCSV(b, benchRows)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	for _, job := range []struct{ name, expr string }{{"derive", "total = a * b"}, {"upper", "name = upper(name)"}} {
		for _, toFile := range []bool{false, true} {
			for _, workers := range []int{1, 2} {
				out := "discard"
				if toFile {
					out = "file"
				}
				b.Run(fmt.Sprintf("%s/%s/w%d", job.name, out, workers), func(b *testing.B) {
					o := Options{Inputs: []string{path}, Exprs: []string{job.expr}, Stdout: io.Discard, Workers: workers}
					if toFile {
						o.Output = filepath.Join(b.TempDir(), "out.csv")
					}
					b.SetBytes(st.Size())
					b.ReportAllocs()
					cpu := cpuTime(b)
					for b.Loop() {
						if err := Run(context.Background(), o); err != nil {
							b.Fatal(err)
						}
					}
					rows := float64(b.N) * benchRows
					b.ReportMetric(float64(b.Elapsed().Nanoseconds())/rows, "ns/row")
					b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/rows, "cpu-ns/row")
				})
			}
		}
	}
}

// benchRun runs one worker over the benchmark input to a discarded output: the CPU cost
// of decoding, transforming and encoding, per row, with no write() in the figure.
func benchRun(b *testing.B, o Options) {
	path := writeBenchCSV(b, benchRows)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	o.Inputs, o.Stdout, o.Workers = []string{path}, io.Discard, 1
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// The three runs of the end-to-end bars of docs/performance.md, per row on one core.
func BenchmarkRunIdentity(b *testing.B) { benchRun(b, Options{}) }

func BenchmarkRunDerive(b *testing.B) { benchRun(b, Options{Exprs: []string{"total = a * b"}}) }

func BenchmarkRunFilterDeriveSelect(b *testing.B) {
	benchRun(b, Options{Wheres: []string{"b > 500"}, Exprs: []string{"total = a * b"}, Select: []string{"id", "name", "total"}})
}

// JSON Lines: the schema's conform step and the JSON encoding on top of a run's decoding.
func BenchmarkRunJSONL(b *testing.B) { benchRun(b, Options{To: "jsonl"}) }

// BenchmarkOutputSchemaSample is the schema sample of a typed output of the benchmark
// input: the serial step between opening the inputs and the first worker (read the
// first rows, decode them, infer each column's type). Its CPU time per sample is the
// figure; wall time adds the load of the machine.
func BenchmarkOutputSchemaSample(b *testing.B) {
	path := writeBenchCSV(b, 20_000)
	op, err := openSources(Options{Inputs: []string{path}})
	if err != nil {
		b.Fatal(err)
	}
	defer op.close()
	header, err := runColumns(op.sources, false)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := cpuTime(b)
	for b.Loop() {
		if _, err := inputCellTypes(context.Background(), op.sources, len(header)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime(b)-cpu).Nanoseconds())/float64(b.N)/1e6, "cpu-ms/op")
}
