package expr

import (
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// outBufs lends the buffers of the arrays of the chunks an evaluator builds, carved
// from one slab that is used again for the next chunk once the runner has encoded the
// last one and said so (Evaluator.Recycle). Fresh buffers for every chunk were a
// quarter of a filter's allocations, and new memory is cold: writing the output columns
// into the same few hundred kilobytes each chunk keeps them in the cache.
//
// A chunk nobody recycles keeps its slab: the next one is carved from a new slab.
type outBufs struct {
	slab []byte
	used int
	// lent says the slab holds buffers of a chunk not recycled yet.
	lent bool
}

// begin starts the buffers of a new chunk.
func (o *outBufs) begin() {
	if o.lent {
		o.slab = nil // still referenced: let it go with its chunk
	}
	o.used, o.lent = 0, false
}

// recycle marks the buffers lent so far as free again.
func (o *outBufs) recycle() { o.lent = false }

// bytes returns n bytes, their content undefined. Every buffer starts at a multiple of
// 8 bytes into the slab, so that words and int32s carved from it are aligned.
func (o *outBufs) bytes(n int) []byte {
	if n == 0 {
		return nil
	}
	o.lent = true
	if o.used+n > len(o.slab) {
		// The chunk's earlier buffers stay in the old slab; the next chunk, of much
		// the same size, fits in this one.
		o.slab = make([]byte, max(2*len(o.slab), n+n/2, 64<<10))
		o.used = 0
	}
	b := o.slab[o.used : o.used+n : o.used+n]
	o.used += (n + 7) &^ 7
	return b
}

// zeroed returns n zero bytes.
func (o *outBufs) zeroed(n int) []byte {
	b := o.bytes(n)
	clear(b)
	return b
}

// bitmap returns a cleared bitmap of n bits.
func (o *outBufs) bitmap(n int) []byte { return o.zeroed(int(bitutil.BytesForBits(int64(n)))) }

// int32s returns n int32s, their content undefined.
func (o *outBufs) int32s(n int) []int32 {
	b := o.bytes(4 * n)
	if b == nil {
		return []int32{}
	}
	return unsafe.Slice((*int32)(unsafe.Pointer(&b[0])), n)
}

// words returns n values of an 8-byte type without pointers, their content undefined.
func words[T int64 | float64](o *outBufs, n int) []T {
	b := o.bytes(8 * n)
	if b == nil {
		return []T{}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)
}
