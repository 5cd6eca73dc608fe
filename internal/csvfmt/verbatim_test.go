package csvfmt

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/table"
)

// verbatimChunks counts the chunks checkVerbatim saw Verbatim take.
var verbatimChunks int

// checkVerbatim requires Writer.Verbatim, when it takes a chunk, to give exactly the
// bytes AppendRows appends for it (want), and those bytes to lie in the input bytes.
func checkVerbatim(t *testing.T, w Writer, c *table.Chunk, want []byte) {
	t.Helper()
	got, ok := w.Verbatim(c)
	if !ok {
		return
	}
	verbatimChunks++
	if !bytes.Equal(got, want) {
		t.Fatalf("writer %+v: Verbatim %q, AppendRows %q", w, got, want)
	}
	// A piece of Data: got is Data[at:at+len(got)], which has cap(Data)-at left.
	data := c.Raw.Data
	if at := cap(data) - cap(got); len(got) > 0 && (at < 0 || at+len(got) > len(data) || &data[at] != &got[0]) {
		t.Fatalf("Verbatim's bytes are not the input's")
	}
}

// decodeWhole decodes all of data's records in one range.
func decodeWhole(t *testing.T, data string) *table.Chunk {
	t.Helper()
	in := mustOpen(t, writeFile(t, "in.csv", []byte(data)), Options{})
	t.Cleanup(func() { in.Close() })
	dec := in.NewDecoder()
	dd, err := dec.DecodeRange(Range{Start: in.DataStart, End: in.Size})
	if err != nil {
		t.Fatal(err)
	}
	return dd.Chunk
}

// TestVerbatim: which chunks are written as their input bytes, and that those are the
// bytes AppendRows writes.
func TestVerbatim(t *testing.T) {
	plain := strings.Repeat("1,2,x\n", 40)
	for _, tc := range []struct {
		name, data string
		want       bool
	}{
		{"plain", "a,b,c\n" + plain, true},
		{"minimal quotes", "a,b,c\n" + plain + "3,\"x,y\",\"say \"\"hi\"\"\"\n" + plain, true},
		{"quoted rows first and last", "a,b,c\n\"q,1\",2,3\n" + plain + "4,5,\"r\"\"\"\n", true},
		{"skipped blank line", "a,b,c\n" + plain + "\n" + plain, false},
		{"needless quotes", "a,b,c\n" + plain + "\"3\",4,5\n" + plain, false},
		{"CR LF", "a,b,c\r\n" + strings.ReplaceAll(plain, "\n", "\r\n"), false},
		{"a CR inside", "a,b,c\n" + plain + "3,x\ry,5\n" + plain, false},
		{"no final line end", "a,b,c\n" + plain + "7,8,9", false},
		{"mostly quoted", "a,b,c\n" + strings.Repeat("\"1,\",2,3\n", 10), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := decodeWhole(t, tc.data)
			want, err := Writer{}.AppendRows(nil, c)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := Writer{}.Verbatim(c)
			if ok != tc.want {
				t.Fatalf("Verbatim took the chunk: %v, want %v", ok, tc.want)
			}
			if ok && !bytes.Equal(got, want) {
				t.Fatalf("Verbatim %q\nAppendRows %q", got, want)
			}
			if ok && string(got) != tc.data[strings.IndexByte(tc.data, '\n')+1:] {
				t.Fatalf("Verbatim %q is not the input's records", got)
			}
		})
	}
}

// TestVerbatimRefusesChangedChunks: a chunk whose columns are not the reader's, or
// written by a writer that does not copy rows, is not the input's bytes.
func TestVerbatimRefusesChangedChunks(t *testing.T) {
	var data strings.Builder
	data.WriteString("a,b\n")
	for i := range 40 {
		fmt.Fprintf(&data, "%d,%d\n", i, i+1)
	}
	c := decodeWhole(t, data.String())
	if _, ok := (Writer{}).Verbatim(c); !ok {
		t.Fatal("the chunk as decoded is not taken")
	}
	for _, w := range []Writer{{CRLF: true}, {Delimiter: ';'}} {
		if b, ok := w.Verbatim(c); ok {
			t.Errorf("writer %+v took it: %q", w, b)
		}
	}
	cols := c.Batch.Columns()
	fields := c.Batch.Schema().Fields()
	added := *c
	added.Batch = array.NewRecordBatch(arrow.NewSchema(append(fields, fields[0]), nil), append(cols, cols[0]), c.Batch.NumRows())
	swapped := *c
	swapped.Batch = array.NewRecordBatch(c.Batch.Schema(), []arrow.Array{cols[1], cols[0]}, c.Batch.NumRows())
	for name, ch := range map[string]*table.Chunk{"a column added": &added, "columns swapped": &swapped, "head": c.Prefix(2)} {
		b, ok := Writer{}.Verbatim(ch)
		if want := name == "head"; ok != want {
			t.Errorf("%s: taken %v, want %v", name, ok, want)
		}
		if ok && string(b) != "0,1\n1,2\n" {
			t.Errorf("%s: %q", name, b)
		}
	}
}

// TestVerbatimTakesChunksOfMinimalQuotes runs checkRawRows (which checks Verbatim on every
// chunk against AppendRows) over files written with minimal quoting, LF line ends and
// ranges of several sizes, and requires Verbatim to have taken chunks.
func TestVerbatimTakesChunksOfMinimalQuotes(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	verbatimChunks = 0
	for iter := range 20 {
		var sb strings.Builder
		sb.WriteString("id,name,n\n")
		for i := range 50 + r.IntN(400) {
			name := []string{"plain", "x y", "a,b", `say "hi"`, "", "日本"}[r.IntN(6)]
			if r.IntN(10) != 0 {
				name = "plain"
			}
			v := Writer{}.AppendHeader(nil, []string{fmt.Sprint(i), name, fmt.Sprint(i * 7)})
			sb.Write(v)
		}
		checkRawRows(t, []byte(sb.String()), Options{}, []int{64, 300, 1 << 20}[iter%3], r)
	}
	if verbatimChunks == 0 {
		t.Fatal("Verbatim took no chunk")
	}
}

// BenchmarkIdentityChunks is a worker's share of an identity run of the bench data: 256
// KiB ranges decoded with every column skipped, then each chunk's output made by
// AppendRows (a copy of the chunk's bytes) or found by Verbatim (none), or neither
// ("decode": what both add to), and written with pwrite at its offset of a file in the
// test's directory (or not written: "none"). It reports CPU ns per row, system time
// included: the kernel's copy into the page cache reads the output buffer AppendRows
// filled, or the decoder's own buffer.
func BenchmarkIdentityChunks(b *testing.B) {
	in, rows := benchInput(b)
	ranges := in.GuessRanges(in.DataStart, 256<<10)
	skip := make([]bool, len(in.Header))
	for j := range skip {
		skip[j] = true
	}
	for _, output := range []string{"none", "file"} {
		for _, encode := range []string{"decode", "AppendRows", "Verbatim"} {
			if output == "file" && encode == "decode" {
				continue
			}
			b.Run(fmt.Sprintf("output=%s/%s", output, encode), func(b *testing.B) {
				var out *os.File
				if output == "file" {
					var err error
					if out, err = os.Create(filepath.Join(b.TempDir(), "out.csv")); err != nil {
						b.Fatal(err)
					}
					defer out.Close()
				}
				dec := in.NewDecoder()
				defer dec.Close()
				dec.SkipColumns(skip)
				var buf []byte
				b.SetBytes(in.Size - in.DataStart)
				cpu0 := processCPU()
				for b.Loop() {
					var at int64
					for _, r := range ranges {
						dd, err := dec.DecodeRange(r)
						if err != nil {
							b.Fatal(err)
						}
						part, ok := []byte(nil), encode == "decode"
						if encode == "Verbatim" {
							part, ok = Writer{}.Verbatim(dd.Chunk)
						}
						if !ok {
							if buf, err = (Writer{}).AppendRows(buf[:0], dd.Chunk); err != nil {
								b.Fatal(err)
							}
							part = buf
						}
						if out != nil {
							if _, err := out.WriteAt(part, at); err != nil {
								b.Fatal(err)
							}
						}
						at += int64(len(part))
						dec.Recycle(dd.Chunk)
					}
				}
				b.ReportMetric(float64(processCPU()-cpu0)/float64(int64(b.N)*rows), "cpu-ns/row")
			})
		}
	}
}
