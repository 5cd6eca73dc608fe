package apply

import "sync"

// positionalWrites places the chunks of a positional output: a chunk goes where the
// chunks before it end, so a worker that finishes encoding a chunk before an earlier one
// is encoded cannot know its offset yet. It does not wait for it: it leaves the bytes
// here, and the worker that places the earlier chunk writes this one too. Workers thus
// never block on each other (with two workers one in ten chunks waited, each wait
// parking a thread and waking it again), and every chunk is still written by a worker,
// so the kernel's copies into the page cache are not all left to one goroutine.
type positionalWrites struct {
	mu      sync.Mutex
	next    int64            // the first chunk not placed
	at      int64            // where chunk next goes
	waiting map[int64]placed // chunks after next, encoded, waiting for their offset
}

// placed is a chunk's bytes and where they go: data, in buf from the buffer pool, or in
// memory of the worker that placed it (buf nil), or nobody's to reuse (buf nil).
type placed struct {
	data []byte
	buf  *[]byte
	at   int64
}

// newPositionalWrites places chunks from sequence number first on, the first at offset at.
func newPositionalWrites(first, at int64) *positionalWrites {
	return &positionalWrites{next: first, at: at, waiting: map[int64]placed{}}
}

// put hands over chunk seq's bytes (data, in buf when buf is not nil) and returns the
// chunks the caller is now to write, in order: seq and the chunks after it that were
// waiting for it, or none while a chunk before seq is not placed. A caller writes every
// chunk returned (or, after a failed write, gives up the rest: the run fails at this
// chunk, in input order), and gives their buffers back to the pool.
func (p *positionalWrites) put(seq int64, data []byte, buf *[]byte) []placed {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq != p.next {
		p.waiting[seq] = placed{data: data, buf: buf}
		return nil
	}
	return p.placeNext(placed{data: data, buf: buf})
}

// putIfNext is put for bytes that cannot wait here as they are (a piece of the decoder's
// buffer, which the caller's next chunk overwrites): when seq is the next chunk to
// place it returns what put would, seq first, its bytes to be written before the caller
// decodes again; otherwise it takes nothing and reports false.
func (p *positionalWrites) putIfNext(seq int64, data []byte) ([]placed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq != p.next {
		return nil, false
	}
	return p.placeNext(placed{data: data}), true
}

// placeNext places chunk next, first, and the chunks waiting right after it.
func (p *positionalWrites) placeNext(first placed) []placed {
	ready := []placed{first}
	for {
		last := &ready[len(ready)-1]
		last.at = p.at
		p.at += int64(len(last.data))
		p.next++
		w, ok := p.waiting[p.next]
		if !ok {
			return ready
		}
		delete(p.waiting, p.next)
		ready = append(ready, w)
	}
}
