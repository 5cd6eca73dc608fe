package apply

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/sink"
	"github.com/ptransform/ptransform/internal/transforms"
)

// skipCSV makes input with what decides which rows are plain and which columns a run
// may skip: quoted values, CRs inside values, blank lines, empty fields, CR LF files.
func skipCSV(r *rand.Rand, crlf bool) []byte {
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	var b strings.Builder
	b.WriteString("id,a,b,name,note" + eol)
	for i := range 50 + r.IntN(300) {
		if r.IntN(40) == 0 {
			b.WriteString(eol)
		}
		name := []string{"ann", "bo", "", "x y", `"q, r"`, `"say ""hi"""`, "z\rw", "été"}[r.IntN(8)]
		note := []string{"", "n", "long note text", `"multi` + eol + `line"`}[r.IntN(4)]
		a := []string{"1.5", "2", "", "819.867505", "-3", "abc"}[r.IntN(6)]
		b.WriteString(strings.Join([]string{strconv.Itoa(i + 1), a, strconv.Itoa(r.IntN(1000)), name, note}, ",") + eol)
	}
	return []byte(b.String())
}

// TestSkippedColumnsChangeNothing runs pipelines that let decoders skip columns and
// requires their output to be the output of the same run decoding every column, for
// every chunk size and worker count.
func TestSkippedColumnsChangeNothing(t *testing.T) {
	pipelines := []Options{
		{},
		{Select: []string{"id", "name"}},
		{Select: []string{"name", "id"}, Renames: []transforms.Rename{{Old: "id", New: "ID"}}},
		{Drop: []string{"note"}},
		{Exprs: []string{"total = a * b"}},
		{Exprs: []string{"total = a * b"}, OnError: expr.OnErrorNull},
		{Exprs: []string{"total = a * b"}, OnError: expr.OnErrorSkip},
		{Exprs: []string{"a = b + 1"}},
		{Exprs: []string{"x = upper(name)"}, Select: []string{"x", "id"}},
		{Wheres: []string{"b > 500"}},
		{Wheres: []string{"b > 500"}, Exprs: []string{"total = a * b"}, Select: []string{"id", "name", "total"}, OnError: expr.OnErrorNull},
		{Exprs: []string{"r = _row"}, To: "tsv"},
		{CRLF: true},
		{Exprs: []string{"n = len(note)"}, CRLF: true},
	}
	// The comparison means something only if runs do skip columns.
	skipping := 0
	for _, pl := range pipelines {
		p, err := compile(pl, []string{"id", "a", "b", "name", "note"})
		if err != nil {
			t.Fatal(err)
		}
		format, err := sink.Lookup(pl.To, pl.Output)
		if err != nil {
			t.Fatal(err)
		}
		w, err := format.New(sink.Config{CRLF: pl.CRLF})
		if err != nil {
			t.Fatal(err)
		}
		copier, ok := w.(sink.RowCopier)
		if p.skipColumns(5, ok && copier.CopiesRows(',')) != nil {
			skipping++
		}
	}
	if skipping < len(pipelines)/2 {
		t.Fatalf("only %d of %d runs skip columns", skipping, len(pipelines))
	}
	r := rand.New(rand.NewPCG(5, 8))
	dir := t.TempDir()
	for k := range 8 {
		in := filepath.Join(dir, "in"+strconv.Itoa(k)+".csv")
		if err := os.WriteFile(in, skipCSV(r, k%2 == 1), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, pl := range pipelines {
			for _, run := range []struct {
				workers int
				chunk   int64
			}{{1, 0}, {2, 97}, {3, 1 << 10}} {
				o := pl
				o.Inputs, o.Workers, o.ChunkSize = []string{in}, run.workers, run.chunk
				var want, got bytes.Buffer
				o.Stdout, o.decodeAll = &want, true
				wantErr := Run(context.Background(), o)
				o.Stdout, o.decodeAll = &got, false
				gotErr := Run(context.Background(), o)
				if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
					t.Fatalf("%+v on %s: error %v, decoding every column %v", pl, in, gotErr, wantErr)
				}
				if !bytes.Equal(got.Bytes(), want.Bytes()) {
					t.Fatalf("%+v on %s (workers %d, chunk %d):\n%q\ndecoding every column:\n%q", pl, in, run.workers, run.chunk, got.Bytes(), want.Bytes())
				}
			}
		}
	}
}

// TestSkipColumns lists which columns each kind of run leaves undecoded on plain rows:
// those no expression reads that the output either drops or copies inside whole rows
// (filtered chunks included: they keep the raw rows of the rows they keep).
func TestSkipColumns(t *testing.T) {
	header := []string{"id", "a", "b", "name", "note"}
	ten := int64(10)
	for _, tc := range []struct {
		o          Options
		copiesRows bool
		want       string // the skipped columns, "-" for none
	}{
		{Options{}, true, "id,a,b,name,note"},
		{Options{}, false, "-"}, // --crlf or another delimiter: every row from its values
		{Options{Select: []string{"name", "id"}}, false, "a,b,note"},
		{Options{Drop: []string{"note"}}, true, "note"},
		{Options{Exprs: []string{"total = a * b"}}, true, "id,name,note"},
		{Options{Exprs: []string{"total = a * b"}}, false, "-"},
		{Options{Exprs: []string{"total = a * b"}, OnError: expr.OnErrorSkip}, true, "id,name,note"},
		{Options{Exprs: []string{"a = b + 1"}}, true, "a"},
		{Options{Wheres: []string{"b > 500"}}, true, "id,a,name,note"},
		{Options{Wheres: []string{"b > 500"}, Select: []string{"b", "id"}}, true, "a,name,note"},
		{Options{Wheres: []string{"b > 500"}, Exprs: []string{"total = a * b"}, Select: []string{"id", "name", "total"}}, true, "note"},
		{Options{Exprs: []string{"r = _row"}, Select: []string{"r"}}, true, "id,a,b,name,note"},
		// A top-N takes the values it does not read from the raw rows it keeps.
		{Options{Sort: "-b", Limit: &ten}, false, "id,a,name,note"},
		{Options{Sort: "name,-a", Limit: &ten, Select: []string{"id"}}, false, "id,b,note"},
		// The first rows (--limit without --sort, --head) are cut from the chunks as
		// they come, and copied from the input bytes as any streaming run's.
		{Options{Limit: &ten}, true, "id,a,b,name,note"},
		{Options{Limit: &ten}, false, "-"},
		{Options{Head: &ten, Wheres: []string{"b > 500"}, Select: []string{"b", "id"}}, true, "a,name,note"},
		{Options{Sort: "-b"}, false, "-"}, // a full sort keeps every row
		{Options{Exprs: []string{"t = a * b"}, Sort: "-t", Limit: &ten}, true, "-"},
	} {
		p, err := compile(tc.o, header)
		if err != nil {
			t.Fatal(err)
		}
		var skipped []string
		for j, s := range p.skipColumns(len(header), tc.copiesRows) {
			if s {
				skipped = append(skipped, header[j])
			}
		}
		got := strings.Join(skipped, ",")
		if got == "" {
			got = "-"
		}
		if got != tc.want {
			t.Errorf("%+v (copies rows %v): skips %s, want %s", tc.o, tc.copiesRows, got, tc.want)
		}
	}
}

// TestPrunedBarrierRunsChangeNothing runs groupings and sorts, whose decoders skip the
// columns no stage reads and whose barriers get the columns nothing after them needs as
// nulls, and requires the output of the same run decoding and passing on every column.
func TestPrunedBarrierRunsChangeNothing(t *testing.T) {
	limit := func(n int64) *int64 { return &n }
	pipelines := []Options{
		{GroupBy: "name", Aggs: []string{"n = count(); s = sum(b); m = max(a)"}},
		{Aggs: []string{"n = count(); f = first(note); l = last(id)"}},
		{Aggs: []string{"n = count()"}},
		{Exprs: []string{"total = a * b"}, GroupBy: "k=upper(name)", Aggs: []string{"t = sum(total)"}, Having: "t > 0", OnError: expr.OnErrorNull},
		{GroupBy: "name", Aggs: []string{"s = sum(b)"}, Sort: "-s", Limit: limit(3), Select: []string{"s"}},
		{Sort: "-b", Limit: limit(10), Select: []string{"id", "b"}},
		{Sort: "-b", Limit: limit(10), Select: []string{"note", "id"}, Renames: []transforms.Rename{{Old: "id", New: "ID"}}},
		{Sort: "name,-b"},
		{Sort: "b", Drop: []string{"note", "a"}},
		{Limit: limit(7), Select: []string{"note"}},
		{Wheres: []string{"b > 500"}, Exprs: []string{"x = len(note)"}, Sort: "-x,id", Select: []string{"id", "x"}},
		{Sort: "-b", Limit: limit(10)},
		{Sort: "name,-a", Limit: limit(25)},
		{Sort: "a", Limit: limit(3), Select: []string{"note", "b"}},
		{Limit: limit(7)},
	}
	header := []string{"id", "a", "b", "name", "note"}
	pruned := 0
	for _, pl := range pipelines {
		p, err := compile(pl, header)
		if err != nil {
			t.Fatal(err)
		}
		if p.skipColumns(len(header), true) != nil {
			pruned++
		}
	}
	if pruned < len(pipelines)-2 {
		t.Fatalf("only %d of %d runs skip columns", pruned, len(pipelines))
	}
	r := rand.New(rand.NewPCG(11, 3))
	dir := t.TempDir()
	for k := range 4 {
		in := filepath.Join(dir, "in"+strconv.Itoa(k)+".csv")
		if err := os.WriteFile(in, skipCSV(r, k%2 == 1), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, pl := range pipelines {
			for _, workers := range []int{1, 2, 8} {
				for _, chunk := range []int64{7, 1 << 10} {
					o := pl
					o.Inputs, o.Workers, o.ChunkSize = []string{in}, workers, chunk
					var want, got bytes.Buffer
					o.Stdout, o.decodeAll = &want, true
					wantErr := Run(context.Background(), o)
					o.Stdout, o.decodeAll = &got, false
					gotErr := Run(context.Background(), o)
					if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
						t.Fatalf("%+v on %s: error %v, decoding every column %v", pl, in, gotErr, wantErr)
					}
					if want.Len() == 0 {
						t.Fatalf("%+v on %s: no output", pl, in)
					}
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						t.Fatalf("%+v on %s (workers %d, chunk %d):\n%q\ndecoding every column:\n%q", pl, in, workers, chunk, got.Bytes(), want.Bytes())
					}
				}
			}
		}
	}
}

// TestChainNeeds lists, for runs with barriers, the input columns decoded and the
// columns each barrier is given with their values (the others as nulls).
func TestChainNeeds(t *testing.T) {
	header := []string{"id", "a", "b", "name", "note"}
	limit := func(n int64) *int64 { return &n }
	marked := func(names []string, marks []bool) string {
		var out []string
		for j, m := range marks {
			if m {
				out = append(out, names[j])
			}
		}
		if out == nil {
			return "-"
		}
		return strings.Join(out, ",")
	}
	for _, tc := range []struct {
		o       Options
		decoded string
		barrier []string // per barrier, the input columns it is given
	}{
		{Options{GroupBy: "name", Aggs: []string{"n = count(); s = sum(b)"}}, "b,name", []string{"b,name"}},
		{Options{Aggs: []string{"n = count()"}}, "-", []string{"-"}},
		{Options{Exprs: []string{"t = a * b"}, Aggs: []string{"s = sum(t)"}}, "a,b", []string{"t"}},
		// A top-N decodes its key; id it takes from the raw rows of the rows it keeps.
		{Options{Sort: "-a", Limit: limit(100), Select: []string{"id", "a"}}, "a", []string{"id,a"}},
		{Options{Sort: "-a"}, "id,a,b,name,note", []string{"id,a,b,name,note"}},
		{Options{Sort: "-a", Drop: []string{"note"}, Renames: []transforms.Rename{{Old: "id", New: "ID"}}}, "id,a,b,name", []string{"id,a,b,name"}},
		{Options{Wheres: []string{"b > 5"}, Sort: "name", Select: []string{"id"}}, "id,b,name", []string{"id,name"}},
		{Options{Exprs: []string{"a = b + 1"}, Sort: "a", Select: []string{"a"}}, "b", []string{"a"}},
		{Options{GroupBy: "name", Aggs: []string{"s = sum(b); m = max(a)"}, Sort: "-s", Select: []string{"name", "s"}}, "a,b,name", []string{"a,b,name", "name,s"}},
	} {
		p, err := compile(tc.o, header)
		if err != nil {
			t.Fatal(err)
		}
		decoded := "id,a,b,name,note"
		if skip := p.skipColumns(len(header), true); skip != nil {
			keep := make([]bool, len(skip))
			for j, s := range skip {
				keep[j] = !s
			}
			decoded = marked(header, keep)
		}
		if decoded != tc.decoded {
			t.Errorf("%+v: decodes %s, want %s", tc.o, decoded, tc.decoded)
		}
		var given []string
		for _, seg := range p.segments() {
			if seg.barrier == nil {
				continue
			}
			var in []string
			for i, l := range p.chain {
				if l.stage == seg.barrier {
					in = header
					if i > 0 {
						in = columnNames(p.chain[i-1].stage.Columns())
					}
				}
			}
			given = append(given, marked(in, seg.needs))
		}
		if !slices.Equal(given, tc.barrier) {
			t.Errorf("%+v: barriers given %q, want %q", tc.o, given, tc.barrier)
		}
	}
}

// TestPrunedSortSpills sorts rows that do not fit in --memory, so that the runs spilled
// to temporary files hold the columns a barrier is given as nulls, and requires the
// output of the same run decoding and holding every column.
func TestPrunedSortSpills(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,a,b,name,note\n")
	r := rand.New(rand.NewPCG(2, 9))
	for i := range 20000 {
		fmt.Fprintf(&b, "%d,%d,%d,n%d,%s\n", i, r.IntN(100), r.IntN(1000), r.IntN(50), strings.Repeat("x", r.IntN(80)))
	}
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{1, 2, 8} {
		o := Options{Inputs: []string{in}, Sort: "b,-a", Select: []string{"id", "b"}, Memory: 1 << 16, Workers: workers, ChunkSize: 1 << 14}
		var want, got bytes.Buffer
		o.Stdout, o.decodeAll = &want, true
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		o.Stdout, o.decodeAll = &got, false
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if strings.Count(got.String(), "\n") != 20001 || !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("workers %d: %d bytes, decoding every column %d bytes", workers, got.Len(), want.Len())
		}
	}
}
