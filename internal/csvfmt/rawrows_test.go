package csvfmt

import (
	"bytes"
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/table"
)

// checkRawRows decodes data in chunks of chunkSize, both by range and by block, and
// requires AppendRows to write each chunk exactly as AppendChunk does: as decoded,
// with typed columns appended, with its columns reordered, and for writers that must
// not use the raw rows. Each chunk is written before the next is decoded, as the
// engine does. It returns the rows written from the input bytes.
func checkRawRows(t *testing.T, data []byte, opts Options, chunkSize int, r *rand.Rand) (plainRows int) {
	t.Helper()
	in, err := Open(writeFile(t, "in.csv", data), opts)
	if err != nil {
		return 0
	}
	defer in.Close()
	check := func(c *table.Chunk) {
		t.Helper()
		if c.Raw != nil {
			for i := range c.NumRows() {
				if c.Raw.Plain[i>>6]&(1<<(i&63)) != 0 {
					plainRows++
				}
			}
		}
		for _, w := range []Writer{{}, {Delimiter: in.Delimiter}, {Delimiter: in.Delimiter, CRLF: true}, {Delimiter: ';'}} {
			compareAppendRows(t, w, c, data)
			compareAppendRows(t, w, withColumns(c, r), data)
			compareAppendRows(t, w, reordered(c), data)
		}
	}
	if in.Seekable {
		dec := in.NewDecoder()
		defer dec.Close()
		// A second decoder leaves random columns out of the plain rows.
		sparse := in.NewDecoder()
		defer sparse.Close()
		skip := make([]bool, len(in.Header))
		for j := range skip {
			skip[j] = r.IntN(2) == 0
		}
		sparse.SkipColumns(skip)
		ranges, err := in.Ranges(context.Background(), in.DataStart, int64(chunkSize), 2)
		if err != nil {
			t.Fatal(err)
		}
		// Chunks are compared one by one: whether the ranges line up does not matter.
		for _, rg := range ranges {
			dd, err := dec.DecodeRange(rg)
			if err != nil {
				continue
			}
			check(dd.Chunk)
			ds, err := sparse.DecodeRange(rg)
			if err != nil {
				t.Fatalf("the sparse decoder fails where the other does not: %v", err)
			}
			compareSparse(t, in.Delimiter, dd.Chunk, ds.Chunk, data, r)
			dec.Recycle(dd.Chunk)
			sparse.Recycle(ds.Chunk)
		}
	}
	in2, err := Open(writeFile(t, "in2.csv", data), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer in2.Close()
	dec := in2.NewDecoder()
	defer dec.Close()
	// A parse error ends the split early; the chunks before it were compared.
	_ = in2.Split(context.Background(), chunkSize, func(block []byte) error {
		dd, err := dec.DecodeBlock(block)
		if err != nil {
			return err
		}
		check(dd.Chunk)
		dec.Recycle(dd.Chunk)
		return nil
	})
	return plainRows
}

func compareAppendRows(t *testing.T, w Writer, c *table.Chunk, input []byte) {
	t.Helper()
	want, err := w.AppendChunk([]byte("prefix"), c.Batch)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.AppendRows([]byte("prefix"), c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("writer %+v, %d columns, input %q:\nAppendRows  %q\nAppendChunk %q", w, c.Batch.NumCols(), input, got, want)
	}
	checkVerbatim(t, w, c, want[len("prefix"):])
}

// valuesSkipped counts the values compareSparse saw left out by SkipColumns.
var valuesSkipped int

// compareSparse requires a chunk decoded with SkipColumns (sparse) to be written, as
// decoded and with typed columns appended, exactly as the same chunk decoded whole
// (full), by every writer that copies rows; the others must refuse to write it.
func compareSparse(t *testing.T, delim byte, full, sparse *table.Chunk, input []byte, r *rand.Rand) {
	t.Helper()
	extra := withColumns(full, r)
	added := extra.Batch.Columns()[full.Batch.NumCols():]
	cols := append(append([]arrow.Array(nil), sparse.Batch.Columns()...), added...)
	sparseExtra := *sparse
	sparseExtra.Batch = array.NewRecordBatch(extra.Batch.Schema(), cols, extra.Batch.NumRows())
	isSparse := sparse.Raw != nil && sparse.Raw.Sparse != nil
	if isSparse {
		// The point of it: values left out on plain rows.
		for j, skipped := range sparse.Raw.Sparse {
			s, f := sparse.Batch.Column(j).(*array.String), full.Batch.Column(j).(*array.String)
			for i := range full.NumRows() {
				if skipped && sparse.Raw.Plain[i>>6]&(1<<(i&63)) != 0 && f.Value(i) != "" && s.Value(i) == "" {
					valuesSkipped++
				}
			}
		}
	}
	for _, w := range []Writer{{}, {Delimiter: delim}, {Delimiter: delim, CRLF: true}, {Delimiter: ';'}} {
		for _, pair := range [][2]*table.Chunk{{full, sparse}, {extra, &sparseExtra}} {
			want, err := w.AppendChunk(nil, pair[0].Batch)
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.AppendRows(nil, pair[1])
			switch {
			case !w.CopiesRows(delim) && isSparse:
				if err == nil {
					t.Fatalf("writer %+v wrote a sparse chunk without its raw rows: %q", w, got)
				}
			case err != nil:
				t.Fatal(err)
			case !bytes.Equal(got, want):
				t.Fatalf("writer %+v, skip %v, input %q:\nsparse %q\nwhole  %q", w, sparse.Raw.Sparse, input, got, want)
			}
		}
	}
}

// withColumns returns c with up to three random typed columns appended, keeping its
// arrays (and Raw), as an expression that only adds columns does.
func withColumns(c *table.Chunk, r *rand.Rand) *table.Chunk {
	rows := c.NumRows()
	cols := append([]arrow.Array(nil), c.Batch.Columns()...)
	fields := append([]arrow.Field(nil), c.Batch.Schema().Fields()...)
	for k := 1 + r.IntN(3); k > 0; k-- {
		a := randomTypedColumn(r, r.IntN(6), rows)
		cols = append(cols, a)
		fields = append(fields, arrow.Field{Name: "x", Type: a.DataType(), Nullable: true})
	}
	out := *c
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(rows))
	return &out
}

// reordered returns c with its columns rotated and Raw kept: the raw rows no longer
// apply (unless there is one column).
func reordered(c *table.Chunk) *table.Chunk {
	cols := c.Batch.Columns()
	if len(cols) == 0 {
		return c
	}
	cols = append(append([]arrow.Array(nil), cols[1:]...), cols[0])
	fields := c.Batch.Schema().Fields()
	fields = append(append([]arrow.Field(nil), fields[1:]...), fields[0])
	out := *c
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, c.Batch.NumRows())
	return &out
}

// rawCSV is randomCSV with more of what decides whether a row is plain: runs of
// quote-free rows, CRs inside values, empty fields, single-column files.
func rawCSV(r *rand.Rand, rows, cols int, crlf bool) []byte {
	pieces := []string{"a", "bc", "12", "é", "日本", "😀", " ", "", "", "\r", "x\r", ";"}
	var sb strings.Builder
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	for i := 0; i < rows; i++ {
		if r.IntN(20) == 0 {
			sb.WriteString(eol)
		}
		n := cols
		if r.IntN(20) == 0 {
			n = 1 + r.IntN(cols+2)
		}
		for j := 0; j < n; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			v := pieces[r.IntN(len(pieces))] + pieces[r.IntN(len(pieces))]
			if r.IntN(30) == 0 {
				v = `"` + v + `,"""`
			}
			sb.WriteString(v)
		}
		if r.IntN(40) == 0 && crlf {
			sb.WriteString("\n") // a lone LF in a CRLF file
		} else {
			sb.WriteString(eol)
		}
	}
	return []byte(sb.String())
}

func TestAppendRowsMatchesAppendChunk(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	plain := 0
	for iter := range 120 {
		cols := 1 + r.IntN(10)
		crlf := iter%3 == 0
		var data []byte
		if iter%2 == 0 {
			data = randomCSV(r, 5+r.IntN(80), cols, crlf, iter%4 == 0)
		} else {
			data = rawCSV(r, 5+r.IntN(200), cols, crlf)
		}
		opts := Options{Ragged: RaggedPadTruncate, Delimiter: ','}
		if iter%7 == 0 {
			opts.Encoding = "latin1"
		}
		if iter%11 == 0 {
			opts.NoHeader = true
		}
		plain += checkRawRows(t, data, opts, []int{5, 64, 300, 1 << 20, 1 << 20}[r.IntN(5)], r)
	}
	if plain == 0 {
		t.Fatal("no row was written from the input bytes")
	}
	if valuesSkipped == 0 {
		t.Fatal("SkipColumns left no value out")
	}
}

// TestAppendRowsCopiesPlainRows makes sure the fast path is taken where it should be:
// quote-free UTF-8 rows with LF or CRLF line ends, not rows with quotes or a CR inside.
func TestAppendRowsCopiesPlainRows(t *testing.T) {
	data := []byte("a,b\n1,2\n3,\n,4\n\"q\",5\n6,x\ry\n" + strings.Repeat("7,8\r\n", 20) + "9,10\n")
	in := mustOpen(t, writeFile(t, "in.csv", data), Options{})
	dec := in.NewDecoder()
	defer dec.Close()
	dd, err := dec.DecodeRange(Range{Start: in.DataStart, End: in.Size})
	if err != nil {
		t.Fatal(err)
	}
	raw := dd.Chunk.Raw
	if raw == nil {
		t.Fatal("no raw rows")
	}
	var got []bool
	for i := range dd.Chunk.NumRows() {
		got = append(got, raw.Plain[i>>6]&(1<<(i&63)) != 0)
	}
	// plainRecords stops before the quote and leaves the last 32 bytes to record.
	for i, want := range map[int]bool{0: true, 1: true, 2: true, 3: false, 4: false, 5: true} {
		if got[i] != want {
			t.Errorf("row %d: plain %v, want %v (all: %v)", i, got[i], want, got)
		}
	}
	if s, e := raw.Starts[5], raw.Ends[5]; string(raw.Data[s:e]) != "7,8" {
		t.Errorf("row 5 bytes %q", raw.Data[s:e])
	}
	compareAppendRows(t, Writer{}, dd.Chunk, data)
}

func FuzzAppendRowsMatchesAppendChunk(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n3,\n,4\n\"q\",5\n"), uint16(3), uint8(0))
	f.Add([]byte("a\r\nx\r\n\r\ny\r\n\"\"\r\n"), uint16(1), uint8(1))
	f.Add([]byte("a;b\n1;2\r3\n4;5;6\n7\n"), uint16(100), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16, mode uint8) {
		opts := Options{Ragged: RaggedPolicy(mode) & RaggedPadTruncate, NoHeader: mode&4 != 0}
		if mode&8 != 0 {
			opts.Encoding = "windows-1252"
		}
		eachMaskVariant(t, func() {
			checkRawRows(t, data, opts, int(chunk)%500+1, rand.New(rand.NewPCG(uint64(chunk), uint64(mode))))
		})
	})
}

// BenchmarkDecodeAndWriteRows is BenchmarkDecodeAndWrite with AppendRows, which copies
// the plain rows from the input bytes.
func BenchmarkDecodeAndWriteRows(b *testing.B) {
	in, rows := benchInput(b)
	ranges, _ := in.Ranges(context.Background(), in.DataStart, benchChunk, 1)
	dec := in.NewDecoder()
	defer dec.Close()
	w := Writer{}
	var out []byte
	b.SetBytes(in.Size - in.DataStart)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for _, r := range ranges {
			dd, err := dec.DecodeRange(r)
			if err != nil {
				b.Fatal(err)
			}
			if out, err = w.AppendRows(out[:0], dd.Chunk); err != nil {
				b.Fatal(err)
			}
			dec.Recycle(dd.Chunk)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(int64(b.N)*rows), "ns/row")
}
