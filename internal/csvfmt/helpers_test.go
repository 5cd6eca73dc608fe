package csvfmt

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/array"
)

// result is everything a run of the engine would see: rows (null = "\x00null"), the
// absolute line of each row, and the first error with its absolute line.
type result struct {
	rows  [][]string
	lines []int64
	err   string
}

const nullText = "\x00null"

func (res *result) add(t testing.TB, dd Decoded, base int64) {
	b := dd.Chunk.Batch
	for i := 0; i < int(b.NumRows()); i++ {
		row := make([]string, b.NumCols())
		for j := range row {
			col := b.Column(j).(*array.String)
			if col.IsNull(i) {
				row[j] = nullText
			} else {
				row[j] = strings.Clone(col.Value(i)) // values are views of buffers that Recycle reuses
				if row[j] == "" {
					t.Fatalf("row %d column %d: empty string that is not null", i, j)
				}
			}
		}
		res.rows = append(res.rows, row)
		res.lines = append(res.lines, base+dd.Chunk.Lines[i])
	}
	if int64(b.NumRows()) != dd.Rows || len(dd.Chunk.Lines) != int(dd.Rows) {
		t.Fatalf("Rows %d, batch rows %d, lines %d", dd.Rows, b.NumRows(), len(dd.Chunk.Lines))
	}
}

func rebased(err error, base int64) string {
	var pe *ParseError
	if errors.As(err, &pe) {
		cp := *pe
		cp.Rebase(base)
		return cp.Error()
	}
	return err.Error()
}

// decodeSequential decodes the whole input as one range (or one block when not seekable).
func decodeSequential(t testing.TB, in *Input) result {
	var res result
	dec := in.NewDecoder()
	defer dec.Close()
	if !in.Seekable {
		var blocks [][]byte
		if err := in.Split(context.Background(), 1<<26, func(b []byte) error { blocks = append(blocks, b); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(blocks) > 1 {
			t.Fatalf("%d blocks for a chunk size above the input size", len(blocks))
		}
		if len(blocks) == 1 {
			dd, err := dec.DecodeBlock(blocks[0])
			if err != nil {
				res.err = rebased(err, in.DataLine)
				return res
			}
			res.add(t, dd, in.DataLine)
		}
		return res
	}
	if in.Size == in.DataStart {
		return res
	}
	dd, err := dec.DecodeRange(Range{Start: in.DataStart, End: in.Size})
	if err != nil {
		res.err = rebased(err, in.DataLine)
		return res
	}
	if dd.Start != in.DataStart || dd.End != in.Size {
		t.Fatalf("one range: [%d, %d), want [%d, %d)", dd.Start, dd.End, in.DataStart, in.Size)
	}
	res.add(t, dd, in.DataLine)
	return res
}

// decodeChunked runs the engine's parallel-path protocol (apply's resync): guessed
// ranges in order; on a boundary mismatch or ErrNeedStream, ranges of counted parity
// from the last good End; on another, streaming from there. streamed says it came to
// that.
func decodeChunked(t testing.TB, in *Input, chunkSize int64) (res result, streamed bool) {
	if !in.Seekable {
		return res, false
	}
	dec := in.NewDecoder()
	defer dec.Close()
	ranges := in.GuessRanges(in.DataStart, chunkSize)
	prevEnd, base := in.DataStart, in.DataLine
	for k := 0; k < len(ranges); k++ {
		r := ranges[k]
		dd, err := dec.DecodeRange(r)
		if dd.Start != prevEnd || errors.Is(err, ErrNeedStream) {
			if !r.Guessed {
				return streamFrom(t, in, dec, res, prevEnd, base, int(chunkSize)), true
			}
			if ranges, err = in.Ranges(context.Background(), prevEnd, chunkSize, 2); err != nil {
				t.Fatal(err)
			}
			k = -1
			continue
		}
		if err != nil {
			res.err = rebased(err, base)
			return res, false
		}
		res.add(t, dd, base)
		dec.Recycle(dd.Chunk)
		prevEnd, base = dd.End, base+dd.Lines
	}
	if prevEnd != in.Size && in.Size > in.DataStart {
		t.Fatalf("last range ends at %d, size %d", prevEnd, in.Size)
	}
	return res, false
}

func streamFrom(t testing.TB, in *Input, dec *Decoder, res result, offset, base int64, chunkSize int) result {
	if err := in.SplitFrom(context.Background(), offset, chunkSize, decodeInto(t, dec, &res, base)); err != nil {
		res.err = err.Error()
	}
	return res
}

// decodeSplit decodes via Split + DecodeBlock.
func decodeSplit(t testing.TB, in *Input, chunkSize int) result {
	var res result
	dec := in.NewDecoder()
	defer dec.Close()
	if err := in.Split(context.Background(), chunkSize, decodeInto(t, dec, &res, in.DataLine)); err != nil {
		res.err = err.Error()
	}
	return res
}

// decodeInto is a splitter's callback that decodes each block into res, its first
// line being line base of the file.
func decodeInto(t testing.TB, dec *Decoder, res *result, base int64) func(block []byte) error {
	return func(block []byte) error {
		dd, err := dec.DecodeBlock(block)
		if err != nil {
			return errors.New(rebased(err, base))
		}
		res.add(t, dd, base)
		dec.Recycle(dd.Chunk)
		base += dd.Lines
		return nil
	}
}

// equalResults compares two runs; when both failed only the errors matter (rows
// decoded before the error differ with the chunking, and the engine discards them).
func equalResults(a, b result) bool {
	if a.err != "" || b.err != "" {
		return a.err == b.err
	}
	return a.err == b.err && slices.Equal(a.lines, b.lines) &&
		slices.EqualFunc(a.rows, b.rows, func(x, y []string) bool { return slices.Equal(x, y) })
}

func writeFile(t testing.TB, name string, data []byte) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustOpen(t testing.TB, path string, opts Options) *Input {
	in, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}
