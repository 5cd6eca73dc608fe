package csvfmt

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// Reopening a parked seekable input opens its file again and nothing more: a run reopens
// its input for the schema sample and again for its chunks, before any worker starts,
// and sniffing the delimiter and parsing the header again (64 KiB read, parsed once per
// candidate delimiter) cost milliseconds each time.
func TestReopenSeekableDoesNotSniffAgain(t *testing.T) {
	var data bytes.Buffer
	data.WriteString("id;name;note\n")
	for data.Len() < 2*SniffSize {
		data.WriteString("1;abc;\"x;y\"\n")
	}
	path := writeFile(t, "in.csv", data.Bytes())
	in := mustOpen(t, path, Options{})
	defer in.Close()
	if !in.Seekable || in.Delimiter != ';' {
		t.Fatalf("seekable %v, delimiter %q", in.Seekable, in.Delimiter)
	}
	const cycles = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range cycles {
		if err := in.Park(); err != nil {
			t.Fatal(err)
		}
		if err := in.Reopen(); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	// Open's sniff buffer alone is SniffSize bytes; opening the file needs a few KiB.
	if perCycle := (after.TotalAlloc - before.TotalAlloc) / cycles; perCycle >= SniffSize/2 {
		t.Errorf("a Park and Reopen allocated %d bytes: the input was sniffed again", perCycle)
	}
	got := decodeSequential(t, in)
	if got.err != "" || len(got.rows) == 0 || strings.Join(got.rows[0], "|") != "1|abc|x;y" {
		t.Fatalf("reopened: %d rows, first %q, error %s", len(got.rows), got.rows[:min(1, len(got.rows))], got.err)
	}
}
