package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/duckdbtest"
)

// writeRowsInput writes rows with unique ids in input order, repeated keys, empty
// keys, and a multi-line quoted record every 7th row (which `| head` cuts in two).
func writeRowsInput(t *testing.T, dir string, rows int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,region,qty,note\n")
	regions := []string{"North", "south", "", "Île", "West", "east"}
	for i := 1; i <= rows; i++ {
		note := fmt.Sprintf("n%d", i%13)
		if i%7 == 0 {
			note = fmt.Sprintf("\"line one\nline %d, \"\"two\"\"\"", i)
		}
		fmt.Fprintf(&b, "%d,%s,%d,%s\n", i, regions[(i*i)%len(regions)], (i*31)%17, note)
	}
	path := filepath.Join(dir, "rows.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// --distinct, --distinct-on, --head, --tail, --sample and --sample-fraction write the
// same bytes for workers {1, 2, 8} × chunk sizes {7 B, 1 KiB, 64 MiB} from a file, and
// for workers {1, 2, 8} from standard input (the same bytes as from the file, but for
// the draws of --sample and --sample-fraction, which hash the input's name, "-" here).
func TestRowsDeterministic(t *testing.T) {
	dir := t.TempDir()
	in := writeRowsInput(t, dir, 2000)
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, job := range []struct {
		args    []string
		hashed  bool // the rows drawn depend on the input's name
		minRows int
	}{
		{[]string{"--distinct-on", "region"}, false, 4},
		{[]string{"--distinct-on", "region,q=qty % 5"}, false, 20},
		{[]string{"--distinct", "--select", "region,qty"}, false, 50},
		{[]string{"-w", "qty > 10", "--head", "100"}, false, 100},
		{[]string{"--tail", "50"}, false, 50},
		{[]string{"-w", "region == \"North\"", "--tail", "7"}, false, 7},
		{[]string{"--sample", "40", "--seed", "7"}, true, 40},
		{[]string{"--sample-fraction", "0.05", "--seed", "3"}, true, 60}, // 100 ± 10: the draws hash the temporary path
	} {
		var fromFile, fromStdin string
		for _, workers := range []string{"1", "2", "8"} {
			for _, chunk := range []string{"7", "1KiB", "64MiB"} {
				args := append([]string{"apply", in, "--workers", workers, "--chunk-size", chunk}, job.args...)
				r := runPtransformOf(t, binaryForWorkers(workers), nil, args...)
				if r.code != 0 {
					t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
				}
				if fromFile == "" {
					fromFile = r.stdout
					if rows := strings.Count(fromFile, "\n") - strings.Count(fromFile, "line one\n") - 1; rows < job.minRows {
						t.Fatalf("%v: only %q", job.args, fromFile)
					}
				} else if r.stdout != fromFile {
					t.Errorf("%v, workers %s, chunk size %s: the output differs from the first run's", job.args, workers, chunk)
				}
				if chunk != "1KiB" {
					continue // standard input is cut by its own splitter: one size per worker count
				}
				args[1] = "-"
				r = runPtransformOf(t, binaryForWorkers(workers), bytes.NewReader(data), args...)
				if r.code != 0 {
					t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
				}
				switch {
				case fromStdin == "":
					fromStdin = r.stdout
					if !job.hashed && fromStdin != fromFile {
						t.Errorf("%v: standard input gives other rows than the file", job.args)
					}
				case r.stdout != fromStdin:
					t.Errorf("%v from standard input, workers %s, chunk size %s: the output differs from the first run's", job.args, workers, chunk)
				}
			}
		}
	}
}

// --head N stops reading once the first chunks hold N rows: a bad record far into the
// file is never reached, and the run's summary counts few rows in.
func TestHeadStopsReading(t *testing.T) {
	dir := t.TempDir()
	in := writeRowsInput(t, dir, 100000)
	f, err := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("1,2,3,4,5,6\n"); err != nil { // one field too many
		t.Fatal(err)
	}
	f.Close()
	if r := runPtransform(t, nil, "apply", in, "--tail", "3"); r.code != 1 {
		t.Fatalf("--tail reads the whole file and must meet the bad record: exit %d: %s", r.code, r.stderr)
	}
	for _, workers := range []string{"1", "8"} {
		stats := filepath.Join(dir, "stats"+workers+".json")
		r := runPtransformOf(t, binaryForWorkers(workers), nil, "apply", in, "--head", "5", "--workers", workers,
			"--chunk-size", "16KiB", "--stats-json", stats)
		if r.code != 0 {
			t.Fatalf("--head 5, %s workers: exit %d: %s", workers, r.code, r.stderr)
		}
		if got := strings.Count(r.stdout, "\n"); got != 6 {
			t.Errorf("--head 5 wrote %d lines: %q", got, r.stdout)
		}
		raw, err := os.ReadFile(stats)
		if err != nil {
			t.Fatal(err)
		}
		var figures struct {
			RowsIn int64 `json:"rows_in"`
		}
		if err := json.Unmarshal(raw, &figures); err != nil {
			t.Fatal(err)
		}
		// At most the chunks in flight: 2 per worker and one, of about 16 KiB (~350 rows).
		if figures.RowsIn == 0 || figures.RowsIn > 20*400 {
			t.Errorf("--head 5 with %s workers read %d rows of 100000 (%s)", workers, figures.RowsIn, raw)
		}
	}
}

// --distinct-on keeps the first row of each key as DuckDB's ROW_NUMBER() over the key
// ordered by input position does; --distinct keeps the first of each whole row.
func TestDistinctMatchesDuckDB(t *testing.T) {
	dir := t.TempDir()
	in := writeRowsInput(t, dir, 2000)
	for _, tc := range []struct {
		flags []string
		keys  string
	}{
		{[]string{"--distinct-on", "region"}, "region"},
		{[]string{"--distinct-on", "region,qty"}, "region, qty"},
		{[]string{"--distinct-on", "qty,note"}, "qty, note"},
	} {
		_, rows := duckdbtest.Query(t, in, "SELECT id::VARCHAR FROM (SELECT id, row_number() OVER (PARTITION BY "+tc.keys+
			" ORDER BY id) AS rn FROM t) WHERE rn = 1 ORDER BY id")
		var want strings.Builder
		want.WriteString("id\n")
		for _, row := range rows {
			fmt.Fprintf(&want, "%v\n", row[0])
		}
		r := runPtransform(t, nil, append([]string{"apply", in, "--select", "id", "--chunk-size", "1KiB"}, tc.flags...)...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", tc.flags, r.code, r.stderr)
		}
		if r.stdout != want.String() {
			t.Errorf("%v: got %d rows, DuckDB %d:\n%.300s\nwant\n%.300s", tc.flags, strings.Count(r.stdout, "\n"), len(rows)+1, r.stdout, want.String())
		}
	}
}

// An Excel input gives the rows a CSV of the same cells gives: the first, the last,
// the first of each key.
func TestRowsFromXLSX(t *testing.T) {
	dir := t.TempDir()
	in := writeRowsInput(t, dir, 500)
	book := filepath.Join(dir, "rows.xlsx")
	if r := runPtransform(t, nil, "apply", in, "-o", book, "--schema", "id:string,qty:string"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, flags := range [][]string{{"--head", "9"}, {"--tail", "9"}, {"--distinct-on", "region,qty"}, {"-w", "qty > 3", "--tail", "4"}} {
		fromCSV := runPtransform(t, nil, append([]string{"apply", in}, flags...)...)
		fromBook := runPtransform(t, nil, append([]string{"apply", book, "--chunk-size", "4KiB"}, flags...)...)
		if fromCSV.code != 0 || fromBook.code != 0 {
			t.Fatalf("%v: exit %d, %d: %s%s", flags, fromCSV.code, fromBook.code, fromCSV.stderr, fromBook.stderr)
		}
		if fromBook.stdout != fromCSV.stdout {
			t.Errorf("%v: the workbook gives\n%.400s\nthe CSV\n%.400s", flags, fromBook.stdout, fromCSV.stdout)
		}
	}
}
