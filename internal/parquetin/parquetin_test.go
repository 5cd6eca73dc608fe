package parquetin

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/benchdata"
	"github.com/ptransform/ptransform/internal/duckdbtest"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// testdata/duckdb_types.parquet holds one row of every type DuckDB writes, made by
// testdata/README.md's query. Each reads as the package doc says.
func TestDuckDBTypes(t *testing.T) {
	in := openPath(t, "testdata/duckdb_types.parquet")
	want := []struct {
		name, text string
		typ        schema.Type
	}{
		{"i8", "1", schema.Int}, {"i16", "2", schema.Int}, {"i32", "3", schema.Int},
		{"i64", "9223372036854775807", schema.Int}, {"u8", "255", schema.Int},
		{"u64", "18446744073709551615", schema.Int},
		{"f32", "0.1", schema.Float}, {"f64", "0.1", schema.Float}, {"b", "true", schema.Bool},
		{"d", "2024-03-01", schema.Date},
		{"ts", "2024-03-01T13:45:00.25", schema.Datetime}, {"tsms", "2024-03-01T13:45:00.25", schema.Datetime},
		{"tsns", "2024-03-01T13:45:00.123456789", schema.Datetime}, {"tstz", "2024-03-01T13:45:00", schema.Datetime},
		{"t", "13:45:00.5", schema.Time},
		{"dc", "1.50", schema.Float}, {"bigdc", "12345678901234567890.123", schema.String},
		{"s", "héllo", schema.String}, {"bl", "AP8=", schema.String},
		{"u", "01234567-89ab-cdef-0123-456789abcdef", schema.String},
		{"l", "[1,2,3]", schema.String}, {"st", `{"a":1,"b":"x"}`, schema.String}, {"m", `{"k":1}`, schema.String},
		{"n", "", schema.Int}, {"e", "", schema.String},
	}
	rows := readCSV(t, decodeAll(t, in, nil))
	if len(rows) != 2 || len(rows[0]) != len(want) {
		t.Fatalf("got %d rows of %d columns, want 2 of %d:\n%v", len(rows), len(rows[0]), len(want), rows)
	}
	for j, w := range want {
		if rows[0][j] != w.name || rows[1][j] != w.text || in.Types[j] != w.typ {
			t.Errorf("column %d: %s = %q (%s), want %s = %q (%s)", j, rows[0][j], rows[1][j], in.Types[j], w.name, w.text, w.typ)
		}
	}
}

// A file DuckDB writes in the test, with nulls and several row groups, reads back the
// values of its query, row for row, on the direct path and through pqarrow alike.
func TestDuckDBRowGroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gen.parquet")
	duckdbtest.Query(t, "testdata/duckdb_types.parquet", fmt.Sprintf(`COPY (SELECT i::INT id,
		CASE WHEN i %% 7 = 0 THEN NULL ELSE 'name ' || i END nm,
		CASE WHEN i %% 5 = 0 THEN NULL ELSE i * 0.25 END score,
		(i * 0.5)::DOUBLE half, DATE '2000-01-01' + i::INT d, i %% 2 = 0 flag,
		TIMESTAMP '2024-01-01 00:00:00' + INTERVAL (i) SECOND ts
		FROM range(1, 5001) t(i)) TO '%s' (ROW_GROUP_SIZE 2048)`, path))
	in := openPath(t, path)
	if len(in.RowGroups) < 2 || in.Rows != 5000 {
		t.Fatalf("%d rows in %d row groups, want 5000 in several", in.Rows, len(in.RowGroups))
	}
	var want strings.Builder
	want.WriteString("id,nm,score,half,d,flag,ts\n")
	for i := 1; i <= 5000; i++ {
		name, score := "name "+strconv.Itoa(i), fmt.Sprintf("%d.%02d", i/4, i%4*25)
		if i%7 == 0 {
			name = ""
		}
		if i%5 == 0 {
			score = ""
		}
		d, ts := table.AppendDate(nil, arrow.Date32(table.DaysFromCivil(2000, 1, 1)+int64(i))), table.AppendTimestamp(nil, (table.DaysFromCivil(2024, 1, 1)*86400+int64(i))*1e6)
		fmt.Fprintf(&want, "%d,%s,%s,%s,%s,%t,%s\n", i, name, score, table.AppendFloat(nil, float64(i)*0.5), d, i%2 == 0, ts)
	}
	if got := decodeAll(t, in, nil); got != want.String() {
		t.Errorf("decoded:\n%.400s\nwant:\n%.400s", got, want.String())
	}
	checkPathsAgree(t, in)
}

// Our own writer's files read back the values written, and equal text: a round trip.
func TestOurWriterRoundTrip(t *testing.T) {
	in := openPath(t, writeOurs(t, 3000, 1000))
	if len(in.RowGroups) != 3 {
		t.Fatalf("%d row groups, want 3", len(in.RowGroups))
	}
	var text bytes.Buffer
	if err := benchdata.Write(&text, 3000); err != nil {
		t.Fatal(err)
	}
	want := readCSV(t, text.String())
	got := readCSV(t, decodeAll(t, in, nil))
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		for j, w := range want[i] {
			if i > 0 && benchSchema[j].Type == schema.Float {
				f, _ := strconv.ParseFloat(w, 64)
				w = string(table.AppendFloat(nil, f)) // the canonical text of the float written
			}
			if got[i][j] != w {
				t.Fatalf("row %d column %d: %q, want %q", i, j, got[i][j], w)
			}
		}
	}
	for j, c := range benchSchema {
		if in.Types[j] != c.Type {
			t.Errorf("column %s: type %s, want %s", c.Name, in.Types[j], c.Type)
		}
	}
	checkPathsAgree(t, in)
}

// checkPathsAgree decodes the input with every column through pqarrow and checks the
// text is that of the direct path.
func checkPathsAgree(t *testing.T, in *Input) {
	t.Helper()
	direct := decodeAll(t, in, nil)
	arrowOnly := *in
	arrowOnly.direct = make([]directKind, len(in.direct))
	if got := decodeAll(t, &arrowOnly, nil); got != direct {
		t.Errorf("pqarrow path:\n%.400s\ndirect path:\n%.400s", got, direct)
	}
}

// Columns left out are never read: a damaged column chunk fails the decode that reads
// it, naming row group and column, and not the one that skips it.
func TestProjectionReadsNothingElse(t *testing.T) {
	path := writeOurs(t, 3000, 1000)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in := openPath(t, path)
	meta, err := in.meta.RowGroup(1).ColumnChunk(4) // "name" of the second row group
	if err != nil {
		t.Fatal(err)
	}
	start := meta.DataPageOffset()
	if meta.HasDictionaryPage() {
		start = meta.DictionaryPageOffset()
	}
	for k := start; k < start+meta.TotalCompressedSize(); k++ {
		data[k] = 0xA5
	}
	damaged := filepath.Join(t.TempDir(), "damaged.parquet")
	if err := os.WriteFile(damaged, data, 0o644); err != nil {
		t.Fatal(err)
	}
	in = openPath(t, damaged)
	skip := make([]bool, len(in.Header))
	skip[4] = true
	c, err := in.NewDecoder(skip).Decode(context.Background(), 1)
	if err != nil {
		t.Fatalf("decode without the damaged column: %v", err)
	}
	if c.Batch.Column(4).NullN() != 1000 || c.Batch.Column(0).NullN() != 0 {
		t.Errorf("skipped column has %d nulls of 1000, column 0 %d", c.Batch.Column(4).NullN(), c.Batch.Column(0).NullN())
	}
	_, err = in.NewDecoder(nil).Decode(context.Background(), 1)
	if err == nil || !strings.Contains(err.Error(), `row group 2, column "name"`) || !strings.HasPrefix(err.Error(), damaged+": ") {
		t.Errorf("decode of the damaged column: %v, want an error naming the file, row group 2 and column \"name\"", err)
	}
}

// Files that are not whole Parquet files fail Open with one line naming them.
func TestBadFiles(t *testing.T) {
	good, err := os.ReadFile("testdata/duckdb_types.parquet")
	if err != nil {
		t.Fatal(err)
	}
	footer := bytes.Clone(good)
	for k := len(footer) - 40; k < len(footer)-8; k++ {
		footer[k] ^= 0x5A
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"truncated", good[:len(good)-100]},
		{"cut-in-half", good[:len(good)/2]},
		{"footer", footer},
		{"magic-only", []byte("PAR1")},
		{"garbage", append([]byte("PAR1"), bytes.Repeat([]byte{0, 1, 2, 3}, 64)...)},
		{"huge-footer-length", append(append([]byte("PAR1"), bytes.Repeat([]byte{7}, 32)...), 0xff, 0xff, 0xff, 0x7f, 'P', 'A', 'R', '1')},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tc.name+".parquet")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			in, err := readWhole(path)
			if err == nil {
				t.Fatalf("read %d rows, want an error", in.Rows)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, path+": ") || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line starting with the file's name", msg)
			}
		})
	}
}

// readWhole opens path and decodes every row group, returning the first error.
func readWhole(path string) (*Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in, err := Open(path, f)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	d := in.NewDecoder(nil)
	for rg := range in.RowGroups {
		if _, err := d.Decode(context.Background(), rg); err != nil {
			return in, err
		}
	}
	return in, nil
}

// FuzzRead reads arbitrary bytes as a Parquet file: an error or rows, never a panic.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"testdata/duckdb_types.parquet", "testdata/ours_small.parquet", "testdata/pages_v2_snappy.parquet"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := readWhole(path)
		if err != nil && !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("error %q does not name the file", err)
		}
	})
}

func readCSV(t *testing.T, text string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// A decoder reuses a row group's buffers only once the chunk made from them is given
// back by Recycle as the last one it returned: a chunk not recycled, or recycled too
// late, keeps its values while the next row groups decode, and a recycled one's
// buffers do serve the next row group.
func TestRecycleWaitsForRelease(t *testing.T) {
	in := openPath(t, writeOurs(t, 3000, 1000))
	if len(in.RowGroups) != 3 {
		t.Fatalf("%d row groups, want 3", len(in.RowGroups))
	}
	want := make([][][]string, len(in.RowGroups))
	for rg := range in.RowGroups {
		c, err := in.NewDecoder(nil).Decode(context.Background(), rg)
		if err != nil {
			t.Fatal(err)
		}
		want[rg] = chunkCells(c)
	}
	d := in.NewDecoder(nil)
	decode := func(rg int) *table.Chunk {
		t.Helper()
		c, err := d.Decode(context.Background(), rg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	check := func(what string, c *table.Chunk, rg int) {
		t.Helper()
		if got := chunkCells(c); !slices.EqualFunc(got, want[rg], slices.Equal) {
			t.Fatalf("%s: row group %d's values changed", what, rg+1)
		}
	}
	c0 := decode(0)
	c1 := decode(1)
	check("not recycled, after the next row group", c0, 0)
	d.Recycle(c0) // not the last chunk returned: ignored
	d.Recycle(c1)
	c2 := decode(2)
	check("recycled too late, after the next row groups", c0, 0)
	check("decoded into recycled buffers", c2, 2)
	text := func(c *table.Chunk) *byte { return unsafe.SliceData(c.Batch.Column(0).(*array.String).ValueBytes()) }
	if text(c2) != text(c1) {
		t.Fatal("the recycled chunk's buffers did not serve the next row group")
	}
}

// chunkCells copies a chunk's text columns out of its buffers, column by column (nulls
// as empty cells).
func chunkCells(c *table.Chunk) [][]string {
	cells := make([][]string, c.Batch.NumCols())
	for j := range cells {
		col := c.Batch.Column(j).(*array.String)
		for i := range col.Len() {
			cells[j] = append(cells[j], strings.Clone(col.Value(i)))
		}
	}
	return cells
}
