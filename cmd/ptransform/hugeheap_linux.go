//go:build amd64 || arm64

package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

// hugeHeapBytes is the part of the Go heap that gets transparent huge pages: most runs'
// heap fits in it (xlsx and JSON Lines outputs 30-50 MB, CSV to Parquet about 110 MB).
const hugeHeapBytes = 128 << 20

var hugeHeapOnce sync.Once

// useHugePages asks the kernel for transparent huge pages (MADV_HUGEPAGE) under the first
// hugeHeapBytes of the Go heap. The runtime maps its heap with 4 KiB pages unless told
// otherwise, and a run touches its memory once, page by page: 3,000 to 20,000 page faults
// for typical jobs, at about 24 µs of CPU each on a virtual machine (more with two workers,
// each with its own buffers), where one 2 MiB page takes the place of 512 of them. The
// memory is allocated once and freed at once (no page of it is written), so the heap's
// next allocations reuse the advised range. Machines whose kernel gives huge pages to all
// memory or to none are unchanged; so are runs with a heap limit (limitHeap: the collector
// keeps their heap under it, and would return the range to the kernel) and a GODEBUG
// disablethp=1 the user set.
func useHugePages() {
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 || strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") {
		return
	}
	hugeHeapOnce.Do(func() {
		block := make([]byte, hugeHeapBytes)
		start := uintptr(unsafe.Pointer(&block[0]))
		const hugePage = 2 << 20
		from, to := (start+hugePage-1)&^(hugePage-1), (start+hugeHeapBytes)&^(hugePage-1)
		// Advice only: an error (a kernel without huge pages) changes nothing.
		advised := unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&block[0]), from-start)), to-from)
		_ = syscall.Madvise(advised, syscall.MADV_HUGEPAGE)
		runtime.KeepAlive(block)
		runtime.GC() // frees the block: its pages serve the run's allocations
	})
}
