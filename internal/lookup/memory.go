package lookup

import (
	"runtime"
	"sync"
	"unsafe"

	"github.com/ptransform/ptransform/internal/offheap"
)

// tableMemory holds the arrays of a reference being loaded and loaded (its added text,
// cells, validity and keys) outside the Go heap, in regions mapped in huge pages
// (offheap). The load is the one serial part of a run, and filling fresh Go memory was
// most of it: a 4 KiB page fault costs 10–20 µs of CPU on this machine's VM, and 100,000
// products took 4,300 of them (docs/performance.md, session 12). A fault per 2 MiB is
// about 60× cheaper per byte.
//
// An array grows as rows are read (growArray), doubling: a small one stays on the Go
// heap, a middling one is cut from a shared slab (its old places are not reused: they
// total less than its final size), a large one has a mapping of its own, unmapped as it
// grows. Every region is unmapped by release, which a cleanup runs once the loaded
// reference is garbage (attach): nothing else may point into them by then.
//
// It is safe for concurrent use: the readers' goroutines grow their chunks' copies in
// one (loader.scratch).
type tableMemory struct {
	// heapBelow: an array smaller than this is the garbage collector's, so a small
	// reference (most of the tests') maps nothing.
	heapBelow int
	// reserve, when set, is the most bytes an array may take (the table's memory
	// limit): one that leaves the Go heap gets that much address space (offheap.Reserve),
	// so that it grows without ever moving, its data written once, where each doubling
	// into a new region wrote it again (every fresh page, even a huge one, costs).
	reserve int
	mu      sync.Mutex
	slabs   offheap.Slabs    // cut by growArray
	own     map[*byte][]byte // arrays mapped whole, by their first byte
}

const (
	// tableSlabBytes is the size of a slab: two huge pages. An array of more than half
	// of it is mapped whole.
	tableSlabBytes = 4 << 20
	hugePageBytes  = 2 << 20
)

// growArray returns s with room for n more elements past its length, its values kept
// and the room zeroed.
func growArray[T byte | int32 | int64 | uint64 | wordSlot](m *tableMemory, s []T, n int) []T {
	need := len(s) + n
	if need <= cap(s) {
		return s
	}
	var zero T
	elem := int(unsafe.Sizeof(zero))
	size := max(need, 2*cap(s), 64)
	b := m.bytes(size * elem)
	if b == nil {
		t := make([]T, len(s), size)
		copy(t, s)
		return t
	}
	t := unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/elem)[:len(s)]
	copy(t, s)
	freeArray(m, s)
	return t
}

// freeArray unmaps an array of growArray that is no longer read, when it has a mapping
// of its own; a slab's part or the Go heap's waits for the release or the collector.
func freeArray[T byte | int32 | int64 | uint64 | wordSlot](m *tableMemory, s []T) {
	if m == nil || cap(s) == 0 {
		return
	}
	var zero T
	m.free(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), cap(s)*int(unsafe.Sizeof(zero))))
}

// bytes returns n zeroed bytes or more, 8-byte aligned, of a slab or a mapping of their
// own; nil for an array the Go heap should hold (small, no memory given, or none
// mapped).
func (m *tableMemory) bytes(n int) []byte {
	if m == nil || n < m.heapBelow {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if n <= m.reserve {
		if b, err := offheap.Reserve(m.reserve); err == nil {
			m.keep(b)
			return b
		}
	}
	if n > tableSlabBytes/2 {
		size := (n + hugePageBytes - 1) &^ (hugePageBytes - 1) // aligned as huge pages are
		b, err := offheap.Map(size)
		if err != nil {
			return nil
		}
		m.keep(b)
		return b
	}
	b, err := m.slabs.Cut((n+7)&^7, tableSlabBytes)
	if err != nil {
		return nil
	}
	return b
}

// keep notes b, a mapping of one array's own.
func (m *tableMemory) keep(b []byte) {
	if m.own == nil {
		m.own = map[*byte][]byte{}
	}
	m.own[&b[0]] = b
}

// free unmaps an array that growArray replaced, when it had a mapping of its own.
func (m *tableMemory) free(b []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if whole, ok := m.own[&b[0]]; ok {
		delete(m.own, &b[0])
		offheap.Unmap(whole)
	}
}

// release unmaps every region.
func (m *tableMemory) release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.slabs.Release()
	for _, b := range m.own {
		offheap.Unmap(b)
	}
	m.own = nil
}

// attach makes the garbage collector release m once l, whose arrays m holds, is
// garbage: the stage that probes l and the reference that loaded it both point to it.
func (m *tableMemory) attach(l *loaded) {
	runtime.AddCleanup(l, func(m *tableMemory) { m.release() }, m)
}
