package apply

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptransform/ptransform/internal/expr"
)

// ledgerCSV is a CSV of n rows of id,v whose row bad (1-based) has the value "oops".
func ledgerCSV(n, bad int) []byte {
	var b bytes.Buffer
	b.WriteString("id,v\n")
	for i := 1; i <= n; i++ {
		if i == bad {
			fmt.Fprintf(&b, "%d,oops\n", i)
		} else {
			fmt.Fprintf(&b, "%d,%d\n", i, i)
		}
	}
	return b.Bytes()
}

// A worker finishes a chunk while an earlier chunk is not even decoded: it waits neither
// for the earlier chunk's counts (the row ledger) nor, writing a file, for its size (the
// chunk's offset). Such waits parked a worker for one chunk in five with two workers.
// The line numbers of errors stay those of the whole input.
func TestWorkersDoNotWaitForEarlierChunks(t *testing.T) {
	for _, toFile := range []bool{false, true} {
		t.Run(fmt.Sprintf("file=%v", toFile), func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.csv")
			const rows, bad = 3000, 2500 // bad lies past the first chunk
			data := ledgerCSV(rows, bad)
			os.WriteFile(in, data, 0o644)
			var stdout, stderr bytes.Buffer
			o := Options{Inputs: []string{in}, Exprs: []string{"w = v * 2"}, OnError: expr.OnErrorNull,
				Workers: 2, ChunkSize: 4096, Stdout: &stdout, Stderr: &stderr}
			holdChunk0UntilChunk1(t, &o)
			if toFile {
				o.Output = filepath.Join(dir, "out.csv")
			}
			if err := Run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			out := stdout.Bytes()
			if toFile {
				out, _ = os.ReadFile(o.Output)
			}
			if got, want := bytes.Count(out, []byte("\n")), rows+1; got != want {
				t.Errorf("%d lines written, want %d", got, want)
			}
			if want := fmt.Sprintf("line %d,", bad+1); !strings.Contains(stderr.String(), want) {
				t.Errorf("warning %q does not name %s", stderr.String(), want)
			}
		})
	}
}

// A failing run names the line of the whole input, not of the chunk, when workers
// number the chunks' errors late.
func TestLateNumbersNameTheInputsLine(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, ledgerCSV(3000, 2500), 0o644)
	for _, workers := range []int{1, 2, 3} {
		var stdout bytes.Buffer
		err := Run(context.Background(), Options{Inputs: []string{in}, Exprs: []string{"w = v * 2"},
			Workers: workers, ChunkSize: 4096, Stdout: &stdout})
		if err == nil || !strings.Contains(err.Error(), "line 2501,") {
			t.Errorf("workers %d: error %v, want one naming line 2501", workers, err)
		}
	}
}

// Typed outputs do not make a worker wait for the chunks ahead either: JSON Lines lines
// and xlsx rows carry no row numbers, Parquet's row groups are cut by the writer, which
// counts rows as the parts arrive in order, and a value that does not fit its column's
// type still names the line of the whole input.
func TestTypedOutputsDoNotWaitForEarlierChunks(t *testing.T) {
	for _, ext := range []string{"jsonl", "xlsx", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "in.csv")
			const rows, bad = 3000, 2500
			os.WriteFile(in, ledgerCSV(rows, bad), 0o644)
			var stderr bytes.Buffer
			o := Options{Inputs: []string{in}, Output: filepath.Join(dir, "out."+ext), Schema: "v:int",
				OnError: expr.OnErrorNull, Workers: 2, ChunkSize: 4096, Stderr: &stderr}
			if ext == "parquet" {
				o.RowGroupRows = 1000 // row groups cut across chunks
			}
			holdChunk0UntilChunk1(t, &o)
			if err := Run(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("line %d,", bad+1); !strings.Contains(stderr.String(), want) {
				t.Errorf("warning %q does not name %s", stderr.String(), want)
			}
			back := o.Output
			if ext != "jsonl" { // read back as CSV, header included
				back = filepath.Join(dir, "back.csv")
				if err := Run(context.Background(), Options{Inputs: []string{o.Output}, Output: back}); err != nil {
					t.Fatal(err)
				}
			}
			out, _ := os.ReadFile(back)
			lines := bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n"))
			if ext != "jsonl" {
				lines = lines[1:]
			}
			if len(lines) != rows {
				t.Fatalf("%d rows written, want %d", len(lines), rows)
			}
			for i, line := range lines { // in input order, the bad value null
				want := fmt.Sprintf(`{"id":%d,"v":%d}`, i+1, i+1)
				if ext != "jsonl" {
					want = fmt.Sprintf("%d,%d", i+1, i+1)
				}
				if i+1 == bad {
					want = fmt.Sprintf(`{"id":%d,"v":null}`, bad)
					if ext != "jsonl" {
						want = fmt.Sprintf("%d,", bad)
					}
				}
				if string(line) != want {
					t.Fatalf("row %d: %s, want %s", i+1, line, want)
				}
			}
		})
	}
}

// A typed output's failing run names the line of the whole input, for a value that does
// not fit its type and for a cell too long for Excel, with any number of workers.
func TestTypedOutputErrorsNameTheInputsLine(t *testing.T) {
	dir := t.TempDir()
	typeErr := filepath.Join(dir, "type.csv")
	os.WriteFile(typeErr, ledgerCSV(3000, 2500), 0o644)
	long := filepath.Join(dir, "long.csv")
	var b bytes.Buffer
	b.WriteString("id,v\n")
	for i := 1; i <= 3000; i++ {
		v := strconv.Itoa(i)
		if i == 2500 {
			v = strings.Repeat("x", 32768)
		}
		fmt.Fprintf(&b, "%d,%s\n", i, v)
	}
	os.WriteFile(long, b.Bytes(), 0o644)
	for _, c := range []struct{ in, out, schema string }{
		{typeErr, "out.jsonl", "v:int"}, {typeErr, "out.xlsx", "v:int"}, {typeErr, "out.parquet", "v:int"},
		{long, "out.xlsx", "v:string"},
	} {
		for _, workers := range []int{1, 2, 3} {
			err := Run(context.Background(), Options{Inputs: []string{c.in}, Output: filepath.Join(dir, c.out),
				Schema: c.schema, Workers: workers, ChunkSize: 4096})
			if err == nil || !strings.Contains(err.Error(), "line 2501,") {
				t.Errorf("%s to %s, workers %d: error %v, want one naming line 2501", filepath.Base(c.in), c.out, workers, err)
			}
		}
	}
}

// An xlsx output numbered late still continues past Excel's row limit on a second sheet
// at the right row: the writer counts the rows as parts arrive in order, whichever worker
// encoded them first, and re-encodes the chunk that crosses the limit.
func TestXLSXRowLimitWithLateNumbers(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes and reads back 1,048,580 rows")
	}
	dir := t.TempDir()
	const rows = 1_048_580 // the limit holds the header and 1,048,575 data rows
	var b bytes.Buffer
	b.WriteString("id\n")
	for i := 1; i <= rows; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte('\n')
	}
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, b.Bytes(), 0o644)
	book := filepath.Join(dir, "out.xlsx")
	var stderr bytes.Buffer
	if err := Run(context.Background(), Options{Inputs: []string{in}, Output: book, Workers: 2, ChunkSize: 64 << 10, Stderr: &stderr}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), `"Sheet1 (2)"`) {
		t.Errorf("no warning of the continued sheet: %q", stderr.String())
	}
	for _, c := range []struct {
		sheet       string
		first, last int
	}{{"Sheet1", 1, 1_048_575}, {"Sheet1 (2)", 1_048_576, rows}} {
		back := filepath.Join(dir, "back.csv")
		if err := Run(context.Background(), Options{Inputs: []string{book}, Sheets: []string{c.sheet}, Output: back}); err != nil {
			t.Fatal(err)
		}
		out, _ := os.ReadFile(back)
		lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		if lines[0] != "id" || len(lines)-1 != c.last-c.first+1 {
			t.Fatalf("sheet %s: %d lines, header %q; want %d rows", c.sheet, len(lines), lines[0], c.last-c.first+1)
		}
		for i, line := range lines[1:] {
			if line != strconv.Itoa(c.first+i) {
				t.Fatalf("sheet %s, row %d: %s, want %d", c.sheet, i+1, line, c.first+i)
			}
		}
	}
}

// holdChunk0UntilChunk1 makes the run's chunk 0 start its work only once chunk 1's is
// done, and fails t if chunk 1 waits for chunk 0 instead (for 20 s): a worker that
// waits for the chunks ahead of it deadlocks here.
func holdChunk0UntilChunk1(t *testing.T, o *Options) {
	second := make(chan struct{})
	o.onWork = func(seq int64) {
		if seq != 0 {
			return
		}
		select {
		case <-second:
		case <-time.After(20 * time.Second):
			t.Error("chunk 1 waited for chunk 0")
		}
	}
	o.onWorked = func(seq int64) {
		if seq == 1 {
			close(second)
		}
	}
}
