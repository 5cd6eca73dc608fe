package apply

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
)

// cutInput writes rows 1..rows of id, b (a number, but "x" on every 11th row, which
// `t = b * 2` reports) and note (a quoted record of two lines on every 6th row), and
// returns its path and the line each row starts on.
func cutInput(t *testing.T, rows int) (string, []int64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("id,b,note\n")
	lines := make([]int64, rows+1)
	line := int64(2)
	for i := 1; i <= rows; i++ {
		v := strconv.Itoa(i % 97)
		if i%11 == 0 {
			v = "x"
		}
		note := "n" + strconv.Itoa(i%13)
		lines[i] = line
		line++
		if i%6 == 0 {
			note = fmt.Sprintf("\"two\nlines, %d \"\"q\"\"\"", i)
			line++
		}
		fmt.Fprintf(&b, "%d,%s,%s\n", i, v, note)
	}
	path := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path, lines
}

// cutWhere keeps rows densely, then sparsely, then densely again: the rows a chunk
// keeps vary from chunk to chunk. cutKept is the same rule.
const cutWhere = "id < 400 or id % 9 == 0 or (id > 2000 and id < 2100)"

func cutKept(id int64) bool { return id < 400 || id%9 == 0 || id > 2000 && id < 2100 }

// --head N and --limit N without --sort write each chunk's rows when the writer reaches
// the chunk, in input order, and read no chunk after the one holding the N-th row: the
// rows held at any time are those of the chunks in flight, whatever N. Each chunk the
// writer reaches writes exactly its rows among the first N that pass --where (counted
// from the rows it decoded), none is held back for a later phase.
func TestCutWritesRowsAsTheyCome(t *testing.T) {
	const rows = 3000
	in, _ := cutInput(t, rows)
	var total int64
	for id := int64(1); id <= rows; id++ {
		if cutKept(id) {
			total++
		}
	}
	for _, n := range []int64{0, 1, 150, 600, total - 1, total, total + 5} {
		for _, workers := range []int{1, 2, 4} {
			for _, flag := range []string{"--head", "--limit"} {
				var rowsIn, rowsOut []int64
				var out bytes.Buffer
				o := Options{Inputs: []string{in}, Workers: workers, ChunkSize: 300, Stdout: &out, Wheres: []string{cutWhere},
					onWritten: func(seq, in, out int64) {
						if seq != int64(len(rowsIn)) {
							t.Errorf("chunk %d written after %d chunks", seq, len(rowsIn))
						}
						rowsIn, rowsOut = append(rowsIn, in), append(rowsOut, out)
					}}
				if flag == "--head" {
					o.Head = &n
				} else {
					o.Limit = &n
				}
				if err := Run(context.Background(), o); err != nil {
					t.Fatal(err)
				}
				name := fmt.Sprintf("%s %d, %d workers", flag, n, workers)
				var id, kept int64
				full := false
				for k := range rowsIn {
					if full {
						t.Fatalf("%s: chunk %d was read after the one that holds the last row", name, k)
					}
					here := int64(0)
					for range rowsIn[k] {
						if id++; cutKept(id) {
							here++
						}
					}
					if want := min(n, kept+here) - min(n, kept); rowsOut[k] != want {
						t.Fatalf("%s: chunk %d (rows %d..%d) wrote %d rows, want %d", name, k, id-rowsIn[k]+1, id, rowsOut[k], want)
					}
					kept += here
					full = kept >= n
				}
				if !full && id != rows {
					t.Errorf("%s: the run stopped at row %d with %d rows of %d", name, id, kept, n)
				}
				if len(rowsIn) < 3 && n > 150 {
					t.Errorf("%s: only %d chunks: the test tests nothing", name, len(rowsIn))
				}
			}
		}
	}
}

// --head N writes the same bytes (for xlsx and Parquet, compressed by chunk, the same
// rows) for any workers and chunk size in every output format,
// when --where drops rows unevenly across chunks and the N-th row is a record of two
// lines; the CSV is the first N records of the run without --head, `_row` keeps its
// meaning, and the --errors log holds the errors of the rows up to the N-th, not those
// of the rows after it that the last chunk read also holds.
func TestCutSameBytesEverywhere(t *testing.T) {
	const rows = 3000
	in, lines := cutInput(t, rows)
	var n int64
	var last int64 // the id of the N-th row
	for id := int64(1); id <= rows; id++ {
		if cutKept(id) {
			n++
			if id > 1500 && id%6 == 0 {
				last = id
				break
			}
		}
	}
	dir := t.TempDir()
	base := Options{Inputs: []string{in}, Exprs: []string{"t = b * 2", "r = _row"}, Wheres: []string{cutWhere},
		OnError: expr.OnErrorNull}

	// The reference: the run without --head, cut after its N-th record.
	var whole bytes.Buffer
	o := base
	o.Stdout, o.ErrorsPath = &whole, filepath.Join(dir, "whole_errors.csv")
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	records := csv.NewReader(bytes.NewReader(whole.Bytes()))
	for k := int64(0); k <= n; k++ { // the header, then N records
		rec, err := records.Read()
		if err != nil {
			t.Fatal(err)
		}
		if k > 0 && rec[0] != rec[4] {
			t.Fatalf("row %s has _row %s", rec[0], rec[4])
		}
		if k == n && rec[0] != strconv.FormatInt(last, 10) {
			t.Fatalf("record %d is row %s, want %d", k, rec[0], last)
		}
	}
	wantCSV := whole.Bytes()[:records.InputOffset()]
	if !bytes.Contains(wantCSV[bytes.LastIndex(wantCSV[:len(wantCSV)-1], []byte("\n")):], []byte("lines, ")) {
		t.Fatalf("the N-th record is not the second line of a quoted record: %q", wantCSV[len(wantCSV)-60:])
	}
	wantErrs := errorsUpToLine(t, filepath.Join(dir, "whole_errors.csv"), lines[last])
	if strings.Count(wantErrs, "\n") < 20 {
		t.Fatalf("only %q errors", wantErrs)
	}

	for _, ext := range []string{"stdout", "csv", "jsonl", "xlsx", "parquet"} {
		var first []byte
		for _, workers := range []int{1, 2, 8} {
			for _, chunk := range []int64{64, 1000, 64 << 20} {
				name := fmt.Sprintf("%s, %d workers, chunk size %d", ext, workers, chunk)
				var out bytes.Buffer
				o := base
				o.Head, o.Workers, o.ChunkSize, o.Stdout = &n, workers, chunk, &out
				o.ErrorsPath = filepath.Join(dir, "errors.csv")
				if ext != "stdout" {
					o.Output = filepath.Join(dir, "out."+ext)
				}
				if err := Run(context.Background(), o); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				got := out.Bytes()
				switch ext {
				case "xlsx", "parquet":
					// Compressed by chunk: their rows are compared, read back as CSV.
					var back bytes.Buffer
					if err := Run(context.Background(), Options{Inputs: []string{o.Output}, Stdout: &back}); err != nil {
						t.Fatal(err)
					}
					got = back.Bytes()
				case "csv", "jsonl":
					var err error
					if got, err = os.ReadFile(o.Output); err != nil {
						t.Fatal(err)
					}
				}
				if (ext == "stdout" || ext == "csv") && !bytes.Equal(got, wantCSV) {
					t.Fatalf("%s: not the first %d records of the run without --head\n%s", name, n, firstDiff(got, wantCSV))
				}
				if first == nil {
					first = got
				} else if !bytes.Equal(got, first) {
					t.Fatalf("%s: the output differs from the first run's\n%s", name, firstDiff(got, first))
				}
				gotErrs, err := os.ReadFile(o.ErrorsPath)
				if err != nil {
					t.Fatal(err)
				}
				if string(gotErrs) != wantErrs {
					t.Fatalf("%s: --errors\n%s\nwant the errors up to line %d\n%s", name, gotErrs, lines[last], wantErrs)
				}
			}
		}
	}
}

// errorsUpToLine is an --errors log's header and its rows of lines up to last (its
// values hold no line ends).
func errorsUpToLine(t *testing.T, path string, last int64) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.SplitAfter(string(data), "\n")
	kept := text[0]
	for _, row := range text[1:] {
		if row == "" {
			continue
		}
		rec, err := csv.NewReader(strings.NewReader(row)).Read()
		if err != nil {
			t.Fatal(err)
		}
		if line, err := strconv.ParseInt(rec[2], 10, 64); err != nil || line <= last {
			kept += row
		}
	}
	return kept
}

// A row that fails (--on-error fail) after the N-th row of --head N, or --limit N
// without --sort, is never read, wherever the chunk holding the N-th row ends: the run
// writes the same N rows for every chunk size and worker count (it failed when the bad
// row shared the N-th row's chunk). A bad row among the N still fails the run, naming
// it, everywhere. The --where runs first (it reads no assigned column), or after the
// assignment (it reads r); records of two lines make lines and rows differ.
func TestCutPassesFailuresAfterItsRows(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,a,note\n")
	for i := 1; i <= 300; i++ {
		a := strconv.Itoa(i)
		if i == 150 {
			a = "x"
		}
		note := "n"
		if i%7 == 0 {
			note = "\"two\nlines\""
		}
		fmt.Fprintf(&b, "%d,%s,%s\n", i, a, note)
	}
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, wheres := range [][]string{{"id > 0"}, {"r > 0"}} {
		base := Options{Inputs: []string{in}, Exprs: []string{"r = a + 1"}, Wheres: wheres}
		for _, n := range []int64{0, 1, 100, 149} { // every row is kept: the bad one is the 150th
			var want []byte
			for _, limit := range []bool{false, true} {
				for _, workers := range []int{1, 2, 8} {
					for _, chunk := range []int64{7, 1024, 64 << 20} {
						var out bytes.Buffer
						o := base
						o.Workers, o.ChunkSize, o.Stdout = workers, chunk, &out
						if limit {
							o.Limit = &n
						} else {
							o.Head = &n
						}
						if err := Run(context.Background(), o); err != nil {
							t.Fatalf("--where %q, N %d (limit %v), %d workers, chunk size %d: %v", wheres, n, limit, workers, chunk, err)
						}
						if want == nil {
							want = out.Bytes()
							if lines := bytes.Count(want, []byte("\n")); lines < int(n)+1 {
								t.Fatalf("--where %q, N %d: %d lines: %q", wheres, n, lines, want)
							}
						} else if !bytes.Equal(out.Bytes(), want) {
							t.Fatalf("--where %q, N %d (limit %v), %d workers, chunk size %d: %q, want %q", wheres, n, limit, workers, chunk, out.Bytes(), want)
						}
					}
				}
			}
		}
		// 150 rows need the bad one, on line 172 (21 records of two lines before it).
		n := int64(150)
		for _, workers := range []int{1, 2, 8} {
			for _, chunk := range []int64{7, 1024, 64 << 20} {
				o := base
				o.Workers, o.ChunkSize, o.Stdout, o.Head = workers, chunk, &bytes.Buffer{}, &n
				if err := Run(context.Background(), o); err == nil || !strings.Contains(err.Error(), `line 172, column "a": value "x"`) {
					t.Fatalf("--where %q, --head %d, %d workers, chunk size %d: %v, want the error of line 172", wheres, n, workers, chunk, err)
				}
			}
		}
	}
}
