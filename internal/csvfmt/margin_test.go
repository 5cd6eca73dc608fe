package csvfmt

import (
	"strconv"
	"strings"
	"testing"
)

// A range reads little past its end when its last record is short (the next range
// reads those bytes again), and as far as a long last record needs: the chunks are
// those of the sequential decode either way.
func TestRangeReadsLittlePastItsEnd(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,note\n")
	for i := range 20000 {
		note := "short"
		if i%3000 == 1500 {
			note = strings.Repeat("long ", 4000) // 20 KB, beyond the first margin
		}
		b.WriteString(strconv.Itoa(i) + ",name " + strconv.Itoa(i%97) + "," + note + "\n")
	}
	data := []byte(b.String())
	in := mustOpen(t, writeFile(t, "in.csv", data), Options{Delimiter: ','})
	defer in.Close()
	// overread is what a range may read past its end for a short last record: the
	// 64 KiB read before this test made every 256 KiB chunk read a quarter more.
	const chunk, overread = 64 << 10, 8 << 10
	dec := in.NewDecoder()
	defer dec.Close()
	grew := 0
	for _, r := range in.GuessRanges(in.DataStart, chunk) {
		dd, err := dec.DecodeRange(r)
		if err != nil {
			t.Fatal(err)
		}
		read := int64(len(dec.buf))
		// The range, the byte before it, then little unless the last record ends
		// beyond that.
		if long := dd.End > r.End+overread; !long && read > r.End-r.Start+1+overread {
			t.Errorf("range [%d, %d) read %d bytes, its records end at %d", r.Start, r.End, read, dd.End)
		} else if long {
			grew++
		}
		dec.Recycle(dd.Chunk)
	}
	if grew == 0 {
		t.Fatal("no range's last record reached far past its end")
	}
	seq := decodeSequential(t, in)
	if got, _ := decodeChunked(t, in, chunk); !equalResults(got, seq) {
		t.Fatalf("ranges of %d bytes differ from the sequential decode", chunk)
	}
}
