package parquetout

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/ptransform/ptransform/internal/duckdbtest"
	"github.com/ptransform/ptransform/internal/schema"
)

// paged has columns whose chunks take several pages at 300,000 rows (fixed width: 131,072
// rows a page; strings: 1 MiB), and dictionary columns with runs (RLE runs of indices wider
// than a byte) and with nulls in runs.
var paged = schema.Schema{
	{Name: "s", Type: schema.String},
	{Name: "i", Type: schema.Int},
	{Name: "f", Type: schema.Float},
	{Name: "b", Type: schema.Bool},
	{Name: "d", Type: schema.Date},
	{Name: "run_s", Type: schema.String},
	{Name: "run_i", Type: schema.Int},
	{Name: "run_b", Type: schema.Bool},
	{Name: "few_d", Type: schema.Date},
	{Name: "all_s", Type: schema.String},
	{Name: "all_f", Type: schema.Float},
}

// chunkStats are the statistics of every column chunk of a file, as the footer has them.
func chunkStats(t *testing.T, data []byte) []string {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for g := range r.NumRowGroups() {
		rg := r.MetaData().RowGroup(g)
		for c := range rg.NumColumns() {
			chunk, err := rg.ColumnChunk(c)
			if err != nil {
				t.Fatal(err)
			}
			stats, err := chunk.Statistics()
			if err != nil {
				t.Fatal(err)
			}
			desc := fmt.Sprintf("row group %d column %s: %d values", g, chunk.PathInSchema(), chunk.NumValues())
			if stats != nil {
				desc += fmt.Sprintf(", nulls %d (%v), min %x max %x (%v)", stats.NullCount(), stats.HasNullCount(),
					stats.EncodeMin(), stats.EncodeMax(), stats.HasMinMax())
			}
			out = append(out, desc)
		}
	}
	return out
}

// The statistics are those arrow-go's own writer (pqarrow) gives the same rows.
func TestStatisticsAsArrowGoWritesThem(t *testing.T) {
	s := append(schema.Schema{}, allTypes[:7]...) // not durations, which pqarrow types otherwise
	s = append(s, allTypes[8:]...)
	s = append(s, paged[5:]...)
	const n, rowGroup = 3000, 1000
	ours := writeParquet(t, s, chunked(s, n, 170), Options{RowGroupRows: rowGroup, Workers: 2})

	compareStats(t, ours, s, n, rowGroup)
}

// compareStats compares the statistics of a file of rows [0, n) of s with those pqarrow
// writes for the same rows.
func compareStats(t *testing.T, ours []byte, s schema.Schema, n, rowGroup int) {
	t.Helper()
	batch := rows(s, 0, n)
	defer batch.Release()
	tbl := array.NewTableFromRecords(batch.Schema(), []arrow.RecordBatch{batch})
	defer tbl.Release()
	var theirs bytes.Buffer
	props := parquet.NewWriterProperties(parquet.WithStats(true), parquet.WithDictionaryDefault(false))
	if err := pqarrow.WriteTable(tbl, &theirs, int64(rowGroup), props, pqarrow.DefaultWriterProps()); err != nil {
		t.Fatal(err)
	}
	got, want := chunkStats(t, ours), chunkStats(t, theirs.Bytes())
	if len(got) != len(want) {
		t.Fatalf("%d column chunks, pqarrow wrote %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s\npqarrow: %s", got[i], want[i])
		}
	}
}

// pageStats are the statistics and the number of values of the data pages of a column chunk.
func pageStats(t *testing.T, data []byte, rowGroup, column int) ([]metadata.EncodedStatistics, []int) {
	t.Helper()
	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	pages, err := r.RowGroup(rowGroup).GetColumnPageReader(column)
	if err != nil {
		t.Fatal(err)
	}
	var out []metadata.EncodedStatistics
	var values []int
	for pages.Next() {
		if page, ok := pages.Page().(*file.DataPageV1); ok {
			out = append(out, page.Statistics())
			values = append(values, int(page.NumValues()))
		}
	}
	if err := pages.Err(); err != nil {
		t.Fatal(err)
	}
	return out, values
}

// Column chunks of several pages, written from chunks whose rows straddle the pages, read
// back the same by arrow-go and DuckDB, and give the same bytes whatever the chunking.
func TestManyPagesReadBack(t *testing.T) {
	const n = 300_000
	data := writeParquet(t, paged, chunked(paged, n, 70_001), Options{RowGroupRows: n, Workers: 2})
	if other := writeParquet(t, paged, chunked(paged, n, n), Options{RowGroupRows: n, Workers: 1}); !bytes.Equal(data, other) {
		t.Fatal("one chunk and chunks of 70,001 rows give other bytes")
	}
	checkValues(t, paged, readTable(t, data), n)
	compareStats(t, data, paged, n, n)

	stats := chunkStats(t, data)
	for column, want := range map[int]int{0: 5, 1: 3, 2: 3} { // s: ~20 bytes a value, 1 MiB a page
		pages, _ := pageStats(t, data, 0, column)
		if len(pages) < want {
			t.Errorf("column %s: %d pages, want at least %d", paged[column].Name, len(pages), want)
		}
		var nulls int64
		var hasMin, hasMax bool
		for _, p := range pages {
			nulls += p.NullCount
			hasMin = hasMin || strings.Contains(stats[column], fmt.Sprintf(" min %x ", p.Min))
			hasMax = hasMax || strings.Contains(stats[column], fmt.Sprintf(" max %x ", p.Max))
		}
		if !strings.Contains(stats[column], fmt.Sprintf(" nulls %d ", nulls)) {
			t.Errorf("column %s: pages hold %d nulls, the chunk says %s", paged[column].Name, nulls, stats[column])
		}
		if !hasMin || !hasMax {
			t.Errorf("column %s: no page has the chunk's min or max: %s", paged[column].Name, stats[column])
		}
	}

	// all_s is in row order: a page's min is its first row, its max its last
	pages, values := pageStats(t, data, 0, 9)
	if len(pages) < 2 {
		t.Errorf("all_s: %d pages, want several", len(pages))
	}
	for i, first := 0, 0; i < len(pages); i++ {
		got := fmt.Sprintf("%s..%s", pages[i].Min, pages[i].Max)
		if want := fmt.Sprintf("%09d..%09d", first, first+values[i]-1); got != want {
			t.Errorf("all_s page %d: statistics %s, want %s", i, got, want)
		}
		first += values[i]
	}

	path := filepath.Join(t.TempDir(), "paged.parquet")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, got := duckdbtest.Query(t, path, `SELECT count(s)::VARCHAR, sum(length(s))::VARCHAR, count(i)::VARCHAR, sum(i)::VARCHAR,
		count(f)::VARCHAR, count(b)::VARCHAR, count_if(b)::VARCHAR, count(DISTINCT run_s)::VARCHAR, sum(run_i)::VARCHAR,
		count_if(run_b)::VARCHAR, count(few_d)::VARCHAR FROM t`)
	var want [11]int64
	batch := rows(paged, 0, n)
	defer batch.Release()
	distinct := map[string]bool{}
	for r := range n {
		if v := batch.Column(0).(*array.String); v.IsValid(r) {
			want[0]++
			want[1] += int64(len([]rune(v.Value(r))))
		}
		if v := batch.Column(1).(*array.Int64); v.IsValid(r) {
			want[2]++
			want[3] += v.Value(r)
		}
		if batch.Column(2).IsValid(r) {
			want[4]++
		}
		if v := batch.Column(3).(*array.Boolean); v.IsValid(r) {
			want[5]++
			if v.Value(r) {
				want[6]++
			}
		}
		if v := batch.Column(5).(*array.String); v.IsValid(r) {
			distinct[v.Value(r)] = true
		}
		if v := batch.Column(6).(*array.Int64); v.IsValid(r) {
			want[8] += v.Value(r)
		}
		if v := batch.Column(7).(*array.Boolean); v.IsValid(r) && v.Value(r) {
			want[9]++
		}
		if batch.Column(8).IsValid(r) {
			want[10]++
		}
	}
	want[7] = int64(len(distinct))
	if g, w := fmt.Sprint(got), fmt.Sprintf("%v", [][]any{anySlice(want[:])}); g != w {
		t.Errorf("DuckDB read %s, want %s", g, w)
	}
}

func anySlice(values []int64) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = fmt.Sprint(v)
	}
	return out
}

// The min and max of our statistics loops are those of arrow-go's Update methods, on
// values chosen to trip them: text sharing 8-byte prefixes, shorter or longer than 8
// bytes, bytes past 0x7f, empty strings, and text buffers that end right after a value;
// NaN, -0, +0 and infinities among the floats; nulls anywhere; pieces of every size.
// Pages of a whole dictionary chunk take the dictionary's range (checked too).
func TestMinMaxAsArrowGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	texts := []string{"", "a", "ab", "abcdefgh", "abcdefgh\x00", "abcdefghi", "abcdefgg\xff", "abcdefg",
		"\xff", "\xffabcdefgh", "é", "zz", "abcdefgh", "abcdefghij"}
	floats := []float64{math.NaN(), math.Copysign(0, -1), 0, math.Inf(1), math.Inf(-1), 1.5, -2.25, math.MaxFloat64}
	for round := range 300 {
		s := schema.Schema{{Name: "s", Type: schema.String}, {Name: "f", Type: schema.Float}, {Name: "b", Type: schema.Bool}}
		var arrays [3][]arrow.Array
		nullRate := rng.IntN(3) // 0: no nulls
		distinct := 1 + rng.IntN(len(texts))
		for range 1 + rng.IntN(4) {
			n := rng.IntN(12)
			sb := array.NewStringBuilder(memory.DefaultAllocator)
			fb := array.NewFloat64Builder(memory.DefaultAllocator)
			bb := array.NewBooleanBuilder(memory.DefaultAllocator)
			for range n {
				if nullRate > 0 && rng.IntN(4) < nullRate {
					sb.AppendNull()
					fb.AppendNull()
					bb.AppendNull()
					continue
				}
				sb.Append(texts[rng.IntN(distinct)])
				fb.Append(floats[rng.IntN(len(floats))])
				bb.Append(rng.IntN(2) == 0)
			}
			for i, b := range []array.Builder{sb, fb, bb} {
				a := b.NewArray()
				if skip := rng.IntN(3); skip < a.Len() { // a slice: values at an offset
					a = array.NewSlice(a, int64(skip), int64(a.Len()))
				}
				arrays[i] = append(arrays[i], a)
				b.Release()
			}
		}
		root, err := parquetSchema(s)
		if err != nil {
			t.Fatal(err)
		}
		descrs := pqschema.NewSchema(root)
		for c := range s {
			e := chunkEncoder{descr: descrs.Column(c)}
			col := newColumn(arrays[c])
			sc := new(scratch)
			want := arrowGoStatistics(t, e.descr, &col)
			got, err := e.statistics(sc, &col, 0, col.n, false)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := encodedStats(t, got), encodedStats(t, want); g != w {
				t.Fatalf("round %d column %s: %s, arrow-go %s", round, s[c].Name, g, w)
			}
			if _, ok := e.dictionary(sc, &col); ok && c != 2 {
				got, err := e.statistics(sc, &col, 0, col.n, true)
				if err != nil {
					t.Fatal(err)
				}
				if g, w := encodedStats(t, got), encodedStats(t, want); g != w {
					t.Fatalf("round %d column %s, from the dictionary: %s, arrow-go %s", round, s[c].Name, g, w)
				}
			}
		}
	}
}

// arrowGoStatistics are the statistics of a column's values through arrow-go's own Update
// methods, as its column writer feeds them.
func arrowGoStatistics(t *testing.T, descr *pqschema.Column, col *column) metadata.TypedStatistics {
	stats := metadata.NewStatistics(descr, memory.DefaultAllocator)
	col.each(0, col.n, func(p *piece, from, to int) {
		nulls := int64(p.nulls(from, to))
		switch s := stats.(type) {
		case *metadata.Float64Statistics:
			updateFixed[float64](s.Update, s.UpdateSpaced, p, from, to)
		case *metadata.BooleanStatistics:
			bools := make([]bool, 0, to-from)
			for i := from; i < to; i++ {
				bools = append(bools, p.values.(*array.Boolean).Value(i))
			}
			if nulls == 0 {
				s.Update(bools, 0)
			} else {
				s.UpdateSpaced(bools, p.valid, int64(p.offset+from), nulls)
			}
		case *metadata.ByteArrayStatistics:
			text, offsets := stringBuffers(p.values)
			if nulls == 0 {
				s.UpdateFromArrowOffsets(text, offsets[from:to+1], 0)
			} else {
				s.UpdateFromArrowOffsetsSpaced(text, offsets[from:to+1], p.valid, int64(p.offset+from), nulls)
			}
		default:
			t.Fatalf("no statistics of %T", s)
		}
	})
	return stats
}

func encodedStats(t *testing.T, s metadata.TypedStatistics) string {
	enc, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%+v", enc)
}

// A dictionary of integers of a narrow range, built in a table, is the one a hash map builds:
// the same entries in the same order, the same indices, negative values and nulls included.
func TestDenseDictionaryAsTheMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 50 {
		base := rng.Int64N(1<<40) - 1<<39
		spread := 1 + rng.Int64N(3000)
		var arrays []arrow.Array
		for range 1 + rng.IntN(3) {
			b := array.NewInt64Builder(memory.DefaultAllocator)
			for range rng.IntN(2000) {
				if rng.IntN(5) == 0 {
					b.AppendNull()
				} else {
					b.Append(base + rng.Int64N(spread))
				}
			}
			arrays = append(arrays, b.NewArray())
			b.Release()
		}
		col := newColumn(arrays)
		dense, mapped := new(scratch), new(scratch)
		lo, hi, ok := integerRange[int64](&col)
		if !ok {
			continue
		}
		n, fits := denseDictionary(dense, &col, lo, int(hi-lo)+1)
		sc := mapped
		index := map[int64]int32{}
		col.each(0, col.n, func(p *piece, from, to int) {
			values := p.values.(*array.Int64)
			for i := from; i < to; i++ {
				if values.IsValid(i) {
					at, seen := index[values.Value(i)]
					if !seen {
						at = int32(len(index))
						index[values.Value(i)] = at
						sc.dict = append(sc.dict, asBytes([]int64{values.Value(i)})...)
					}
					sc.indices = append(sc.indices, at)
				}
			}
		})
		if !fits || n != len(index) || !bytes.Equal(dense.dict, sc.dict) || !slices.Equal(dense.indices, sc.indices) {
			t.Fatalf("round %d: %d entries (fits %v), the map %d; same dictionary %v, same indices %v", round,
				n, fits, len(index), bytes.Equal(dense.dict, sc.dict), slices.Equal(dense.indices, sc.indices))
		}
	}
}

// A page compressed straight into its chunk is the header for its real compressed size
// followed by the compressed body, whichever way that size's varint differs from the
// guessed one's: bodies that compress to a shorter varint (runs), to a longer one (random
// bytes just under a zigzag varint's limits, 64, 8,192 and 1 MiB, pass them with zstd's
// frame), and to the same length.
func TestPageCompressedInPlaceAsWithACopy(t *testing.T) {
	random := rand.New(rand.NewPCG(1, 2))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(random.Uint32())
		}
		return b
	}
	bodies := map[string][]byte{
		"runs":          bytes.Repeat([]byte("abcdefgh"), 4096),
		"noise 63":      noise(63),
		"noise 8191":    noise(8191),
		"noise 1 MiB":   noise(1<<20 - 1),
		"noise 300,000": noise(300000),
		"empty":         nil,
	}
	for name, body := range bodies {
		for _, literals := range []bool{false, true} {
			e := chunkEncoder{zstd: true, entropyCodedLiterals: literals}
			header := func(dst []byte, compressed int) []byte {
				return appendDataPageHeader(dst, len(body), compressed, 7, encodingPlain, metadata.EncodedStatistics{})
			}
			prefix := []byte("earlier pages")
			got, size := e.appendPage(new(scratch), slices.Clone(prefix), body, header)

			compressed := newZstdEncoder(literals).EncodeAll(body, nil)
			want := header(slices.Clone(prefix), len(compressed))
			wantSize := len(want) - len(prefix)
			want = append(want, compressed...)
			if !bytes.Equal(got, want) || size != wantSize {
				t.Errorf("%s (literals %v): %d bytes, header %d; want %d bytes, header %d", name, literals, len(got), size, len(want), wantSize)
			}
		}
	}
}

// Integer columns without a dictionary are DELTA_BINARY_PACKED, and arrow-go and DuckDB read
// back every value: sequential ids (width 0), random 64-bit values and the int64 extremes
// (differences that wrap around, width 64), random 10-digit numbers with nulls, a column
// null for whole pages, over several pages and blocks whose counts are not multiples of
// the block (128) or the miniblock (32).
func TestDeltaPackedIntegersReadBack(t *testing.T) {
	const n = 300_001
	s := schema.Schema{{Name: "seq", Type: schema.Int}, {Name: "extreme", Type: schema.Int},
		{Name: "sparse", Type: schema.Int}, {Name: "gaps", Type: schema.Duration}}
	random := rand.New(rand.NewPCG(3, 4))
	extremes := []int64{math.MinInt64, math.MaxInt64, 0, -1, math.MinInt64, 1, math.MaxInt64}
	cells := make([][]any, len(s)) // nil is null
	for r := range n {
		cells[0] = append(cells[0], int64(r+1_000_000))
		if r%1000 < len(extremes) {
			cells[1] = append(cells[1], extremes[r%1000])
		} else {
			cells[1] = append(cells[1], int64(random.Uint64()))
		}
		if r%3 == 0 {
			cells[2] = append(cells[2], nil)
		} else {
			cells[2] = append(cells[2], random.Int64N(10_000_000_000))
		}
		if r < 10 || r >= 140_000 && r < 290_000 {
			cells[3] = append(cells[3], nil)
		} else {
			cells[3] = append(cells[3], int64(r%7)*1_000_000-int64(r))
		}
	}
	var batches []arrow.RecordBatch
	for from := 0; from < n; from += 65_537 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, s.Arrow())
		for c := range s {
			for _, v := range cells[c][from:min(n, from+65_537)] {
				switch f := b.Field(c).(type) {
				case *array.Int64Builder:
					if v == nil {
						f.AppendNull()
					} else {
						f.Append(v.(int64))
					}
				case *array.DurationBuilder:
					if v == nil {
						f.AppendNull()
					} else {
						f.Append(arrow.Duration(v.(int64)))
					}
				}
			}
		}
		batches = append(batches, b.NewRecordBatch())
		b.Release()
	}
	data := writeParquet(t, s, batches, Options{RowGroupRows: 200_000, Workers: 2})

	r, err := file.NewParquetReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for c := range s {
		chunk, err := r.MetaData().RowGroup(0).ColumnChunk(c)
		if err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(chunk.Encodings()); !strings.Contains(got, "DELTA_BINARY_PACKED") {
			t.Errorf("column %s: encodings %s, want DELTA_BINARY_PACKED", s[c].Name, got)
		}
	}
	r.Close()

	tbl := readTable(t, data)
	for c := range s {
		row := 0
		for _, piece := range tbl.Column(c).Data().Chunks() {
			for i := range piece.Len() {
				want := cells[c][row]
				var got any
				if piece.IsValid(i) {
					switch v := piece.(type) {
					case *array.Int64:
						got = v.Value(i)
					case *array.Duration:
						got = int64(v.Value(i))
					}
				}
				if got != want {
					t.Fatalf("arrow-go: column %s row %d: %v, want %v", s[c].Name, row, got, want)
				}
				row++
			}
		}
	}

	path := filepath.Join(t.TempDir(), "delta.parquet")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var query, want []string
	for c, col := range s {
		query = append(query, fmt.Sprintf("count(%[1]s)::VARCHAR, sum(%[1]s::HUGEINT)::VARCHAR, bit_xor(xor(%[1]s, file_row_number))::VARCHAR", col.Name))
		var count, xor int64
		sum := new(big.Int)
		for row, v := range cells[c] {
			if v != nil {
				count++
				sum.Add(sum, big.NewInt(v.(int64)))
				xor ^= v.(int64) ^ int64(row)
			}
		}
		want = append(want, fmt.Sprint(count), sum.String(), fmt.Sprint(xor))
	}
	_, got := duckdbtest.Query(t, path, "SELECT "+strings.Join(query, ", ")+fmt.Sprintf(" FROM read_parquet('%s', file_row_number = true)", path))
	if g, w := fmt.Sprint(got), fmt.Sprint([][]string{want}); g != w {
		t.Errorf("DuckDB read %s, want %s", g, w)
	}
}
