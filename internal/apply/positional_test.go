package apply

import (
	"testing"
	"time"
)

// A chunk that arrives before an earlier one is left for the worker that places the
// earlier one, which then gets both, at offsets that follow each other.
func TestPositionalWritesPlaceLateChunksWithTheEarlier(t *testing.T) {
	p := newPositionalWrites(5, 100, 1)
	put := func(seq int64, s string) []placed { b := []byte(s); return p.put(seq, b, &b) }
	if got := put(7, "ccc"); len(got) != 0 {
		t.Fatalf("chunk 7 before 5 and 6: got %d to write, want none", len(got))
	}
	if got := put(6, "bb"); len(got) != 0 {
		t.Fatalf("chunk 6 before 5: got %d to write, want none", len(got))
	}
	got := put(5, "a")
	want := []struct {
		text string
		at   int64
	}{{"a", 100}, {"bb", 101}, {"ccc", 103}}
	if len(got) != len(want) {
		t.Fatalf("chunk 5: got %d to write, want %d", len(got), len(want))
	}
	for i, w := range want {
		if string(got[i].data) != w.text || string(*got[i].buf) != w.text || got[i].at != w.at {
			t.Errorf("write %d: %q at %d, want %q at %d", i, got[i].data, got[i].at, w.text, w.at)
		}
	}
	if got := p.more(); got != nil {
		t.Fatalf("nothing queued for the writer of chunks 5 to 7: got %v", got)
	}
	if got := put(8, "d"); len(got) != 1 || got[0].at != 106 {
		t.Errorf("chunk 8 after the others: %v, want itself at 106", got)
	}
}

// Bytes that cannot wait (a decoder's buffer) are taken only by the chunk to place next,
// and come back first, lent (no pool buffer), with the chunks waiting after them.
func TestPositionalWritesPutIfNext(t *testing.T) {
	p := newPositionalWrites(0, 10, 1)
	if got, ok := p.putIfNext(1, []byte("late")); ok || got != nil {
		t.Fatalf("chunk 1 before 0: taken %v (%v)", ok, got)
	}
	b := []byte("bb")
	if got := p.put(1, b, &b); len(got) != 0 {
		t.Fatalf("chunk 1 before 0: got %d to write", len(got))
	}
	got, ok := p.putIfNext(0, []byte("a"))
	if !ok || len(got) != 2 {
		t.Fatalf("chunk 0: taken %v, %d to write, want 2", ok, len(got))
	}
	if string(got[0].data) != "a" || got[0].buf != nil || got[0].at != 10 {
		t.Errorf("chunk 0: %q at %d, buffer %v", got[0].data, got[0].at, got[0].buf)
	}
	if string(got[1].data) != "bb" || got[1].buf != &b || got[1].at != 11 {
		t.Errorf("chunk 1: %q at %d", got[1].data, got[1].at)
	}
}

// One write at a time: chunks placed while a worker writes are queued for it, and it
// gets them, in order, when it asks for more; then it is no longer the writer.
func TestPositionalWritesQueueForTheWriter(t *testing.T) {
	p := newPositionalWrites(0, 0, 1)
	put := func(seq int64, s string) []placed { b := []byte(s); return p.put(seq, b, &b) }
	if got := put(0, "a"); len(got) != 1 {
		t.Fatalf("chunk 0: got %d to write, want 1", len(got))
	}
	// Worker 0 writes chunk 0; chunks 1 and 2 are placed meanwhile.
	if got := put(2, "ccc"); got != nil {
		t.Fatalf("chunk 2 before 1: got %d to write", len(got))
	}
	if got := put(1, "bb"); got != nil {
		t.Fatalf("chunk 1 while chunk 0 is written: got %d to write, want it queued", len(got))
	}
	if got, ok := p.putIfNext(3, []byte("d")); ok || got != nil {
		t.Fatalf("a decoder's bytes while another worker writes: taken %v", ok)
	}
	got := p.more()
	if len(got) != 2 || string(got[0].data) != "bb" || got[0].at != 1 || string(got[1].data) != "ccc" || got[1].at != 3 {
		t.Fatalf("queued for the writer: %v, want bb at 1, ccc at 3", got)
	}
	if got := p.more(); got != nil {
		t.Fatalf("nothing more queued: got %v", got)
	}
	// The writer is done: the next chunk's worker writes it itself.
	got, ok := p.putIfNext(3, []byte("d"))
	if !ok || len(got) != 1 || got[0].at != 6 {
		t.Fatalf("chunk 3 with no writer: taken %v, %v", ok, got)
	}
}

// A worker that finds the queue full waits until the writer takes it, then queues.
func TestPositionalWritesFullQueueWaits(t *testing.T) {
	p := newPositionalWrites(0, 0, 1)
	big := make([]byte, maxQueuedBytes)
	if got := p.put(0, []byte("a"), nil); len(got) != 1 {
		t.Fatalf("chunk 0: got %d to write", len(got))
	}
	if got := p.put(1, big, nil); got != nil {
		t.Fatalf("chunk 1 while chunk 0 is written: got %d to write", len(got))
	}
	done := make(chan []placed)
	go func() { done <- p.put(2, []byte("c"), nil) }()
	select {
	case got := <-done:
		t.Fatalf("chunk 2 with the queue full: returned %v before the writer took the queue", got)
	case <-time.After(50 * time.Millisecond):
	}
	if got := p.more(); len(got) != 1 || got[0].at != 1 {
		t.Fatalf("queued: %v, want chunk 1 at 1", got)
	}
	if got := <-done; got != nil {
		t.Fatalf("chunk 2 after the queue was taken: got %d to write, want it queued", len(got))
	}
	if got := p.more(); len(got) != 1 || string(got[0].data) != "c" || got[0].at != 1+maxQueuedBytes {
		t.Fatalf("queued: %v, want c at %d", got, 1+maxQueuedBytes)
	}
	if got := p.more(); got != nil {
		t.Fatalf("nothing more queued: got %v", got)
	}
}

// With two writes allowed (an identity run's), a second worker writes the chunk it
// places while another writes; a third chunk is queued for the first to finish.
func TestPositionalWritesTwoWriters(t *testing.T) {
	p := newPositionalWrites(0, 0, 2)
	if got, ok := p.putIfNext(0, []byte("a")); !ok || len(got) != 1 {
		t.Fatalf("chunk 0: taken %v, %v", ok, got)
	}
	if got, ok := p.putIfNext(1, []byte("bb")); !ok || len(got) != 1 || got[0].at != 1 {
		t.Fatalf("chunk 1 while chunk 0 is written: taken %v, %v; want it written at 1", ok, got)
	}
	if got, ok := p.putIfNext(2, []byte("c")); ok || got != nil {
		t.Fatalf("chunk 2 while two are written: taken %v", ok)
	}
	if got := p.put(2, []byte("c"), nil); got != nil {
		t.Fatalf("chunk 2 while two are written: got %v to write, want it queued", got)
	}
	if got := p.more(); len(got) != 1 || got[0].at != 3 {
		t.Fatalf("queued for the first writer done: %v, want c at 3", got)
	}
	p.more()
	p.more()
	if got, ok := p.putIfNext(3, []byte("d")); !ok || got[0].at != 4 {
		t.Fatalf("chunk 3 with nobody writing: taken %v, %v", ok, got)
	}
}
