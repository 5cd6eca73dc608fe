package apply

import "testing"

// A chunk that arrives before an earlier one is left for the worker that places the
// earlier one, which then gets both, at offsets that follow each other.
func TestPositionalWritesPlaceLateChunksWithTheEarlier(t *testing.T) {
	p := newPositionalWrites(5, 100)
	bytesOf := func(s string) *[]byte { b := []byte(s); return &b }
	if got := p.put(7, bytesOf("ccc")); len(got) != 0 {
		t.Fatalf("chunk 7 before 5 and 6: got %d to write, want none", len(got))
	}
	if got := p.put(6, bytesOf("bb")); len(got) != 0 {
		t.Fatalf("chunk 6 before 5: got %d to write, want none", len(got))
	}
	got := p.put(5, bytesOf("a"))
	want := []struct {
		text string
		at   int64
	}{{"a", 100}, {"bb", 101}, {"ccc", 103}}
	if len(got) != len(want) {
		t.Fatalf("chunk 5: got %d to write, want %d", len(got), len(want))
	}
	for i, w := range want {
		if string(*got[i].buf) != w.text || got[i].at != w.at {
			t.Errorf("write %d: %q at %d, want %q at %d", i, *got[i].buf, got[i].at, w.text, w.at)
		}
	}
	if got := p.put(8, bytesOf("d")); len(got) != 1 || got[0].at != 106 {
		t.Errorf("chunk 8 after the others: %v, want itself at 106", got)
	}
}
