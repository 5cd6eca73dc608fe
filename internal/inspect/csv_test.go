package inspect

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/valuetype"
)

// genCSV writes a CSV with rows data rows, some holding quoted line ends and, with
// bareQuotes, quotes inside unquoted fields (which break quote-parity estimates and
// force resynchronisation), and returns the number of lines it wrote.
func genCSV(rows int, bareQuotes bool) (string, int) {
	var b strings.Builder
	b.WriteString("id,name,price\n")
	lines := 1
	for i := range rows {
		switch {
		case i%7 == 3:
			fmt.Fprintf(&b, "%d,\"two\nlines, \"\"q\"\"\",%d.5\n", i, i)
			lines += 2
		case bareQuotes && i%11 == 5:
			fmt.Fprintf(&b, "%d,5\" tall,%d\n", i, i)
			lines++
		default:
			fmt.Fprintf(&b, "%d,name %d,%d\n", i, i, i)
			lines++
		}
	}
	return b.String(), lines
}

func writeFile(t testing.TB, name, content string, gz bool) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	data := []byte(content)
	if gz {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		zw.Close()
		data = buf.Bytes()
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// variants are the chunk sizes and worker counts every count must agree under: down to
// chunks far smaller than a record.
var variants = []struct {
	workers   int
	chunkSize int64
}{{1, 4 << 20}, {2, 1 << 10}, {3, 64}, {8, 7}}

func TestCSVRowCount(t *testing.T) {
	for _, bare := range []bool{false, true} {
		content, _ := genCSV(2000, bare)
		for _, gz := range []bool{false, true} {
			path := writeFile(t, "data.csv", content, gz)
			for _, v := range variants {
				name := fmt.Sprintf("bare=%v/gzip=%v/workers=%d/chunk=%d", bare, gz, v.workers, v.chunkSize)
				t.Run(name, func(t *testing.T) {
					rep, err := Inspect(context.Background(), path, Options{SampleRows: 10, ShowRows: 2, Workers: v.workers, ChunkSize: v.chunkSize})
					if err != nil {
						t.Fatal(err)
					}
					c := rep.CSVReport
					if c == nil || rep.Format != "csv" {
						t.Fatalf("format %q", rep.Format)
					}
					if c.Rows != 2000 {
						t.Errorf("rows = %d, want 2000", c.Rows)
					}
					if len(c.FirstRows) != 2 || *c.FirstRows[1][1] != "name 1" {
						t.Errorf("first rows %v", c.FirstRows)
					}
					wantCompression := map[bool]string{false: "none", true: "gzip"}[gz]
					if c.Compression != wantCompression {
						t.Errorf("compression %q, want %q", c.Compression, wantCompression)
					}
					want := []Column{{"id", valuetype.Integer}, {"name", valuetype.Text}, {"price", valuetype.Number}}
					if fmt.Sprint(c.Columns) != fmt.Sprint(want) {
						t.Errorf("columns %v, want %v", c.Columns, want)
					}
				})
			}
		}
	}
}

// TestCSVErrorLine checks that a bad record is reported at its absolute line, the same
// whatever the chunking, and that the first bad record in the input is the one named.
func TestCSVErrorLine(t *testing.T) {
	content, lines := genCSV(30000, false)
	content += "1,2,3,4\n" // line lines+1
	more, _ := genCSV(500, false)
	content += strings.SplitN(more, "\n", 2)[1] + "x\n" // a later bad record
	want := fmt.Sprintf("data.csv: line %d: expected 3 fields, found 4 (--ragged truncate drops the extra cells)", lines+1)
	for _, gz := range []bool{false, true} {
		path := writeFile(t, "data.csv", content, gz)
		for _, v := range variants {
			_, err := Inspect(context.Background(), path, Options{SampleRows: 100, Workers: v.workers, ChunkSize: v.chunkSize})
			if err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("gzip=%v %+v: error %v, want %q", gz, v, err, want)
			}
		}
	}
}

func TestCSVErrorInSample(t *testing.T) {
	path := writeFile(t, "data.csv", "a,b\n1,2\n3,\"open\n4,5\n", false)
	_, err := Inspect(context.Background(), path, Options{SampleRows: 1000, Workers: 2})
	if err == nil || !strings.HasSuffix(err.Error(), "data.csv: line 3, column 2: quoted field is not closed before the end of the input") {
		t.Errorf("error %v", err)
	}
}

func TestCSVSmallCases(t *testing.T) {
	for _, tc := range []struct {
		name, content string
		o             Options
		rows          int64
		cols          string
		delimiter     string
	}{
		{"empty", "", Options{}, 0, "[]", ","},
		{"header only", "a;b\n", Options{}, 0, "[{a text} {b text}]", ";"},
		{"semicolon", "a;b\n1,5;2\n", Options{}, 1, "[{a text} {b integer}]", ";"},
		{"no header", "1,2\n3,4\n", Options{}, 2, "[{c1 integer} {c2 integer}]", ","},
		{"blank lines", "a\n\n1\n\n2\n", Options{}, 2, "[{a integer}]", ","},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.CSV.NoHeader = tc.name == "no header"
			tc.o.SampleRows, tc.o.ShowRows = 10, 5
			rep, err := Inspect(context.Background(), writeFile(t, "in.csv", tc.content, false), tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Rows != tc.rows || fmt.Sprint(rep.Columns) != tc.cols || rep.Delimiter != tc.delimiter {
				t.Errorf("rows %d, columns %v, delimiter %q; want %d, %s, %q", rep.Rows, rep.Columns, rep.Delimiter, tc.rows, tc.cols, tc.delimiter)
			}
			if rep.Header == tc.o.CSV.NoHeader {
				t.Errorf("header %v with NoHeader %v", rep.Header, tc.o.CSV.NoHeader)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := Inspect(context.Background(), filepath.Join(t.TempDir(), "nope.csv"), Options{})
	if err == nil || !strings.HasSuffix(err.Error(), "nope.csv: no such file") {
		t.Errorf("error %v", err)
	}
}

// BenchmarkCountCSV measures a whole inspect of a seekable CSV: sample and parallel count.
func BenchmarkCountCSV(b *testing.B) {
	const rows = 200000
	content, _ := genCSV(rows, false)
	path := writeFile(b, "data.csv", content, false)
	b.SetBytes(int64(len(content)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Inspect(context.Background(), path, Options{SampleRows: 1000, ShowRows: 5, Workers: 2}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
