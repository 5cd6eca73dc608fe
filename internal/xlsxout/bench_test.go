package xlsxout

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/xuri/excelize/v2"
)

// benchSchema is the shape of ../shared/bench/gen_csv.py, typed as csv2xlsx types it.
var benchSchema = schema.Schema{
	{Name: "id", Type: schema.Int}, {Name: "a", Type: schema.Float}, {Name: "b", Type: schema.Int},
	{Name: "category", Type: schema.String}, {Name: "name", Type: schema.String}, {Name: "date", Type: schema.Date},
	{Name: "flag", Type: schema.Bool}, {Name: "c", Type: schema.Float}, {Name: "d", Type: schema.Int},
	{Name: "e", Type: schema.Float},
}

// benchRows makes n rows like gen_csv.py's: the same columns, value ranges and
// lengths.
func benchRows(n int) [][]any {
	rng := rand.New(rand.NewPCG(42, 0))
	categories := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ     "
	rows := make([][]any, n)
	for i := range rows {
		name := make([]byte, 5+rng.IntN(16))
		for k := range name {
			name[k] = letters[rng.IntN(len(letters))]
		}
		rows[i] = []any{int64(i + 1), float64(rng.IntN(1e9)) / 1e6, int64(rng.IntN(1001)), categories[rng.IntN(len(categories))], string(name),
			time.Date(2000, 1, 1+rng.IntN(9131), 0, 0, 0, 0, time.UTC), rng.IntN(2) == 0, float64(rng.Int64N(2e11)-1e11) / 1e4,
			rng.Int64N(1e10), float64(rng.Int64N(1e10)) / 1e10}
	}
	return rows
}

func benchBatches(b *testing.B, rows [][]any, chunk int) []arrow.RecordBatch {
	var batches []arrow.RecordBatch
	for lo := 0; lo < len(rows); lo += chunk {
		batches = append(batches, batchOf(b, benchSchema, rows[lo:min(lo+chunk, len(rows))]))
	}
	b.Cleanup(func() {
		for _, bt := range batches {
			bt.Release()
		}
	})
	return batches
}

// BenchmarkEncodeChunk encodes and deflates one chunk of 10,000 rows × 10 columns.
func BenchmarkEncodeChunk(b *testing.B) {
	batch := benchBatches(b, benchRows(10000), 10000)[0]
	w, _ := New(io.Discard, Options{})
	s, _ := w.AddSheet("Data", benchSchema)
	b.ReportAllocs()
	var packed, raw int64
	for b.Loop() {
		p, err := s.EncodeChunk(batch)
		if err != nil {
			b.Fatal(err)
		}
		packed, raw = int64(len(p.data)), p.raw
		p.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/row")
	b.ReportMetric(float64(raw)/10000, "xml-B/row")
	b.ReportMetric(float64(packed)/10000, "deflated-B/row")
}

// writeParallel writes batches as one sheet, encoding on workers goroutines and
// appending in order, as the engine's pipeline does.
func writeParallel(out io.Writer, batches []arrow.RecordBatch, workers int) error {
	w, err := New(out, Options{})
	if err != nil {
		return err
	}
	s, err := w.AddSheet("Data", benchSchema)
	if err != nil {
		return err
	}
	type result struct {
		part *Part
		err  error
	}
	results := make([]chan result, len(batches))
	for i := range results {
		results[i] = make(chan result, 1)
	}
	next := make(chan int, len(batches))
	for i := range batches {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				p, err := s.EncodeChunk(batches[i])
				results[i] <- result{p, err}
			}
		})
	}
	defer wg.Wait()
	for _, r := range results {
		res := <-r
		if res.err != nil {
			return res.err
		}
		if err := w.Append(res.part); err != nil {
			return err
		}
	}
	return w.Close()
}

// BenchmarkWrite200k writes 200,000 rows × 10 columns with this package (chunks of
// 10,000 rows, GOMAXPROCS workers) and with excelize's StreamWriter as
// ../shared/bench/goexcelize/cmd/csv2xlsx does, from values already in memory.
func BenchmarkWrite200k(b *testing.B) {
	rows := benchRows(200000)
	b.Run(fmt.Sprintf("xlsxout-%dworkers", runtime.GOMAXPROCS(0)), func(b *testing.B) {
		batches := benchBatches(b, rows, 10000)
		b.ReportAllocs()
		for b.Loop() {
			if err := writeParallel(io.Discard, batches, runtime.GOMAXPROCS(0)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("xlsxout-1worker", func(b *testing.B) {
		batches := benchBatches(b, rows, 10000)
		b.ReportAllocs()
		for b.Loop() {
			if err := writeParallel(io.Discard, batches, 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("excelize-StreamWriter", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := excelizeStream(io.Discard, rows); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func excelizeStream(out io.Writer, rows [][]any) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	header := make([]any, len(benchSchema))
	for i, c := range benchSchema {
		header[i] = c.Name
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	rec := make([]any, 10)
	for i, r := range rows {
		copy(rec, r)
		rec[5] = excelize.Cell{StyleID: dateStyle, Value: r[5]}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, rec); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(out)
	return err
}

// genBatch makes rows [lo, lo+n) shaped like gen_csv.py's, straight into Arrow
// builders, as a reader's worker would.
func genBatch(lo, n int) arrow.RecordBatch {
	rng := rand.New(rand.NewPCG(42, uint64(lo)))
	b := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema.Arrow())
	defer b.Release()
	categories := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ     "
	name := make([]byte, 20)
	for i := lo; i < lo+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i + 1))
		b.Field(1).(*array.Float64Builder).Append(float64(rng.IntN(1e9)) / 1e6)
		b.Field(2).(*array.Int64Builder).Append(int64(rng.IntN(1001)))
		b.Field(3).(*array.StringBuilder).Append(categories[rng.IntN(len(categories))])
		nm := name[:5+rng.IntN(16)]
		for k := range nm {
			nm[k] = letters[rng.IntN(len(letters))]
		}
		b.Field(4).(*array.StringBuilder).BinaryBuilder.Append(nm)
		b.Field(5).(*array.Date32Builder).Append(arrow.Date32(10957 + rng.IntN(9131)))
		b.Field(6).(*array.BooleanBuilder).Append(rng.IntN(2) == 0)
		b.Field(7).(*array.Float64Builder).Append(float64(rng.Int64N(2e11)-1e11) / 1e4)
		b.Field(8).(*array.Int64Builder).Append(rng.Int64N(1e10))
		b.Field(9).(*array.Float64Builder).Append(float64(rng.Int64N(1e10)) / 1e10)
	}
	return b.NewRecordBatch()
}

// BenchmarkWrite1MFile writes 1,000,000 rows to a file, each worker making its
// chunk's batch and encoding it, at most 2×workers chunks in flight: run under
// /usr/bin/time -v for the peak RSS.
func BenchmarkWrite1MFile(b *testing.B) {
	const rows, chunk = 1_000_000, 16384
	workers := runtime.GOMAXPROCS(0)
	for b.Loop() {
		f, err := os.Create(filepath.Join(b.TempDir(), "1m.xlsx"))
		if err != nil {
			b.Fatal(err)
		}
		w, _ := New(f, Options{})
		s, _ := w.AddSheet("Data", benchSchema)
		n := (rows + chunk - 1) / chunk
		results := make([]chan *Part, n)
		for i := range results {
			results[i] = make(chan *Part, 1)
		}
		window := make(chan struct{}, 2*workers)
		next := make(chan int)
		go func() {
			for i := range n {
				window <- struct{}{}
				next <- i
			}
			close(next)
		}()
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for i := range next {
					batch := genBatch(i*chunk, min(chunk, rows-i*chunk))
					p, err := s.EncodeChunk(batch)
					batch.Release()
					if err != nil {
						panic(err)
					}
					results[i] <- p
				}
			})
		}
		for _, r := range results {
			if err := w.Append(<-r); err != nil {
				b.Fatal(err)
			}
			<-window
		}
		wg.Wait()
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		st, _ := f.Stat()
		b.ReportMetric(float64(st.Size())/1e6, "MB")
		f.Close()
	}
}

// BenchmarkCSVToXLSX is csv2xlsx's job with this package: read a gen_csv.py file
// (XLSXOUT_BENCH_CSV), type its columns into batches of 16,384 rows on one
// goroutine, encode them on GOMAXPROCS workers, write the workbook to a file.
// Compare with ../shared/bench/goexcelize/cmd/csv2xlsx on the same file.
func BenchmarkCSVToXLSX(b *testing.B) {
	path := os.Getenv("XLSXOUT_BENCH_CSV")
	if path == "" {
		b.Skip("set XLSXOUT_BENCH_CSV to a gen_csv.py file")
	}
	for b.Loop() {
		if err := csvToXLSX(path, filepath.Join(b.TempDir(), "out.xlsx")); err != nil {
			b.Fatal(err)
		}
	}
}

func csvToXLSX(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	cr := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
	cr.ReuseRecord = true
	if _, err := cr.Read(); err != nil {
		return err
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	defer o.Close()
	w, _ := New(o, Options{})
	s, _ := w.AddSheet("Data", benchSchema)
	workers := runtime.GOMAXPROCS(0)
	type job struct {
		batch arrow.RecordBatch
		part  chan *Part
	}
	jobs, order := make(chan job), make(chan job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				p, err := s.EncodeChunk(j.batch)
				j.batch.Release()
				if err != nil {
					panic(err)
				}
				j.part <- p
			}
		})
	}
	parseErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		bld := array.NewRecordBuilder(memory.DefaultAllocator, benchSchema.Arrow())
		defer bld.Release()
		emit := func() {
			j := job{bld.NewRecordBatch(), make(chan *Part, 1)}
			order <- j
			jobs <- j
		}
		rows := 0
		for {
			r, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				parseErr <- err
				return
			}
			id, _ := strconv.ParseInt(r[0], 10, 64)
			a, _ := strconv.ParseFloat(r[1], 64)
			bv, _ := strconv.ParseInt(r[2], 10, 64)
			dt, _ := time.Parse(time.DateOnly, r[5])
			c, _ := strconv.ParseFloat(r[7], 64)
			d, _ := strconv.ParseInt(r[8], 10, 64)
			e, _ := strconv.ParseFloat(r[9], 64)
			bld.Field(0).(*array.Int64Builder).Append(id)
			bld.Field(1).(*array.Float64Builder).Append(a)
			bld.Field(2).(*array.Int64Builder).Append(bv)
			bld.Field(3).(*array.StringBuilder).Append(r[3])
			bld.Field(4).(*array.StringBuilder).Append(r[4])
			bld.Field(5).(*array.Date32Builder).Append(arrow.Date32FromTime(dt))
			bld.Field(6).(*array.BooleanBuilder).Append(r[6] == "true")
			bld.Field(7).(*array.Float64Builder).Append(c)
			bld.Field(8).(*array.Int64Builder).Append(d)
			bld.Field(9).(*array.Float64Builder).Append(e)
			if rows++; rows%16384 == 0 {
				emit()
			}
		}
		if rows%16384 != 0 {
			emit()
		}
		parseErr <- nil
	}()
	for j := range order {
		if err := w.Append(<-j.part); err != nil {
			return err
		}
	}
	wg.Wait()
	if err := <-parseErr; err != nil {
		return err
	}
	return w.Close()
}
