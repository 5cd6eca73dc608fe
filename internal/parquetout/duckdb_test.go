package parquetout

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/duckdbtest"
	"github.com/ptransform/ptransform/internal/schema"
)

// duckSQL is the DuckDB type of each schema type and the expression that shows its value
// exactly (days and microseconds since the epoch as BIGINT, which come back as strings).
var duckSQL = map[schema.Type][2]string{
	schema.String:   {"VARCHAR", "%s"},
	schema.Int:      {"BIGINT", "%s"},
	schema.Float:    {"DOUBLE", "%s"},
	schema.Bool:     {"BOOLEAN", "%s"},
	schema.Date:     {"DATE", "%s - DATE '1970-01-01'"},
	schema.Datetime: {"TIMESTAMP", "epoch_us(%s)"},
	schema.Time:     {"TIME", "epoch_us(%s)"},
	schema.Duration: {"BIGINT", "%s"},
}

// shown is a cell as the DuckDB query shows it, or as it was written.
func shown(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return "bad number " + string(v)
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func TestDuckDBReadsTypesAndValues(t *testing.T) {
	const n = 1000
	for _, compression := range Compressions {
		t.Run(compression, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out.parquet")
			data := writeParquet(t, allTypes, chunked(allTypes, n, 170), Options{Compression: compression, RowGroupRows: 300, Workers: 2})
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			exprs := make([]string, len(allTypes))
			for i, c := range allTypes {
				exprs[i] = fmt.Sprintf(duckSQL[c.Type][1], c.Name)
			}
			types, got := duckdbtest.Query(t, path, "SELECT "+strings.Join(exprs, ", ")+" FROM t")
			for i, c := range allTypes {
				if want := [2]string{c.Name, duckSQL[c.Type][0]}; i >= len(types) || types[i] != want {
					t.Errorf("DuckDB column %d: %v, want %v", i, types, want)
					return
				}
			}
			if len(got) != n {
				t.Fatalf("DuckDB read %d rows, want %d", len(got), n)
			}
			for r, row := range got {
				for i, c := range allTypes {
					want := cell(c, r)
					switch v := want.(type) { // days and microseconds since the epoch
					case arrow.Date32:
						want = int64(v)
					case arrow.Timestamp:
						want = int64(v)
					case arrow.Time64:
						want = int64(v)
					case arrow.Duration:
						want = int64(v)
					}
					if g, w := shown(row[i]), shown(want); g != w {
						t.Fatalf("DuckDB row %d column %s: %s, want %s", r, c.Name, g, w)
					}
				}
			}
		})
	}
}

func TestDuckDBReadsAHeaderOnlyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.parquet")
	if err := os.WriteFile(path, writeParquet(t, allTypes, nil, Options{}), 0o644); err != nil {
		t.Fatal(err)
	}
	types, rows := duckdbtest.Query(t, path, "SELECT count(*)::VARCHAR FROM t")
	if len(types) != len(allTypes) || fmt.Sprint(rows) != "[[0]]" {
		t.Errorf("DuckDB read %v and %v, want %d columns and 0 rows", types, rows, len(allTypes))
	}
}
