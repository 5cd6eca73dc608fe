package csvfmt

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// derivedBatch is what `apply -e 'total = a * b'` hands the writer for the benchmark CSV
// (tools/gencsv): its ten string columns and a Float64 column of a*b.
func derivedBatch(rows int) arrow.RecordBatch {
	r := rand.New(rand.NewPCG(42, 1))
	cats := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"}
	const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ     "
	mem := memory.DefaultAllocator
	sbs := make([]*array.StringBuilder, 10)
	for j := range sbs {
		sbs[j] = array.NewStringBuilder(mem)
		defer sbs[j].Release()
	}
	fb := array.NewFloat64Builder(mem)
	defer fb.Release()
	day0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	name := make([]byte, 0, 32)
	for i := range rows {
		aText := strconv.FormatFloat(r.Float64()*1000, 'f', 6, 64)
		b := r.IntN(1001)
		a, _ := strconv.ParseFloat(aText, 64)
		name = name[:0]
		for k := 5 + r.IntN(16); k > 0; k-- {
			name = append(name, letters[r.IntN(len(letters))])
		}
		if r.IntN(50) == 0 {
			name = append(name, ',', 'x')
		}
		vals := []string{
			strconv.Itoa(i + 1), aText, strconv.Itoa(b), cats[r.IntN(len(cats))], string(name),
			day0.AddDate(0, 0, r.IntN(9000)).Format("2006-01-02"), strconv.FormatBool(r.IntN(2) == 0),
			strconv.FormatFloat(r.Float64()*2e7-1e7, 'f', 4, 64), strconv.FormatInt(r.Int64N(1e10), 10),
			strconv.FormatFloat(r.Float64(), 'f', 10, 64),
		}
		for j, v := range vals {
			sbs[j].Append(v)
		}
		fb.Append(a * float64(b))
	}
	cols := make([]arrow.Array, 11)
	fields := make([]arrow.Field, 11)
	for j := range sbs {
		cols[j] = sbs[j].NewArray()
		fields[j] = arrow.Field{Name: fmt.Sprint("c", j), Type: arrow.BinaryTypes.String, Nullable: true}
	}
	cols[10] = fb.NewArray()
	fields[10] = arrow.Field{Name: "total", Type: arrow.PrimitiveTypes.Float64, Nullable: true}
	return array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows))
}

func BenchmarkAppendChunkTyped(b *testing.B) {
	const rows = 64 << 10
	batch := derivedBatch(rows)
	var out []byte
	var err error
	out, _ = Writer{}.AppendChunk(out, batch)
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for b.Loop() {
		if out, err = (Writer{}).AppendChunk(out[:0], batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
