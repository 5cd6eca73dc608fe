package lookup

import (
	"bytes"
	"hash/maphash"
)

// hashTable maps encoded keys (keys.go) to reference rows. Keys live back to back in
// one buffer and the slots hold entry numbers, so a table of a million keys is a few
// flat arrays and a probe allocates nothing. Built once, it is only read: every worker
// probes the same table.
type hashTable struct {
	seed   maphash.Seed
	slots  []int32 // entry+1, 0 for empty; linear probing
	mask   uint64
	hashes []uint64 // per entry
	ends   []int64  // per entry: the end of its key in keys (start: the previous end)
	keys   []byte
	rows   []int32 // per entry: the reference row it finds
}

// bytesPerEntry is what an entry costs besides its key's bytes: a hash, an end, a row
// and two slots (the table is at most half full).
const bytesPerEntry = 8 + 8 + 4 + 2*4

func newHashTable() *hashTable {
	return &hashTable{seed: maphash.MakeSeed(), slots: make([]int32, 64), mask: 63}
}

func (t *hashTable) hash(key []byte) uint64 { return maphash.Bytes(t.seed, key) }

func (t *hashTable) key(e int32) []byte {
	start := int64(0)
	if e > 0 {
		start = t.ends[e-1]
	}
	return t.keys[start:t.ends[e]]
}

// find returns the entry of key, or -1.
func (t *hashTable) find(key []byte, h uint64) int32 {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if t.hashes[s-1] == h && bytes.Equal(t.key(s-1), key) {
			return s - 1
		}
	}
}

// insert adds key for row, or returns the entry that already holds it.
func (t *hashTable) insert(key []byte, h uint64, row int32) (entry int32, added bool) {
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			e := int32(len(t.hashes))
			t.slots[i] = e + 1
			t.hashes = append(t.hashes, h)
			t.keys = append(t.keys, key...)
			t.ends = append(t.ends, int64(len(t.keys)))
			t.rows = append(t.rows, row)
			if uint64(len(t.hashes))*2 > t.mask {
				t.grow()
			}
			return e, true
		}
		if t.hashes[s-1] == h && bytes.Equal(t.key(s-1), key) {
			return s - 1, false
		}
	}
}

func (t *hashTable) grow() {
	t.slots = make([]int32, 2*len(t.slots))
	t.mask = uint64(len(t.slots) - 1)
	for e, h := range t.hashes {
		i := h & t.mask
		for t.slots[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.slots[i] = int32(e) + 1
	}
}
