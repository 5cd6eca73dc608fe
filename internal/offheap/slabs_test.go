package offheap

import "testing"

func TestSlabs(t *testing.T) {
	var s Slabs
	a, err := s.Cut(100, 4096)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Cut(3000, 4096) // fits after a: the same slab
	c, _ := s.Cut(1000, 4096) // does not: a new slab
	own, _ := s.Own(1 << 16)
	if len(a) != 100 || cap(a) != 100 || len(b) != 3000 || len(c) != 1000 || len(own) != 1<<16 {
		t.Fatalf("sizes %d/%d %d %d %d", len(a), cap(a), len(b), len(c), len(own))
	}
	if s.Regions() != 3 {
		t.Errorf("%d regions, want two slabs and one of its own", s.Regions())
	}
	if &a[0] == &b[0] || &b[len(b)-1] == &c[0] {
		t.Error("buffers overlap")
	}
	for _, buf := range [][]byte{a, b, c, own, own[len(own)-1:]} {
		if !s.Contains(buf) {
			t.Errorf("a buffer of %d bytes is not in the slabs", len(buf))
		}
	}
	if s.Contains(make([]byte, 8)) {
		t.Error("a Go heap buffer is reported in the slabs")
	}
	a[99], c[999] = 1, 2 // writable
	s.Release()
	if s.Regions() != 0 || s.Contains(a) {
		t.Error("regions left after Release")
	}
}
