package lookup

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// Loading a reference, the one serial part of a run (every worker waits for its table):
//
//   - take runs on the readers' goroutines, on every core, on each chunk as decoded: it
//     copies out what the table keeps of its rows (the keys encoded, the added values as
//     text, the key values as messages write them) and finds which types every added
//     value reads as, so that the reader's buffers serve its next chunk (kept chunks
//     made the decoders grow fresh buffers for every chunk: page faults, most of the
//     load's time).
//   - keep runs on one goroutine, on the chunks in input order: it appends their rows to
//     the table's arrays (tableMemory), numbering them.
//   - build, once every row is kept, types the added columns and builds the key table,
//     the two at once.

// takenRows is what take copies out of one chunk of a reference. Its buffers are reused
// for a later chunk once keep has appended them.
type takenRows struct {
	place place
	rows  int
	keys  keyList  // rows numbered from the chunk's first
	texts keyTexts // per row, each key column's value as describeKey writes it
	// wordKeys: every key is a plain integer (plainInt) written as strconv writes its
	// value, or null; texts is then left empty, describeKey writing the key's word.
	wordKeys bool
	adds     []takenColumn
	key      []byte // scratch
	text     []byte // scratch
}

// takenColumn is one added column of a chunk: its values as text.
type takenColumn struct {
	data   []byte
	ends   []int64  // per row: where its value ends in data (a null's is empty)
	valid  []uint64 // a bit per row, set for a value
	values int      // the rows with a value
	fits   uint8    // a bit per typedReadings: set while every value reads as the type and writes back the same
}

// keyTexts are the values of a reference's key columns, for the message of a duplicate
// key: back to back, ends holding, per row and key column, where each ends.
type keyTexts struct {
	data []byte
	ends []int64
}

// place is where a run of a reference's rows is, for messages: its row i, the reference
// row first+i, is at line line0+i, or lines[i] when its lines do not follow one another
// (a record over several lines, a skipped row of a sheet).
//
// Its key values for messages are the loader's texts from row texts on, or when texts is
// -1, the keys' words (takenRows.wordKeys).
type place struct {
	source table.Source
	first  int
	line0  int64
	lines  []int64
	texts  int
}

func (p *place) line(i int) int64 {
	if p.lines != nil {
		return p.lines[i]
	}
	return p.line0 + int64(i)
}

// placeOf is where the rows of c are; its lines are copied when they must be kept.
func placeOf(c *table.Chunk) place {
	p := place{source: c.Source, line0: c.Row0}
	if len(c.Lines) == 0 {
		return p
	}
	p.line0 = c.Lines[0]
	for i, line := range c.Lines {
		if line != p.line0+int64(i) {
			p.lines = append([]int64(nil), c.Lines...)
			break
		}
	}
	return p
}

// loader loads a reference: take, keep and build, as above.
type loader struct {
	r          *Reference
	keys, adds []int        // indexes in the reference's header
	mem        *tableMemory // the table's arrays
	// scratch holds the copies take makes; free are those keep is done with, for take
	// to fill again.
	scratch *tableMemory
	freeMu  sync.Mutex
	free    []*takenRows
	rows    int
	places  []place
	list    keyList // every row's key, rows numbered in the reference
	// unordered: the keys are not (or no longer) in a sequence that list counts.
	unordered bool
	texts     keyTexts
	columns   []refColumn
	cells     []uint64 // the columns', a record of cells a row
	text      []int64  // per added column: the bytes of its text
	values    []int    // per added column: its values
	fits      []uint8  // per added column: as takenColumn's, over every row kept
}

func newLoader(r *Reference, keys, adds []int) *loader {
	ld := &loader{r: r, keys: keys, adds: adds, mem: &tableMemory{heapBelow: 64 << 10, reserve: reserveOf(r.limit)}, scratch: &tableMemory{heapBelow: 16 << 10}, columns: make([]refColumn, len(adds)),
		text: make([]int64, len(adds)), values: make([]int, len(adds)), fits: make([]uint8, len(adds))}
	for k := range ld.columns {
		ld.columns[k].stride, ld.columns[k].at = len(adds), k
		ld.fits[k] = allTypes
	}
	return ld
}

// reserveOf is the address space an array of a table of at most limit bytes reserves
// (tableMemory.reserve): the limit in whole huge pages, at most 1 TiB.
func reserveOf(limit int64) int {
	return int(min(max(limit, 0), 1<<40)+hugePageBytes-1) &^ (hugePageBytes - 1)
}

// allTypes has the bit of every type of typedReadings set.
var allTypes = uint8(1<<len(typedReadings) - 1)

// take copies the rows of chunk c out of it (see above). It runs on the reader's
// goroutine and touches nothing of ld but scratch and free.
func (ld *loader) take(c *table.Chunk) (any, error) {
	var t *takenRows
	ld.freeMu.Lock()
	if k := len(ld.free); k > 0 {
		t, ld.free = ld.free[k-1], ld.free[:k-1]
	}
	ld.freeMu.Unlock()
	if t == nil {
		t = &takenRows{adds: make([]takenColumn, len(ld.adds))}
	}
	m := ld.scratch
	n := c.NumRows()
	t.place, t.rows = placeOf(c), n
	t.keys.reset()
	t.keys.words = growArray(m, t.keys.words, n)
	t.keys.wordRows = growArray(m, t.keys.wordRows, n)
	t.texts.data, t.texts.ends = t.texts.data[:0], t.texts.ends[:0]
	if err := t.takeKeys(m, c, ld.keys); err != nil {
		return nil, err
	}
	for k, j := range ld.adds {
		if err := t.adds[k].take(m, c.Batch.Column(j), n, &t.text); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// takeKeyTexts copies the values of the key columns cols for messages.
func (t *takenRows) takeKeyTexts(m *tableMemory, cols []arrow.Array) error {
	texts := make([]table.Appender, len(cols))
	size := 0
	for k, col := range cols {
		var err error
		if texts[k], err = table.NewAppender(col); err != nil {
			return err
		}
		if s, ok := col.(*array.String); ok {
			size += stringBytes(s)
		}
	}
	t.texts.data = growArray(m, t.texts.data, size)
	t.texts.ends = growArray(m, t.texts.ends, t.rows*len(cols))
	for i := range t.rows {
		for k, col := range cols {
			if s, ok := col.(*array.String); ok {
				t.texts.data = append(t.texts.data, s.Value(i)...)
			} else if col.IsValid(i) {
				t.texts.data = texts[k](t.texts.data, i)
			}
			t.texts.ends = append(t.texts.ends, int64(len(t.texts.data)))
		}
	}
	return nil
}

// takeKeys encodes the chunk's keys (a null or blank one matches nothing: no key) and
// copies the key values for messages, unless they are wordKeys.
func (t *takenRows) takeKeys(m *tableMemory, c *table.Chunk, keys []int) error {
	cols := make([]arrow.Array, len(keys))
	readers := make([]keyColumn, len(keys))
	for k, j := range keys {
		cols[k] = c.Batch.Column(j)
		var err error
		if readers[k], err = newKeyColumn(cols[k]); err != nil {
			return err
		}
	}
	t.wordKeys = false
	if s, ok := cols[0].(*array.String); ok && len(cols) == 1 {
		// The usual id: its plain integers without the encoding's detour.
		t.wordKeys = true
		for i := range t.rows {
			if s.IsNull(i) {
				continue
			}
			v := s.Value(i)
			if n, ok := plainInt(v); ok {
				t.keys.words = append(t.keys.words, uint64(n))
				t.keys.wordRows = append(t.keys.wordRows, int32(i))
				t.wordKeys = t.wordKeys && (n != 0 || len(v) == 1) // -0 is written 0
				continue
			}
			t.wordKeys = false
			var ok bool
			if t.key, ok = appendTextKey(t.key[:0], v); ok {
				t.keys.add(t.key, int32(i))
			}
		}
		if t.wordKeys {
			return nil
		}
		return t.takeKeyTexts(m, cols)
	}
	if err := t.takeKeyTexts(m, cols); err != nil {
		return err
	}
	for i := range t.rows {
		key := t.key[:0]
		ok := true
		for _, read := range readers {
			if key, ok = read(key, i); !ok {
				break
			}
		}
		t.key = key
		if ok {
			t.keys.add(key, int32(i))
		}
	}
	return nil
}

// take copies the n values of col as text, as a writer writes them, and notes which
// types they all read as.
func (tc *takenColumn) take(m *tableMemory, col arrow.Array, n int, scratch *[]byte) error {
	tc.values, tc.fits = 0, allTypes
	s, isString := col.(*array.String)
	var app table.Appender
	if isString {
		tc.data = growArray(m, tc.data[:0], stringBytes(s))
	} else {
		var err error
		if app, err = table.NewAppender(col); err != nil {
			return err
		}
	}
	tc.data = tc.data[:0]
	tc.ends = growArray(m, tc.ends[:0], n)
	words := (n + 63) / 64
	tc.valid = growArray(m, tc.valid[:0], words)[:words]
	clear(tc.valid)
	for i := range n {
		if col.IsValid(i) {
			start := len(tc.data)
			if isString {
				tc.data = append(tc.data, s.Value(i)...)
			} else {
				tc.data = app(tc.data, i)
			}
			tc.valid[i/64] |= 1 << (i % 64)
			tc.values++
			if tc.fits != 0 {
				tc.fits = fitsOf(tc.fits, tc.data[start:], scratch)
			}
		}
		tc.ends = append(tc.ends, int64(len(tc.data)))
	}
	return nil
}

// stringBytes is the bytes of a's values.
func stringBytes(a *array.String) int {
	offsets := a.ValueOffsets()
	if len(offsets) == 0 {
		return 0
	}
	return int(offsets[len(offsets)-1] - offsets[0])
}

// fitsOf is fits without the types value does not read as or write back the same as.
func fitsOf(fits uint8, value []byte, scratch *[]byte) uint8 {
	v := unsafe.String(unsafe.SliceData(value), len(value)) // read, not kept
	for t, c := range typedReadings {
		if fits&(1<<t) == 0 {
			continue
		}
		w, ok := c.read(v)
		if ok {
			*scratch = c.write((*scratch)[:0], w)
			ok = string(*scratch) == v
		}
		if !ok {
			fits &^= 1 << t
		}
	}
	return fits
}

// keep appends the rows take copied out of a chunk to the table, after those of the
// chunks before it. It runs on one goroutine, on the chunks in input order.
func (ld *loader) keep(taken any) error {
	t := taken.(*takenRows)
	defer func() {
		ld.freeMu.Lock()
		ld.free = append(ld.free, t)
		ld.freeMu.Unlock()
	}()
	rows := ld.rows + t.rows
	for k := range t.adds {
		ld.text[k] += int64(len(t.adds[k].data))
	}
	if ld.r.tooLarge(rows, ld.text, 0) {
		return ld.r.limitError()
	}
	first := int32(ld.rows)
	t.place.first, t.place.texts = ld.rows, -1
	if !t.wordKeys {
		t.place.texts = len(ld.texts.ends) / len(ld.keys)
	}
	ld.places = append(ld.places, t.place)

	if !ld.continuesSequence(t) {
		ld.endSequence()
		ld.list.words = append(growArray(ld.mem, ld.list.words, len(t.keys.words)), t.keys.words...)
		ld.list.wordRows = growArray(ld.mem, ld.list.wordRows, len(t.keys.wordRows))
		for _, row := range t.keys.wordRows {
			ld.list.wordRows = append(ld.list.wordRows, first+row)
		}
	}
	if len(t.keys.keyRows) > 0 {
		base := int64(len(ld.list.keys))
		ld.list.keys = append(growArray(ld.mem, ld.list.keys, len(t.keys.keys)), t.keys.keys...)
		ld.list.ends = growArray(ld.mem, ld.list.ends, len(t.keys.ends))
		ld.list.keyRows = growArray(ld.mem, ld.list.keyRows, len(t.keys.keyRows))
		for e, end := range t.keys.ends {
			ld.list.ends = append(ld.list.ends, base+end)
			ld.list.keyRows = append(ld.list.keyRows, first+t.keys.keyRows[e])
		}
	}
	base := int64(len(ld.texts.data))
	ld.texts.data = append(growArray(ld.mem, ld.texts.data, len(t.texts.data)), t.texts.data...)
	ld.texts.ends = growArray(ld.mem, ld.texts.ends, len(t.texts.ends))
	for _, end := range t.texts.ends {
		ld.texts.ends = append(ld.texts.ends, base+end)
	}

	ld.cells = growArray(ld.mem, ld.cells, t.rows*len(ld.adds))[:rows*len(ld.adds)]
	for k := range ld.columns {
		rc, tc := &ld.columns[k], &t.adds[k]
		rc.cells = ld.cells
		base := int64(len(rc.data))
		rc.data = append(growArray(ld.mem, rc.data, len(tc.data)), tc.data...)
		rc.valid = appendBits(ld.mem, rc.valid, ld.rows, tc.valid, t.rows)
		start := base
		for i, end := range tc.ends {
			rc.setSpan(first+int32(i), start, base+end)
			start = base + end
		}
		ld.values[k] += tc.values
		if tc.values > 0 {
			ld.fits[k] &= tc.fits
		}
	}
	ld.rows = rows
	return nil
}

// continuesSequence reports whether the keys of t, the rows after ld.rows, go on the
// sequence of the rows before: ids in order, each row's key its row plus the first's
// (keyList.seqRows), which then count them without a list.
func (ld *loader) continuesSequence(t *takenRows) bool {
	if ld.unordered || len(t.keys.words) != t.rows || len(t.keys.keyRows) > 0 {
		return false
	}
	if t.rows == 0 {
		return true
	}
	first := ld.list.seqFirst
	if ld.rows == 0 {
		first = t.keys.words[0]
	}
	if int64(first) < 0 || int64(first) > 1<<62 {
		return false // far from the ends of int64, so the sum never wraps
	}
	for i, w := range t.keys.words {
		if w != first+uint64(ld.rows+i) {
			return false
		}
	}
	ld.list.seqFirst = first
	ld.list.seqRows += t.rows
	return true
}

// endSequence lists the keys of the rows that continuesSequence counted, once a chunk
// does not go on with it.
func (ld *loader) endSequence() {
	if ld.unordered {
		return
	}
	ld.unordered = true
	n := ld.list.seqRows
	ld.list.words = growArray(ld.mem, ld.list.words, n)
	ld.list.wordRows = growArray(ld.mem, ld.list.wordRows, n)
	for row := range n {
		ld.list.words = append(ld.list.words, ld.list.seqFirst+uint64(row))
		ld.list.wordRows = append(ld.list.wordRows, int32(row))
	}
	ld.list.seqRows = 0
}

// appendBits appends the first n bits of src to the first at bits of dst.
func appendBits(m *tableMemory, dst []uint64, at int, src []uint64, n int) []uint64 {
	words := (at + n + 63) / 64
	dst = growArray(m, dst, words-len(dst))[:words]
	shift := at % 64
	for w, bits := range src[:(n+63)/64] {
		dst[at/64+w] |= bits << shift
		if shift != 0 && at/64+w+1 < words {
			dst[at/64+w+1] |= bits >> (64 - shift)
		}
	}
	return dst
}

// build makes the loaded reference of the rows kept: its added columns typed where
// they can be, and its key table, the two at once. dup is what to do with a duplicate
// key.
func (ld *loader) build(dup Dup) (*loaded, error) {
	type built struct {
		table *keyTable
		err   error
	}
	keyTable := make(chan built, 1)
	go func() {
		t, err := ld.buildKeys(dup)
		keyTable <- built{t, err}
	}()
	for k := range ld.columns {
		ld.finishColumn(k)
	}
	kt := <-keyTable
	if kt.err != nil {
		return nil, kt.err
	}
	for _, s := range [][]byte{ld.list.keys, ld.texts.data} {
		freeArray(ld.mem, s)
	}
	freeArray(ld.mem, ld.list.words)
	freeArray(ld.mem, ld.list.wordRows)
	freeArray(ld.mem, ld.list.ends)
	freeArray(ld.mem, ld.list.keyRows)
	freeArray(ld.mem, ld.texts.ends)
	ld.list, ld.texts = keyList{}, keyTexts{}
	l := &loaded{table: kt.table, columns: ld.columns, rows: ld.rows, bytes: kt.table.bytesUsed()}
	if ld.r.tooLarge(ld.rows, ld.text, l.bytes) {
		return nil, ld.r.limitError()
	}
	l.bytes += ld.r.bytesOf(ld.rows, ld.text)
	ld.mem.attach(l)
	return l, nil
}

// finishColumn types added column k when every value reads as one type and writes back
// as the same text (so a CSV output holds the reference's text unchanged and a typed
// one gets typed cells): the first of typedReadings every value fits, or text. A column
// of no value is text.
func (ld *loader) finishColumn(k int) {
	rc := &ld.columns[k]
	rc.cells = ld.cells
	rc.valid = growArray(ld.mem, rc.valid, (ld.rows+63)/64-len(rc.valid))[:(ld.rows+63)/64]
	rc.typ = expr.TypeText
	if ld.values[k] > 0 && ld.fits[k] != 0 {
		t := 0
		for ld.fits[k]&(1<<t) == 0 {
			t++
		}
		c := typedReadings[t]
		// Each cell's span becomes its value, read again.
		for row := range ld.rows {
			w := uint64(0)
			if rc.isValid(row) {
				w, _ = c.read(rc.text(row))
			}
			rc.cells[row*rc.stride+rc.at] = w
		}
		freeArray(ld.mem, rc.data)
		rc.typ, rc.data, rc.long = c.typ, nil, nil
		return
	}
	rc.data = growArray(ld.mem, rc.data, 16)
	rc.data = rc.data[:len(rc.data)+16] // gather copies 16 bytes from a value's start
}

// buildKeys builds the key table of the rows kept: a null key matches nothing, and a
// duplicate key is what dup says.
func (ld *loader) buildKeys(dup Dup) (*keyTable, error) {
	r := ld.r
	return buildKeyTable(&ld.list, ld.mem, func(found *int32, row int32) error {
		switch dup {
		case DupLast:
			*found = row
		case DupError:
			first, i := ld.placeOf(*found)
			second, j := ld.placeOf(row)
			return fmt.Errorf("--lookup %s: the key %s is on two rows, %s and %s: give --lookup-dup first or last to keep one of them",
				r.Spec.Path, ld.describeKey(row), where(first.source, first.line(i)), where(second.source, second.line(j)))
		}
		return nil
	})
}

// placeOf is the place of reference row row, and its index there.
func (ld *loader) placeOf(row int32) (*place, int) {
	k := sort.Search(len(ld.places), func(k int) bool { return ld.places[k].first > int(row) }) - 1
	return &ld.places[k], int(row) - ld.places[k].first
}

// describeKey writes the key of reference row row as name=value for a message.
func (ld *loader) describeKey(row int32) string {
	p, i := ld.placeOf(row)
	if p.texts < 0 {
		key := ld.list.seqFirst + uint64(row)
		if int(row) >= ld.list.seqRows {
			w := sort.Search(len(ld.list.wordRows), func(w int) bool { return ld.list.wordRows[w] >= row })
			key = ld.list.words[w]
		}
		return ld.r.Header[ld.keys[0]] + "=" + table.QuoteValue(strconv.FormatInt(int64(key), 10))
	}
	parts := make([]string, len(ld.keys))
	for k, j := range ld.keys {
		e := (p.texts+i)*len(ld.keys) + k
		start := int64(0)
		if e > 0 {
			start = ld.texts.ends[e-1]
		}
		parts[k] = ld.r.Header[j] + "=" + table.QuoteValue(string(ld.texts.data[start:ld.texts.ends[e]]))
	}
	return strings.Join(parts, ", ")
}
