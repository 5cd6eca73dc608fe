package csvfmt

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/klauspost/compress/zstd"

	"github.com/ptransform/ptransform/internal/table"
)

func stringArray(vals []*string) arrow.Array {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for _, v := range vals {
		if v == nil {
			b.AppendNull()
		} else {
			b.Append(*v)
		}
	}
	return b.NewArray()
}

func ptr(s string) *string { return &s }

func TestWriterRoundTrip(t *testing.T) {
	vals := []*string{ptr("plain"), ptr("a,b"), ptr(`say "hi"`), ptr("cr\rx"), ptr("lf\nx"), ptr("crlf\r\n"),
		ptr(" lead"), ptr("trail "), ptr(""), nil, ptr(`"`), ptr("日本")}
	other := make([]*string, len(vals))
	for i := range other {
		other[i] = ptr("x")
	}
	cols := []arrow.Array{stringArray(vals), stringArray(other)}
	batch := array.NewRecordBatch(table.StringSchema([]string{"v", "o"}), cols, int64(len(vals)))
	for _, crlf := range []bool{false, true} {
		w := Writer{CRLF: crlf}
		out := w.AppendHeader(nil, []string{"v", "o"})
		out, err := w.AppendChunk(out, batch)
		if err != nil {
			t.Fatal(err)
		}
		if !crlf {
			want := "v,o\nplain,x\n\"a,b\",x\n\"say \"\"hi\"\"\",x\n\"cr\rx\",x\n\"lf\nx\",x\n\"crlf\r\n\",x\n" +
				" lead,x\ntrail ,x\n,x\n,x\n\"\"\"\",x\n日本,x\n"
			if string(out) != want {
				t.Fatalf("got\n%q\nwant\n%q", out, want)
			}
		}
		in := mustOpen(t, writeFile(t, "out.csv", out), Options{})
		got := decodeSequential(t, in)
		if got.err != "" || len(got.rows) != len(vals) {
			t.Fatalf("%q %s", got.rows, got.err)
		}
		for i, v := range vals {
			want := nullText
			if v != nil && *v != "" {
				want = *v
			}
			if got.rows[i][0] != want {
				t.Errorf("row %d: %q, want %q", i, got.rows[i][0], want)
			}
		}
	}
}

func TestWriterOneColumnEmpty(t *testing.T) {
	cols := []arrow.Array{stringArray([]*string{ptr("a"), nil, ptr("")})}
	batch := array.NewRecordBatch(table.StringSchema([]string{"v"}), cols, 3)
	out, err := Writer{}.AppendChunk(Writer{}.AppendHeader(nil, []string{"v"}), batch)
	if err != nil || string(out) != "v\na\n\"\"\n\"\"\n" {
		t.Fatalf("%q %v", out, err)
	}
	in := mustOpen(t, writeFile(t, "out.csv", out), Options{})
	if got := decodeSequential(t, in); len(got.rows) != 3 {
		t.Fatalf("%q: rows %q", out, got.rows)
	}
}

func TestWriterSlicedAndHeader(t *testing.T) {
	arr := stringArray([]*string{ptr("skip"), ptr("b;c"), nil, ptr("d")})
	sliced := array.NewSlice(arr, 1, 4)
	batch := array.NewRecordBatch(table.StringSchema([]string{"x;y"}), []arrow.Array{sliced}, 3)
	w := Writer{Delimiter: ';'}
	out, err := w.AppendChunk(w.AppendHeader(nil, []string{"x;y"}), batch)
	if err != nil || string(out) != "\"x;y\"\n\"b;c\"\n\"\"\nd\n" {
		t.Fatalf("%q %v", out, err)
	}
}

func TestWriterTypedColumns(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{-3, 42}, nil)
	ib.AppendNull()
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{0.5, 21, 1.25}, nil)
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false}, nil)
	bb.AppendNull()
	db := array.NewDate32Builder(mem)
	db.AppendValues([]arrow.Date32{19783, 0}, nil)
	db.AppendNull()
	tb := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Microsecond})
	tb.AppendValues([]arrow.Timestamp{1709300700000000, 1709300700500000}, nil)
	tb.AppendNull()
	cols := []arrow.Array{ib.NewArray(), fb.NewArray(), bb.NewArray(), db.NewArray(), tb.NewArray()}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: string(rune('a' + i)), Type: c.DataType(), Nullable: true}
	}
	batch := array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, 3)
	out, err := Writer{}.AppendChunk(nil, batch)
	want := "-3,0.5,true,2024-03-01,2024-03-01T13:45:00\n42,21,false,1970-01-01,2024-03-01T13:45:00.5\n,1.25,,,\n"
	if err != nil || string(out) != want {
		t.Fatalf("got\n%q\nwant\n%q (%v)", out, want, err)
	}
	// A delimiter that formatted values contain forces quoting.
	out, err = Writer{Delimiter: '.'}.AppendChunk(nil, batch)
	want = "-3.\"0.5\".true.2024-03-01.2024-03-01T13:45:00\n42.21.false.1970-01-01.\"2024-03-01T13:45:00.5\"\n.\"1.25\"...\n"
	if err != nil || string(out) != want {
		t.Fatalf("got\n%q\nwant\n%q (%v)", out, want, err)
	}
}

func TestCompressedInputs(t *testing.T) {
	plain := []byte("\xef\xbb\xbfa;b\r\n1;\"x\r\ny\"\r\n2;3\r\n")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	zs, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	zst := zs.EncodeAll(plain, nil)
	zs.Close()
	for _, tc := range []struct {
		name, comp string
		data       []byte
	}{{"in.csv.gz", "gzip", gz.Bytes()}, {"data.csv", "zstd", zst}} {
		path := writeFile(t, tc.name, tc.data)
		in := mustOpen(t, path, Options{})
		if in.Seekable || in.Compression != tc.comp || in.Delimiter != ';' || !slices.Equal(in.Header, []string{"a", "b"}) {
			t.Fatalf("%s: seekable %v compression %q delimiter %q header %q", tc.name, in.Seekable, in.Compression, in.Delimiter, in.Header)
		}
		got := decodeSplit(t, in, 3)
		want := [][]string{{"1", "x\r\ny"}, {"2", "3"}}
		if got.err != "" || !slices.EqualFunc(got.rows, want, slices.Equal) || !slices.Equal(got.lines, []int64{2, 4}) {
			t.Fatalf("%s: %q %v %s", tc.name, got.rows, got.lines, got.err)
		}
	}
}

func TestRefusesWorkbooks(t *testing.T) {
	for name, data := range map[string]string{"a.csv": "PK\x03\x04rest", "b.csv": "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest"} {
		path := writeFile(t, name, []byte(data))
		if _, err := Open(path, Options{}); err == nil {
			t.Fatalf("%s opened", name)
		} else {
			t.Log(err)
		}
	}
}

// TestWriterMatchesValues writes random string columns (long values, quoting, nulls,
// sliced arrays, nulls with bytes behind them) and compares with a value-by-value
// rendering of the rules.
func TestWriterMatchesValues(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	pieces := []string{"a", "0123456789abcdef", ",", `"`, "\n", "\r", ";", "é"}
	for iter := range 50 {
		rows, ncols := 1+r.IntN(200), 1+r.IntN(4)
		w := Writer{Delimiter: ",;"[iter%2], CRLF: iter%3 == 0}
		cols := make([]arrow.Array, ncols)
		vals := make([][]*string, ncols)
		for j := range cols {
			all := make([]*string, rows+2)
			for i := range all {
				if r.IntN(8) > 0 {
					var sb strings.Builder
					for k := r.IntN(6); k > 0; k-- {
						sb.WriteString(pieces[r.IntN(len(pieces))])
					}
					all[i] = ptr(sb.String())
				}
			}
			arr := stringArray(all)
			if j%2 == 1 {
				// Nulls with bytes behind them: same buffers, a validity bitmap
				// hiding every third value.
				d := arr.Data()
				valid := make([]byte, (len(all)+7)/8)
				nulls := 0
				for i := range all {
					if all[i] != nil && i%3 != 0 {
						valid[i/8] |= 1 << (i % 8)
					} else {
						all[i] = nil
						nulls++
					}
				}
				nd := array.NewData(d.DataType(), d.Len(), []*memory.Buffer{memory.NewBufferBytes(valid), d.Buffers()[1], d.Buffers()[2]}, nil, nulls, 0)
				arr = array.MakeFromData(nd)
			}
			cols[j] = array.NewSlice(arr, 1, int64(rows+1))
			vals[j] = all[1 : rows+1]
		}
		names := make([]string, ncols)
		for j := range names {
			names[j] = fmt.Sprint("c", j)
		}
		batch := array.NewRecordBatch(table.StringSchema(names), cols, int64(rows))
		got, err := w.AppendChunk([]byte("prefix"), batch)
		if err != nil {
			t.Fatal(err)
		}
		want := []byte("prefix")
		for i := range rows {
			line := len(want)
			for j := range ncols {
				if j > 0 {
					want = append(want, w.delim())
				}
				if v := vals[j][i]; v != nil && w.needsQuotes([]byte(*v)) {
					want = appendQuoted(want, []byte(*v))
				} else if v != nil {
					want = append(want, *v...)
				}
			}
			if ncols == 1 && len(want) == line {
				want = append(want, `""`...)
			}
			want = w.eol(want)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("iteration %d:\ngot  %q\nwant %q", iter, got, want)
		}
	}
}
