package csvfmt

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// wholeAndFull decodes the ranges of chunkSize bytes of data twice: with DecodeWhole
// (every column skipped) and with every value stored. For each range it requires the
// two to agree (the same error or none, the same End, rows and line count), and a chunk
// decoded whole to hold as Raw.Data exactly what Writer.AppendRows writes for the fully
// decoded one. It returns the number of chunks decoded whole, or -1 when data does not
// open.
func wholeAndFull(t *testing.T, data []byte, chunkSize int64) int {
	t.Helper()
	in, err := Open(writeFile(t, "in.csv", data), Options{})
	if err != nil {
		return -1
	}
	defer in.Close()
	ranges, err := in.Ranges(context.Background(), in.DataStart, chunkSize, 1)
	if err != nil || in.Size == in.DataStart {
		return -1
	}
	// Ranges guessed from line ends too: one may start inside a quoted field, where
	// the engine resynchronises; until then both decoders must still agree.
	ranges = append(ranges, in.GuessRanges(in.DataStart, chunkSize)...)
	full, whole := in.NewDecoder(), in.NewDecoder()
	defer full.Close()
	defer whole.Close()
	skip := make([]bool, len(in.Header))
	for j := range skip {
		skip[j] = true
	}
	whole.SkipColumns(skip)
	whole.DecodeWhole()
	taken := 0
	for _, r := range ranges {
		want, werr := full.DecodeRange(r)
		got, gerr := whole.DecodeRange(r)
		if fmt.Sprint(werr) != fmt.Sprint(gerr) {
			t.Fatalf("range %+v: error %v, decoded in full %v", r, gerr, werr)
		}
		if werr != nil {
			return taken
		}
		if got.Start != want.Start || got.End != want.End || got.Rows != want.Rows || got.Lines != want.Lines {
			t.Fatalf("range %+v: start %d end %d rows %d lines %d; in full %d %d %d %d", r,
				got.Start, got.End, got.Rows, got.Lines, want.Start, want.End, want.Rows, want.Lines)
		}
		if got.Chunk.Raw != nil && got.Chunk.Raw.Whole {
			taken++
			written, err := Writer{Delimiter: in.Delimiter}.AppendRows(nil, want.Chunk)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := Writer{Delimiter: in.Delimiter}.Verbatim(got.Chunk)
			if !ok || !bytes.Equal(v, written) || int64(got.Chunk.NumRows()) != want.Rows {
				t.Fatalf("range %+v decoded whole: %q (taken: %v), rows %d; written in full: %q, rows %d",
					r, v, ok, got.Chunk.NumRows(), written, want.Rows)
			}
			for _, w := range []Writer{{Delimiter: in.Delimiter, CRLF: true}, {Delimiter: in.Delimiter ^ 1}} {
				if _, ok := w.Verbatim(got.Chunk); ok {
					t.Fatalf("writer %+v took a chunk decoded whole for delimiter %q", w, in.Delimiter)
				}
			}
		}
		full.Recycle(want.Chunk)
		whole.Recycle(got.Chunk)
	}
	return taken
}

// TestDecodeWhole: which chunks are decoded whole (only checked), and that those are
// exactly what decoding them in full and writing them gives. Positions in the
// records are marked where a block of 64 bytes matters.
func TestDecodeWhole(t *testing.T) {
	plain := strings.Repeat("1,2,xyz\n", 40) // 8 bytes a record: blocks of 8 records
	long := strings.Repeat("a", 70)
	for _, tc := range []struct {
		name, data string
		whole      bool
	}{
		{"plain", "a,b,c\n" + plain, true},
		{"empty fields", "a,b,c\n" + plain + ",,\n,2,\n" + plain, true},
		{"not ASCII", "a,b,c\n" + plain + "1,日本,é\n" + plain, true},
		{"minimal quotes", "a,b,c\n" + plain + "3,\"x,y\",\"say \"\"hi\"\"\"\n" + plain, true},
		{"quoted line end", "a,b,c\n" + plain + "3,\"two\nlines\",4\n" + plain, true},
		{"quoted fields first and last", "a,b,c\n\"q,1\",2,3\n" + plain + "4,5,\"r\"\"\"\n", true},
		{"records longer than a block", "a,b,c\n" + plain + long + "," + long + ",\"" + long + ",\"\n" + plain, true},
		// The quoted field runs from byte 60 to 70 of its block: across two.
		{"quoted field across blocks", "a,b,c\n" + strings.Repeat("1,2,xyz\n", 7) + "1,2,\"x\"\",yz\"\n" + plain, true},
		{"one column", "a\n" + strings.Repeat("x\n", 100), true},
		{"needless quotes", "a,b,c\n" + plain + "\"3\",4,5\n" + plain, false},
		{"quoted empty field", "a,b,c\n" + plain + "3,\"\",5\n" + plain, false},
		{"one column, quoted empty field", "a\nx\n\"\"\ny\n", false},
		{"a quote inside a field", "a,b,c\n" + plain + "3,x\"y,5\n" + plain, false},
		{"text after the closing quote", "a,b,c\n" + plain + "3,\"x,y\"z,5\n" + plain, false},
		{"space before the opening quote", "a,b,c\n" + plain + "3, \"x,y\",5\n" + plain, false},
		{"blank line", "a,b,c\n" + plain + "\n" + plain, false},
		{"one column, blank line", "a\n" + strings.Repeat("x\n", 40) + "\n" + strings.Repeat("x\n", 40), false},
		{"CR LF", "a,b,c\r\n" + strings.ReplaceAll(plain, "\n", "\r\n"), false},
		{"a CR inside", "a,b,c\n" + plain + "3,x\ry,5\n" + plain, false},
		{"a CR inside quotes", "a,b,c\n" + plain + "3,\"x\ry\",5\n" + plain, false},
		{"no final line end", "a,b,c\n" + plain + "7,8,9", false},
		{"too few fields", "a,b,c\n" + plain + "7,8\n" + plain, false},
		{"too many fields", "a,b,c\n" + plain + "7,8,9,10\n" + plain, false},
		{"invalid UTF-8", "a,b,c\n" + plain + "7,\xff,9\n" + plain, false},
		{"unclosed quote", "a,b,c\n" + plain + "7,\"8,9\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			taken := wholeAndFull(t, []byte(tc.data), 1<<20)
			if taken < 0 {
				t.Fatal("the input does not open")
			}
			if (taken > 0) != tc.whole {
				t.Fatalf("decoded whole: %v, want %v", taken > 0, tc.whole)
			}
			// Every chunk size: ranges cut anywhere agree too.
			for _, size := range []int64{7, 64, 100, 1000} {
				wholeAndFull(t, []byte(tc.data), size)
			}
		})
	}
}

// TestDecodeWholeOnlyWhenAllSkipped: DecodeWhole does nothing for a decoder that stores
// some column, or none was told to skip.
func TestDecodeWholeOnlyWhenAllSkipped(t *testing.T) {
	data := "a,b\n" + strings.Repeat("1,2\n", 50)
	in := mustOpen(t, writeFile(t, "in.csv", []byte(data)), Options{})
	defer in.Close()
	for _, skip := range [][]bool{nil, {true, false}} {
		dec := in.NewDecoder()
		if skip != nil {
			dec.SkipColumns(skip)
		}
		dec.DecodeWhole()
		dd, err := dec.DecodeRange(Range{Start: in.DataStart, End: in.Size})
		if err != nil {
			t.Fatal(err)
		}
		if dd.Chunk.Raw.Whole {
			t.Errorf("skip %v: decoded whole", skip)
		}
	}
}

// FuzzDecodeWhole holds decoding whole to decoding in full on arbitrary input and
// range sizes (wholeAndFull).
func FuzzDecodeWhole(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n4,\"x,y\",6\n",
		"a,b\n\"1\n2\",3\n" + strings.Repeat("4,5\n", 30),
		"a\tb\n1\t\"x\"\"y\"\n",
		"a;b\n1;2\n\n3;4\n",
		"a,b\n" + strings.Repeat("12345678,abcdefg\n", 20) + "1,\"" + strings.Repeat("q", 80) + "\n,\"\n",
	} {
		f.Add([]byte(s), uint16(64))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		wholeAndFull(t, data, int64(chunk%2048)+1)
	})
}
