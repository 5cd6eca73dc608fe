package parquetout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/ptransform/ptransform/internal/schema"
)

// allTypes has one column of every schema type.
var allTypes = schema.Schema{
	{Name: "s", Type: schema.String},
	{Name: "i", Type: schema.Int},
	{Name: "f", Type: schema.Float},
	{Name: "b", Type: schema.Bool},
	{Name: "d", Type: schema.Date},
	{Name: "ts", Type: schema.Datetime},
	{Name: "t", Type: schema.Time},
	{Name: "dur", Type: schema.Duration},
	{Name: "few_s", Type: schema.String}, // few distinct values: dictionary encoded
	{Name: "few_i", Type: schema.Int},
	{Name: "few_f", Type: schema.Float},
	{Name: "few_d", Type: schema.Date},
	{Name: "none_ts", Type: schema.Datetime}, // only nulls
}

// Row r's value in column col, or nil for a null; a different null pattern per type. The
// values of columns named few_* repeat every 5 rows, those of run_* come in runs of 37
// rows, those of none_* are null, those of all_* never (and their strings are in order).
func cell(col schema.Column, r int) any {
	switch {
	case strings.HasPrefix(col.Name, "few_"):
		r %= 5
	case strings.HasPrefix(col.Name, "run_"):
		r /= 37
	case strings.HasPrefix(col.Name, "none_"):
		return nil
	}
	c := col.Type
	if r%(7+2*int(c)) == 3+int(c) && !strings.HasPrefix(col.Name, "all_") {
		return nil
	}
	switch c {
	case schema.Int:
		if r == 5 {
			return int64(1)<<53 + 1 // exact beyond float64
		}
		return int64(r)*1_000_003 - 5_000_000_000
	case schema.Float:
		return float64(r)/3 - 100
	case schema.Bool:
		return r%3 == 0
	case schema.Date:
		return arrow.Date32(18_000 + r%1000 - 500*(r%2)) // before and after 1970's days
	case schema.Datetime:
		return arrow.Timestamp(1_700_000_000_000_000 + int64(r)*1_000_001 - int64(r%2)*3_000_000_000_000_000)
	case schema.Time:
		return arrow.Time64(int64(r) * 1_000_003 % 86_400_000_000)
	case schema.Duration:
		return arrow.Duration(int64(r)*3_600_000_001 - 40_000_000_000)
	}
	if strings.HasPrefix(col.Name, "all_") {
		return fmt.Sprintf("%09d", r) // in row order: the last row of a range is its max
	}
	return fmt.Sprintf("v%d é\"%d", r%50, r)
}

// rows builds rows [from, to) of s as one batch.
func rows(s schema.Schema, from, to int) arrow.RecordBatch {
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.Arrow())
	defer b.Release()
	for i, c := range s {
		f := b.Field(i)
		for r := from; r < to; r++ {
			v := cell(c, r)
			if v == nil {
				f.AppendNull()
				continue
			}
			switch f := f.(type) {
			case *array.StringBuilder:
				f.Append(v.(string))
			case *array.Int64Builder:
				f.Append(v.(int64))
			case *array.Float64Builder:
				f.Append(v.(float64))
			case *array.BooleanBuilder:
				f.Append(v.(bool))
			case *array.Date32Builder:
				f.Append(v.(arrow.Date32))
			case *array.TimestampBuilder:
				f.Append(v.(arrow.Timestamp))
			case *array.Time64Builder:
				f.Append(v.(arrow.Time64))
			case *array.DurationBuilder:
				f.Append(v.(arrow.Duration))
			}
		}
	}
	return b.NewRecordBatch()
}

// chunked cuts rows [0, n) into batches of size rows (the last one the rest).
func chunked(s schema.Schema, n, size int) []arrow.RecordBatch {
	var out []arrow.RecordBatch
	for from := 0; from < n; from += size {
		out = append(out, rows(s, from, min(n, from+size)))
	}
	return out
}

// writeParquet runs the engine's seam: workers goroutines call EncodeChunk, this goroutine
// Appends the parts in order, then Close.
func writeParquet(t testing.TB, s schema.Schema, batches []arrow.RecordBatch, opt Options) []byte {
	t.Helper()
	var out bytes.Buffer
	w, err := New(&out, s, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := pipeline(w, batches, max(1, opt.Workers)); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func pipeline(w *Writer, batches []arrow.RecordBatch, workers int) error {
	parts := make([]chan Part, len(batches))
	next := make(chan int, len(batches))
	for i := range parts {
		parts[i] = make(chan Part, 1)
		next <- i
	}
	close(next)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range workers {
		wg.Go(func() {
			for i := range next {
				p, err := w.EncodeChunk(batches[i])
				if err != nil {
					errs <- err
					return
				}
				parts[i] <- p
			}
		})
	}
	for i := range batches {
		select {
		case p := <-parts[i]:
			if err := w.Append(p); err != nil {
				w.Abort()
				return err
			}
		case err := <-errs:
			w.Abort()
			return err
		}
	}
	return w.Close()
}

func readTable(t *testing.T, data []byte) arrow.Table {
	t.Helper()
	tbl, err := pqarrow.ReadTable(context.Background(), bytes.NewReader(data), nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("reading the file back: %v", err)
	}
	t.Cleanup(tbl.Release)
	return tbl
}

func rowGroupSizes(t *testing.T, data []byte) []int64 {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var sizes []int64
	for i := range r.NumRowGroups() {
		sizes = append(sizes, r.MetaData().RowGroup(i).NumRows())
	}
	return sizes
}

// checkValues compares every column of tbl with rows [0, n) of s.
func checkValues(t *testing.T, s schema.Schema, tbl arrow.Table, n int) {
	t.Helper()
	if tbl.NumRows() != int64(n) || int(tbl.NumCols()) != len(s) {
		t.Fatalf("read %d rows × %d columns, want %d × %d", tbl.NumRows(), tbl.NumCols(), n, len(s))
	}
	want := rows(s, 0, n)
	defer want.Release()
	for i, c := range s {
		wantType, wantValues := c.Type.ArrowType(), want.Column(i)
		switch c.Type {
		case schema.Duration: // microseconds as INT64
			wantType = arrow.PrimitiveTypes.Int64
		case schema.Datetime: // isAdjustedToUTC=false: no zone (FixedWidthTypes.Timestamp_us says UTC)
			wantType = &arrow.TimestampType{Unit: arrow.Microsecond}
		}
		if wantType != c.Type.ArrowType() {
			wantValues = array.MakeFromData(array.NewData(wantType, wantValues.Len(), wantValues.Data().Buffers(), nil, wantValues.NullN(), 0))
			defer wantValues.Release()
		}
		if got := tbl.Schema().Field(i); got.Name != c.Name || !arrow.TypeEqual(got.Type, wantType) {
			t.Errorf("column %d read as %s %s, want %s %s", i, got.Name, got.Type, c.Name, wantType)
			continue
		}
		got, err := array.Concatenate(tbl.Column(i).Data().Chunks(), memory.DefaultAllocator)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 && !array.Equal(got, wantValues) {
			t.Errorf("column %s: values differ\n got %v\nwant %v", c.Name, got, wantValues)
		}
		got.Release()
	}
}

func TestRoundTripEveryTypeWithNulls(t *testing.T) {
	const n = 1000
	data := writeParquet(t, allTypes, chunked(allTypes, n, 170), Options{RowGroupRows: 300, Workers: 2})
	checkValues(t, allTypes, readTable(t, data), n)
	if got := fmt.Sprint(rowGroupSizes(t, data)); got != "[300 300 300 100]" {
		t.Errorf("row groups %s, want [300 300 300 100]", got)
	}
}

func TestParquetTypes(t *testing.T) {
	data := writeParquet(t, allTypes, chunked(allTypes, 10, 10), Options{})
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := []string{
		"s BYTE_ARRAY String",
		"i INT64 None",
		"f DOUBLE None",
		"b BOOLEAN None",
		"d INT32 Date",
		"ts INT64 Timestamp(isAdjustedToUTC=false, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)",
		"t INT64 Time(isAdjustedToUTC=false, timeUnit=microseconds)",
		"dur INT64 None",
	}
	if r.MetaData().Schema.NumColumns() != len(allTypes) {
		t.Fatalf("%d columns, want %d", r.MetaData().Schema.NumColumns(), len(allTypes))
	}
	sc := r.MetaData().Schema
	for i, w := range want {
		c := sc.Column(i)
		if got := fmt.Sprintf("%s %s %s", c.Name(), c.PhysicalType(), c.LogicalType()); got != w {
			t.Errorf("column %d is %q, want %q", i, got, w)
		}
	}
	if got := r.MetaData().KeyValueMetadata().FindValue(DurationKey); got == nil || *got != `["dur"]` {
		t.Errorf("%s is %v, want [\"dur\"]", DurationKey, got)
	}
	if got := r.MetaData().GetCreatedBy(); got != "ptransform" {
		t.Errorf("created_by %q, want ptransform", got)
	}
}

func TestDictionaryOnlyForRepeatedValues(t *testing.T) {
	data := writeParquet(t, allTypes, chunked(allTypes, 5000, 5000), Options{})
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var dictionary []string
	for i, c := range allTypes {
		chunk, err := r.MetaData().RowGroup(0).ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if chunk.HasDictionaryPage() {
			dictionary = append(dictionary, c.Name)
		}
	}
	if got := fmt.Sprint(dictionary); got != "[d few_s few_i few_f few_d none_ts]" { // d: 1000 days
		t.Errorf("dictionary encoded: %s, want the columns of few values (and the null one)", got)
	}
}

// Days spread over eight years (3,000 of them, 73% of a sample of 4,096 distinct) are
// dictionary encoded, as DuckDB does: smaller and faster than PLAIN; unique values are not,
// nulls or not.
func TestDictionaryForSomeRepetition(t *testing.T) {
	s := schema.Schema{{Name: "day", Type: schema.Date}, {Name: "id", Type: schema.Int}}
	const n = 20_000
	b := array.NewRecordBuilder(memory.DefaultAllocator, s.Arrow())
	defer b.Release()
	for r := range n {
		b.Field(0).(*array.Date32Builder).Append(arrow.Date32(10_000 + r*7919%3000))
		if r%3 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.Int64Builder).Append(int64(r))
		}
	}
	batch := b.NewRecordBatch()
	defer batch.Release()
	data := writeParquet(t, s, []arrow.RecordBatch{batch}, Options{})
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for i, want := range []bool{true, false} {
		chunk, err := r.MetaData().RowGroup(0).ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		if got := chunk.HasDictionaryPage(); got != want {
			t.Errorf("column %s: dictionary %v, want %v", s[i].Name, got, want)
		}
	}
	tbl := readTable(t, data)
	defer tbl.Release()
	for i := range s {
		got := array.NewChunkedSlice(tbl.Column(i).Data(), 0, n)
		defer got.Release()
		if len(got.Chunks()) != 1 || !array.Equal(got.Chunk(0), batch.Column(i)) {
			t.Errorf("column %s: read back other values", s[i].Name)
		}
	}
}

func TestRowGroupsByRowsNotChunks(t *testing.T) {
	for _, tc := range []struct {
		name                string
		rows, chunk, rgRows int
		want                string
	}{
		{"groups exactly full", 600, 300, 300, "[300 300]"},
		{"chunks exactly fill a group", 600, 100, 300, "[300 300]"},
		{"a chunk across two groups", 500, 250, 300, "[300 200]"},
		{"a chunk across many groups", 1000, 1000, 300, "[300 300 300 100]"},
		{"one-row chunks", 7, 1, 3, "[3 3 1]"},
		{"fewer rows than a group", 5, 2, 300, "[5]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := writeParquet(t, allTypes, chunked(allTypes, tc.rows, tc.chunk), Options{RowGroupRows: tc.rgRows, Workers: 3})
			if got := fmt.Sprint(rowGroupSizes(t, data)); got != tc.want {
				t.Errorf("row groups %s, want %s", got, tc.want)
			}
			checkValues(t, allTypes, readTable(t, data), tc.rows)
		})
	}
}

func TestHeaderOnlyIsAValidEmptyFile(t *testing.T) {
	for _, batches := range [][]arrow.RecordBatch{nil, {rows(allTypes, 0, 0)}} {
		data := writeParquet(t, allTypes, batches, Options{})
		if len(rowGroupSizes(t, data)) != 0 {
			t.Errorf("an empty output has row groups")
		}
		checkValues(t, allTypes, readTable(t, data), 0)
	}
}

func TestSameBytesForAnyChunkingAndWorkers(t *testing.T) {
	const n = 2500
	for _, compression := range Compressions {
		var first []byte
		for _, chunk := range []int{7, 300, 1000, n} {
			for _, workers := range []int{1, 2, 8} {
				data := writeParquet(t, allTypes, chunked(allTypes, n, chunk), Options{Compression: compression, RowGroupRows: 1000, Workers: workers})
				if first == nil {
					first = data
					checkValues(t, allTypes, readTable(t, data), n)
				} else if !bytes.Equal(data, first) {
					t.Fatalf("%s: chunks of %d rows with %d workers give other bytes", compression, chunk, workers)
				}
			}
		}
	}
}

func TestCompressionNamesTheCodec(t *testing.T) {
	want := map[string]string{"": "ZSTD", "zstd": "ZSTD", "snappy": "SNAPPY", "gzip": "GZIP", "none": "UNCOMPRESSED"}
	for name, codec := range want {
		data := writeParquet(t, allTypes, chunked(allTypes, 50, 50), Options{Compression: name})
		r, err := file.NewParquetReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(allTypes) {
			col, err := r.MetaData().RowGroup(0).ColumnChunk(i)
			if err != nil {
				t.Fatal(err)
			}
			if got := col.Compression().String(); got != codec {
				t.Errorf("--compression %q: column %d is %s, want %s", name, i, got, codec)
			}
		}
		r.Close()
	}
}

func TestRefusals(t *testing.T) {
	if _, err := New(&bytes.Buffer{}, allTypes, Options{Compression: "lz4"}); err == nil || !strings.Contains(err.Error(), `"lz4"`) {
		t.Errorf("unknown compression: %v", err)
	}
	if _, err := New(&bytes.Buffer{}, nil, Options{}); err == nil {
		t.Error("a schema with no columns was accepted")
	}
	if _, err := New(&bytes.Buffer{}, allTypes, Options{RowGroupRows: -1}); err == nil {
		t.Error("a negative row group size was accepted")
	}
	w, err := New(&bytes.Buffer{}, allTypes, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	wrongType := append(schema.Schema{}, allTypes...)
	wrongType[1].Type = schema.String
	batch := rows(wrongType, 0, 3)
	if _, err := w.EncodeChunk(batch); err == nil || !strings.Contains(err.Error(), `column "i"`) {
		t.Errorf("a string column where the schema says int: %v", err)
	}
	if _, err := w.EncodeChunk(rows(allTypes[:3], 0, 3)); err == nil {
		t.Error("a chunk with too few columns was accepted")
	}
}

// A full row group is encoded by the writer's encoders while the workers go on: neither
// EncodeChunk nor Append does it, and nothing waits for another chunk to start it.
func TestRowGroupsEncodeWhileTheWorkersGoOn(t *testing.T) {
	w, err := New(&bytes.Buffer{}, allTypes, Options{RowGroupRows: 100, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.EncodeChunk(rows(allTypes, 0, 100))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(p); err != nil {
		t.Fatal(err)
	}
	if len(w.inFlight) != 1 {
		t.Fatalf("%d row groups in flight after one full group, want 1", len(w.inFlight))
	}
	select {
	case <-w.inFlight[0].done:
	case <-time.After(20 * time.Second):
		t.Fatal("the full row group was not encoded while no chunk came")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if p, err = w.EncodeChunk(rows(allTypes, 100, 200)); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(p); err == nil {
		t.Error("Append after Close succeeded")
	}
}

func TestAbortAfterAppend(t *testing.T) {
	w, err := New(&bytes.Buffer{}, allTypes, Options{RowGroupRows: 10})
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.EncodeChunk(rows(allTypes, 0, 35))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Append(p); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	// the rows gathered and those of the row group in flight are given back: the pool's
	// memory (the copied text) is unmapped, not left mapped for the rest of the process
	if w.buffers.out != 0 || w.buffers.slabs.Regions() != 0 {
		t.Errorf("after Abort, %d pooled buffers not back, %d slabs mapped", w.buffers.out, w.buffers.slabs.Regions())
	}
	if err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
}

// failingWriter accepts limit bytes, then fails like a full disk.
type failingWriter struct{ limit int }

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.limit {
		n := f.limit
		f.limit = 0
		return n, errDiskFull
	}
	f.limit -= len(p)
	return len(p), nil
}

func TestAWriteErrorStopsTheFile(t *testing.T) {
	for _, limit := range []int{0, 100, 20_000} {
		w, err := New(&failingWriter{limit: limit}, allTypes, Options{RowGroupRows: 100, Workers: 2})
		if err != nil {
			if limit == 0 && errors.Is(err, errDiskFull) {
				continue
			}
			t.Fatalf("limit %d: New: %v", limit, err)
		}
		err = pipeline(w, chunked(allTypes, 1000, 64), 2)
		if !errors.Is(err, errDiskFull) {
			t.Errorf("limit %d: the run ended with %v, want the write error", limit, err)
		}
	}
}

func TestSpecialFloatsKeepTheirBits(t *testing.T) {
	s := schema.Schema{{Name: "f", Type: schema.Float}}
	values := []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0, math.MaxFloat64, math.SmallestNonzeroFloat64}
	b := array.NewFloat64Builder(memory.DefaultAllocator)
	b.AppendValues(values, nil)
	col := b.NewArray()
	batch := array.NewRecordBatch(s.Arrow(), []arrow.Array{col}, int64(len(values)))
	tbl := readTable(t, writeParquet(t, s, []arrow.RecordBatch{batch}, Options{}))
	got := tbl.Column(0).Data().Chunk(0).(*array.Float64).Float64Values()
	for i, v := range values {
		if math.Float64bits(got[i]) != math.Float64bits(v) {
			t.Errorf("value %d: read %v, wrote %v", i, got[i], v)
		}
	}
}

// Memory stays bounded by the work in flight: at most Workers row groups wait for their
// encoding; beyond that Append waits for the oldest and writes it first.
// One row group in flight at most, whatever the workers: the memory of a second one (and
// a third at two workers) was fresh memory, faulted in.
func TestRowGroupsInFlightAreBounded(t *testing.T) {
	for _, workers := range []int{1, 4} {
		var out bytes.Buffer
		w, err := New(&out, allTypes, Options{RowGroupRows: 1000, Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.EncodeChunk(rows(allTypes, 0, 9500))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(p); err != nil {
			t.Fatal(err)
		}
		if len(w.inFlight) > 1 || w.pendingRows != 500 {
			t.Errorf("workers %d: %d row groups in flight and %d rows gathered, want at most 1 and 500", workers, len(w.inFlight), w.pendingRows)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(rowGroupSizes(t, out.Bytes())); got != "[1000 1000 1000 1000 1000 1000 1000 1000 1000 500]" {
			t.Errorf("workers %d: row groups %s", workers, got)
		}
		checkValues(t, allTypes, readTable(t, out.Bytes()), 9500)
	}
}

// A part holds no reference to its chunk's text once EncodeChunk returns: a CSV decoder
// reuses those buffers for its next chunk (sink.RetainsTyped). The chunks here are slices of
// one batch (offsets not from 0, validity bits not from bit 0) whose text and validity
// bitmaps are overwritten after EncodeChunk, before the rows are written.
func TestPartsKeepNoTextOfTheirChunk(t *testing.T) {
	const n = 1000
	full := rows(allTypes, 0, n)
	defer full.Release()
	var out bytes.Buffer
	w, err := New(&out, allTypes, Options{RowGroupRows: 300, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	var parts []Part
	for from := 0; from < n; from += 170 {
		slice := full.NewSlice(int64(from), int64(min(n, from+170)))
		p, err := w.EncodeChunk(slice)
		slice.Release()
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	for i, c := range allTypes {
		if c.Type != schema.String {
			continue
		}
		bufs := full.Column(i).Data().Buffers()
		for _, b := range []*memory.Buffer{bufs[0], bufs[2]} {
			if b != nil {
				data := b.Bytes()
				for k := range data {
					data[k] = 0x55 // 'U', and every other row valid
				}
			}
		}
	}
	for _, p := range parts {
		if err := w.Append(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, allTypes, readTable(t, out.Bytes()), n)
}
