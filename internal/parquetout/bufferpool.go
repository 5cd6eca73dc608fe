package parquetout

import (
	"math/bits"
	"sync"

	"github.com/ptransform/ptransform/internal/offheap"
)

// bufferPool is the memory.Allocator of the columns parts keep: the text a part copies
// (ownText) and the values the workers conform a chunk to (Writer.Memory). Their buffers
// come back to it when the last slice of the part is released, once its row group is
// written, and serve the chunks after it. Fresh memory for every chunk was zeroed and
// faulted in: page faults were a fifth of a run's CPU time with two workers.
//
// Buffers come in powers of two from 1<<minBufferShift bytes; the free ones of a size are
// kept up to what the row groups in flight held at once. New buffers are cut from slabs
// mapped outside the Go heap in huge pages (offheap): the pool's memory, two row groups
// of columns, is most of a run's fresh memory, and its 4 KiB page faults were ~40% of
// them (5,600 of 13,300 for 1M rows at one worker). The slabs are unmapped once the
// pool is closed and every buffer is back; until then a closed pool hands out Go memory.
type bufferPool struct {
	mu     sync.Mutex
	free   [][][]byte // by size class: 1<<(class+minBufferShift) bytes
	slabs  offheap.Slabs
	out    int // buffers of the slabs handed out and not back
	closed bool
}

// minBufferShift is the log2 of the smallest buffer: 4 KiB, so that a chunk's validity
// bitmap and the offsets of a small chunk share a class with one another.
const minBufferShift = 12

// slabBytes is the size of a slab: four huge pages. A buffer of more than a quarter of
// it has a mapping of its own.
const slabBytes = 8 << 20

// sizeClass is the class of the smallest buffer that holds size bytes.
func sizeClass(size int) int {
	if size <= 1<<minBufferShift {
		return 0
	}
	return bits.Len(uint(size-1)) - minBufferShift
}

// Allocate returns size bytes of a pooled buffer, not zeroed.
func (p *bufferPool) Allocate(size int) []byte {
	c := sizeClass(size)
	p.mu.Lock()
	defer p.mu.Unlock()
	var b []byte
	if c < len(p.free) && len(p.free[c]) > 0 {
		k := len(p.free[c])
		b = p.free[c][k-1]
		p.free[c] = p.free[c][:k-1]
	}
	if b == nil {
		b = p.fresh(1 << (c + minBufferShift))
	}
	if p.mapped(b) {
		p.out++
	}
	return b[:size]
}

// mapped reports whether b is a buffer of the slabs (not of the Go heap, where the system
// mapped none or after close).
func (p *bufferPool) mapped(b []byte) bool { return p.slabs.Contains(b) }

// fresh is a new buffer of n bytes (a power of two), from a slab unless the pool is closed
// or the system maps none.
func (p *bufferPool) fresh(n int) []byte {
	if p.closed {
		return make([]byte, n)
	}
	var b []byte
	var err error
	if n > slabBytes/4 {
		b, err = p.slabs.Own(n)
	} else {
		b, err = p.slabs.Cut(n, slabBytes)
	}
	if err != nil {
		return make([]byte, n)
	}
	return b
}

// Free takes back a buffer that Allocate returned.
func (p *bufferPool) Free(b []byte) {
	c := sizeClass(cap(b))
	if cap(b) != 1<<(c+minBufferShift) {
		return // not one of ours: the garbage collector's
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.mapped(b) {
		p.out--
	}
	if p.closed {
		p.releaseIfBack()
		return
	}
	for len(p.free) <= c {
		p.free = append(p.free, nil)
	}
	p.free[c] = append(p.free[c], b[:0])
}

// Reallocate grows b to size bytes, keeping its contents.
func (p *bufferPool) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		return b[:size]
	}
	grown := p.Allocate(size)
	copy(grown, b)
	p.Free(b)
	return grown
}

// close ends the pool's reuse: its slabs are unmapped as soon as every buffer is back
// (a failed run's chunks may still be conforming into it), and buffers given after it are
// the garbage collector's.
func (p *bufferPool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.free = nil
	p.releaseIfBack()
}

func (p *bufferPool) releaseIfBack() {
	if p.out > 0 {
		return
	}
	p.slabs.Release()
}
