//go:build !purego

package csvfmt

import "golang.org/x/sys/cpu"

// The widest mask functions this CPU runs, chosen once: AVX-512BW compares 64 bytes into
// a k-mask that is the block's mask itself, AVX2 32 bytes at a time, and SSE2, which
// every amd64 CPU has, 16 bytes (a dozen instructions for 8 in separatorBits, Go's).
// FuzzSeparatorMasks holds every variant this CPU has to a byte loop.
var (
	useAVX512 = cpu.X86.HasAVX512BW
	useAVX2   = cpu.X86.HasAVX2
)

// separatorMasks sets masks[i], for each 64 bytes b[64i:64i+64] (len(b) a multiple of
// 64), to a bit per byte that equals the delimiter or the terminator (dm and tm: that
// byte times lsb8). separatorMasksGeneric is the same in Go.
func separatorMasks(b []byte, dm, tm uint64, masks []uint64) {
	switch {
	case useAVX512:
		separatorMasksAVX512(b, dm, tm, masks)
	case useAVX2:
		separatorMasksAVX2(b, dm, tm, masks)
	default:
		separatorMasksSSE2(b, dm, tm, masks)
	}
}

// splitSeparatorMasks is separatorMasks with the delimiters' bits in delims and the
// terminators' in terms (len(delims), len(terms) >= len(b)/64), stopping after the first
// block that holds a quote: blocks is the number of blocks whose masks it wrote
// (len(b)/64 when no block but perhaps the last holds a quote), and hasCR whether those
// blocks hold a CR. splitSeparatorMasksGeneric is the same in Go.
func splitSeparatorMasks(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool) {
	switch {
	case useAVX512:
		return splitSeparatorMasksAVX512(b, dm, tm, delims, terms)
	case useAVX2:
		return splitSeparatorMasksAVX2(b, dm, tm, delims, terms)
	}
	return splitSeparatorMasksSSE2(b, dm, tm, delims, terms)
}

// The assembly variants of separatorMasks and splitSeparatorMasks (separators_amd64.s).

//go:noescape
func separatorMasksSSE2(b []byte, dm, tm uint64, masks []uint64)

//go:noescape
func separatorMasksAVX2(b []byte, dm, tm uint64, masks []uint64)

//go:noescape
func separatorMasksAVX512(b []byte, dm, tm uint64, masks []uint64)

//go:noescape
func splitSeparatorMasksSSE2(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool)

//go:noescape
func splitSeparatorMasksAVX2(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool)

//go:noescape
func splitSeparatorMasksAVX512(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool)
