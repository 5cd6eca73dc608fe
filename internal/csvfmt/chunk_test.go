package csvfmt

import (
	"context"
	"encoding/csv"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/sniff"
)

var fieldPieces = []string{"a", "bc", "12", "é", "日本", "😀", " ", ",", `"`, "\n", "\r\n", "\r", "\x00", ";"}

// randomCSV makes a CSV file mixing everything the splitter must get right: quoted
// fields with delimiters, doubled quotes and line ends, CRLF, empty fields, multi-byte
// UTF-8, blank lines and, when bare is set, bare quotes and text after closing quotes.
func randomCSV(r *rand.Rand, rows, cols int, crlf, bare bool) []byte {
	var sb strings.Builder
	eol := "\n"
	if crlf {
		eol = "\r\n"
	}
	for i := 0; i <= rows; i++ {
		if r.IntN(15) == 0 {
			sb.WriteString(eol)
		}
		n := cols
		if r.IntN(20) == 0 {
			n = 1 + r.IntN(cols+2) // ragged
		}
		for j := 0; j < n; j++ {
			if j > 0 {
				sb.WriteByte(',')
			}
			var f strings.Builder
			for k := r.IntN(5); k > 0; k-- {
				f.WriteString(fieldPieces[r.IntN(len(fieldPieces))])
			}
			v := f.String()
			switch {
			case bare && r.IntN(10) == 0:
				sb.WriteString("x" + v) // quotes inside stay literal, line ends break the record
			case bare && r.IntN(10) == 0:
				sb.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"tail`)
			case strings.ContainsAny(v, ",\"\r\n") || r.IntN(4) == 0:
				sb.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
			default:
				sb.WriteString(v)
			}
		}
		if i < rows || r.IntN(2) == 0 {
			sb.WriteString(eol)
		}
	}
	return []byte(sb.String())
}

// checkChunking requires every chunking of data, both paths, to give the sequential
// result. It returns whether the data opened.
func checkChunking(t *testing.T, data []byte, chunkSizes []int, opts Options) bool {
	path := writeFile(t, "in.csv", data)
	in, err := Open(path, opts)
	if err != nil {
		return false
	}
	defer in.Close()
	seq := decodeSequential(t, in)
	for _, cs := range chunkSizes {
		if got, _ := decodeChunked(t, in, int64(cs)); in.Seekable && !equalResults(got, seq) {
			t.Fatalf("ranges of %d bytes on %q:\n%q %v %q\nsequential:\n%q %v %q", cs, data, got.rows, got.lines, got.err, seq.rows, seq.lines, seq.err)
		}
		in2, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		got := decodeSplit(t, in2, cs)
		in2.Close()
		if !equalResults(got, seq) {
			t.Fatalf("blocks of %d bytes on %q:\n%q %v %q\nsequential:\n%q %v %q", cs, data, got.rows, got.lines, got.err, seq.rows, seq.lines, seq.err)
		}
	}
	return true
}

func TestChunkedMatchesSequential(t *testing.T) {
	sizes := []int{1024, 4096, 1 << 20}
	for cs := 1; cs <= 64; cs++ {
		sizes = append(sizes, cs)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 24; i++ {
		data := randomCSV(r, 5+r.IntN(60), 1+r.IntN(4), i%2 == 1, i%3 == 2)
		checkChunking(t, data, sizes, Options{Delimiter: ',', Ragged: RaggedPadTruncate})
		checkChunking(t, data, sizes[:8], Options{Delimiter: ','})
	}
}

// TestResyncHappens makes sure the bare-quote case really exercises the engine's last
// fallback, and that it still gives the sequential records: quoted line breaks defeat
// the guessed ranges, then a bare quote after the point where counting starts defeats
// the counted ones.
func TestResyncHappens(t *testing.T) {
	multiline := strings.Repeat("2,\"x\ny\"\n", 10)
	data := []byte("a,b\n" + multiline + "1,5\" tall\n" + multiline + multiline)
	in := mustOpen(t, writeFile(t, "in.csv", data), Options{})
	seq := decodeSequential(t, in)
	if len(seq.rows) != 31 || seq.rows[10][1] != `5" tall` {
		t.Fatalf("sequential: %q", seq.rows)
	}
	streams := 0
	for size := int64(5); size <= 40; size++ {
		got, streamed := decodeChunked(t, in, size)
		if !equalResults(got, seq) {
			t.Fatalf("chunk size %d:\n%q\n%q", size, got.rows, seq.rows)
		}
		if streamed {
			streams++
		}
	}
	if streams == 0 {
		t.Fatal("no chunk size made the decoding fall back to the stream splitter")
	}
}

// TestAgreesWithEncodingCSV compares the sequential parser with encoding/csv on files
// where both rule sets coincide (no CR, no bare quotes, no ragged records).
func TestAgreesWithEncodingCSV(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 50; i++ {
		data := randomCSV(r, 1+r.IntN(30), 1+r.IntN(5), false, false)
		if strings.Contains(string(data), "\r") {
			continue
		}
		want, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
		if err != nil {
			continue // ragged
		}
		path := writeFile(t, "in.csv", data)
		if firstLine, _, _ := strings.Cut(string(data), "\n"); strings.Contains(firstLine, "\x00") {
			// Refused as binary, which no header of a text file looks like.
			if _, err := Open(path, Options{Delimiter: ','}); !errors.Is(err, sniff.ErrUnsupported) {
				t.Fatalf("%q: a NUL in the first line: %v, want it refused", data, err)
			}
			continue
		}
		in := mustOpen(t, path, Options{Delimiter: ','})
		got := decodeSequential(t, in)
		if got.err != "" || !slices.Equal(in.Header, want[0]) || len(got.rows) != len(want)-1 {
			t.Fatalf("%q: header %q rows %q err %s; encoding/csv %q", data, in.Header, got.rows, got.err, want)
		}
		for k, row := range got.rows {
			for j := range row {
				if row[j] == nullText {
					row[j] = ""
				}
			}
			if !slices.Equal(row, want[k+1]) {
				t.Fatalf("%q: row %d %q, encoding/csv %q", data, k, row, want[k+1])
			}
		}
	}
}

func FuzzChunkedMatchesSequential(f *testing.F) {
	f.Add([]byte("a,b\n1,\"x\ny\"\n\n3,4"), uint16(3))
	f.Add([]byte("a;b\r\n\"q\"\"\";x\"y\r\n"), uint16(1))
	f.Add([]byte("a,b\r1,\"2\r3\"\r"), uint16(2))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint16) {
		sizes := []int{int(chunk)%300 + 1, len(data)/2 + 1}
		eachMaskVariant(t, func() {
			checkChunking(t, data, sizes, Options{Ragged: RaggedPadTruncate})
			checkChunking(t, data, sizes[:1], Options{Encoding: "windows-1252"})
		})
	})
}

// FuzzDecode feeds arbitrary bytes through Open and both decoding paths under varied
// options: errors are fine, panics are not.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("a,b\n1,2\n"), uint8(0))
	f.Add([]byte("\xff\xfea\x00\n\x00\x00\xd8"), uint8(3))
	f.Add([]byte("\"a\rb\",c\r1,\"2"), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		encodings := []string{"", "latin1", "windows-1252", "utf-16le", "utf-16be"}
		opts := Options{
			NoHeader: mode&1 == 1,
			Ragged:   RaggedPolicy(mode>>1) & RaggedPadTruncate,
			Encoding: encodings[int(mode>>3)%len(encodings)],
		}
		path := writeFile(t, "in.csv", data)
		eachMaskVariant(t, func() {
			// Opened per variant: a transcoded input is read once.
			in, err := Open(path, opts)
			if err != nil {
				return
			}
			defer in.Close()
			decodeSequential(t, in)
			decodeChunked(t, in, 7)
		})
	})
}

func TestStdin(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdin
	os.Stdin = r
	defer func() { os.Stdin = saved }()
	go func() {
		w.Write([]byte("a,b\n1,\"x\ny\"\n3,4\n"))
		w.Close()
	}()
	in := mustOpen(t, "-", Options{})
	if in.Seekable || !slices.Equal(in.Header, []string{"a", "b"}) {
		t.Fatalf("seekable %v header %q", in.Seekable, in.Header)
	}
	got := decodeSplit(t, in, 4)
	if got.err != "" || !slices.EqualFunc(got.rows, [][]string{{"1", "x\ny"}, {"3", "4"}}, slices.Equal) || !slices.Equal(got.lines, []int64{2, 4}) {
		t.Fatalf("%q %v %s", got.rows, got.lines, got.err)
	}
	if err := in.Split(context.Background(), 4, func([]byte) error { return nil }); err == nil {
		t.Fatal("second Split of stdin succeeded")
	}
}
