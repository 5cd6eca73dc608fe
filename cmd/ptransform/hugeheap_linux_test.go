//go:build amd64 || arm64

package main

import (
	"bufio"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// useHugePages leaves the process with hugeHeapBytes (less the alignment to 2 MiB pages)
// of its heap advised for transparent huge pages: /proc/self/smaps lists the ranges, their
// VmFlags marked "hg".
func TestUseHugePagesAdvisesTheHeap(t *testing.T) {
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	before := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	useHugePages()
	if got, want := advisedBytes(t), int64(hugeHeapBytes-2<<20); got < want {
		t.Errorf("%d bytes of the process advised for huge pages, want at least %d", got, want)
	}
}

// advisedBytes sums the sizes of the process's mappings marked for huge pages.
func advisedBytes(t *testing.T) int64 {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	var total, size int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		switch {
		case len(fields) >= 2 && fields[0] == "Size:":
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			size = kb << 10
		case len(fields) >= 1 && fields[0] == "VmFlags:" && slices.Contains(fields[1:], "hg"):
			total += size
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return total
}
