package xlsxout

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
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
