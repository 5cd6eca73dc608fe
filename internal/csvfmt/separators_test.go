package csvfmt

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// naiveSeparatorMasks is separatorMasks one byte at a time: the reference.
func naiveSeparatorMasks(b []byte, delim, term byte) []uint64 {
	masks := make([]uint64, len(b)/64)
	for i, c := range b[:len(masks)*64] {
		if c == delim || c == term {
			masks[i/64] |= 1 << (i % 64)
		}
	}
	return masks
}

// checkSeparatorMasks holds separatorMasks and splitSeparatorMasks, every assembly
// variant of them this CPU runs, and their Go versions to the byte-at-a-time reference.
func checkSeparatorMasks(t *testing.T, b []byte, delim, term byte) {
	t.Helper()
	want := naiveSeparatorMasks(b, delim, term)
	maskFuncs := map[string]func([]byte, uint64, uint64, []uint64){
		"separatorMasks": separatorMasks, "separatorMasksGeneric": separatorMasksGeneric,
	}
	splitFuncs := map[string]func([]byte, uint64, uint64, []uint64, []uint64) (int, bool){
		"splitSeparatorMasks": splitSeparatorMasks, "splitSeparatorMasksGeneric": splitSeparatorMasksGeneric,
	}
	for _, v := range maskVariants() {
		maskFuncs["separatorMasks"+v.name] = v.masks
		splitFuncs["splitSeparatorMasks"+v.name] = v.split
	}
	for name, f := range maskFuncs {
		// One spare mask past the end, which must stay untouched.
		got := make([]uint64, len(want)+1)
		got[len(want)] = 0xDEAD
		f(b[:len(want)*64], uint64(delim)*lsb8, uint64(term)*lsb8, got[:len(want)])
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s, delim %q term %q, block %d of %q: %064b, want %064b", name, delim, term, i, b[64*i:64*i+64], got[i], want[i])
			}
		}
		if got[len(want)] != 0xDEAD {
			t.Fatalf("%s wrote past its masks", name)
		}
	}
	// The split masks stop after the first block holding a quote.
	wantDelims, wantTerms := naiveSeparatorMasks(b, delim, delim), naiveSeparatorMasks(b, term, term)
	n := len(want)
	wantBlocks := n
	for i := range n {
		if bytes.IndexByte(b[64*i:64*i+64], '"') >= 0 {
			wantBlocks = i + 1
			break
		}
	}
	wantCR := bytes.IndexByte(b[:wantBlocks*64], '\r') >= 0
	for name, f := range splitFuncs {
		delims, terms := make([]uint64, n+1), make([]uint64, n+1)
		for i := wantBlocks; i <= n; i++ {
			delims[i], terms[i] = 0xDEAD, 0xBEEF
		}
		blocks, hasCR := f(b[:n*64], uint64(delim)*lsb8, uint64(term)*lsb8, delims[:n], terms[:n])
		if blocks != wantBlocks || hasCR != wantCR {
			t.Fatalf("%s of %q: %d blocks, CR %v; want %d, %v", name, b[:n*64], blocks, hasCR, wantBlocks, wantCR)
		}
		for i := range wantBlocks {
			if delims[i] != wantDelims[i] || terms[i] != wantTerms[i] {
				t.Fatalf("%s, delim %q term %q, block %d of %q: %064b %064b, want %064b %064b", name, delim, term, i, b[64*i:64*i+64], delims[i], terms[i], wantDelims[i], wantTerms[i])
			}
		}
		for i := wantBlocks; i <= n; i++ {
			if delims[i] != 0xDEAD || terms[i] != 0xBEEF {
				t.Fatalf("%s wrote past the block of the first quote or its masks", name)
			}
		}
	}
}

func TestSeparatorMasks(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	// Every byte value next to every separator, and random bytes, at every alignment.
	var b []byte
	for c := range 256 {
		b = append(b, byte(c), ',', byte(c), '\n', byte(c)^0x80, ';')
	}
	for range 4096 {
		b = append(b, byte(r.IntN(256)))
	}
	// Without quotes too, which end the split masks early.
	unquoted := bytes.ReplaceAll(b, []byte{'"'}, []byte{'x'})
	for off := range 64 {
		for _, sep := range []struct{ delim, term byte }{{',', '\n'}, {';', '\r'}, {'\t', '\n'}, {'|', '\n'}, {0, 0xFF}, {0x80, 0x7F}} {
			checkSeparatorMasks(t, b[off:], sep.delim, sep.term)
			checkSeparatorMasks(t, unquoted[off:], sep.delim, sep.term)
		}
	}
}

// splitSeparatorMasks reports a lone CR in any of the 256 places of 4 blocks, and none
// in blocks without one (where bytes 0x0D apart from CR, 0x8D, come close).
func TestSplitSeparatorMasksFindsCR(t *testing.T) {
	b := bytes.Repeat([]byte("1,\x8d\n"), 64)
	delims, terms := make([]uint64, 4), make([]uint64, 4)
	for at := -1; at < len(b); at++ {
		if at >= 0 {
			b[at] = '\r'
		}
		checkSeparatorMasks(t, b, ',', '\n')
		if _, got := splitSeparatorMasks(b, ','*lsb8, '\n'*lsb8, delims, terms); got != (at >= 0) {
			t.Fatalf("CR at %d: splitSeparatorMasks reports %v", at, got)
		}
		for _, v := range maskVariants() {
			if _, got := v.split(b, ','*lsb8, '\n'*lsb8, delims, terms); got != (at >= 0) {
				t.Fatalf("CR at %d: splitSeparatorMasks%s reports %v", at, v.name, got)
			}
		}
		if at >= 0 {
			b[at] = "1,\x8d\n"[at%4]
		}
	}
}

// splitSeparatorMasks stops after the block of the first quote, in any of the 256
// places of 4 blocks (a CR after it, in the next block, unreported).
func TestSplitSeparatorMasksStopsAtQuote(t *testing.T) {
	b := bytes.Repeat([]byte("1,\x8d\n"), 64)
	for at := range len(b) {
		b[at] = '"'
		if next := (at + 64) &^ 63; next < len(b) {
			b[next] = '\r'
		}
		checkSeparatorMasks(t, b, ',', '\n')
		b = bytes.Repeat([]byte("1,\x8d\n"), 64)
	}
}

func FuzzSeparatorMasks(f *testing.F) {
	f.Add([]byte("id,a,b\n1,2.5,\"x,y\"\n-1,,3\r\n"), byte(','), byte('\n'))
	f.Fuzz(func(t *testing.T, data []byte, delim, term byte) {
		checkSeparatorMasks(t, data, delim, term)
	})
}

func BenchmarkSeparatorMasks(b *testing.B) {
	data := benchCSV(maxBatch)[:maxBatch]
	masks := make([]uint64, maxBatch/64)
	funcs := map[string]func([]byte, uint64, uint64, []uint64){
		"default": separatorMasks, "generic": separatorMasksGeneric,
	}
	terms := make([]uint64, maxBatch/64)
	split := map[string]func([]byte, uint64, uint64, []uint64, []uint64) (int, bool){
		"split-default": splitSeparatorMasks, "split-generic": splitSeparatorMasksGeneric,
	}
	for _, v := range maskVariants() {
		funcs[v.name] = v.masks
		split["split-"+v.name] = v.split
	}
	for name, f := range funcs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				f(data, ','*lsb8, '\n'*lsb8, masks)
			}
		})
	}
	for name, f := range split {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				f(data, ','*lsb8, '\n'*lsb8, masks, terms)
			}
		})
	}
}
