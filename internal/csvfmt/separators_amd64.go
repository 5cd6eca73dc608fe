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
