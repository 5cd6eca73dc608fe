package aggregate

import (
	"hash/maphash"
	"unsafe"
)

// keyTable maps byte keys to dense ids 0, 1, 2, ... in the order first added: the
// groups of a partial, and the values of count_distinct and mode. Keys live back to
// back in one buffer and slots hold ids, so a lookup allocates nothing and a table of
// a million keys is a few flat arrays. Lookups take the key's hash from the caller: a
// stage hashes with one seed, so a merge reuses the hashes its partials computed.
type keyTable struct {
	slots  []int32 // id+1, 0 for empty; linear probing
	mask   uint64
	hashes []uint64 // per id
	ends   []uint32 // per id: end of its key in keys (start: the previous end)
	keys   []byte
	// unhashedID is the id addUnhashed gave, +1 (0: none).
	unhashedID int32
}

func newKeyTable() *keyTable {
	return &keyTable{slots: make([]int32, 64), mask: 63}
}

// key returns id's key bytes, as a string that is valid until the next insert.
func (t *keyTable) key(id int32) string {
	start := uint32(0)
	if id > 0 {
		start = t.ends[id-1]
	}
	b := t.keys[start:t.ends[id]]
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// find returns the id of key, adding it when new.
func (t *keyTable) find(key string, h uint64) (id int32, added bool) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			id = int32(len(t.hashes))
			t.slots[i] = id + 1
			t.hashes = append(t.hashes, h)
			t.keys = append(t.keys, key...)
			t.ends = append(t.ends, uint32(len(t.keys)))
			if uint64(len(t.hashes))*2 > t.mask {
				t.rehash()
			}
			return id, true
		}
		if t.hashes[s-1] == h && t.key(s-1) == key {
			return s - 1, false
		}
	}
}

// addUnhashed adds an id that no key finds: the null group of raw keys.
func (t *keyTable) addUnhashed() int32 {
	t.hashes = append(t.hashes, 0)
	t.ends = append(t.ends, uint32(len(t.keys)))
	t.unhashedID = int32(len(t.hashes))
	return int32(len(t.hashes) - 1)
}

func (t *keyTable) rehash() {
	t.slots = make([]int32, 2*len(t.slots))
	t.mask = uint64(len(t.slots) - 1)
	for id, h := range t.hashes {
		if t.unhashed(int32(id)) {
			continue
		}
		i := h & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = int32(id) + 1
	}
}

// unhashed reports whether id was added by addUnhashed.
func (t *keyTable) unhashed(id int32) bool { return t.unhashedID == id+1 }

// hasher hashes keys with the stage's seed.
type hasher struct{ seed maphash.Seed }

func (h hasher) str(s string) uint64 { return maphash.String(h.seed, s) }

func bytesAsString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// wordTable maps 8-byte keys (one int, date or float key column) to dense ids.
//
// An int key starts dense: the ids of keys lo, lo+1, ... in one array, no hashing, so
// that keys that come in runs (ids, dates, years, codes) touch the table in order and
// a million groups take 4 bytes each. It stays dense while the keys span at most
// max(denseMin, 8·groups) values (at most 32 bytes a group, as a hash table takes:
// room for a worker that sees every other chunk of a run, and for doubling), and
// becomes a hash table the first time a key would take it past that: keys stored in
// their slots, so that a lookup touches one cache line.
type wordTable struct {
	dense  bool
	lo     int64      // dense: direct[i] is the id+1 of key lo+i, 0 for none
	direct []int32    // dense
	slots  []wordSlot // hashed: linear probing
	mask   uint64
	keys   paged[uint64] // per id (the null group's is unused)
}

type wordSlot struct {
	key uint64
	id  int32 // +1; 0 for empty
}

// denseMin is the span of keys a dense table may always take: 4 MiB of ids.
const denseMin = 1 << 20

// newWordTable returns an empty table, dense for int keys (not for float bits).
func newWordTable(ints bool) *wordTable {
	if ints {
		return &wordTable{dense: true}
	}
	return &wordTable{slots: make([]wordSlot, 64), mask: 63}
}

// wordHash spreads a key over the table (Fibonacci hashing): cheap, and keys that
// differ in any bit land apart.
func wordHash(k uint64) uint64 { return (k ^ k>>29) * 0x9e3779b97f4a7c15 >> 20 }

func (t *wordTable) find(key uint64) (id int32, added bool) {
	if t.dense {
		if off := key - uint64(t.lo); off < uint64(len(t.direct)) {
			s := &t.direct[off]
			if *s != 0 {
				return *s - 1, false
			}
			id = t.addUnhashed()
			*s, *t.keys.at(id) = id+1, key
			return id, true
		}
		if t.widen(int64(key)) {
			return t.find(key)
		}
		t.toHashed()
	}
	for i := wordHash(key) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.id == 0 {
			id = t.addUnhashed()
			s.key, s.id = key, id+1
			*t.keys.at(id) = key
			if uint64(t.keys.len())*4 > t.mask*3 { // 75% full
				t.rehash(2 * len(t.slots))
			}
			return id, true
		}
		if s.key == key {
			return s.id - 1, false
		}
	}
}

// widen makes the dense table cover k, doubling its span towards k, and reports
// whether the span stays dense.
func (t *wordTable) widen(k int64) bool {
	const far = 1 << 61 // keys beyond: no span arithmetic that could overflow
	if k < -far || k > far {
		return false
	}
	lo, hi := k, k+1
	if len(t.direct) > 0 {
		lo, hi = t.lo, t.lo+int64(len(t.direct))
	}
	step := max(hi-lo, 64) // doubling: a run of keys reallocates log(keys) times
	switch {
	case k < lo:
		lo = min(k, lo-step)
		if k >= 0 {
			// Keys that start at 1 and wrap to 0 (id % n) are common, negative ones
			// rare: doubling below 0 would double a span that 0 ends.
			lo = max(lo, 0)
		}
	case k >= hi:
		hi = max(k+1, hi+step)
	}
	if lo > 0 && lo <= hi-lo {
		// A span no further from 0 than its length takes 0 in, at most doubling it:
		// keys that count up from 1 and wrap to 0 (id % n) then need no copy of a
		// million ids downwards at the end.
		lo = 0
	}
	if hi-lo > int64(max(denseMin, 8*t.keys.len())) {
		return false
	}
	direct := make([]int32, hi-lo)
	prefaultLarge(direct)
	if len(t.direct) > 0 {
		copy(direct[t.lo-lo:], t.direct)
	}
	t.lo, t.direct = lo, direct
	return true
}

// toHashed moves a dense table's keys to a hash table.
func (t *wordTable) toHashed() {
	size := 64
	for size < 2*t.keys.len() { // half full
		size *= 2
	}
	t.dense = false
	t.slots, t.mask = make([]wordSlot, size), uint64(size-1)
	for i, id := range t.direct {
		if id != 0 {
			t.place(wordSlot{key: uint64(t.lo + int64(i)), id: id})
		}
	}
	t.direct = nil
}

// addUnhashed adds an id no key finds: the null group.
func (t *wordTable) addUnhashed() int32 {
	id := int32(t.keys.len())
	t.keys.grow(int(id)+1, 0)
	return id
}

func (t *wordTable) rehash(size int) {
	old := t.slots
	t.slots = make([]wordSlot, size)
	t.mask = uint64(size - 1)
	for _, s := range old {
		if s.id != 0 {
			t.place(s)
		}
	}
}

// place puts s in its slot, or the next free one.
func (t *wordTable) place(s wordSlot) {
	i := wordHash(s.key) & t.mask
	for t.slots[i].id != 0 {
		i = (i + 1) & t.mask
	}
	t.slots[i] = s
}
