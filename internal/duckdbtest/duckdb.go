// Package duckdbtest lets tests read the files ptransform writes with DuckDB, the
// oracle of typed outputs: a node script (read.cjs, embedded) runs a query through
// @duckdb/node-api. A test that needs it is skipped, with a message, where node or the
// package is missing; CI installs both (`npm install -g @duckdb/node-api`).
package duckdbtest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

//go:embed read.cjs
var readScript []byte

// Query runs query over the view t of the Parquet file at path (read_parquet), or of the
// CSV file when path ends in .csv (read_csv, types detected), and returns
// the view's column names and DuckDB types, and the query's rows as JSON values (numbers
// as json.Number; BIGINT as exact strings).
func Query(t testing.TB, path, query string) (types [][2]string, rows [][]any) {
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
	script := filepath.Join(t.TempDir(), "read.cjs")
	if err := os.WriteFile(script, readScript, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, script, path, query)
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
