package schema

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/benchdata"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// isoDate, the whole-column way's date read, gives ParseDate's day and verdict for every
// day of every year 0 to 10000 (and impossible ones: day 0, 29 to 32, month 0 and 13),
// and with any one byte of those texts changed.
func TestISODateAsParseDate(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	dates := []string{"2024-03-01", "2024/03/01", "2024-03-0a", "2024-03-01 ", "+024-03-01", "2024-0３-01", "٢٠٢٤-01-01", ""}
	for y := 0; y <= 10000; y++ {
		for m := 0; m <= 13; m++ {
			for _, d := range []int{0, 1, 28, 29, 30, 31, 32} {
				dates = append(dates, fmt.Sprintf("%04d-%02d-%02d", y, m, d))
			}
		}
	}
	for _, v := range dates {
		changed := []byte(v)
		if len(changed) > 0 {
			changed[rng.IntN(len(changed))] = byte(rng.IntN(256))
		}
		for _, v := range []string{v, string(changed)} {
			want, wantOK := ParseDate(v)
			if got, ok := isoDate([]byte(v)); ok != wantOK || got != want {
				t.Errorf("isoDate(%q) = %v %v, ParseDate %v %v", v, got, ok, want, wantOK)
			}
		}
	}
}

// BenchmarkConformGenCSV conforms the typed columns of benchdata's rows (gen_csv's ids,
// measured doubles, 10-digit ints, dates, flags) as the CSV decoder hands them over: one
// buffer per column. BenchmarkConform's short synthetic values hide how the byte loops
// mispredict on real widths.
func BenchmarkConformGenCSV(b *testing.B) {
	const rows = 4096
	var text bytes.Buffer
	if err := benchdata.Write(&text, rows); err != nil {
		b.Fatal(err)
	}
	records, err := csv.NewReader(&text).ReadAll()
	if err != nil {
		b.Fatal(err)
	}
	header := records[0]
	var s Schema
	var cols []arrow.Array
	for j, typ := range []Type{Int, Float, Int, String, String, Date, Bool, Float, Int, Float} {
		if typ == String {
			continue
		}
		builder := array.NewStringBuilder(memory.DefaultAllocator)
		for _, record := range records[1:] {
			builder.Append(record[j])
		}
		s = append(s, Column{Name: header[j], Type: typ})
		cols = append(cols, builder.NewArray())
	}
	names := make([]string, len(s))
	for j := range s {
		names[j] = s[j].Name
	}
	c := &table.Chunk{Batch: array.NewRecordBatch(table.StringSchema(names), cols, rows), Row0: 1}
	b.ReportAllocs()
	for b.Loop() {
		out, _, err := s.Conform(c, expr.OnErrorFail)
		if err != nil {
			b.Fatal(err)
		}
		out.Batch.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/rows, "ns/row")
}
