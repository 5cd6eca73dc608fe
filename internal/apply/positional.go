package apply

import "sync"

// positionalWrites places the chunks of a positional output and hands out their writes.
//
// Placing: a chunk goes where the chunks before it end, so a worker that finishes
// encoding a chunk before an earlier one is encoded cannot know its offset yet. It does
// not wait for it: it leaves the bytes here, and the worker that places the earlier
// chunk writes this one too. Workers thus never block on each other (with two workers
// one in ten chunks waited, each wait parking a thread and waking it again), and the
// kernel's copies into the page cache are not all left to one goroutine.
//
// Writing: one write to the file at a time. A buffered write holds the file's inode
// lock for the whole copy into the page cache, and a second writer does not sleep on
// that lock but spins on it in the kernel (rwsem_spin_on_owner): on this VM, where a
// page cache page the host took back faults in the host on its first write, the copy
// ran at 1 GB/s and two workers' identity run spent a fifth of its samples spinning,
// its system time 0.3 s one run and 1.4 s the next. So a chunk placed while another
// worker writes is queued for that worker, which writes it after its own, and the
// worker that placed it goes back to decoding. The queue holds at most maxQueuedBytes;
// a worker that finds it full waits for the writer to take it.
//
// A run whose chunks are written as their input bytes (an identity run: its decoders
// only check them) is the exception: it has little to do but the kernel's copies, and
// two workers writing at once finished it sooner (1 GB: 0.24 s against 0.27, as fast as
// cp, eight interleaved rounds), its CPU time the same; so two writes may be under way
// there (maxWriting).
type positionalWrites struct {
	mu         sync.Mutex
	next       int64            // the first chunk not placed
	at         int64            // where chunk next goes
	waiting    map[int64]placed // chunks after next, encoded, waiting for their offset
	writing    int              // workers writing; at maxWriting, chunks placed meanwhile are queued
	maxWriting int
	queued     []placed  // placed chunks the next writer to ask for more is to write
	queuedN    int       // their bytes
	taken      sync.Cond // the writer took the queue or stopped writing
}

// maxQueuedBytes bounds the placed chunks waiting for the writing worker: memory beyond
// the work in flight, as the decoders' buffers that go with verbatim chunks are (eight
// of them at the 1 MiB ranges of an identity run).
const maxQueuedBytes = 8 << 20

// placed is a chunk's bytes and where they go: data, in buf from the buffer pool, or in
// memory of the worker that placed it (buf nil), or nobody's to reuse (buf nil).
type placed struct {
	data []byte
	buf  *[]byte
	at   int64
}

// newPositionalWrites places chunks from sequence number first on, the first at offset
// at, with at most maxWriting writes under way at once.
func newPositionalWrites(first, at int64, maxWriting int) *positionalWrites {
	p := &positionalWrites{next: first, at: at, waiting: map[int64]placed{}, maxWriting: maxWriting}
	p.taken.L = &p.mu
	return p
}

// put hands over chunk seq's bytes (data, in buf when buf is not nil) and returns the
// chunks the caller is now to write, in order: seq and the chunks after it that were
// waiting for it; or none while a chunk before seq is not placed, or when maxWriting
// workers are writing and one of them takes them. A caller given chunks is a writer: it
// writes every one (or, after a failed write, gives up the rest: the run fails at that
// chunk), gives their buffers back to the pool, and asks for more until there are none.
func (p *positionalWrites) put(seq int64, data []byte, buf *[]byte) []placed {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq != p.next {
		p.waiting[seq] = placed{data: data, buf: buf}
		return nil
	}
	ready := p.placeNext(placed{data: data, buf: buf})
	for p.writing >= p.maxWriting && p.queuedN >= maxQueuedBytes {
		p.taken.Wait()
	}
	if p.writing >= p.maxWriting {
		p.queued = append(p.queued, ready...)
		for _, c := range ready {
			p.queuedN += len(c.data)
		}
		return nil
	}
	p.writing++
	return ready
}

// putIfNext is put for bytes that cannot wait here as they are (a piece of the decoder's
// buffer, which the caller's next chunk overwrites): when seq is the next chunk to
// place and fewer than maxWriting workers are writing, it returns what put would, seq
// first, its bytes to be written before the caller decodes again; otherwise it takes
// nothing and reports false.
func (p *positionalWrites) putIfNext(seq int64, data []byte) ([]placed, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq != p.next || p.writing >= p.maxWriting {
		return nil, false
	}
	p.writing++
	return p.placeNext(placed{data: data}), true
}

// more returns, to the writer that wrote what it was given, the chunks queued for it
// meanwhile; none means it is no longer the writer.
func (p *positionalWrites) more() []placed {
	p.mu.Lock()
	defer p.mu.Unlock()
	ready := p.queued
	p.queued, p.queuedN = nil, 0
	if len(ready) == 0 {
		p.writing--
	}
	p.taken.Broadcast()
	return ready
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
