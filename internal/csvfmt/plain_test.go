package csvfmt

import (
	"fmt"
	"math/rand/v2"
	"reflect"
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
	p := newParser("t.csv", delim, term, charsetUTF8, ragged, ncols)
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
	return res
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
	r := rand.New(rand.NewPCG(5, 6))
	for i := range 300 {
		cols := 1 + r.IntN(12)
		delim := ",;\t|"[i%4]
		data := plainCSV(r, 1+r.IntN(300), cols, delim, i%3 == 0)
		checkPlainMatchesGeneral(t, data, cols, delim, '\n', RaggedPolicy(i%4))
		checkPlainMatchesGeneral(t, data, cols, delim, '\r', RaggedPadTruncate)
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
		checkPlainMatchesGeneral(t, data, 1+int(cols%16), ',', '\n', RaggedPolicy(cols>>4)&RaggedPadTruncate)
	})
}
