package lookup

import (
	"math/rand/v2"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// textChunk makes a chunk of text columns from their values ("" is null).
func textChunk(names []string, columns [][]string) *table.Chunk {
	cols := make([]arrow.Array, len(columns))
	for j, values := range columns {
		var data []byte
		offsets := []int32{0}
		valid := make([]byte, (len(values)+7)/8)
		nulls := 0
		for i, v := range values {
			data = append(data, v...)
			offsets = append(offsets, int32(len(data)))
			if v == "" {
				nulls++
			} else {
				valid[i/8] |= 1 << (i % 8)
			}
		}
		cols[j] = table.StringColumn(data, offsets, valid, nulls)
	}
	return &table.Chunk{Source: table.Source{File: "mem.csv"}, Row0: 1,
		Batch: array.NewRecordBatch(table.StringSchema(names), cols, int64(len(columns[0])))}
}

// readChunks reads a reference of the chunks cs, as a run's reader does.
func readChunks(cs ...*table.Chunk) ReadFunc {
	return func(_ []bool, take func(*table.Chunk) (any, error), keep func(any) error) error {
		for _, c := range cs {
			taken, err := take(c)
			if err != nil {
				return err
			}
			if err := keep(taken); err != nil {
				return err
			}
		}
		return nil
	}
}

// benchStage is a left lookup of 100k products by product_id, adding name and price.
func benchStage(b *testing.B) *Stage {
	const products = 100000
	ids, names, prices := make([]string, products), make([]string, products), make([]string, products)
	for i := range ids {
		ids[i] = strconv.Itoa(i + 1)
		name := []byte("Product ") // 13 to 23 bytes, as benchdata.WriteProducts writes them
		for k := 5 + i*7919%11; k > 0; k-- {
			name = append(name, byte('a'+(i+k)%26))
		}
		names[i] = string(name)
		prices[i] = strconv.Itoa(1+i%500) + "." + strconv.Itoa(1+i%9)
	}
	ref := textChunk([]string{"product_id", "name", "price"}, [][]string{ids, names, prices})
	r := NewReference(Spec{Path: "products.csv", On: "product_id", Select: []string{"name", "price"}},
		[]string{"product_id", "name", "price"}, 1<<30, readChunks(ref))
	s, err := Compile([]*Reference{r}, []string{"order_id", "product_id", "qty"}, expr.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// benchRows is the number of orders of a benchmark chunk.
const benchRows = 1 << 16

// benchOrders is a chunk of benchRows orders, 1% of them of no product of benchStage's.
func benchOrders() *table.Chunk { return benchOrdersOf(benchRows, 1) }

// benchOrdersOf is a chunk of rows orders drawn with seed, as benchOrders's.
func benchOrdersOf(rows int, seed uint64) *table.Chunk {
	rng := rand.New(rand.NewPCG(seed, 2))
	orderIDs, productIDs, qty := make([]string, rows), make([]string, rows), make([]string, rows)
	for i := range rows {
		orderIDs[i] = strconv.Itoa(i + 1)
		productIDs[i] = strconv.Itoa(1 + rng.IntN(101000))
		qty[i] = strconv.Itoa(1 + rng.IntN(20))
	}
	return textChunk([]string{"order_id", "product_id", "qty"}, [][]string{orderIDs, productIDs, qty})
}

// BenchmarkProbe measures the lookup stage over a chunk of 64k orders (1% of them of no
// product): key reading, probing, and building the added columns.
func BenchmarkProbe(b *testing.B) {
	s := benchStage(b)
	c := benchOrders()
	w := s.NewWorker()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		out, _, err := w.Apply(c)
		if err != nil {
			b.Fatal(err)
		}
		out.Batch.Release()
		w.Recycle()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/benchRows, "cpu-ns/row")
}

// BenchmarkProbeChunks is BenchmarkProbe over chunks of a run's size (2,600 orders, a
// 256 KiB chunk of the lookup's orders.csv), 64 different ones in turn: the reference's
// lines a chunk touches are mostly not those of the chunk before, as in a run, where
// BenchmarkProbe's one chunk of 64k orders finds them again in the cache.
func BenchmarkProbeChunks(b *testing.B) {
	const rows, chunks = 2600, 64
	s := benchStage(b)
	cs := make([]*table.Chunk, chunks)
	for k := range cs {
		cs[k] = benchOrdersOf(rows, uint64(k+1))
	}
	w := s.NewWorker()
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		out, _, err := w.Apply(cs[n%chunks])
		if err != nil {
			b.Fatal(err)
		}
		out.Batch.Release()
		w.Recycle()
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/rows, "cpu-ns/row")
}

// BenchmarkProbeParallel is BenchmarkProbe on every core at once (-cpu 1,2): the cost a
// row of the shared reference takes when the workers probe it together.
func BenchmarkProbeParallel(b *testing.B) {
	s := benchStage(b)
	c := benchOrders()
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		w := s.NewWorker()
		for pb.Next() {
			out, _, err := w.Apply(c)
			if err != nil {
				b.Error(err)
				return
			}
			out.Batch.Release()
			w.Recycle()
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/benchRows, "cpu-ns/row")
}

// cpuTime is the process's CPU time (user and system) so far: on a machine shared with
// other work, a rate per CPU second varies less than one per wall-clock second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
