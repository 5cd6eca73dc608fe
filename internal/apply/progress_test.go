package apply

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestProgressWaitsAndShowsWhatIsKnown: nothing is drawn in the first second; then a
// run of unknown size (a stream, a sheet) shows rows, not "0 B", one of known size
// bytes of the total, and a compressed file the compressed bytes read of its size.
func TestProgressWaitsAndShowsWhatIsKnown(t *testing.T) {
	for _, tc := range []struct {
		total      int64
		want, not  string
		bytes, row int64
		compressed int64 // compressed bytes read, polled
	}{
		{total: -1, want: "250k rows", not: " B", bytes: 0, row: 250000},
		{total: 4 << 20, want: "50%", not: "0 B", bytes: 2 << 20, row: 250000},
		{total: 4 << 20, want: "50%", not: "0 B", row: 250000, compressed: 2 << 20},
	} {
		var out bytes.Buffer
		clock := time.Unix(0, 0)
		p := newProgress(&out, tc.total)
		p.now, p.start = func() time.Time { return clock }, clock
		if tc.compressed > 0 {
			p.compressedRead = func() int64 { return tc.compressed }
		}
		clock = clock.Add(900 * time.Millisecond)
		p.add(tc.bytes/2, tc.bytes/2, tc.row/2, tc.row/2)
		if out.Len() > 0 {
			t.Fatalf("total %d: drawn before a second had passed: %q", tc.total, out.String())
		}
		clock = clock.Add(200 * time.Millisecond)
		p.add(tc.bytes/2, tc.bytes/2, tc.row/2, tc.row/2)
		got := out.String()
		if !strings.Contains(got, tc.want) || strings.Contains(got, tc.not) {
			t.Errorf("total %d: bar %q, want %q and no %q", tc.total, got, tc.want, tc.not)
		}
		p.finish()
		if !p.shownBar {
			t.Errorf("total %d: finish forgot the bar was shown", tc.total)
		}
	}
}

func TestProgressNeverDrawnShortRun(t *testing.T) {
	var out bytes.Buffer
	p := newProgress(&out, -1)
	p.add(100, 100, 10, 10)
	p.finish()
	if out.Len() > 0 || p.shownBar {
		t.Errorf("a short run drew %q", out.String())
	}
}

// The bar's rate counts from the first chunk, not from when the bar is first drawn
// (which showed a second's work done in no time: terabytes a second). The library
// times the rate with the real clock: 60 ms pass between the two chunks.
func TestProgressRateFromTheFirstChunk(t *testing.T) {
	var out bytes.Buffer
	clock := time.Unix(0, 0)
	p := newProgress(&out, 8<<20)
	p.now, p.start = func() time.Time { return clock }, clock
	p.add(1<<20, 1<<20, 1000, 1000)
	time.Sleep(60 * time.Millisecond)
	clock = clock.Add(1100 * time.Millisecond)
	p.add(1<<20, 1<<20, 1000, 1000)
	got := out.String()
	if !strings.Contains(got, "25%") || strings.Contains(got, "GB/s") || strings.Contains(got, "TB/s") {
		t.Errorf("bar %q: want 25%% at no more than 2 MiB in 60 ms", got)
	}
	p.finish()
	if !p.shownBar {
		t.Error("finish forgot the bar was shown")
	}
}
