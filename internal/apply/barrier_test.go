package apply

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// reverseRows is a barrier stage for the tests of the runner's barrier phase: it emits
// every row it consumed, last row first, which it can only do in the right order if it
// was given every row exactly once with its place in the input (Partial.Consume's seq).
type reverseRows struct {
	columns []transforms.Column
	live    *atomic.Int64 // partials made and not released
}

func newReverseRows(columns []string, live *atomic.Int64) *reverseRows {
	cols := make([]transforms.Column, len(columns))
	for j, name := range columns {
		cols[j] = transforms.Column{Name: name, From: j}
	}
	return &reverseRows{columns: cols, live: live}
}

func (s *reverseRows) Columns() []transforms.Column { return s.columns }

func (s *reverseRows) NewPartial() transforms.Partial {
	s.live.Add(1)
	return &reversePartial{live: s.live}
}

type seqChunk struct {
	seq int64
	c   *table.Chunk
}

type reversePartial struct {
	chunks   []seqChunk
	live     *atomic.Int64
	released bool
}

func (p *reversePartial) Consume(seq int64, c *table.Chunk) error {
	if c.Raw != nil {
		return errors.New("a chunk reached Consume with its raw rows")
	}
	p.chunks = append(p.chunks, seqChunk{seq, c})
	return nil
}

func (p *reversePartial) Release() {
	if !p.released {
		p.released = true
		p.live.Add(-1)
	}
}

func (s *reverseRows) Finish(ctx context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	var all []seqChunk
	for _, part := range parts {
		all = append(all, part.(*reversePartial).chunks...)
		part.Release()
	}
	slices.SortFunc(all, func(a, b seqChunk) int { return int(b.seq - a.seq) })
	for k, sc := range all {
		if k > 0 && sc.seq == all[k-1].seq {
			return fmt.Errorf("chunk %d consumed twice", sc.seq)
		}
		if err := emit(reverseChunk(sc.c)); err != nil {
			return err
		}
	}
	return nil
}

// reverseChunk builds a chunk of c's rows in reverse order, whatever its columns' types.
func reverseChunk(c *table.Chunk) *table.Chunk {
	in := c.Batch
	n := int(in.NumRows())
	cols := make([]arrow.Array, in.NumCols())
	for j := range cols {
		col := in.Column(j)
		b := array.NewBuilder(memory.DefaultAllocator, col.DataType())
		for i := n - 1; i >= 0; i-- {
			if col.IsNull(i) {
				b.AppendNull()
			} else if err := b.AppendValueFromString(col.ValueStr(i)); err != nil {
				panic(err)
			}
		}
		cols[j] = b.NewArray()
	}
	return &table.Chunk{Source: c.Source, Batch: array.NewRecordBatch(in.Schema(), cols, int64(n))}
}

// countRows is a barrier stage that emits one row: how many rows it consumed, a
// computed int column.
type countRows struct{}

func (countRows) Columns() []transforms.Column {
	return []transforms.Column{{Name: "rows", From: -1, Type: expr.TypeInt}}
}

type countPartial struct{ n int64 }

func (p *countPartial) Consume(_ int64, c *table.Chunk) error { p.n += int64(c.NumRows()); return nil }
func (p *countPartial) Release()                              {}

func (countRows) NewPartial() transforms.Partial { return &countPartial{} }

func (countRows) Finish(_ context.Context, parts []transforms.Partial, emit func(*table.Chunk) error) error {
	var n int64
	for _, p := range parts {
		n += p.(*countPartial).n
	}
	b := array.NewInt64Builder(memory.DefaultAllocator)
	b.Append(n)
	schema := arrow.NewSchema([]arrow.Field{{Name: "rows", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	return emit(&table.Chunk{Batch: array.NewRecordBatch(schema, []arrow.Array{b.NewArray()}, 1)})
}

// reversedLines is text's header, then its other lines last first.
func reversedLines(text string) string {
	lines := strings.SplitAfter(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	body := lines[1:]
	slices.Reverse(body)
	return lines[0] + strings.Join(body, "")
}

// A barrier sees every row once, in its place: the output of a run through one is the
// same for any workers and chunk size, and the streaming stages before it (--expr,
// --where) and after it (--select) apply.
func TestBarrierDeterministic(t *testing.T) {
	in := writeBenchCSV(t, 1000)
	var live atomic.Int64
	run := func(workers int, chunk int64, barrier bool) string {
		var out bytes.Buffer
		o := Options{Inputs: []string{in}, Workers: workers, ChunkSize: chunk, Stdout: &out,
			Exprs: []string{"t = a * 2"}, Wheres: []string{"b > 300"}, Select: []string{"id", "t", "name"}}
		if barrier {
			o.testBarrier = func(columns []string) (transforms.Stage, error) { return newReverseRows(columns, &live), nil }
		}
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	want := reversedLines(run(1, 0, false))
	if strings.Count(want, "\n") < 200 {
		t.Fatalf("only %d lines", strings.Count(want, "\n"))
	}
	for _, workers := range []int{1, 2, 8} {
		for _, chunk := range []int64{64, 1 << 10, 64 << 20} {
			if got := run(workers, chunk, true); got != want {
				t.Errorf("workers %d, chunk size %d: the reversed rows differ from the plain run's", workers, chunk)
			}
		}
	}
	if n := live.Load(); n != 0 {
		t.Errorf("%d partials not released", n)
	}
}

// A resynchronised run (a guessed range start inside a quoted field) whose rows went
// into a barrier starts again from the first input: no row is consumed twice, none is
// missing, and the row errors logged before the restart are not logged again.
func TestBarrierResync(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("id,note,n\n")
	for i := 1; i <= 2000; i++ {
		n := fmt.Sprint(i % 7)
		if i%100 == 0 {
			n = "bad"
		}
		note := "one line"
		if i > 1000 { // the first guesses are right: rows were consumed and errors logged
			note = strings.Repeat("line\n", 30)
		}
		fmt.Fprintf(&csv, "%d,\"%s\",%s\n", i, note, n)
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "multiline.csv")
	if err := os.WriteFile(in, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var live atomic.Int64
	run := func(workers int, chunk int64, errorsPath string, onResume func(resumeMode)) (string, RunStats) {
		var out bytes.Buffer
		statsPath := filepath.Join(dir, "stats.json")
		o := Options{Inputs: []string{in}, Workers: workers, ChunkSize: chunk, Stdout: &out, onResume: onResume,
			Exprs: []string{"m = n * 2"}, OnError: expr.OnErrorSkip, ErrorsPath: errorsPath, StatsJSON: statsPath,
			testBarrier: func(columns []string) (transforms.Stage, error) { return newReverseRows(columns, &live), nil }}
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		return out.String(), readStats(t, statsPath)
	}
	want, wantStats := run(1, 1<<30, filepath.Join(dir, "want_errors.csv"), nil)
	var resumes sync.Map
	got, gotStats := run(3, 1<<10, filepath.Join(dir, "got_errors.csv"), func(how resumeMode) { resumes.Store(how, true) })
	if _, ok := resumes.Load(countedRanges); !ok {
		t.Fatal("the run did not resynchronise: the test tests nothing")
	}
	if got != want {
		t.Errorf("the resynchronised run's output differs from one sequential reading")
	}
	if gotStats.RowsIn != 2000 || gotStats.RowsOut != 2000-20 || gotStats.RowErrors != 20 {
		t.Errorf("rows in %d, out %d, row errors %d; want 2000, 1980, 20", gotStats.RowsIn, gotStats.RowsOut, gotStats.RowErrors)
	}
	if gotStats.RowsIn != wantStats.RowsIn || gotStats.RowErrors != wantStats.RowErrors {
		t.Errorf("stats %+v differ from the sequential run's %+v", gotStats, wantStats)
	}
	wantErrs, _ := os.ReadFile(filepath.Join(dir, "want_errors.csv"))
	gotErrs, _ := os.ReadFile(filepath.Join(dir, "got_errors.csv"))
	if !bytes.Equal(gotErrs, wantErrs) || strings.Count(string(gotErrs), "\n") != 21 {
		t.Errorf("--errors of the resynchronised run:\n%s\nwant:\n%s", gotErrs, wantErrs)
	}
	if n := live.Load(); n != 0 {
		t.Errorf("%d partials not released", n)
	}

	// The barriers after the first keep their partials through the restart.
	var sorted bytes.Buffer
	o := Options{Inputs: []string{in}, Workers: 3, ChunkSize: 1 << 10, Stdout: &sorted, OnError: expr.OnErrorNull,
		Exprs: []string{"m = n * 2"}, Sort: "-m,id", Limit: new(int64), Select: []string{"id", "m"},
		testBarrier: func(columns []string) (transforms.Stage, error) { return newReverseRows(columns, &live), nil }}
	*o.Limit = 3
	if err := Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if want := "id,m\n6,12\n13,12\n20,12\n"; sorted.String() != want {
		t.Errorf("sorted after the restart: got %q…, want %q", sorted.String()[:min(200, sorted.Len())], want)
	}
}

// A run that fails while rows go into a barrier releases every partial.
func TestBarrierReleasedOnFailure(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.csv")
	var csv strings.Builder
	csv.WriteString("a\n")
	for i := range 3000 {
		if i == 2500 {
			csv.WriteString("x\n")
		} else {
			fmt.Fprintf(&csv, "%d\n", i)
		}
	}
	if err := os.WriteFile(in, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var live atomic.Int64
	var out bytes.Buffer
	err := Run(context.Background(), Options{Inputs: []string{in}, Workers: 2, ChunkSize: 1 << 10, Stdout: &out,
		Exprs:       []string{"b = a * 2"},
		testBarrier: func(columns []string) (transforms.Stage, error) { return newReverseRows(columns, &live), nil }})
	var rowErr *expr.RowError
	if !errors.As(err, &rowErr) || rowErr.Line != 2502 {
		t.Fatalf("got %v, want the row error of line 2502", err)
	}
	if out.Len() != 0 {
		t.Errorf("a failed run wrote %q", out.String())
	}
	if n := live.Load(); n != 0 {
		t.Errorf("%d partials not released", n)
	}
}

// A barrier's computed columns have their stage's type in a typed output, and --having
// filters the rows it emits.
func TestBarrierTypedAndHaving(t *testing.T) {
	in := writeBenchCSV(t, 3000)
	for _, tc := range []struct{ having, want string }{
		{"", "{\"rows\":3000}\n"},
		{"rows > 2999", "{\"rows\":3000}\n"},
		{"rows < 10", ""},
	} {
		var out bytes.Buffer
		o := Options{Inputs: []string{in}, Workers: 2, ChunkSize: 1 << 12, Stdout: &out, To: "jsonl", Having: tc.having,
			testBarrier: func([]string) (transforms.Stage, error) { return countRows{}, nil }}
		if err := Run(context.Background(), o); err != nil {
			t.Fatal(err)
		}
		if out.String() != tc.want {
			t.Errorf("--having %q: got %q, want %q", tc.having, out.String(), tc.want)
		}
	}
}

func readStats(t *testing.T, path string) RunStats {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s RunStats
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// cancellingPartial cancels the run (as SIGINT does) when it is given its first chunk.
type cancellingPartial struct {
	transforms.Partial
	cancel context.CancelFunc
}

func (p cancellingPartial) Consume(seq int64, c *table.Chunk) error {
	p.cancel()
	return p.Partial.Consume(seq, c)
}

type cancellingBarrier struct {
	*reverseRows
	cancel context.CancelFunc
}

func (b cancellingBarrier) NewPartial() transforms.Partial {
	return cancellingPartial{b.reverseRows.NewPartial(), b.cancel}
}

// An interrupted run releases the partials of every barrier: the one being fed and the
// ones after it, which never got a row.
func TestBarrierReleasedOnCancel(t *testing.T) {
	in := writeBenchCSV(t, 2000)
	var live atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	err := Run(ctx, Options{Inputs: []string{in}, Workers: 2, ChunkSize: 1 << 10, Stdout: &out,
		testBarrier: func(columns []string) (transforms.Stage, error) {
			return cancellingBarrier{newReverseRows(columns, &live), cancel}, nil
		},
		Sort: "-a"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the cancellation", err)
	}
	if n := live.Load(); n != 0 {
		t.Errorf("%d partials not released", n)
	}
}

// --limit without --sort reads no further once the chunks read in input order hold its
// rows: a ragged row far past them is never decoded. Read in one chunk, the same row is
// an error, which shows the row is there to be found.
func TestLimitWithoutSortReadsNoFurther(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,a,b\n")
	for i := 1; i <= 3000; i++ {
		fmt.Fprintf(&b, "%d,%d,%d\n", i, i%7, i%11)
	}
	b.WriteString("3001,only two fields\n3002,1,2\n")
	in := filepath.Join(t.TempDir(), "long.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	limit := int64(2)
	for _, workers := range []int{1, 2, 8} {
		var out bytes.Buffer
		err := Run(context.Background(), Options{Inputs: []string{in}, Workers: workers, ChunkSize: 64, Stdout: &out, Limit: &limit})
		if err != nil || out.String() != "id,a,b\n1,1,1\n2,2,2\n" {
			t.Errorf("%d workers: got %q, %v; want the first two rows", workers, out.String(), err)
		}
	}
	var out bytes.Buffer
	err := Run(context.Background(), Options{Inputs: []string{in}, Workers: 1, ChunkSize: 64 << 20, Stdout: &out, Limit: &limit})
	if err == nil || !strings.Contains(err.Error(), "line 3002") {
		t.Errorf("in one chunk: got %v, want the ragged row of line 3002", err)
	}
}
