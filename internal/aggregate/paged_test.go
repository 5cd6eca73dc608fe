package aggregate

import "testing"

// TestPagedGrowKeepsValues grows a paged array from a few groups past several pages:
// every value set before a grow is kept, every new group starts at the fill, and a
// full page never moves (kernels hold pointers into it within a chunk).
func TestPagedGrowKeepsValues(t *testing.T) {
	var p paged[int64]
	if p.made() || p.len() != 0 {
		t.Fatalf("a new paged array: made %v, len %d", p.made(), p.len())
	}
	const fill = -7
	var full *int64
	set := 0
	for _, n := range []int{0, 1, 3, 17, 100, 4095, 4096, 4097, 9000, 20000} {
		p.grow(n, fill)
		if p.len() != n || p.made() != (n > 0) {
			t.Fatalf("grow(%d): len %d, made %v", n, p.len(), p.made())
		}
		for g := range n {
			want := int64(fill)
			if g < set {
				want = int64(g) * 3
			}
			if got := *p.at(int32(g)); got != want {
				t.Fatalf("grow(%d): group %d holds %d, want %d", n, g, got, want)
			}
		}
		for g := set; g < n; g++ {
			*p.at(int32(g)) = int64(g) * 3
		}
		set = max(set, n)
		if n >= 1<<pageBits {
			if full == nil {
				full = p.at(5)
			} else if full != p.at(5) {
				t.Fatalf("grow(%d) moved a full page", n)
			}
		}
	}
	p.grow(10, fill) // never shrinks
	if p.len() != 20000 || *p.at(19999) != 19999*3 {
		t.Fatalf("grow to fewer groups changed the array: len %d", p.len())
	}
}
