package chunk

import (
	"context"
	"sync"
)

// Counts are what a chunk contributes to the position of the chunks after it.
type Counts struct {
	Rows  int64 // data rows
	Lines int64 // physical lines (CSV) consumed
}

func (c Counts) add(d Counts) Counts { return Counts{c.Rows + d.Rows, c.Lines + d.Lines} }

// Ledger turns per-chunk counts, published in any order, into each chunk's base: the sum
// of the counts of the earlier chunks of the same source. Workers publish as soon as they
// have decoded a chunk and only then wait for their own base, so the chain always moves:
// chunk k's base needs only chunks < k, which were handed out earlier and publish without
// waiting on anything. Every sequence number of a run must be published, whatever its
// kind of chunk: the prefix stops at the first one missing.
type Ledger struct {
	mu        sync.Mutex
	changed   *sync.Cond
	published map[int64]entry  // counts not yet folded into the prefix
	bases     map[int64]Counts // bases of folded chunks, kept for a while for late readers
	next      int64            // first sequence number not yet folded
	prefix    Counts           // sum of folded counts since the last restart
	keep      int64            // how many folded bases to keep (the run's window)
}

type entry struct {
	restart bool
	counts  Counts
}

// NewLedger starts a ledger at sequence number first whose base is base. keep must be at
// least the run's window, so that every chunk in flight can still read its base.
func NewLedger(first int64, base Counts, keep int) *Ledger {
	l := &Ledger{published: map[int64]entry{}, bases: map[int64]Counts{}, next: first, prefix: base, keep: int64(keep) + 1}
	l.changed = sync.NewCond(&l.mu)
	return l
}

// Publish records chunk seq's counts. restart marks the first chunk of a source: its base
// is zero and the sum starts again from it.
func (l *Ledger) Publish(seq int64, restart bool, c Counts) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.published[seq] = entry{restart, c}
	for {
		e, ok := l.published[l.next]
		if !ok {
			break
		}
		delete(l.published, l.next)
		if e.restart {
			l.prefix = Counts{}
		}
		l.bases[l.next] = l.prefix
		l.prefix = l.prefix.add(e.counts)
		delete(l.bases, l.next-l.keep)
		l.next++
	}
	l.changed.Broadcast()
}

// Base returns the sum of the counts of the chunks before seq in its source, waiting until
// they are all published. It fails only if ctx ends first. seq itself need not be published.
func (l *Ledger) Base(ctx context.Context, seq int64, restart bool) (Counts, error) {
	if restart {
		return Counts{}, nil
	}
	stop := context.AfterFunc(ctx, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.changed.Broadcast()
	})
	defer stop()
	l.mu.Lock()
	defer l.mu.Unlock()
	for l.next < seq {
		if err := ctx.Err(); err != nil {
			return Counts{}, context.Cause(ctx)
		}
		l.changed.Wait()
	}
	if l.next == seq {
		return l.prefix, nil
	}
	return l.bases[seq], nil
}
