package csvfmt

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"
)

// A sample is the first records after the header, cut at a record boundary, and takes
// nothing from the run that follows: a stream (here gzip) still splits from its start.
func TestSample(t *testing.T) {
	body := strings.Repeat("1,plain\n2,\"quoted\nline break, 8 KiB along\"\n3,\"5\"\" bolt\"\n", 400)
	data := "id,note\n" + body
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(data))
	zw.Close()
	plain := writeFile(t, "in.csv", []byte(data))
	want := decodeSequential(t, mustOpen(t, plain, Options{}))
	for _, path := range []string{plain, writeFile(t, "in.csv.gz", gz.Bytes())} {
		in := mustOpen(t, path, Options{})
		sample, err := in.Sample(context.Background(), 4096)
		if err != nil {
			t.Fatal(err)
		}
		if len(sample) < 2048 || len(sample) > len(body)/2 || !strings.HasPrefix(body, string(sample)) {
			t.Fatalf("%s: a sample of %d bytes is not the start of the records", path, len(sample))
		}
		d, err := in.NewDecoder().DecodeBlock(sample)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows := d.Chunk.NumRows()
		var got result
		got.add(t, d, 0)
		if rows == 0 || !equalResults(result{rows: got.rows}, result{rows: want.rows[:rows]}) {
			t.Errorf("%s: the sample's %d rows are not the first rows", path, rows)
		}
		if got := decodeSequential(t, in); !equalResults(got, want) {
			t.Errorf("%s: the run after the sample read %d rows, want %d", path, len(got.rows), len(want.rows))
		}
	}
}
