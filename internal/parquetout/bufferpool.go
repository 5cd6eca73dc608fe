package parquetout

import (
	"math/bits"
	"sync"
)

// bufferPool is the memory.Allocator of the columns parts keep: the text a part copies
// (ownText) and the values the workers conform a chunk to (Writer.Memory). Their buffers
// come back to it when the last slice of the part is released, once its row group is
// written, and serve the chunks after it. Fresh memory for every chunk was zeroed and
// faulted in: page faults were a fifth of a run's CPU time with two workers.
//
// Buffers come in powers of two from 1<<minBufferShift bytes; the free ones of a size are
// kept up to what the row groups in flight held at once.
type bufferPool struct {
	mu   sync.Mutex
	free [][][]byte // by size class: 1<<(class+minBufferShift) bytes
}

// minBufferShift is the log2 of the smallest buffer: 4 KiB, so that a chunk's validity
// bitmap and the offsets of a small chunk share a class with one another.
const minBufferShift = 12

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
	if c < len(p.free) {
		if k := len(p.free[c]); k > 0 {
			b := p.free[c][k-1]
			p.free[c] = p.free[c][:k-1]
			p.mu.Unlock()
			return b[:size]
		}
	}
	p.mu.Unlock()
	return make([]byte, size, 1<<(c+minBufferShift))
}

// Free takes back a buffer that Allocate returned.
func (p *bufferPool) Free(b []byte) {
	c := sizeClass(cap(b))
	if cap(b) != 1<<(c+minBufferShift) {
		return // not one of ours: the garbage collector's
	}
	p.mu.Lock()
	for len(p.free) <= c {
		p.free = append(p.free, nil)
	}
	p.free[c] = append(p.free[c], b[:0])
	p.mu.Unlock()
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
