package parquetin

import "sync"

// pageCache holds the decompressed pages of the column chunks that the decoders of one
// input read last, shared by them. The parts of a row group go to whichever worker is
// free, so with a cache per decoder every worker decompressed every column chunk: with
// two workers, twice the zstd or snappy work of one. An entry is made by the first
// decoder that needs it and read by all, read-only, until a later row group of its
// column is loaded and its last reader lets it go (so a column keeps at most one entry
// more than the decoders reading it); its buffers then serve the next load.
type pageCache struct {
	mu   sync.Mutex
	held map[pageKey]*sharedPages
	free []*columnPages // buffers of dropped entries, for the next loads
}

type pageKey struct{ rg, leaf int }

// sharedPages is one column chunk's pages in a pageCache.
type sharedPages struct {
	key   pageKey
	ready chan struct{} // closed once pages and err are set
	pages *columnPages
	err   error // the load failed (errPage): each reader falls back on its own
	users int   // decoders between acquire and release
	stale bool  // a later row group of its column was loaded: dropped after its last user
}

// maxFreePages bounds the buffers a cache keeps for loads to come: enough for every
// column of a few row groups in flight, not a whole file's.
const maxFreePages = 64

// acquire returns the entry of column chunk key, and whether the caller must load it
// (then call loaded). Every acquire is paired with a release.
func (pc *pageCache) acquire(key pageKey) (s *sharedPages, load bool) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if s := pc.held[key]; s != nil {
		s.users++
		return s, false
	}
	if pc.held == nil {
		pc.held = make(map[pageKey]*sharedPages)
	}
	for k, old := range pc.held {
		if k.leaf == key.leaf { // another row group: the runner reads them in order
			old.stale = true
			if old.users == 0 {
				pc.drop(old)
			}
		}
	}
	s = &sharedPages{key: key, ready: make(chan struct{}), users: 1}
	pc.held[key] = s
	return s, true
}

// take returns buffers for a load: a dropped entry's, or new ones.
func (pc *pageCache) take() *columnPages {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if k := len(pc.free); k > 0 {
		c := pc.free[k-1]
		pc.free = pc.free[:k-1]
		return c
	}
	return &columnPages{}
}

// loaded publishes what the loader of s read into c. A failed load is no entry: the
// next decoder to need the column chunk tries again (and falls back as this one did).
func (pc *pageCache) loaded(s *sharedPages, c *columnPages, err error) {
	pc.mu.Lock()
	s.pages, s.err = c, err
	if err != nil {
		s.stale = true
		if pc.held[s.key] == s {
			delete(pc.held, s.key)
		}
	}
	pc.mu.Unlock()
	close(s.ready)
}

// release ends one decoder's use of s.
func (pc *pageCache) release(s *sharedPages) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if s.users--; s.users == 0 && s.stale {
		pc.drop(s)
	}
}

// drop removes s, no longer used, and keeps its buffers; pc.mu is held.
func (pc *pageCache) drop(s *sharedPages) {
	if pc.held[s.key] == s {
		delete(pc.held, s.key)
	}
	if s.pages != nil && len(pc.free) < maxFreePages {
		pc.free = append(pc.free, s.pages)
	}
	s.pages = nil
}
