//go:build !amd64 || purego

package csvfmt

import "testing"

// maskVariant is one choice of separatorMasks' and splitSeparatorMasks' assembly: none
// here, where both are Go's.
type maskVariant struct {
	name  string
	masks func(b []byte, dm, tm uint64, masks []uint64)
	split func(b []byte, dm, tm uint64, delims, terms []uint64) (int, bool)
}

func maskVariants() []maskVariant { return nil }

func withEachMaskVariant(t *testing.T, f func(t *testing.T)) { f(t) }

func eachMaskVariant(t *testing.T, check func()) { check() }
