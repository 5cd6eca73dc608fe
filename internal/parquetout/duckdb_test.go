package parquetout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/ptransform/ptransform/internal/schema"
)

// duckDB runs testdata/duckdb_read.cjs; it skips the test when node or @duckdb/node-api is
// missing. The package is found through NODE_PATH, else in npm's global root (CI installs
// it with `npm install -g @duckdb/node-api`).
func duckDB(t *testing.T, path, query string) (types [][2]string, rows [][]any) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("DuckDB check skipped: no node on PATH (CI: apt-get install nodejs npm; npm install -g @duckdb/node-api)")
	}
	nodePath := os.Getenv("NODE_PATH")
	if nodePath == "" {
		if root, err := exec.Command("npm", "root", "-g").Output(); err == nil {
			nodePath = strings.TrimSpace(string(root))
		}
	}
	env := append(os.Environ(), "NODE_PATH="+nodePath)
	probe := exec.Command(node, "-e", "require.resolve('@duckdb/node-api')")
	probe.Env = env
	if probe.Run() != nil {
		t.Skipf("DuckDB check skipped: @duckdb/node-api not found in NODE_PATH=%q (npm install -g @duckdb/node-api)", nodePath)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "duckdb_read.cjs"), path, query)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("DuckDB could not read %s: %v\n%s", path, err, stderr.String())
	}
	var got struct {
		Types [][2]string
		Rows  [][]any
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("DuckDB's answer %.200q: %v", out, err)
	}
	return got.Types, got.Rows
}

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
			types, got := duckDB(t, path, "SELECT "+strings.Join(exprs, ", ")+" FROM t")
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
	types, rows := duckDB(t, path, "SELECT count(*)::VARCHAR FROM t")
	if len(types) != len(allTypes) || fmt.Sprint(rows) != "[[0]]" {
		t.Errorf("DuckDB read %v and %v, want %d columns and 0 rows", types, rows, len(allTypes))
	}
}
