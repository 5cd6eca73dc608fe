package apply

import "testing"

// A chunk that arrives before an earlier one is left for the worker that places the
// earlier one, which then gets both, at offsets that follow each other.
func TestPositionalWritesPlaceLateChunksWithTheEarlier(t *testing.T) {
	p := newPositionalWrites(5, 100)
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
	if got := put(8, "d"); len(got) != 1 || got[0].at != 106 {
		t.Errorf("chunk 8 after the others: %v, want itself at 106", got)
	}
}

// Bytes that cannot wait (a decoder's buffer) are taken only by the chunk to place next,
// and come back first, lent (no pool buffer), with the chunks waiting after them.
func TestPositionalWritesPutIfNext(t *testing.T) {
	p := newPositionalWrites(0, 10)
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
