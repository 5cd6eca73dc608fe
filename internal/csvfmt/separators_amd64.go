//go:build !purego

package csvfmt

// separatorMasks sets masks[i], for each 64 bytes b[64i:64i+64] (len(b) a multiple of
// 64), to a bit per byte that equals the delimiter or the terminator (dm and tm: that
// byte times lsb8). In assembly: SSE2, which every amd64 CPU has, compares 16 bytes in
// one instruction where separatorBits needs a dozen for 8; separatorMasksGeneric is
// the same in Go, and FuzzSeparatorMasks holds the two to each other.
//
//go:noescape
func separatorMasks(b []byte, dm, tm uint64, masks []uint64)

// splitSeparatorMasks is separatorMasks with the delimiters' bits in delims and the
// terminators' in terms (len(delims), len(terms) >= len(b)/64); it reports whether b
// holds a CR. In assembly, held to splitSeparatorMasksGeneric by FuzzSeparatorMasks.
//
//go:noescape
func splitSeparatorMasks(b []byte, dm, tm uint64, delims, terms []uint64) (hasCR bool)
