package lookup

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
)

// keyTable maps encoded keys (keys.go) to reference rows: a key of one integer (the
// usual id) in a table of words, which a probe finds in one cache line, any other in a
// table of bytes. Built once, it is only read: every worker probes the same table.
type keyTable struct {
	words wordTable
	bytes hashTable
}

func newKeyTable() *keyTable { return &keyTable{words: newWordTable(), bytes: *newHashTable()} }

// asWord reports whether key is one integer, and its value as a word.
func asWord(key []byte) (uint64, bool) {
	// Several columns encode to at least 11 bytes when the first is an integer.
	if len(key) != 9 || key[0] != tagInt {
		return 0, false
	}
	return binary.LittleEndian.Uint64(key[1:]), true
}

// find returns the reference row of key, or -1.
func (t *keyTable) find(key []byte) int32 {
	if w, ok := asWord(key); ok {
		return t.words.find(w)
	}
	if e := t.bytes.find(key, t.bytes.hash(key)); e >= 0 {
		return t.bytes.rows[e]
	}
	return -1
}

// finish is called once every key was inserted: the table is only read after.
func (t *keyTable) finish() { t.words.finish() }

// insert adds key for row; when key is already there, it adds nothing and returns the
// place of the row it finds, which a caller may change.
func (t *keyTable) insert(key []byte, row int32) (found *int32) {
	if w, ok := asWord(key); ok {
		return t.words.insert(w, row)
	}
	e, added := t.bytes.insert(key, t.bytes.hash(key), row)
	if added {
		return nil
	}
	return &t.bytes.rows[e]
}

// keyList is the keys of a reference's rows, in row order, gathered before their table
// is built at its size (buildKeyTable): one-integer keys as words, the others encoded.
//
// The first seqRows rows, when set, have the keys seqFirst+row and are not in words: a
// reference of ids in order (loader.keep) needs no list, nor a table, but these two.
type keyList struct {
	words    []uint64
	wordRows []int32
	keys     []byte
	ends     []int64 // per key of keys: where it ends
	keyRows  []int32
	seqFirst uint64
	seqRows  int
}

// reset empties the list, keeping its arrays for the next keys.
func (l *keyList) reset() {
	l.words, l.wordRows, l.keys, l.ends, l.keyRows = l.words[:0], l.wordRows[:0], l.keys[:0], l.ends[:0], l.keyRows[:0]
}

func (l *keyList) add(key []byte, row int32) {
	if w, ok := asWord(key); ok {
		l.words = append(l.words, w)
		l.wordRows = append(l.wordRows, row)
		return
	}
	l.keys = append(l.keys, key...)
	l.ends = append(l.ends, int64(len(l.keys)))
	l.keyRows = append(l.keyRows, row)
}

// buildKeyTable builds the table of the keys of list, each finding its row, as inserts
// in row order would, but with every array allocated once at its size (growing them
// touched three times the memory, each fresh page a fault). dup is called for a key
// met again with the place of the row found so far, which it may change; its first
// error in row order ends the building. The one-integer keys' table is in m (nil: the
// Go heap).
func buildKeyTable(list *keyList, m *tableMemory, dup func(found *int32, row int32) error) (*keyTable, error) {
	t := &keyTable{bytes: *newHashTableSized(len(list.keyRows), len(list.keys))}
	if list.seqRows > 0 { // then it holds no other key (keep)
		t.words = wordTable{n: list.seqRows, base: list.seqFirst, sequential: true, span: uint64(list.seqRows),
			low: int64(list.seqFirst), high: int64(list.seqFirst) + int64(list.seqRows) - 1}
		return t, nil
	}
	wordRow, wordErr := t.words.build(list.words, list.wordRows, m, dup)
	var bytesErr error
	bytesRow := int32(-1)
	start := int64(0)
	for e, end := range list.ends {
		key := list.keys[start:end]
		start = end
		row := list.keyRows[e]
		found, added := t.bytes.insert(key, t.bytes.hash(key), row)
		if added {
			continue
		}
		if bytesErr = dup(&t.bytes.rows[found], row); bytesErr != nil {
			bytesRow = row
			break
		}
	}
	switch {
	case wordErr != nil && (bytesErr == nil || wordRow < bytesRow):
		return nil, wordErr
	case bytesErr != nil:
		return nil, bytesErr
	}
	return t, nil
}

// len is the number of keys.
func (t *keyTable) len() int { return t.words.n + len(t.bytes.rows) }

// bytesUsed is what the table takes in memory.
func (t *keyTable) bytesUsed() int64 {
	return int64(len(t.words.slots))*wordSlotBytes + int64(len(t.words.dense))*4 + int64(len(t.bytes.keys)) + int64(len(t.bytes.hashes))*bytesPerEntry
}

// wordTable maps one-integer keys to rows, the key stored in its slot. Once built,
// keys that are dense (ids 1..n, most of a range) also get a plain array indexed by
// key - base: a probe is then one 4-byte load from an array a quarter the size.
type wordTable struct {
	slots []wordSlot
	mask  uint64
	n     int
	dense []int32 // row of key base+i, or -1; nil unless the keys are dense
	base  uint64
	// sequential is set when the row of key base+i is row0+i for every i below span:
	// ids 1..n on rows in their order, the usual reference sorted by id. A probe then
	// computes the row without loading it from dense (which a table built from a
	// keyList's sequence does not have), one cache miss less per row.
	sequential bool
	row0       int32
	span       uint64
	low        int64 // the smallest and largest key, for dense
	high       int64
}

type wordSlot struct {
	key  uint64
	row  int32
	used bool
}

const wordSlotBytes = 16

func newWordTable() wordTable { return wordTable{slots: make([]wordSlot, 64), mask: 63} }

// wordHash spreads a key over the table (Fibonacci hashing): ids that differ in any
// bit land apart.
func wordHash(k uint64) uint64 { return (k ^ k>>29) * 0x9e3779b97f4a7c15 >> 20 }

func (t *wordTable) find(key uint64) int32 {
	if t.sequential {
		if i := key - t.base; i < t.span {
			return t.row0 + int32(i)
		}
		return -1
	}
	if t.dense != nil {
		if i := key - t.base; i < uint64(len(t.dense)) {
			return t.dense[i]
		}
		return -1
	}
	for i := wordHash(key) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if !s.used {
			return -1
		}
		if s.key == key {
			return s.row
		}
	}
}

func (t *wordTable) insert(key uint64, row int32) *int32 {
	for i := wordHash(key) & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if !s.used {
			*s = wordSlot{key: key, row: row, used: true}
			if k := int64(key); t.n == 0 || k < t.low {
				t.low = k
			}
			if k := int64(key); t.n == 0 || k > t.high {
				t.high = k
			}
			t.n++
			if uint64(t.n)*2 > t.mask {
				t.grow()
			}
			return nil
		}
		if s.key == key {
			return &s.row
		}
	}
}

// finish builds the dense array when the keys fill at least a quarter of their range.
func (t *wordTable) finish() {
	if t.n == 0 || uint64(t.high-t.low) >= 4*uint64(t.n)+1024 {
		return
	}
	t.base = uint64(t.low)
	t.dense = make([]int32, t.high-t.low+1)
	for i := range t.dense {
		t.dense[i] = -1
	}
	for _, s := range t.slots {
		if s.used {
			t.dense[s.key-t.base] = s.row
		}
	}
	t.noteSequence()
}

// noteSequence sets sequential once dense is filled.
func (t *wordTable) noteSequence() {
	t.sequential = false
	for i, row := range t.dense {
		if row != t.dense[0]+int32(i) {
			return
		}
	}
	t.sequential, t.row0, t.span = true, t.dense[0], uint64(len(t.dense))
}

// build fills an empty table with keys (rows: their rows, in row order) at its size: a
// dense array when they fill at least a quarter of their range (as finish decides),
// else slots at most half full. dup is as buildKeyTable's; the row of its error is
// returned with it.
func (t *wordTable) build(keys []uint64, rows []int32, m *tableMemory, dup func(found *int32, row int32) error) (int32, error) {
	if len(keys) == 0 {
		// One empty slot, so that find, which probes until an empty slot, finds no key
		// without a test of its own (a reference of text keys only, or of no rows).
		t.slots, t.mask = make([]wordSlot, 1), 0
		return -1, nil
	}
	t.low, t.high = int64(keys[0]), int64(keys[0])
	for _, k := range keys {
		t.low, t.high = min(t.low, int64(k)), max(t.high, int64(k))
	}
	if uint64(t.high-t.low) >= 4*uint64(len(keys))+1024 {
		size := 64
		for uint64(len(keys))*2 > uint64(size-1) {
			size *= 2
		}
		t.slots, t.mask = growArray(m, []wordSlot(nil), size)[:size], uint64(size-1)
		for i, k := range keys {
			if found := t.insert(k, rows[i]); found != nil {
				if err := dup(found, rows[i]); err != nil {
					return rows[i], err
				}
			}
		}
		return -1, nil
	}
	t.slots, t.mask = nil, 0
	t.base = uint64(t.low)
	t.dense = growArray(m, []int32(nil), int(t.high-t.low+1))[:t.high-t.low+1]
	for i := range t.dense {
		t.dense[i] = -1
	}
	for i, k := range keys {
		found := &t.dense[k-t.base]
		if *found < 0 {
			*found = rows[i]
			t.n++
		} else if err := dup(found, rows[i]); err != nil {
			return rows[i], err
		}
	}
	t.noteSequence()
	return -1, nil
}

func (t *wordTable) grow() {
	old := t.slots
	t.slots = make([]wordSlot, 2*len(old))
	t.mask = uint64(len(t.slots) - 1)
	for _, s := range old {
		if !s.used {
			continue
		}
		i := wordHash(s.key) & t.mask
		for t.slots[i].used {
			i = (i + 1) & t.mask
		}
		t.slots[i] = s
	}
}

// hashTable maps encoded keys to reference rows. Keys live back to back in one buffer
// and the slots hold entry numbers, so a table of a million keys is a few flat arrays
// and a probe allocates nothing.
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

func newHashTable() *hashTable { return newHashTableSized(0, 0) }

// newHashTableSized is an empty table that holds entries keys of keyBytes bytes in all
// without growing.
func newHashTableSized(entries, keyBytes int) *hashTable {
	size := 64
	for uint64(entries)*2 > uint64(size-1) {
		size *= 2
	}
	return &hashTable{seed: maphash.MakeSeed(), slots: make([]int32, size), mask: uint64(size - 1),
		hashes: make([]uint64, 0, entries), ends: make([]int64, 0, entries), keys: make([]byte, 0, keyBytes), rows: make([]int32, 0, entries)}
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
