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
	next    int64             // the first chunk not placed
	at      int64             // where chunk next goes
	waiting map[int64]*[]byte // chunks after next, encoded, waiting for their offset
}

// placed is a chunk's bytes and where they go.
type placed struct {
	buf *[]byte
	at  int64
}

// newPositionalWrites places chunks from sequence number first on, the first at offset at.
func newPositionalWrites(first, at int64) *positionalWrites {
	return &positionalWrites{next: first, at: at, waiting: map[int64]*[]byte{}}
}

// put hands over chunk seq's bytes and returns the chunks the caller is now to write, in
// order: seq and the chunks after it that were waiting for it, or none while a chunk
// before seq is not placed. A caller writes every chunk returned (or, after a failed
// write, gives up the rest: the run fails at this chunk, in input order).
func (p *positionalWrites) put(seq int64, buf *[]byte) []placed {
	p.mu.Lock()
	defer p.mu.Unlock()
	if seq != p.next {
		p.waiting[seq] = buf
		return nil
	}
	var ready []placed
	for {
		ready = append(ready, placed{buf, p.at})
		p.at += int64(len(*buf))
		p.next++
		var ok bool
		if buf, ok = p.waiting[p.next]; !ok {
			return ready
		}
		delete(p.waiting, p.next)
	}
}
