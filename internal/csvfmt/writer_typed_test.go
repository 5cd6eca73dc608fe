package csvfmt

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/table"
)

// randomTypedColumn builds a column of one of the types transforms produce, about one
// value in six null, and slices it so that it does not start at offset 0.
func randomTypedColumn(r *rand.Rand, kind, rows int) arrow.Array {
	mem := memory.DefaultAllocator
	valid := make([]bool, rows+2)
	for i := range valid {
		valid[i] = r.IntN(6) > 0
	}
	var arr arrow.Array
	switch kind {
	case 0:
		b := array.NewInt64Builder(mem)
		for range valid {
			b.Append(r.Int64N(2e6) - 1e6)
		}
		arr = b.NewArray()
	case 1:
		b := array.NewFloat64Builder(mem)
		for range valid {
			a, _ := strconv.ParseFloat(strconv.FormatFloat(r.Float64()*1000, 'f', 6, 64), 64)
			f := []float64{a * float64(r.IntN(1001)), -a, math.Float64frombits(r.Uint64()), float64(r.IntN(100)), 1e-7 * a}[r.IntN(5)]
			b.Append(f)
		}
		arr = b.NewArray()
	case 2:
		b := array.NewBooleanBuilder(mem)
		for range valid {
			b.Append(r.IntN(2) == 0)
		}
		arr = b.NewArray()
	case 3:
		b := array.NewDate32Builder(mem)
		for range valid {
			b.Append(arrow.Date32(r.IntN(40000) - 10000))
		}
		arr = b.NewArray()
	case 4:
		b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Microsecond})
		for range valid {
			v := r.Int64N(4e15) - 1e15
			if r.IntN(2) == 0 {
				v -= v % 1e6
			}
			b.Append(arrow.Timestamp(v))
		}
		arr = b.NewArray()
	default:
		vals := make([]*string, len(valid))
		for i := range vals {
			vals[i] = ptr([]string{"x", "1.5", "a:b", "-", "q\"", ""}[r.IntN(6)])
		}
		arr = stringArray(vals)
	}
	// Apply the validity afterwards: the nulls keep values behind them.
	bitmap := make([]byte, (len(valid)+7)/8)
	nulls := 0
	for i, v := range valid {
		if v {
			bitmap[i/8] |= 1 << (i % 8)
		} else {
			nulls++
		}
	}
	d := arr.Data()
	bufs := append([]*memory.Buffer{memory.NewBufferBytes(bitmap)}, d.Buffers()[1:]...)
	arr = array.MakeFromData(array.NewData(d.DataType(), d.Len(), bufs, nil, nulls, 0))
	return array.NewSlice(arr, 1, int64(rows+1))
}

// TestWriterTypedMatchesPerValue compares the formatted-once path with writing each
// value through table.NewAppender and quoting it when it needs it, on random typed
// columns with nulls and delimiters that formatted values contain.
func TestWriterTypedMatchesPerValue(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for iter := range 300 {
		rows, ncols := 1+r.IntN(300), 1+r.IntN(5)
		w := Writer{Delimiter: ",.:-1eT;\tN"[iter%10], CRLF: iter%4 == 0}
		cols := make([]arrow.Array, ncols)
		fields := make([]arrow.Field, ncols)
		for j := range cols {
			kind := r.IntN(6)
			if iter%3 == 0 {
				kind = 1
			}
			cols[j] = randomTypedColumn(r, kind, rows)
			fields[j] = arrow.Field{Name: fmt.Sprint("c", j), Type: cols[j].DataType(), Nullable: true}
		}
		batch := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows))
		got, err := w.AppendChunk([]byte("prefix"), batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []byte("prefix")
		for i := range rows {
			line := len(want)
			for j, col := range cols {
				if j > 0 {
					want = append(want, w.delim())
				}
				app, err := table.NewAppender(col)
				if err != nil {
					t.Fatal(err)
				}
				if v := app(nil, i); w.needsQuotes(v) {
					want = appendQuoted(want, v)
				} else {
					want = append(want, v...)
				}
			}
			if ncols == 1 && len(want) == line {
				want = append(want, `""`...)
			}
			want = w.eol(want)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("iteration %d, delimiter %q:\ngot  %q\nwant %q", iter, w.delim(), got, want)
		}
	}
}

// TestWriterTypedBuffersReused checks that a chunk's text does not leak into the next
// one through the recycled buffers: a long column, then a short one.
func TestWriterTypedBuffersReused(t *testing.T) {
	mem := memory.DefaultAllocator
	long := array.NewFloat64Builder(mem)
	for i := range 1000 {
		long.Append(float64(i) + 0.123456)
	}
	short := array.NewFloat64Builder(mem)
	short.AppendValues([]float64{1.5, 2}, []bool{true, false})
	schema := arrow.NewSchema([]arrow.Field{{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}, nil)
	w := Writer{Delimiter: '.'}
	if _, err := w.AppendChunk(nil, array.NewRecordBatch(schema, []arrow.Array{long.NewArray()}, 1000)); err != nil {
		t.Fatal(err)
	}
	out, err := w.AppendChunk(nil, array.NewRecordBatch(schema, []arrow.Array{short.NewArray()}, 2))
	if err != nil || string(out) != "\"1.5\"\n\"\"\n" {
		t.Fatalf("%q %v", out, err)
	}
}
