package parquetin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// writeVariant writes rows of every direct kind, with nulls and empty strings, through
// arrow-go's writer with the given page version, codec and dictionary choice, in small
// pages and row groups, and returns the file's path.
func writeVariant(t *testing.T, rows int, v2 bool, codec compress.Compression, dict, nullable bool, pageBytes int64, extra ...parquet.WriterProperty) string {
	t.Helper()
	fields := []arrow.Field{
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32}, {Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32}, {Name: "i64", Type: arrow.PrimitiveTypes.Int64},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "tsus", Type: &arrow.TimestampType{Unit: arrow.Microsecond}},
		{Name: "tsns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32}, {Name: "f64", Type: arrow.PrimitiveTypes.Float64},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean}, {Name: "s", Type: arrow.BinaryTypes.String},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}}, // read through pqarrow
	}
	for i := range fields {
		fields[i].Nullable = nullable
	}
	sc := arrow.NewSchema(fields, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer rb.Release()
	for i := range rows {
		null := nullable && i%7 == 3
		for j := range fields {
			if null && j%2 == i%2 {
				rb.Field(j).AppendNull()
				continue
			}
			k := i % 50 // few distinct values, for dictionaries
			if i%3 == 0 {
				k = i
			}
			switch b := rb.Field(j).(type) {
			case *array.Int32Builder:
				b.Append(int32(k*7919 - 100000))
			case *array.Uint32Builder:
				b.Append(math.MaxUint32 - uint32(k))
			case *array.Date32Builder:
				b.Append(arrow.Date32(k - 30))
			case *array.Int64Builder:
				b.Append(int64(k) * -1234567891011)
			case *array.Uint64Builder:
				b.Append(math.MaxUint64 - uint64(k))
			case *array.TimestampBuilder:
				b.Append(arrow.Timestamp(int64(k)*1_000_000_123 + 1))
			case *array.Float32Builder:
				b.Append(float32(k) / 10)
			case *array.Float64Builder:
				b.Append(float64(k)*1e15 + 0.25)
			case *array.BooleanBuilder:
				b.Append(k%3 == 1)
			case *array.StringBuilder:
				b.Append(fmt.Sprintf("%.*s", k%5, "héllo, \"w\""))
			case *array.Decimal128Builder:
				b.Append(decimal128.FromI64(int64(k) - 7))
			}
		}
	}
	rec := rb.NewRecordBatch()
	defer rec.Release()
	path := filepath.Join(t.TempDir(), "v.parquet")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	version := parquet.DataPageV1
	if v2 {
		version = parquet.DataPageV2
	}
	props := parquet.NewWriterProperties(append([]parquet.WriterProperty{parquet.WithDataPageVersion(version), parquet.WithCompression(codec),
		parquet.WithDictionaryDefault(dict), parquet.WithDataPageSize(pageBytes), parquet.WithMaxRowGroupLength(3 * levelBlock),
		parquet.WithBatchSize(300)}, extra...)...)
	w, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// The page path reads pages of both versions, with or without dictionaries and nulls,
// uncompressed, snappy or zstd, as the column reader does, value for value, and gives
// way to it (errPage) for a codec it does not read.
func TestPagePathMatchesColumnReader(t *testing.T) {
	for _, v2 := range []bool{false, true} {
		for _, codec := range []compress.Compression{compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd, compress.Codecs.Gzip} {
			for _, dict := range []bool{false, true} {
				for _, nullable := range []bool{false, true} {
					name := fmt.Sprintf("v2=%v/%s/dict=%v/nullable=%v", v2, codec, dict, nullable)
					t.Run(name, func(t *testing.T) {
						in := openPath(t, writeVariant(t, 2500, v2, codec, dict, nullable, 2000))
						checkPagePath(t, in, codec != compress.Codecs.Gzip)
					})
				}
			}
		}
	}
}

// The page path reads DELTA_BINARY_PACKED integers (INT32 and INT64, as arrow-go writes
// them: differences that wrap around, nulls, pages of both versions) as the column reader
// does; parquetout writes its INT64 columns without a dictionary so.
func TestPagePathReadsDeltaBinaryPacked(t *testing.T) {
	var delta []parquet.WriterProperty
	for _, name := range []string{"i32", "u32", "d", "i64", "u64", "tsus", "tsns"} {
		delta = append(delta, parquet.WithEncodingFor(name, parquet.Encodings.DeltaBinaryPacked))
	}
	for _, v2 := range []bool{false, true} {
		for _, nullable := range []bool{false, true} {
			t.Run(fmt.Sprintf("v2=%v/nullable=%v", v2, nullable), func(t *testing.T) {
				in := openPath(t, writeVariant(t, 2500, v2, compress.Codecs.Zstd, false, nullable, 2000, delta...))
				col, err := in.meta.RowGroup(0).ColumnChunk(3)
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprint(col.Encodings()); !strings.Contains(got, "DELTA_BINARY_PACKED") {
					t.Fatalf("i64: encodings %s, want DELTA_BINARY_PACKED", got)
				}
				checkPagePath(t, in, true)
			})
		}
	}
}

// DELTA_BINARY_PACKED values of every bit width, 0 to 64, packed bit by bit here, decode
// to the sums of their differences, as INT64 and INT32 (the low 32 bits).
func TestDecodeDeltaEveryWidth(t *testing.T) {
	random := rand.New(rand.NewPCG(5, 6))
	for width := range 65 {
		const n = 1 + 128 + 40 // a whole block and part of another
		first, least := int64(random.Uint64()), int64(-5)
		data := binary.AppendUvarint(nil, 128)
		data = binary.AppendUvarint(data, 4)
		data = binary.AppendUvarint(data, n)
		data = binary.AppendVarint(data, first)
		want := []uint64{uint64(first)}
		for block := range 2 {
			data = binary.AppendVarint(data, least)
			data = append(data, byte(width), byte(width), byte(width), byte(width))
			miniblocks := 4
			if block == 1 {
				miniblocks = 2 // 40 values: two miniblocks of 32, the last padded
			}
			packed := make([]byte, miniblocks*32*width/8)
			for i := range miniblocks * 32 {
				v := random.Uint64()
				if width < 64 {
					v &= 1<<width - 1
				}
				for bit := range width {
					if v>>bit&1 != 0 {
						packed[(i*width+bit)/8] |= 1 << ((i*width + bit) % 8)
					}
				}
				if len(want) < n {
					want = append(want, want[len(want)-1]+uint64(least)+v)
				}
			}
			data = append(data, packed...)
		}
		got, err := decodeDelta(nil, data, n, 8)
		if err != nil {
			t.Fatalf("width %d: %v", width, err)
		}
		got32, err := decodeDelta(nil, data, n, 4)
		if err != nil {
			t.Fatalf("width %d, INT32: %v", width, err)
		}
		for i, w := range want {
			if v := binary.LittleEndian.Uint64(got[8*i:]); v != w {
				t.Fatalf("width %d, value %d: %#x, want %#x", width, i, v, w)
			}
			if v := binary.LittleEndian.Uint32(got32[4*i:]); v != uint32(w) {
				t.Fatalf("width %d, INT32 value %d: %#x, want %#x", width, i, v, uint32(w))
			}
		}
	}
}

// Any prefix of DELTA_BINARY_PACKED values, or any byte of them changed, decodes to an
// errPage or to values, never a panic.
func TestDecodeDeltaRefusesDamage(t *testing.T) {
	valid := []byte{128, 1, 4, 5, 2, // block 128, 4 miniblocks, 5 values, first 1
		3,           // least difference -2
		64, 0, 0, 0, // widths: 64, then unused
	}
	valid = append(valid, make([]byte, 32*8)...)
	if got, err := decodeDelta(nil, valid, 5, 8); err != nil || len(got) != 40 {
		t.Fatalf("valid bytes: %d bytes, %v", len(got), err)
	}
	for n := range valid {
		if _, err := decodeDelta(nil, valid[:n], 5, 8); !errors.Is(err, errPage) {
			t.Errorf("%d bytes of %d: %v, want an errPage", n, len(valid), err)
		}
	}
	for i := range valid {
		for _, b := range []byte{0, 1, 0x7f, 0x80, 0xff} {
			damaged := slices.Clone(valid)
			damaged[i] = b
			if _, err := decodeDelta(nil, damaged, 5, 8); err != nil && !errors.Is(err, errPage) {
				t.Errorf("byte %d set to %d: %v does not wrap errPage", i, b, err)
			}
		}
	}
}

// A count of values whose decoding would pass maxPageChunkBytes is refused before any
// value is decoded: blocks of bit width 0 hold 128 values in 5 bytes, so 10 MB of them
// would have decoded to 2 GiB.
func TestDecodeDeltaBoundsItsOutput(t *testing.T) {
	n := maxPageChunkBytes/8 + 1
	data := binary.AppendUvarint(nil, 128)
	data = binary.AppendUvarint(data, 4)
	data = binary.AppendUvarint(data, uint64(n))
	data = binary.AppendVarint(data, 1)
	for range 4 {
		data = append(data, 2, 0, 0, 0, 0) // least difference 1, four miniblocks of width 0
	}
	got, err := decodeDelta(nil, data, n, 8)
	if !errors.Is(err, errPage) || len(got) != 0 {
		t.Fatalf("%d values: %d bytes, %v; want an errPage and nothing decoded", n, len(got), err)
	}
}

// FuzzDecodeDelta: any bytes decode to n values of the width asked or an errPage,
// never a panic.
func FuzzDecodeDelta(f *testing.F) {
	f.Add([]byte{128, 1, 4, 5, 2, 3, 64, 0, 0, 0}, uint16(5), true)
	f.Add([]byte{128, 1, 4, 200, 1, 2, 2, 0, 0, 0, 0}, uint16(100), false)
	f.Add([]byte{128, 2, 8, 3, 0x7f, 1, 7, 7, 7, 7, 7, 7, 7, 7}, uint16(3), true)
	f.Fuzz(func(t *testing.T, data []byte, n uint16, wide bool) {
		width := 4
		if wide {
			width = 8
		}
		got, err := decodeDelta(nil, data, int(n), width)
		if err != nil {
			if !errors.Is(err, errPage) {
				t.Fatalf("%v does not wrap errPage", err)
			}
			return
		}
		if len(got) != int(n)*width {
			t.Fatalf("%d bytes for %d values of %d bytes", len(got), n, width)
		}
	})
}

// checkPagePath reads every direct column chunk of in by the page path and by the column
// reader, and checks both give the same text; the page path must read them all when
// wantRead.
func checkPagePath(t *testing.T, in *Input, wantRead bool) {
	t.Helper()
	d := in.NewDecoder(nil)
	if _, err := d.Decode(t.Context(), 0); err != nil { // opens d.rdr
		t.Fatal(err)
	}
	pages := 0
	for rg := range in.RowGroups {
		for j, kind := range in.direct {
			if kind == notDirect {
				continue
			}
			leaf := in.leaves[j][0]
			col, err := in.meta.RowGroup(rg).ColumnChunk(leaf)
			if err != nil {
				t.Fatal(err)
			}
			var viaPages textBuilder
			nullable := in.meta.Schema.Column(leaf).MaxDefinitionLevel() > 0
			rows := in.RowGroups[rg]
			err = d.pages.read(in.file, rg, leaf, col, kind, in.tsNanos[j], nullable, rows, 0, rows, &viaPages)
			if err != nil {
				if !errors.Is(err, errPage) {
					t.Fatalf("row group %d, column %s: %v does not wrap errPage", rg, in.Header[j], err)
				}
				if wantRead {
					t.Fatalf("row group %d, column %s: %v", rg, in.Header[j], err)
				}
				continue
			}
			pages++
			var viaColumns textBuilder
			if _, err := readColumnDirect(d.rdr.RowGroup(rg), leaf, kind, in.tsNanos[j], in.RowGroups[rg], &viaColumns); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(viaPages.data, viaColumns.data) || !slices.Equal(viaPages.offs, viaColumns.offs) ||
				!slices.Equal(viaPages.valid, viaColumns.valid) || viaPages.nulls != viaColumns.nulls {
				t.Fatalf("row group %d, column %s: page path %.200q (%d nulls), column reader %.200q (%d nulls)",
					rg, in.Header[j], viaPages.data, viaPages.nulls, viaColumns.data, viaColumns.nulls)
			}
			// The rows in three parts, the last first, give the same cells.
			want := builderCells(&viaColumns)
			var got []string
			for k := 2; k >= 0; k-- {
				var part textBuilder
				from, to := rows*int64(k)/3, rows*int64(k+1)/3
				if err := d.pages.read(in.file, rg, leaf, col, kind, in.tsNanos[j], nullable, rows, from, to, &part); err != nil {
					t.Fatal(err)
				}
				got = append(builderCells(&part), got...)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("row group %d, column %s: in parts %.200q, whole %.200q", rg, in.Header[j], got, want)
			}
		}
	}
	if wantRead && pages == 0 {
		t.Fatal("no column chunk read by the page path")
	}
	if !wantRead && pages > 0 {
		t.Fatalf("%d column chunks read by the page path, want none", pages)
	}
}

// A row group decoded in parts, in any order and by one decoder, gives the rows of
// the whole, for columns on the page path, and others (a DECIMAL, and every column of a
// gzip file) whose rows are copied out of the whole column chunk.
func TestDecodeRowsInParts(t *testing.T) {
	for _, codec := range []compress.Compression{compress.Codecs.Zstd, compress.Codecs.Gzip} {
		// One row group, a page per column, with nulls: parts start inside the
		// first levelBlock of rows and after it.
		in := openPath(t, writeVariant(t, 2500, false, codec, true, true, 1<<20))
		whole, parts := in.NewDecoder(nil), in.NewDecoder(nil)
		for rg, rows := range in.RowGroups {
			c, err := whole.Decode(t.Context(), rg)
			if err != nil {
				t.Fatal(err)
			}
			want := chunkCells(c)
			part := make([][][]string, 3)
			for _, k := range []int64{1, 0, 2} {
				c, err := parts.DecodeRows(t.Context(), rg, rows*k/3, rows*(k+1)/3)
				if err != nil {
					t.Fatal(err)
				}
				part[k] = chunkCells(c)
			}
			got := make([][]string, len(want))
			for j := range got {
				got[j] = slices.Concat(part[0][j], part[1][j], part[2][j])
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s, row group %d: in parts\n%.300v\nwhole\n%.300v", codec, rg, got, want)
			}
		}
	}
}

// builderCells are the cells of b, "<null>" for a null.
func builderCells(b *textBuilder) []string {
	var cells []string
	for i := range len(b.offs) - 1 {
		if b.valid[i>>3]&(1<<(i&7)) == 0 {
			cells = append(cells, "<null>")
		} else {
			cells = append(cells, string(b.data[b.offs[i]:b.offs[i+1]]))
		}
	}
	return cells
}

// The files of the other tests, written by DuckDB and by our writer, read by the page
// path.
func TestPagePathReadsTestFiles(t *testing.T) {
	for _, name := range []string{"testdata/duckdb_types.parquet", "testdata/ours_small.parquet", "testdata/pages_v2_snappy.parquet"} {
		checkPagePath(t, openPath(t, name), true)
	}
}

func TestDecodeHybrid(t *testing.T) {
	cases := []struct {
		name  string
		data  []byte
		width int
		n     int
		want  []uint32
		err   bool
	}{
		{"run", []byte{6 << 1, 5}, 3, 6, []uint32{5, 5, 5, 5, 5, 5}, false},
		{"run cut to n", []byte{6 << 1, 5}, 3, 2, []uint32{5, 5}, false},
		{"packed width 1", []byte{1<<1 | 1, 0b10110001}, 1, 8, []uint32{1, 0, 0, 0, 1, 1, 0, 1}, false},
		// 0..7 in 3 bits: 0b10001000 0b11000110 0b11111010
		{"packed width 3", []byte{1<<1 | 1, 0x88, 0xc6, 0xfa}, 3, 8, []uint32{0, 1, 2, 3, 4, 5, 6, 7}, false},
		{"run then packed", []byte{2 << 1, 1, 1<<1 | 1, 0xff}, 1, 5, []uint32{1, 1, 1, 1, 1}, false},
		{"width 0", []byte{10 << 1}, 0, 4, []uint32{0, 0, 0, 0}, false},
		{"a run of two bytes", []byte{2 << 1, 0x34, 0x12}, 13, 2, []uint32{0x1234, 0x1234}, false},
		{"packed run ends with its page", []byte{3<<1 | 1, 0xff}, 1, 8, []uint32{1, 1, 1, 1, 1, 1, 1, 1}, false},
		{"too few values", []byte{2 << 1, 1}, 1, 3, nil, true},
		{"empty", nil, 1, 1, nil, true},
		{"zero run", []byte{0, 1}, 1, 1, nil, true},
		{"width beyond 32", []byte{2 << 1, 1}, 33, 1, nil, true},
		{"run value cut short", []byte{2 << 1, 1}, 9, 1, nil, true},
		{"run value wider than its width", []byte{2 << 1, 2}, 1, 2, nil, true},
	}
	for _, c := range cases {
		got, err := decodeHybrid(nil, c.data, c.width, c.n)
		if c.err {
			if err == nil || !errors.Is(err, errPage) {
				t.Errorf("%s: %v, %v: want an errPage", c.name, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
}

func TestParsePageHeader(t *testing.T) {
	// PageHeader{type DATA_PAGE_V2, uncompressed 100, compressed 60,
	//   statistics skipped; DataPageHeaderV2{num_values 10, num_nulls 1, num_rows 10,
	//   encoding RLE_DICTIONARY, def 3, rep 0, is_compressed false}}
	header := []byte{
		0x15, 6, // field 1, i32: 3
		0x15, 200, 1, // field 2, i32: 100
		0x15, 120, // field 3, i32: 60
		0x1c, 0x15, 2, 0, // field 4 (unknown here), a struct: skipped
		0x4c,                                                          // field 8, a struct: DataPageHeaderV2
		0x15, 20, 0x15, 2, 0x15, 20, 0x15, 16, 0x15, 6, 0x15, 0, 0x12, // its fields 1 to 7
		0x18, 2, 'h', 'i', // field 8, binary: skipped
		0x19, 0x25, 2, 4, // field 9, a list of two i32: skipped
		0, // the end of DataPageHeaderV2
		0, // the end of the page header
	}
	h, size, err := parsePageHeader(append(header, 0xee))
	if err != nil {
		t.Fatal(err)
	}
	want := pageHeader{kind: pageDataV2, uncompressed: 100, compressed: 60, numValues: 10, encoding: encodingRLEDictionary,
		defLength: 3, compressedV2: false}
	if h != want || size != len(header) {
		t.Errorf("got %+v (%d bytes), want %+v (%d bytes)", h, size, want, len(header))
	}
	for cut := range header {
		if _, _, err := parsePageHeader(header[:cut]); err == nil || !errors.Is(err, errPage) {
			t.Errorf("cut to %d bytes: %v, want an errPage", cut, err)
		}
	}
	deep := slices.Repeat([]byte{0x1c}, 100) // structs in structs, never closed
	if _, _, err := parsePageHeader(deep); err == nil {
		t.Error("a header nested 100 deep parsed")
	}
}

// FuzzPageHeader: any bytes parse to a header or an errPage, never a panic, and a
// header's size lies within the bytes.
func FuzzPageHeader(f *testing.F) {
	f.Add([]byte{0x15, 0, 0x15, 16, 0x15, 16, 0x2c, 0x15, 2, 0x15, 0, 0x15, 6, 0, 0})
	f.Add([]byte{0x15, 4, 0x15, 8, 0x15, 8, 0x4c, 0x15, 4, 0x15, 0, 0x11, 0, 0})
	f.Add([]byte{0x19, 0xf8, 200, 1, 0x1b, 3, 0x44, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, size, err := parsePageHeader(data)
		if err != nil && !errors.Is(err, errPage) {
			t.Fatalf("%v does not wrap errPage", err)
		}
		if err == nil && (size <= 0 || size > len(data)) {
			t.Fatalf("size %d of %d bytes", size, len(data))
		}
	})
}

// A page header holding a list of 2^64-1 elements of no type (0) took no byte per
// element, so skipping it looped for ever: a Parquet file damaged in 12 bytes hung the
// run. Such lists, and counts beyond the bytes left, are refused at once.
func TestPageHeaderHugeListFails(t *testing.T) {
	huge := []byte{0xf0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01} // 15: count follows, element type 0
	for name, header := range map[string][]byte{
		"list of no type":         append([]byte{0x99}, huge...), // field 9, a list
		"list longer than bytes":  {0x99, 0xf3, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01},
		"map of no value type":    {0x9b, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x30, 0x01},
		"map longer than bytes":   {0x9b, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x33, 0x01},
		"nested list of no type":  {0x99, 0x19, 0xf0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"set of no type":          append([]byte{0x9a}, huge...),
		"struct holding the list": append([]byte{0x9c, 0x19}, huge...),
	} {
		done := make(chan error, 1)
		go func() { _, _, err := parsePageHeader(header); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, errPage) {
				t.Errorf("%s: %v, want an errPage", name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: parsePageHeader still running after 10 s", name)
		}
	}

	// The same through a whole file: an error naming it, not a hang.
	data, err := os.ReadFile("testdata/ours_small.parquet")
	if err != nil {
		t.Fatal(err)
	}
	copy(data[4:], append([]byte{0x99}, huge...)) // over the first page's header
	path := filepath.Join(t.TempDir(), "damaged.parquet")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := readWhole(path); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("damaged file: %v, want an error naming %s", err, path)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("damaged file: still reading after 10 s")
	}
}

// FuzzDecodeHybrid: any bytes decode to n values or an errPage, never a panic.
func FuzzDecodeHybrid(f *testing.F) {
	f.Add([]byte{1<<1 | 1, 0x88, 0xc6, 0xfa}, uint8(3), uint16(8))
	f.Add([]byte{6 << 1, 5, 3, 0xff}, uint8(1), uint16(20))
	f.Add([]byte{200, 1, 0x34, 0x12}, uint8(13), uint16(100))
	f.Fuzz(func(t *testing.T, data []byte, width uint8, n uint16) {
		got, err := decodeHybrid(nil, data, int(width), int(n))
		if err != nil {
			if !errors.Is(err, errPage) {
				t.Fatalf("%v does not wrap errPage", err)
			}
			return
		}
		if len(got) != int(n) {
			t.Fatalf("%d values, want %d", len(got), n)
		}
		for _, v := range got {
			if width < 32 && v >= 1<<width {
				t.Fatalf("value %d of width %d", v, width)
			}
		}
	})
}

// A row group is cut into parts of about the bytes asked, of minPartRows rows at
// least, when the page path reads every column read; else it is one part.
func TestRowParts(t *testing.T) {
	ours := openPath(t, writeOurs(t, 6000, 5000))
	if got := ours.RowParts(0, nil, 1<<10); !slices.Equal(got, []int64{0, 1250, 2500, 3750, 5000}) {
		t.Errorf("our file, 1 KiB parts: %v", got)
	}
	if got := ours.RowParts(0, nil, 64<<20); !slices.Equal(got, []int64{0, 5000}) {
		t.Errorf("our file, 64 MiB parts: %v", got)
	}
	gzip := openPath(t, writeVariant(t, 3000, false, compress.Codecs.Gzip, false, true, 1<<20))
	if got := gzip.RowParts(0, nil, 1<<10); !slices.Equal(got, []int64{0, 3000}) {
		t.Errorf("gzip file: %v", got)
	}
	mixed := openPath(t, writeVariant(t, 3000, false, compress.Codecs.Zstd, false, true, 1<<20))
	if got := mixed.RowParts(0, nil, 1<<10); !slices.Equal(got, []int64{0, 3000}) {
		t.Errorf("a DECIMAL column: %v", got)
	}
	skip := make([]bool, len(mixed.Header))
	skip[len(skip)-1] = true // the DECIMAL column
	if got := mixed.RowParts(0, skip, 1<<10); !slices.Equal(got, []int64{0, 1500, 3000}) {
		t.Errorf("the DECIMAL column skipped: %v", got)
	}
}
