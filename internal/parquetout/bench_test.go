package parquetout

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/benchdata"
	"github.com/ptransform/ptransform/internal/schema"
)

// benchSchema is the typed shape of benchdata's CSV (id,a,b,category,name,date,flag,c,d,e).
var benchSchema = schema.Schema{
	{Name: "id", Type: schema.Int}, {Name: "a", Type: schema.Float}, {Name: "b", Type: schema.Int},
	{Name: "category", Type: schema.String}, {Name: "name", Type: schema.String},
	{Name: "date", Type: schema.Date}, {Name: "flag", Type: schema.Bool},
	{Name: "c", Type: schema.Float}, {Name: "d", Type: schema.Int}, {Name: "e", Type: schema.Float},
}

// benchBatches parses benchdata's CSV of n rows into batches of chunk rows; it returns them
// and the CSV's size.
func benchBatches(b *testing.B, n, chunk int) ([]arrow.RecordBatch, int64) {
	var text bytes.Buffer
	if err := benchdata.Write(&text, n); err != nil {
		b.Fatal(err)
	}
	size := int64(text.Len())
	r := csv.NewReader(&text)
	r.ReuseRecord = true
	if _, err := r.Read(); err != nil { // header
		b.Fatal(err)
	}
	var batches []arrow.RecordBatch
	builder := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema.Arrow())
	defer builder.Release()
	for rows := 0; ; rows++ {
		rec, err := r.Read()
		if err == io.EOF || rows == chunk {
			batches = append(batches, builder.NewRecordBatch())
			rows = 0
		}
		if err == io.EOF {
			return batches, size
		}
		if err != nil {
			b.Fatal(err)
		}
		for i, c := range benchSchema {
			field, v := builder.Field(i), rec[i]
			var err error
			switch c.Type {
			case schema.Int:
				var n int64
				n, err = strconv.ParseInt(v, 10, 64)
				field.(*array.Int64Builder).Append(n)
			case schema.Float:
				var f float64
				f, err = strconv.ParseFloat(v, 64)
				field.(*array.Float64Builder).Append(f)
			case schema.Bool:
				var t bool
				t, err = strconv.ParseBool(v)
				field.(*array.BooleanBuilder).Append(t)
			case schema.Date:
				var d time.Time
				d, err = time.Parse(time.DateOnly, v)
				field.(*array.Date32Builder).Append(arrow.Date32FromTime(d))
			default:
				field.(*array.StringBuilder).Append(v)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// cpuTime is the process's user and system time: on a shared machine the figure that
// wall time hides (the bench's setup is outside the measured span).
func cpuTime(b *testing.B) time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		b.Fatal(err)
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// BenchmarkEncode measures the Parquet writer alone on benchdata's 10 columns: typed
// batches of 50,000 rows in, a file out (row groups of DefaultRowGroupRows). MB/s counts
// the bytes of the CSV the rows come from; ns/row is wall time, cpu-ns/row the CPU time of
// the process (all goroutines) per row. With workers=1 one
// goroutine calls EncodeChunk, so the figure is per core.
func BenchmarkEncode(b *testing.B) {
	const n = 1 << 20
	batches, csvSize := benchBatches(b, n, 50_000)
	for _, compression := range []string{"zstd", "snappy"} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", compression, workers), func(b *testing.B) {
				b.SetBytes(csvSize)
				var size int
				cpu0 := cpuTime(b)
				for b.Loop() {
					out := countingWriter{w: io.Discard} // a bytes.Buffer would cost its growth
					w, err := New(&out, benchSchema, Options{Compression: compression, Workers: workers})
					if err != nil {
						b.Fatal(err)
					}
					if err := pipeline(w, batches, workers); err != nil {
						b.Fatal(err)
					}
					size = int(out.n)
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/n, "ns/row")
				b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N)/n, "cpu-ns/row")
				b.ReportMetric(float64(size)/n, "file-B/row")
			})
		}
	}
}

// BenchmarkEncode10M writes 10 Mi rows (benchdata's first 1 Mi rows ten times) and reports
// the writer's memory: the peak of the Go heap in use, sampled every 5 ms, above what the
// input rows already hold.
func BenchmarkEncode10M(b *testing.B) {
	const n = 1 << 20
	batches, csvSize := benchBatches(b, n, 50_000)
	var repeated []arrow.RecordBatch
	for range 10 {
		repeated = append(repeated, batches...)
	}
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	baseline := stats.HeapInuse
	peak := baseline
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&stats)
				peak = max(peak, stats.HeapInuse)
			}
		}
	}()
	b.SetBytes(10 * csvSize)
	for b.Loop() {
		out := countingWriter{w: io.Discard}
		w, err := New(&out, benchSchema, Options{Workers: 2})
		if err != nil {
			b.Fatal(err)
		}
		if err := pipeline(w, repeated, 2); err != nil {
			b.Fatal(err)
		}
	}
	close(stop)
	<-sampled
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(10*n), "ns/row")
	b.ReportMetric(float64(peak-baseline)/(1<<20), "writer-heap-MB")
	b.ReportMetric(float64(baseline)/(1<<20), "input-heap-MB")
}
