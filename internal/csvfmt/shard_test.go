package csvfmt

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// decodeNarrowed decodes the records of [start, end) of the file at path as a shard
// does: the input narrowed to them, one range, lines based on CountBefore's.
func decodeNarrowed(t *testing.T, path string, opts Options, start, end int64) result {
	t.Helper()
	in := mustOpen(t, path, opts)
	rows, lines, err := in.CountBefore(context.Background(), start)
	if err != nil {
		t.Fatal(err)
	}
	in.Narrow(start, end, in.DataLine+lines, rows)
	var res result
	if start == end {
		return res
	}
	dec := in.NewDecoder()
	defer dec.Close()
	dd, err := dec.DecodeRange(Range{Start: start, End: end})
	if err != nil {
		res.err = rebased(err, in.DataLine)
		return res
	}
	if dd.Start != start || dd.End != end {
		t.Fatalf("[%d, %d) decoded as [%d, %d)", start, end, dd.Start, dd.End)
	}
	res.add(t, dd, in.DataLine)
	return res
}

// Every offset of files full of quoted line ends, doubled and bare quotes, CRLF and
// blank lines has a shard boundary that is a record start: the records before it and
// after it, each decoded alone, are the file's records with their own line numbers,
// and the rows before it are counted right.
func TestShardBoundaryCutsAtRecords(t *testing.T) {
	opts := Options{Ragged: RaggedPadTruncate}
	naiveWrong := 0
	for seed := range 8 {
		r := rand.New(rand.NewPCG(uint64(seed), 7))
		data := append([]byte("h1,h2,h3\n"), randomCSV(r, 150, 3, seed%3 == 1, seed%2 == 1)...)
		path := writeFile(t, fmt.Sprintf("s%d.csv", seed), data)
		in := mustOpen(t, path, opts)
		whole := decodeSequential(t, in)
		if whole.err != "" {
			continue // an unclosed quote at the end: nothing to cut
		}
		starts := map[int64]bool{}
		if err := in.walkRecords(context.Background(), in.Size, func(at int64, _ []byte) error { starts[at] = true; return nil }); err != nil {
			t.Fatal(err)
		}
		prev := int64(0)
		checked := map[int64]bool{}
		for b := int64(0); b <= in.Size; b++ {
			got, err := in.ShardBoundary(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if got < prev || got < min(b, in.Size) && b > in.DataStart {
				t.Fatalf("seed %d: boundary of %d is %d (the previous offset's %d)", seed, b, got, prev)
			}
			prev = got
			if b > in.DataStart && b < in.Size {
				// The naive cut: after the first line end from b-1 on.
				if i := bytes.IndexByte(data[b-1:], '\n'); i >= 0 && !starts[b+int64(i)] {
					naiveWrong++
				}
			}
			if checked[got] {
				continue
			}
			checked[got] = true
			before := decodeNarrowed(t, path, opts, in.DataStart, got)
			after := decodeNarrowed(t, path, opts, got, in.Size)
			joined := result{rows: append(slices.Clone(before.rows), after.rows...), lines: append(slices.Clone(before.lines), after.lines...), err: before.err + after.err}
			if !equalResults(joined, whole) {
				t.Fatalf("seed %d: cut at %d (offset %d): %d+%d rows %q, want %d %q\n%q", seed, got, b, len(before.rows), len(after.rows), joined.err, len(whole.rows), whole.err, data)
			}
		}
	}
	if naiveWrong == 0 {
		t.Fatal("no offset where the first line end is inside quotes: the files test nothing")
	}
}

// A quoted field without quotes longer than ShardWindow across the offset is taken for
// plain lines: the cut is then not a record start, and the records before it end in an
// unclosed quote, an error, never rows read twice or lost.
func TestShardBoundaryLongQuotedField(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("id,text\n1,a\n2,\"")
	for sb.Len() < 3*ShardWindow {
		sb.WriteString("a line of text inside quotes, with a comma\n")
	}
	sb.WriteString("end\"\n3,c\n")
	path := writeFile(t, "long.csv", []byte(sb.String()))
	in := mustOpen(t, path, Options{})
	b := in.Size / 2
	got, err := in.ShardBoundary(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	before := decodeNarrowed(t, path, Options{}, in.DataStart, got)
	if !strings.Contains(before.err, "quoted field is not closed") {
		t.Fatalf("records before the cut at %d: %d rows, error %q; want the unclosed quote", got, len(before.rows), before.err)
	}
}

// A window with quotes where the states never meet (every line a quoted field's
// continuation that also reads as records) is decided by walking from the start.
func TestShardBoundaryWalksWhenStatesDoNotMeet(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("a,b\n1,\"")
	// Inside the quoted field, "" pairs keep it open; read from outside, each line is
	// a record of one empty quoted field pair: the two readings never meet.
	for sb.Len() < 2*ShardWindow+1000 {
		sb.WriteString("x,\"\"\n")
	}
	sb.WriteString("\"\n2,3\n")
	path := writeFile(t, "pairs.csv", []byte(sb.String()))
	in := mustOpen(t, path, Options{Ragged: RaggedPadTruncate})
	whole := decodeSequential(t, in)
	if whole.err != "" || len(whole.rows) != 2 {
		t.Fatalf("the file reads as %d rows, error %q; want 2", len(whole.rows), whole.err)
	}
	got, err := in.ShardBoundary(context.Background(), in.Size/2)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(sb.Len() - len("2,3\n")); got != want {
		t.Fatalf("boundary %d, want %d (the start of the record after the long field)", got, want)
	}
}

// Without quotes, every offset's boundary is the next line's start: an input that ends
// without a quote cannot be inside a quoted field.
func TestShardBoundaryWithoutQuotes(t *testing.T) {
	data := "id,name\n1,a\n22,bb\n\n333,ccc\n4,d"
	in := mustOpen(t, writeFile(t, "plain.csv", []byte(data)), Options{})
	for b := in.DataStart + 1; b <= in.Size; b++ {
		want := in.Size
		if i := strings.IndexByte(data[b-1:], '\n'); i >= 0 {
			want = b + int64(i)
		}
		if got, err := in.ShardBoundary(context.Background(), b); err != nil || got != want {
			t.Fatalf("offset %d: boundary %d, %v; want %d", b, got, err, want)
		}
	}
}
