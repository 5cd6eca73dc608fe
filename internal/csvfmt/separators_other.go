//go:build !amd64 || purego

package csvfmt

// separatorMasks sets masks[i], for each 64 bytes b[64i:64i+64] (len(b) a multiple of
// 64), to a bit per byte that equals the delimiter or the terminator (dm and tm: that
// byte times lsb8).
func separatorMasks(b []byte, dm, tm uint64, masks []uint64) {
	separatorMasksGeneric(b, dm, tm, masks)
}

// splitSeparatorMasks is separatorMasks with the delimiters' bits in delims and the
// terminators' in terms (len(delims), len(terms) >= len(b)/64), stopping after the first
// block that holds a quote: blocks is the number of blocks whose masks it wrote
// (len(b)/64 when no block but perhaps the last holds a quote), and hasCR whether those
// blocks hold a CR.
func splitSeparatorMasks(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool) {
	return splitSeparatorMasksGeneric(b, dm, tm, delims, terms)
}
