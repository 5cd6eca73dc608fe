package csvfmt

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// parsed is everything a parser leaves for finish, plus where and how it stopped.
type parsed struct {
	cols  []column
	lines []int64
	rows  int
	line  int64
	end   int
	err   string
}

// parseChunk parses buf from 0 until a record starts at or after stop, either with
// records (fast path first) or with record alone (the general path).
func parseChunk(buf []byte, ncols int, delim, term byte, ragged RaggedPolicy, stop int, fast bool) parsed {
	res, _ := parseSparse(buf, ncols, delim, term, ragged, stop, fast, nil)
	return res
}

// parseSparse is parseChunk for a parser that leaves the columns skip marks out of
// the rows it takes as plain (Decoder.SkipColumns); it returns the parser too.
func parseSparse(buf []byte, ncols int, delim, term byte, ragged RaggedPolicy, stop int, fast bool, skip []bool) (parsed, *parser) {
	p := newParser("t.csv", delim, term, charsetUTF8, ragged, ncols)
	p.skip = skip
	p.begin(make([]column, ncols))
	var res parsed
	var err error
	if fast {
		res.end, _, err = p.records(buf, 0, stop, true)
	} else {
		for res.end < stop {
			next, st, _, e := p.record(buf, res.end, true)
			if err = e; err != nil || st == stEnd {
				break
			}
			res.end = next
		}
	}
	if err != nil {
		res.err = err.Error()
	}
	for _, c := range p.cols {
		// Compare values, not spare capacity.
		res.cols = append(res.cols, column{data: append([]byte{}, c.data...), offsets: c.offsets, nullRows: append([]int32{}, c.nullRows...)})
	}
	res.lines, res.rows, res.line = append([]int64{}, p.lines...), p.rows, p.line
	return res, p
}

// checkSparseMatchesGeneral requires a parser that skips columns (sparseRecords) to
// leave what the general path leaves, except that the skipped columns' values of the
// rows it marks plain may be empty, and those rows' raw bytes are the record's fields.
func checkSparseMatchesGeneral(t *testing.T, buf []byte, ncols int, delim byte, ragged RaggedPolicy, stop int, skip []bool) {
	t.Helper()
	want := parseChunk(buf, ncols, delim, '\n', ragged, stop, false)
	got, p := parseSparse(buf, ncols, delim, '\n', ragged, stop, true, skip)
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%d columns, skip %v, stop %d, input %q: %s", ncols, skip, stop, buf, fmt.Sprintf(format, args...))
	}
	if got.rows != want.rows || got.line != want.line || got.end != want.end || got.err != want.err || !reflect.DeepEqual(got.lines, want.lines) {
		fail("rows %d line %d end %d err %q lines %v, want %d %d %d %q %v", got.rows, got.line, got.end, got.err, got.lines, want.rows, want.line, want.end, want.err, want.lines)
	}
	value := func(c column, r int) (string, bool) {
		return string(c.data[c.offsets[r]:c.offsets[r+1]]), slices.Contains(c.nullRows, int32(r))
	}
	for r := range want.rows {
		plain := r>>6 < len(p.rawPlain) && p.rawPlain[r>>6]&(1<<(r&63)) != 0
		var fields []string
		if plain {
			raw := buf[p.rawStarts[r]:p.rawEnds[r]]
			if bytes.ContainsAny(raw, "\r\"") {
				fail("row %d plain, its bytes %q", r, raw)
			}
			fields = strings.Split(string(raw), string(delim))
			if len(fields) != ncols {
				fail("row %d plain, its bytes %q", r, raw)
			}
		}
		for j := range ncols {
			wv, wnull := value(want.cols[j], r)
			gv, gnull := value(got.cols[j], r)
			if plain && fields[j] != wv {
				fail("row %d column %d: raw field %q, want %q", r, j, fields[j], wv)
			}
			// A plain row's skipped value may be stored all the same (its group held a
			// row that was not plain).
			if plain && skip[j] && gv == "" && !gnull {
				continue
			}
			if gv != wv || gnull != wnull {
				fail("row %d column %d: %q (null %v), want %q (null %v)", r, j, gv, gnull, wv, wnull)
			}
		}
	}
}

// sparsePatterns are the columns a run leaves out, for a file of ncols columns: all
// but the second (a top-N), all but the first five (the filter), alternate ones, the
// last alone kept, seed's bits.
func sparsePatterns(ncols int, seed uint64) [][]bool {
	var out [][]bool
	for k := range 5 {
		skip := make([]bool, ncols)
		for j := range skip {
			switch k {
			case 0:
				skip[j] = j != min(1, ncols-1)
			case 1:
				skip[j] = j >= 5
			case 2:
				skip[j] = j%2 == 0
			case 3:
				skip[j] = j != ncols-1
			case 4:
				skip[j] = seed>>(j%64)&1 == 1
			}
		}
		if slices.Contains(skip, true) {
			out = append(out, skip)
		}
	}
	return out
}

// checkPlainMatchesGeneral requires the fast path to leave exactly what the general
// path leaves, for several stop positions.
func checkPlainMatchesGeneral(t *testing.T, buf []byte, ncols int, delim, term byte, ragged RaggedPolicy) {
	t.Helper()
	for _, stop := range []int{len(buf), len(buf) / 2, len(buf) / 3, 1} {
		if stop > len(buf) || stop < 1 {
			continue
		}
		want := parseChunk(buf, ncols, delim, term, ragged, stop, false)
		got := parseChunk(buf, ncols, delim, term, ragged, stop, true)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d columns, stop %d, input %q:\nfast    %+v\ngeneral %+v", ncols, stop, buf, got, want)
		}
		if term == '\n' {
			for _, skip := range sparsePatterns(ncols, uint64(len(buf))*0x9E3779B97F4A7C15) {
				checkSparseMatchesGeneral(t, buf, ncols, delim, ragged, stop, skip)
			}
		}
	}
}

// plainCSV makes mostly quote-free records the fast path takes, mixed with everything
// it must hand over: quotes, ragged records, blank lines, CRs, empty and long fields.
func plainCSV(r *rand.Rand, rows, cols int, delim byte, crlf bool) []byte {
	var b []byte
	for range rows {
		if r.IntN(12) == 0 {
			b = append(b, "\n\r\n"[r.IntN(2):]...) // blank line, LF or CR LF
		}
		n := cols
		if r.IntN(25) == 0 {
			n = 1 + r.IntN(cols+2)
		}
		for j := range n {
			if j > 0 {
				b = append(b, delim)
			}
			switch k := r.IntN(40); {
			case k == 0:
				b = append(b, `"q`+string(delim)+`"`...)
			case k == 1:
				b = append(b, `5" x`...)
			case k == 2:
				b = append(b, '\r', 'z')
			case k < 8:
				// empty
			case k < 12:
				b = append(b, strings.Repeat("long-", 1+r.IntN(9))...)
			default:
				b = fmt.Appendf(b, "%d", r.IntN(1<<uint(r.IntN(40))))
			}
		}
		if crlf {
			b = append(b, '\r')
		}
		b = append(b, '\n')
	}
	return b
}

func TestPlainRecordsMatchRecord(t *testing.T) {
	withEachMaskVariant(t, testPlainRecordsMatchRecord)
}

func testPlainRecordsMatchRecord(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		cols := 1 + r.IntN(12)
		delim := ",;\t|"[i%4]
		data := plainCSV(r, 1+r.IntN(300), cols, delim, i%3 == 0)
		checkPlainMatchesGeneral(t, data, cols, delim, '\n', RaggedPolicy(i%4))
		checkPlainMatchesGeneral(t, data, cols, delim, '\r', RaggedPadTruncate)
		// Without CRs and quotes, which end sparseRecords' runs early.
		clean := bytes.ReplaceAll(bytes.ReplaceAll(data, []byte("\r"), nil), []byte(`"`), nil)
		checkPlainMatchesGeneral(t, clean, cols, delim, '\n', RaggedPolicy(i%4))
	}
	// Records cut by the end of the input, at every length.
	data := plainCSV(r, 20, 3, ',', false)
	for n := range len(data) {
		checkPlainMatchesGeneral(t, data[:n], 3, ',', '\n', RaggedFail)
	}
}

func FuzzPlainRecordsMatchRecord(f *testing.F) {
	f.Add([]byte("1,2,3\n\n4,,6\r\n7,8\n\"a\",b,c\n"), uint8(3))
	f.Add([]byte("x\n\r\n\ry\n"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, cols uint8) {
		eachMaskVariant(t, func() {
			checkPlainMatchesGeneral(t, data, 1+int(cols%16), ',', '\n', RaggedPolicy(cols>>4)&RaggedPadTruncate)
		})
	})
}
