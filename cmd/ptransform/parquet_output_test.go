package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ptransform/ptransform/internal/duckdbtest"
)

// TestParquetOutput: CSV written as Parquet is the same bytes for any --workers and
// --chunk-size, with row groups sized by --row-group-size, and DuckDB reads it back
// with the columns typed as the schema says and every row in input order.
func TestParquetOutput(t *testing.T) {
	dir := t.TempDir()
	var in bytes.Buffer
	in.WriteString("id,name,price,when,day,flag,code\n")
	const rows = 5000
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&in, "%d,\"n%d, \"\"q\"\"\",%d.25,2024-03-%02dT10:%02d:00,2024-01-%02d,%v,00%d\n",
			i, i, i%100, i%28+1, i%60, i%28+1, i%2 == 0, i)
	}
	csvPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(csvPath, in.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var first []byte
	for k, variant := range [][]string{
		{"--workers", "1", "--chunk-size", "64MiB"},
		{"--workers", "3", "--chunk-size", "4KiB"},
		{"--workers", "2", "--chunk-size", "1KiB", "--compression", "zstd"},
	} {
		out := filepath.Join(dir, fmt.Sprintf("out%d.parquet", k))
		args := append([]string{"apply", csvPath, "-e", "total = price * 2", "--row-group-size", "1000", "-o", out}, variant...)
		if r := runPtransform(t, nil, args...); r.code != 0 {
			t.Fatalf("%v: exit %d: %s", variant, r.code, r.stderr)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Errorf("%v: bytes differ from --workers 1 --chunk-size 64MiB", variant)
		}
	}
	path := filepath.Join(dir, "out0.parquet")
	types, got := duckdbtest.Query(t, path, "SELECT count(*)::VARCHAR, min(id)::VARCHAR, max(id)::VARCHAR, "+
		"count(DISTINCT file_row_number)::VARCHAR FROM read_parquet('"+path+"', file_row_number=true)")
	want := [][2]string{{"id", "BIGINT"}, {"name", "VARCHAR"}, {"price", "DOUBLE"}, {"when", "TIMESTAMP"},
		{"day", "DATE"}, {"flag", "BOOLEAN"}, {"code", "VARCHAR"}, {"total", "DOUBLE"}}
	if fmt.Sprint(types) != fmt.Sprint(want) {
		t.Errorf("DuckDB types %v, want %v", types, want)
	}
	if fmt.Sprint(got) != fmt.Sprintf("[[%d 1 %d %d]]", rows, rows, rows) {
		t.Errorf("DuckDB counts %v", got)
	}
	_, got = duckdbtest.Query(t, path, `SELECT id::VARCHAR, name, price, strftime("when", '%Y-%m-%dT%H:%M:%S'), day::VARCHAR, flag, code, total FROM t LIMIT 1 OFFSET 1`)
	if fmt.Sprint(got) != `[[2 n2, "q" 2.25 2024-03-03T10:02:00 2024-01-03 true 002 4.5]]` {
		t.Errorf("DuckDB reads row 2 as %v", got)
	}
	_, got = duckdbtest.Query(t, path, "SELECT num_row_groups::VARCHAR FROM parquet_file_metadata('"+path+"')")
	if fmt.Sprint(got) != fmt.Sprintf("[[%d]]", rows/1000) {
		t.Errorf("row groups %v, want %d of 1000 rows", got, rows/1000)
	}
}
