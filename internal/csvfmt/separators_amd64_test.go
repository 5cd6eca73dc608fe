//go:build !purego

package csvfmt

import (
	"testing"

	"golang.org/x/sys/cpu"
)

// maskVariant is one choice of separatorMasks' and splitSeparatorMasks' assembly.
type maskVariant struct {
	name         string
	avx512, avx2 bool // useAVX512 and useAVX2 for it
	masks        func(b []byte, dm, tm uint64, masks []uint64)
	split        func(b []byte, dm, tm uint64, delims, terms []uint64) (int, bool)
	has          bool // this CPU runs it
}

// maskVariants lists the assembly variants this CPU runs.
func maskVariants() []maskVariant {
	all := []maskVariant{
		{name: "SSE2", masks: separatorMasksSSE2, split: splitSeparatorMasksSSE2, has: true},
		{name: "AVX2", avx2: true, masks: separatorMasksAVX2, split: splitSeparatorMasksAVX2, has: cpu.X86.HasAVX2},
		{name: "AVX512", avx512: true, avx2: true, masks: separatorMasksAVX512, split: splitSeparatorMasksAVX512, has: cpu.X86.HasAVX512BW},
	}
	var runs []maskVariant
	for _, v := range all {
		if v.has {
			runs = append(runs, v)
		}
	}
	return runs
}

// withEachMaskVariant runs f as a subtest once per variant this CPU runs, the variant
// chosen by separatorMasks and splitSeparatorMasks meanwhile.
func withEachMaskVariant(t *testing.T, f func(t *testing.T)) {
	saved512, saved2 := useAVX512, useAVX2
	defer func() { useAVX512, useAVX2 = saved512, saved2 }()
	for _, v := range maskVariants() {
		useAVX512, useAVX2 = v.avx512, v.avx2
		t.Run(v.name, f)
	}
}

// eachMaskVariant runs check once per variant this CPU runs, the variant chosen by
// separatorMasks and splitSeparatorMasks meanwhile and named in the log of a failure:
// the fuzz targets' form of withEachMaskVariant (no subtests), so that every input the
// fuzzer makes goes through every variant, not only the one this CPU would pick.
func eachMaskVariant(t *testing.T, check func()) {
	t.Helper()
	saved512, saved2 := useAVX512, useAVX2
	defer func() { useAVX512, useAVX2 = saved512, saved2 }()
	for _, v := range maskVariants() {
		useAVX512, useAVX2 = v.avx512, v.avx2
		t.Logf("separator masks: %s", v.name)
		check()
	}
}
