package apply

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/duckdbtest"
)

// quotedCSV writes a CSV file whose notes are often quoted fields of several lines that
// themselves look like records ("7,x,\"y\"" lines), with doubled quotes: a cut after the
// first line end past an offset lands inside them at many offsets.
func quotedCSV(t *testing.T, dir, name string, rows int, seed uint64, eol string) string {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	var sb strings.Builder
	sb.WriteString("id,name,note,v" + eol)
	for i := 1; i <= rows; i++ {
		note := fmt.Sprintf("n%d", r.IntN(1000))
		switch r.IntN(4) {
		case 0:
			var lines []string
			for k := r.IntN(6) + 1; k > 0; k-- {
				lines = append(lines, fmt.Sprintf(`%d,x,""y"",%d`, r.IntN(100), r.IntN(100)))
			}
			note = `"` + strings.Join(lines, eol) + `"`
		case 1:
			note = `"say ""hi"", ` + eol + `then go"`
		}
		fmt.Fprintf(&sb, "%d,name %d,%s,%d%s", i, r.IntN(50), note, r.IntN(1000), eol)
		if r.IntN(40) == 0 {
			sb.WriteString(eol) // a blank line: a line, not a row
		}
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runTo runs o with its output at path and returns the output's bytes.
func runTo(t *testing.T, o Options, path string) []byte {
	t.Helper()
	o.Output = path
	if err := Run(context.Background(), o); err != nil {
		t.Fatalf("shard %v: %v", o.Shard, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shardParts runs the N shards of o one after the other and returns their outputs' paths.
func shardParts(t *testing.T, o Options, n int, dir, ext string) []string {
	t.Helper()
	paths := make([]string, n)
	for k := 1; k <= n; k++ {
		o.Shard = Shard{K: k, N: n}
		paths[k-1] = filepath.Join(dir, fmt.Sprintf("part%d-of-%d.%s", k, n, ext))
		runTo(t, o, paths[k-1])
	}
	return paths
}

// The parts of N shards of CSV, TSV and JSON Lines outputs, laid end to end, are the
// whole run's bytes: several inputs with quoted line ends near every cut, blank lines,
// CRLF, chunks small enough that each shard resynchronises inside its part, and _row.
func TestShardTextPartsJoinToTheWholeRun(t *testing.T) {
	dir := t.TempDir()
	inputs := []string{
		quotedCSV(t, dir, "a.csv", 1500, 1, "\n"),
		writeBenchCSVAs(t, dir, "plain.csv", 2000),
		quotedCSV(t, dir, "c.csv", 700, 2, "\r\n"),
	}
	benchCols := Options{Inputs: inputs, Union: true, Workers: 2}
	for _, c := range []struct {
		format string
		exprs  []string
		chunk  int64
		shards []int
	}{
		{"csv", nil, 0, []int{1, 2, 3, 7, 40}},
		{"csv", []string{"r = _row", "w = _file"}, 1 << 10, []int{2, 3, 7}},
		{"tsv", []string{"r = _row"}, 0, []int{3, 7}},
		{"jsonl", []string{"r = _row"}, 4 << 10, []int{2, 7}},
	} {
		o := benchCols
		o.To, o.Exprs, o.ChunkSize = c.format, c.exprs, c.chunk
		whole := runTo(t, o, filepath.Join(dir, "whole."+c.format))
		for _, n := range c.shards {
			var joined []byte
			for _, p := range shardParts(t, o, n, dir, c.format) {
				b, _ := os.ReadFile(p)
				joined = append(joined, b...)
			}
			if !bytes.Equal(joined, whole) {
				t.Fatalf("%s %v, %d shards: %d bytes joined, the whole run %d\n%s", c.format, c.exprs, n, len(joined), len(whole), firstDiff(joined, whole))
			}
		}
	}
	// With --header-in-every-part each part starts with the header, and the parts
	// without it still join to the whole run.
	o := benchCols
	whole := runTo(t, o, filepath.Join(dir, "whole.csv"))
	o.HeaderInEveryPart = true
	header, _, _ := bytes.Cut(whole, []byte("\n"))
	joined := append([]byte(nil), header...)
	joined = append(joined, '\n')
	for _, p := range shardParts(t, o, 3, dir, "csv") {
		b, _ := os.ReadFile(p)
		rest, ok := bytes.CutPrefix(b, append(header, '\n'))
		if !ok {
			t.Fatalf("%s does not start with the header: %.80q", p, b)
		}
		joined = append(joined, rest...)
	}
	if !bytes.Equal(joined, whole) {
		t.Fatalf("--header-in-every-part: parts without their headers differ from the whole run\n%s", firstDiff(joined, whole))
	}
}

func writeBenchCSVAs(t *testing.T, dir, name string, rows int) string {
	path := filepath.Join(dir, name)
	if err := os.Rename(writeBenchCSV(t, rows), path); err != nil {
		t.Fatal(err)
	}
	return path
}

func firstDiff(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("first difference at byte %d:\n got %q\nwant %q", i, a[lo:min(len(a), i+80)], b[lo:min(len(b), i+80)])
}

// An error names the line of the whole input in whichever shard meets it: counted when
// the run fails (--on-error fail), counted up front when rows with errors are listed.
func TestShardErrorsNameRealLines(t *testing.T) {
	dir := t.TempDir()
	path := quotedCSV(t, dir, "a.csv", 3000, 3, "\n")
	data, _ := os.ReadFile(path)
	// Row 2500's v becomes text: its line in the file is where "\n2500,name" starts.
	at := bytes.Index(data, []byte("\n2500,name"))
	end := at + 1 + bytes.LastIndex(data[at+1:at+1+bytes.IndexByte(data[at+1:], '\n')+1], []byte(","))
	bad := append(append(append([]byte(nil), data[:end+1]...), "oops"...), data[end+1+bytes.IndexByte(data[end+1:], '\n'):]...)
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Inputs: []string{path}, Exprs: []string{"t = v * 2"}, Workers: 2}
	wholeErr := Run(context.Background(), withOutput(o, filepath.Join(dir, "whole.csv")))
	if wholeErr == nil || !strings.Contains(wholeErr.Error(), "line ") {
		t.Fatalf("the whole run: %v, want a row error", wholeErr)
	}
	for _, n := range []int{2, 3, 7} {
		failed := 0
		for k := 1; k <= n; k++ {
			o.Shard = Shard{K: k, N: n}
			err := Run(context.Background(), withOutput(o, filepath.Join(dir, fmt.Sprintf("p%d.csv", k))))
			if err == nil {
				continue
			}
			failed++
			if err.Error() != wholeErr.Error() {
				t.Fatalf("shard %d/%d: %v\nwant %v", k, n, err, wholeErr)
			}
		}
		if failed != 1 {
			t.Fatalf("%d shards of %d failed, want 1", failed, n)
		}
	}
	// Listed errors: the shards' --errors files hold the whole run's rows.
	o.OnError = 1 // skip
	o.Exprs = []string{"t = v * 2", "r = _row"}
	o.ErrorsPath = filepath.Join(dir, "whole-errors.csv")
	o.Shard = Shard{}
	runTo(t, o, filepath.Join(dir, "whole.csv"))
	wholeLog, _ := os.ReadFile(o.ErrorsPath)
	var logs []byte
	for k := 1; k <= 3; k++ {
		o.Shard = Shard{K: k, N: 3}
		o.ErrorsPath = filepath.Join(dir, fmt.Sprintf("errors%d.csv", k))
		runTo(t, o, filepath.Join(dir, fmt.Sprintf("p%d.csv", k)))
		b, _ := os.ReadFile(o.ErrorsPath)
		_, rows, _ := bytes.Cut(b, []byte("\n"))
		logs = append(logs, rows...)
	}
	if _, rows, _ := bytes.Cut(wholeLog, []byte("\n")); !bytes.Equal(logs, rows) {
		t.Fatalf("the shards' error rows:\n%s\nthe whole run's:\n%s", logs, rows)
	}
}

func withOutput(o Options, path string) Options {
	o.Output = path
	return o
}

// Sheets are shared out whole, with CSV inputs between them; xlsx and Parquet parts are
// valid files (empty ones too, with more shards than sources) whose rows, read back in
// order, are the whole run's.
func TestShardSheetsAndTypedParts(t *testing.T) {
	dir := t.TempDir()
	csvIn := quotedCSV(t, dir, "q.csv", 800, 4, "\n")
	var inputs []string
	for i, rows := range []int{300, 50, 900} {
		src := quotedCSV(t, dir, fmt.Sprintf("s%d.csv", i), rows, uint64(10+i), "\n")
		book := filepath.Join(dir, fmt.Sprintf("book%d.xlsx", i))
		if err := Run(context.Background(), Options{Inputs: []string{src}, Output: book, Workers: 2, Schema: "v:string,id:string"}); err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, book)
		if i == 0 {
			inputs = append(inputs, csvIn)
		}
	}
	o := Options{Inputs: inputs, Workers: 2, Exprs: []string{"src = _file ~ \"/\" ~ _sheet", "r = _row"}}
	// As CSV, the parts join to the whole run; as xlsx, ptransform reads the parts back
	// as one table, the way to join them.
	whole := runTo(t, o, filepath.Join(dir, "whole.csv"))
	for _, n := range []int{2, 3, 7} {
		var joined []byte
		for _, p := range shardParts(t, o, n, dir, "csv") {
			b, _ := os.ReadFile(p)
			joined = append(joined, b...)
		}
		if !bytes.Equal(joined, whole) {
			t.Fatalf("csv from sheets, %d shards:\n%s", n, firstDiff(joined, whole))
		}
		o.Schema = "v:string,id:string"
		parts := shardParts(t, o, n, dir, "xlsx")
		back := runTo(t, Options{Inputs: parts, Workers: 2}, filepath.Join(dir, "joined.csv"))
		runTo(t, o, filepath.Join(dir, "whole.xlsx"))
		o.Schema = ""
		want := runTo(t, Options{Inputs: []string{filepath.Join(dir, "whole.xlsx")}, Workers: 2}, filepath.Join(dir, "whole-back.csv"))
		if !bytes.Equal(back, want) {
			t.Fatalf("xlsx, %d shards, read back:\n%s", n, firstDiff(back, want))
		}
	}
	// Parquet: DuckDB reads the parts, in order, as the whole file's rows.
	wholePq := filepath.Join(dir, "whole.parquet")
	runTo(t, o, wholePq)
	_, want := duckdbtest.Query(t, wholePq, "SELECT * FROM t")
	if len(want) < 2000 {
		t.Fatalf("DuckDB reads %d rows of the whole run", len(want))
	}
	for _, n := range []int{3, 7} {
		var list []string
		for _, p := range shardParts(t, o, n, dir, "parquet") {
			list = append(list, "'"+p+"'")
		}
		_, got := duckdbtest.Query(t, wholePq, "SELECT * EXCLUDE (filename, file_row_number) FROM read_parquet(["+strings.Join(list, ",")+
			"], filename = true, file_row_number = true) ORDER BY filename, file_row_number")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("parquet, %d shards: %d rows, the whole run %d", n, len(got), len(want))
		}
	}
}

// A quoted field with no quote for more than csvfmt.ShardWindow bytes across a cut is
// taken for plain lines by both shards; the shard before the cut then fails, saying
// so, rather than any row being lost or read twice.
func TestShardCutInsideALongQuotedField(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	sb.WriteString("id,text\n1,a\n2,\"")
	for sb.Len() < 3<<20 {
		sb.WriteString("a line of text inside quotes, with a comma\n")
	}
	sb.WriteString("end\"\n3,c\n")
	path := filepath.Join(dir, "long.csv")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{Inputs: []string{path}, Workers: 2, Shard: Shard{K: 1, N: 2}, Output: filepath.Join(dir, "p1.csv")}
	err := Run(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "line 3, column 2: quoted field is not closed before the end of the input (--shard 1/2 ends its part at byte") {
		t.Fatalf("shard 1 of 2: %v, want an error about the cut", err)
	}
	if _, statErr := os.Stat(o.Output); statErr == nil {
		t.Fatal("the failed shard left its output")
	}
}

// With --sort and --limit each part holds its shard's top N, and the top N of the
// joined parts is the single run's (docs/scale.md); --limit without --sort is refused,
// as --head is: each part would hold its shard's first N rows.
func TestShardTopNPartsCombine(t *testing.T) {
	dir := t.TempDir()
	limit := int64(5)
	o := Options{Inputs: []string{quotedCSV(t, dir, "q.csv", 3000, 7, "\n")}, Workers: 2, ChunkSize: 4 << 10,
		Sort: "-v,id", Limit: &limit}
	whole := runTo(t, o, filepath.Join(dir, "whole.csv"))
	for _, n := range []int{2, 3, 7} {
		var joined []byte
		for _, p := range shardParts(t, o, n, dir, "csv") {
			b, _ := os.ReadFile(p)
			joined = append(joined, b...)
		}
		parts := filepath.Join(dir, "joined.csv")
		if err := os.WriteFile(parts, joined, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := runTo(t, Options{Inputs: []string{parts}, Workers: 2, Sort: o.Sort, Limit: &limit}, filepath.Join(dir, "top.csv")); !bytes.Equal(got, whole) {
			t.Fatalf("%d shards: the top %d of the joined parts differ from the whole run's\n%s", n, limit, firstDiff(got, whole))
		}
	}
	o.Sort, o.Shard = "", Shard{K: 1, N: 2}
	o.Output = filepath.Join(dir, "first.csv")
	var u *UsageError
	if err := Run(context.Background(), o); !errors.As(err, &u) || !strings.Contains(err.Error(), "--limit without --sort cannot run in shards") {
		t.Fatalf("--limit without --sort in a shard: %v, want a usage error", err)
	}
}

// A workbook of several sheets read with --sheet '*' beside a CSV input: the csv, tsv and
// jsonl parts of 1, 2, 3 and 7 shards join to the whole run's bytes (tsv and jsonl from
// sheets too), and the one part of a single shard of a typed output (xlsx, parquet,
// jsonl) reads back as the whole run's output.
func TestShardSeveralSheetsAndOneShard(t *testing.T) {
	dir := t.TempDir()
	var sheets []string
	for i, rows := range []int{400, 30, 700} {
		sheets = append(sheets, quotedCSV(t, dir, fmt.Sprintf("sheet%d.csv", i), rows, uint64(20+i), "\n"))
	}
	book := filepath.Join(dir, "book.xlsx")
	if err := Run(context.Background(), Options{Inputs: sheets, Output: book, Workers: 2, SheetPerSource: true, Schema: "v:string,id:string"}); err != nil {
		t.Fatal(err)
	}
	o := Options{Inputs: []string{book, quotedCSV(t, dir, "q.csv", 600, 9, "\n")}, Sheets: []string{"*"}, Workers: 2,
		Exprs: []string{"src = _file ~ \"/\" ~ _sheet", "r = _row"}}
	for _, format := range []string{"csv", "tsv", "jsonl"} {
		o.To = format
		whole := runTo(t, o, filepath.Join(dir, "whole."+format))
		if format == "csv" && bytes.Count(whole, []byte("/sheet2")) != 700 {
			t.Fatalf("the whole run holds %d rows of the third sheet, want 700", bytes.Count(whole, []byte("/sheet2")))
		}
		for _, n := range []int{1, 2, 3, 7} {
			var joined []byte
			for _, p := range shardParts(t, o, n, dir, format) {
				b, _ := os.ReadFile(p)
				joined = append(joined, b...)
			}
			if !bytes.Equal(joined, whole) {
				t.Fatalf("%s, %d shards:\n%s", format, n, firstDiff(joined, whole))
			}
		}
	}
	o.To = ""
	for _, ext := range []string{"xlsx", "parquet", "jsonl"} {
		part := shardParts(t, o, 1, dir, ext)[0]
		wholePath := filepath.Join(dir, "whole-typed."+ext)
		runTo(t, o, wholePath)
		back := runTo(t, Options{Inputs: []string{part}, Workers: 2}, filepath.Join(dir, "part-back.csv"))
		want := runTo(t, Options{Inputs: []string{wholePath}, Workers: 2}, filepath.Join(dir, "whole-back.csv"))
		if !bytes.Equal(back, want) || len(want) < 1000 {
			t.Fatalf("%s, one shard, read back: %d bytes, the whole run %d\n%s", ext, len(back), len(want), firstDiff(back, want))
		}
	}
}
