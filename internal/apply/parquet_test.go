package apply

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/file"
)

// canonicalCSV writes a CSV file whose every cell is the text ptransform writes for its
// value (shortest floats, ISO dates), with quoted commas, quotes and line breaks and
// empty cells: the text a round trip through a typed format must give back.
func canonicalCSV(t *testing.T, dir, name string, rows int) string {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("id,name,price,day,ok,note\n")
	for i := 1; i <= rows; i++ {
		note := fmt.Sprintf("n%d", i%13)
		switch i % 9 {
		case 0:
			note = ""
		case 4:
			note = "\"say \"\"hi\"\",\nthen go\""
		}
		price := fmt.Sprintf("%d.%d", i%1000, i%7)
		if i%7 == 0 {
			price = fmt.Sprint(i % 1000)
		}
		fmt.Fprintf(&sb, "%d,name %d,%s,2024-%02d-%02d,%t,%s\n", i, i%50, price, i%12+1, i%28+1, i%3 == 0, note)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// toParquet writes the inputs as one Parquet file of our writer, in row groups of
// rowGroup rows.
func toParquet(t *testing.T, path string, rowGroup int, inputs ...string) string {
	t.Helper()
	runTo(t, Options{Inputs: inputs, RowGroupRows: rowGroup, Workers: 2}, path)
	return path
}

// CSV → Parquet (ours) → CSV gives back the input's bytes, whatever the workers.
func TestParquetRoundTrip(t *testing.T) {
	dir := t.TempDir()
	csvPath := canonicalCSV(t, dir, "in.csv", 5000)
	pq := toParquet(t, filepath.Join(dir, "in.parquet"), 700, csvPath)
	want, _ := os.ReadFile(csvPath)
	for _, workers := range []int{1, 2, 8} {
		got := runTo(t, Options{Inputs: []string{pq}, Workers: workers}, filepath.Join(dir, fmt.Sprintf("back%d.csv", workers)))
		if !bytes.Equal(got, want) {
			t.Fatalf("--workers %d: the round trip differs from the input\n%s", workers, firstDiff(got, want))
		}
	}
}

// A run over Parquet inputs writes the same bytes for any workers and chunk size (a
// row group is read in parts of about --chunk-size), with expressions, filters, _row
// and a grouping, into text and typed outputs.
func TestParquetDeterminism(t *testing.T) {
	dir := t.TempDir()
	pqA := toParquet(t, filepath.Join(dir, "a.parquet"), 300, canonicalCSV(t, dir, "a.csv", 2000))
	pqB := toParquet(t, filepath.Join(dir, "b.parquet"), 1000, canonicalCSV(t, dir, "b.csv", 1500))
	pqC := toParquet(t, filepath.Join(dir, "c.parquet"), 5000, canonicalCSV(t, dir, "c.csv", 6000))
	for _, c := range []Options{
		{Exprs: []string{"r = _row", "f = _file", "total = price * 2"}, Wheres: []string{"ok or id % 5 == 0"}},
		{GroupBy: "ok", Aggs: []string{"n = count(); s = sum(price)"}},
		{Sort: "-price,id", To: "jsonl"},
		{Exprs: []string{"r = _row"}, To: "parquet"},
		{},
	} {
		c.Inputs = []string{pqA, pqB, pqC}
		var first []byte
		for _, workers := range []int{1, 2, 8} {
			for _, chunk := range []int64{64 << 20, 1 << 10, 16 << 10} {
				c.Workers, c.ChunkSize = workers, chunk
				got := runTo(t, c, filepath.Join(dir, fmt.Sprintf("out%d-%d", workers, chunk)))
				if first == nil {
					first = got
				} else if !bytes.Equal(got, first) {
					t.Fatalf("%v %v %v: --workers %d --chunk-size %d differs from --workers 1 --chunk-size 64MiB\n%s", c.Exprs, c.GroupBy, c.Sort, workers, chunk, firstDiff(got, first))
				}
			}
		}
	}
}

// The parts of N shards over Parquet inputs (whole files to a shard), laid end to end,
// are the whole run's bytes, _row included.
func TestParquetShardPartsJoin(t *testing.T) {
	dir := t.TempDir()
	var inputs []string
	for k, rows := range []int{900, 50, 2000, 10} {
		csvPath := canonicalCSV(t, dir, fmt.Sprintf("%d.csv", k), rows)
		inputs = append(inputs, toParquet(t, filepath.Join(dir, fmt.Sprintf("%d.parquet", k)), 400, csvPath))
	}
	o := Options{Inputs: inputs, Exprs: []string{"r = _row", "f = _file"}, Workers: 2}
	whole := runTo(t, o, filepath.Join(dir, "whole.csv"))
	for _, n := range []int{2, 3, 5} {
		var joined []byte
		for _, p := range shardParts(t, o, n, dir, "csv") {
			b, _ := os.ReadFile(p)
			joined = append(joined, b...)
		}
		if !bytes.Equal(joined, whole) {
			t.Fatalf("%d shards: the parts joined differ from the whole run\n%s", n, firstDiff(joined, whole))
		}
	}
}

// Columns that no stage reads and that are not written are never read from the file:
// with one column chunk damaged, runs that do not need that column succeed, through
// --select, --drop, expressions and a grouping, and a run that needs it fails naming
// the file, row group and column.
func TestParquetProjection(t *testing.T) {
	dir := t.TempDir()
	pq := toParquet(t, filepath.Join(dir, "in.parquet"), 1000, canonicalCSV(t, dir, "in.csv", 3000))
	damageColumn(t, pq, 1, 5) // "note" of the second row group
	for _, o := range []Options{
		{Select: []string{"id", "name"}},
		{Drop: []string{"note"}},
		{Exprs: []string{"total = price * 2"}, Wheres: []string{"ok"}, Select: []string{"id", "total"}},
		{GroupBy: "ok", Aggs: []string{"n = count()"}},
		{Sort: "-price", Limit: ptr[int64](3), Select: []string{"id", "price"}},
	} {
		o.Inputs = []string{pq}
		runTo(t, o, filepath.Join(dir, "out.csv"))
	}
	err := Run(t.Context(), Options{Inputs: []string{pq}, Output: filepath.Join(dir, "all.csv")})
	if err == nil || !strings.Contains(err.Error(), pq+`: row group 2, column "note"`) {
		t.Fatalf("a run reading the damaged column: %v, want an error naming it", err)
	}
}

func ptr[T any](v T) *T { return &v }

// damageColumn overwrites the pages of one column chunk of a Parquet file.
func damageColumn(t *testing.T, path string, rowGroup, column int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := file.OpenParquetFile(path, false)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := rdr.MetaData().RowGroup(rowGroup).ColumnChunk(column)
	rdr.Close()
	if err != nil {
		t.Fatal(err)
	}
	start, size := meta.DataPageOffset(), meta.TotalCompressedSize()
	if meta.HasDictionaryPage() {
		start = meta.DictionaryPageOffset()
	}
	for k := start; k < start+size; k++ {
		data[k] = 0xA5
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A run over a Parquet input of many row groups, whose decoders reuse a row group's
// buffers once its chunk is encoded, writes what the same run over the CSV it was made
// from writes, for 1 and 2 workers, through barriers and into typed outputs: no buffer
// is reused while a chunk made from it is still referenced.
func TestParquetRecycledBuffers(t *testing.T) {
	dir := t.TempDir()
	csvPath := canonicalCSV(t, dir, "in.csv", 6000)
	pq := toParquet(t, filepath.Join(dir, "in.parquet"), 500, csvPath)
	for _, c := range []Options{
		{},
		{Exprs: []string{"total = price * 2", "tag = name ~ note"}, Wheres: []string{"ok or id % 5 == 0"}},
		{Sort: "-price,id"},
		{GroupBy: "name", Aggs: []string{"n = count(); first = min(note)"}},
		{Sort: "note,id", To: "jsonl"},
		{Exprs: []string{"tag = upper(note)"}, To: "xlsx"},
		{Wheres: []string{"id % 3 != 0"}, To: "parquet"},
		{Head: ptr(int64(4000))},
	} {
		for _, workers := range []int{1, 2} {
			c.Workers = workers
			// A typed output's bytes tell the inputs apart (a workbook's entries carry the
			// input's time): its values, read back as CSV, do not.
			output := func(input, name string) []byte {
				c.Inputs = []string{input}
				path := filepath.Join(dir, fmt.Sprintf("%s%d.%s", name, workers, cmp.Or(c.To, "csv")))
				out := runTo(t, c, path)
				if c.To == "xlsx" || c.To == "parquet" {
					out = runTo(t, Options{Inputs: []string{path}}, path+".csv")
				}
				return out
			}
			want, got := output(csvPath, "fromcsv"), output(pq, "fromparquet")
			if !bytes.Equal(got, want) {
				t.Fatalf("%v %v %v --workers %d: the Parquet input's output differs from the CSV's\n%s", c.Exprs, c.GroupBy, c.Sort, workers, firstDiff(got, want))
			}
		}
	}
}
