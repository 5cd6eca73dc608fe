package csvfmt

import (
	"bytes"
	"context"
	"os"
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

// CountLines reads through a file of its own: a failed --shard run counts the lines
// before its part for its error message while the run's planner, which chunk.Run does
// not wait for, may still park the input (a data race under `go test -race` when it read
// the shared file). Parked, or parked while it counts, it counts all the same, and a
// file replaced since its header was read is refused.
func TestCountLinesOfAParkedInput(t *testing.T) {
	data := []byte("id,note\n1,\"a\nb\"\n2,c\n3,d\n")
	path := writeFile(t, "in.csv", data)
	in := mustOpen(t, path, Options{})
	defer in.Close()
	if err := in.Park(); err != nil {
		t.Fatal(err)
	}
	lines, err := in.CountLines(context.Background(), 0, int64(len(data)))
	if err != nil || lines != 5 {
		t.Fatalf("parked: %d lines, %v; want 5", lines, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			in.Reopen()
			in.Park()
		}
	}()
	for range 200 {
		if lines, err := in.CountLines(context.Background(), 8, int64(len(data))); err != nil || lines != 4 {
			t.Fatalf("while parked and reopened: %d lines, %v; want 4", lines, err)
		}
	}
	<-done
	if err := os.WriteFile(path, append(data, "4,e\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := in.CountLines(context.Background(), 0, 8); err == nil || !strings.Contains(err.Error(), "the file changed") {
		t.Errorf("a replaced file counted: %v", err)
	}
}
