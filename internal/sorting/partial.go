package sorting

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/offheap"
	"github.com/ptransform/ptransform/internal/table"
)

// partial is one worker's share of the stage. With a limit it keeps the best rows in
// a bounded heap (top-N); without one, or when the heap would outgrow the partial's
// memory share, it gathers rows in a runBuffer that is sorted and spilled to a
// temporary file each time it is full.
type partial struct {
	s      *Stage
	types  []arrow.DataType // the column types, from the first chunk
	keyEnc []keyAppender
	valEnc []valueAppender
	rec    []byte // the row being encoded: its key, then its values
	// raw is the chunk's Raw rows when some of its columns are left empty on the rows
	// marked plain (table.RawRows.Sparse): those values are taken from the row's bytes,
	// whose fields' bounds splitRaw puts in fields, and only for the rows kept.
	raw    *table.RawRows
	fields []int
	// firstKey is the first sort key's column when it is text, read by rejects.
	firstKey *array.String
	// cut is rejects' bound on the integer part of a plain decimal first key, for the
	// worst kept row whose head is cutFor (see integerCut).
	cut    int64
	cutFor keyHead

	heap     *topHeap
	buf      *runBuffer
	spill    *spillFile
	released bool
}

// A row's place in the input order: its chunk's seq in the high 32 bits, its index in
// the chunk in the low 32. It is the last sort key, which makes the order total, so
// ties keep input order however rows were spread over partials and chunks.
func position(seq int64, i int) uint64 { return uint64(seq)<<32 | uint64(i) }

func (p *partial) Consume(seq int64, c *table.Chunk) error {
	if p.s.limit == 0 {
		return nil
	}
	n := c.NumRows()
	if seq < 0 || seq >= 1<<31 || n >= 1<<32-1 {
		return fmt.Errorf("internal error: sorting: chunk %d of %d rows is out of the positions' range", seq, n)
	}
	if n == 0 {
		return nil
	}
	if p.s.limit > 0 && p.buf == nil {
		if p.heap == nil {
			p.heap = &topHeap{limit: int(min(p.s.limit, 1<<31))}
		}
	}
	if err := p.prepare(c); err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		if p.firstKey != nil && p.heap != nil && p.heap.full() {
			if i = p.skipRejected(i, n); i == n {
				break
			}
			if p.rejects(i) {
				continue
			}
		}
		pos := position(seq, i)
		rec := p.rec[:0]
		for _, enc := range p.keyEnc {
			rec = enc(rec, i)
		}
		keyLen := len(rec)
		if p.heap != nil && p.heap.full() && !p.heap.improves(rec, pos) {
			p.rec = rec
			continue
		}
		if p.raw != nil {
			if err := p.splitRaw(i); err != nil {
				return err
			}
		}
		for _, enc := range p.valEnc {
			rec = enc(rec, i)
		}
		p.rec = rec
		if p.heap != nil {
			p.heap.offer(rec[:keyLen], pos, rec[keyLen:])
			if p.heap.bytes > p.s.share() {
				if err := p.heapToBuffer(); err != nil {
					return err
				}
			}
			continue
		}
		if err := p.hold(rec, keyLen, pos); err != nil {
			return err
		}
	}
	return nil
}

// prepare checks the chunk's column types against the first chunk's and chooses the
// encoders of its columns.
func (p *partial) prepare(c *table.Chunk) error {
	cols := c.Batch.Columns()
	if len(cols) != len(p.s.names) {
		return fmt.Errorf("internal error: sorting: a chunk has %d columns, the stage was compiled for %d", len(cols), len(p.s.names))
	}
	if p.types == nil {
		p.types = make([]arrow.DataType, len(cols))
		for j, col := range cols {
			p.types[j] = col.DataType()
		}
	}
	p.keyEnc, p.valEnc = p.keyEnc[:0], p.valEnc[:0]
	p.raw = nil
	for j, col := range cols {
		if !arrow.TypeEqual(col.DataType(), p.types[j]) {
			return columnTypeError(p.s.names[j], p.types[j], col.DataType())
		}
		enc, err := newValueAppender(col)
		if err != nil {
			return fmt.Errorf("column %q: %w", p.s.names[j], err)
		}
		if sparse(c.Raw, j, col) {
			p.raw = c.Raw
			enc = p.rawValueAppender(j, enc)
		}
		p.valEnc = append(p.valEnc, enc)
	}
	p.firstKey = nil
	if len(p.s.keys) > 0 {
		p.firstKey, _ = cols[p.s.keys[0].Column].(*array.String)
	}
	for _, k := range p.s.keys {
		if sparse(c.Raw, k.Column, cols[k.Column]) {
			return fmt.Errorf("internal error: sorting: the key column %q was not decoded", p.s.names[k.Column])
		}
		enc, err := newKeyAppender(cols[k.Column], k.Descending)
		if err != nil {
			return fmt.Errorf("--sort: column %q: %w", p.s.names[k.Column], err)
		}
		p.keyEnc = append(p.keyEnc, enc)
	}
	return nil
}

// rejects reports whether row i, by its first key alone, comes after the heap's worst
// row, which a full heap then keeps out, without encoding its key: the path of most
// rows of a top-N. It reads only a first key of text that reads as a number (the key
// of most top-Ns); for other values, or a first key equal to the worst row's, it
// reports false and the row's key is encoded and compared in full.
func (p *partial) rejects(i int) bool {
	col := p.firstKey
	if col.IsNull(i) {
		return false
	}
	v := col.Value(i)
	worst := p.heap.rows[0].head
	cut := p.currentCut(worst)
	if n, ok := expr.PlainIntegerPart(v); ok && (p.s.keys[0].Descending && n <= cut || !p.s.keys[0].Descending && n >= cut) {
		return true
	}
	f, ok := expr.ReadPlainNumber(v)
	var tie int64
	if !ok {
		r := expr.ReadText(v)
		if r.Kind != expr.TextNumber {
			return false
		}
		if f = r.Number; r.IsInt {
			tie = intTie(r.Int, r.Number)
		}
	}
	return numberFieldAfter(numberFieldHead(f, tie, p.s.keys[0].Descending), worst)
}

// skipRejected returns the first row from i to n-1 that rejects' first test, a plain
// decimal whose integer part is past the cut, does not keep out, n if none: the test
// of most rows of a top-N, in a loop of its own over the column's bytes, the heap's
// worst row and so the cut staying the same until a row is offered.
func (p *partial) skipRejected(i, n int) int {
	col := p.firstKey
	cut, desc := p.currentCut(p.heap.rows[0].head), p.s.keys[0].Descending
	offs, data := col.ValueOffsets(), col.ValueBytes()
	base := offs[0]
	nulls := col.NullN() > 0
	for ; i < n; i++ {
		if nulls && col.IsNull(i) {
			return i
		}
		lo, hi := offs[i]-base, offs[i+1]-base
		if hi-lo < 8 {
			return i
		}
		v, ok := expr.PlainIntegerPart(unsafe.String(&data[lo], hi-lo))
		if !ok || (desc && v > cut) || (!desc && v < cut) {
			return i
		}
	}
	return n
}

// currentCut is integerCut of worst, the heap's worst key head, kept until the worst
// row changes.
func (p *partial) currentCut(worst keyHead) int64 {
	if worst != p.cutFor {
		p.cut, p.cutFor = integerCut(worst, p.s.keys[0].Descending), worst
	}
	return p.cut
}

// numberFieldAfter says whether a key whose head begins with the number field h comes
// after the key whose head is worst. Fields are prefix-free: a first field greater than
// the worst key's first bytes makes the whole key greater, whatever follows.
func numberFieldAfter(h, worst keyHead) bool {
	if h.hi != worst.hi {
		return h.hi > worst.hi
	}
	return h.lo > worst.lo&numberFieldLoMask
}

// maxIntegerPart bounds the integer parts expr.PlainIntegerPart returns (15 digits).
const maxIntegerPart = 1e15 - 1

// integerCut is the bound that lets rejects skip reading most numbers: a plain decimal
// (expr.PlainIntegerPart) of integer part n, whose value is between n and n+1, comes after
// the key whose head is worst when n <= cut for a descending key (n+1 comes after it),
// and when n >= cut for an ascending one (n comes after it). No n qualifies when cut
// is -1 (descending) or maxIntegerPart+1 (ascending). The condition is monotonic in n,
// so a binary search finds the cut.
func integerCut(worst keyHead, desc bool) int64 {
	after := func(n int64) bool {
		if desc {
			n++
		}
		return numberFieldAfter(numberFieldHead(float64(n), 0, desc), worst)
	}
	// Find the first n in [lo, hi) for which after(n) != desc, hi if none.
	lo, hi := int64(0), int64(maxIntegerPart+1)
	for lo < hi {
		mid := lo + (hi-lo)/2
		if after(mid) != desc {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if desc {
		return lo - 1
	}
	return lo
}

// sparse says whether column j of a chunk, col, holds values only on the rows its Raw
// rows do not mark plain.
func sparse(raw *table.RawRows, j int, col arrow.Array) bool {
	return raw != nil && j < len(raw.Sparse) && raw.Sparse[j] && j < len(raw.Columns) && raw.Columns[j] == col
}

// rawValueAppender appends row i of column j, a sparse one (see sparse): from the row's
// bytes, split by splitRaw, on a plain row, else by enc, from the column's values. An
// empty field is null, as the reader makes it.
func (p *partial) rawValueAppender(j int, enc valueAppender) valueAppender {
	return func(dst []byte, i int) []byte {
		if p.raw.Plain[i>>6]>>(i&63)&1 == 0 {
			return enc(dst, i)
		}
		v := p.raw.Data[p.fields[j] : p.fields[j+1]-1]
		if len(v) == 0 {
			return append(dst, 0)
		}
		dst = binary.AppendUvarint(dst, uint64(len(v))+1)
		return append(dst, v...)
	}
}

// splitRaw sets fields to the bounds of row i's fields in p.raw.Data, when the row is
// plain: field j is Data[fields[j] : fields[j+1]-1]. A plain row holds exactly one
// field per column, separated by the delimiter, with nothing quoted.
func (p *partial) splitRaw(i int) error {
	if p.raw.Plain[i>>6]>>(i&63)&1 == 0 {
		return nil
	}
	start, end := int(p.raw.Starts[i]), int(p.raw.Ends[i])
	line := p.raw.Data[start:end]
	p.fields = append(p.fields[:0], start)
	for k := 0; ; {
		d := bytes.IndexByte(line[k:], p.raw.Delimiter)
		if d < 0 {
			break
		}
		k += d + 1
		p.fields = append(p.fields, start+k)
	}
	p.fields = append(p.fields, end+1)
	if len(p.fields) != len(p.raw.Columns)+1 {
		return fmt.Errorf("internal error: sorting: a plain row of %d fields, want %d", len(p.fields)-1, len(p.raw.Columns))
	}
	return nil
}

func columnTypeError(name string, was, now arrow.DataType) error {
	return fmt.Errorf("internal error: sorting: column %q has type %s in one chunk and %s in another", name, was, now)
}

// hold adds an encoded row to the run buffer, spilling the buffer first when full.
func (p *partial) hold(rec []byte, keyLen int, pos uint64) error {
	if p.buf == nil {
		buf, err := newRunBuffer(p.s.share())
		if err != nil {
			return err
		}
		p.buf = buf
	}
	if !p.buf.fits(len(rec)) && p.buf.n > 0 {
		if err := p.spillRun(); err != nil {
			return err
		}
	}
	if !p.buf.fits(len(rec)) {
		return fmt.Errorf("sorting: a row of %d bytes does not fit in the sort's memory share of %d bytes (raise --memory)", len(rec), len(p.buf.region))
	}
	p.buf.add(rec, keyLen, pos)
	return nil
}

// heapToBuffer moves the heap's rows to a run buffer: the limit is too large for the
// rows to be held, so they are sorted in runs like any others, each run cut to the limit.
func (p *partial) heapToBuffer() error {
	h := p.heap
	p.heap = nil
	for _, r := range h.rows {
		p.rec = append(append(p.rec[:0], r.key...), r.payload...)
		if err := p.hold(p.rec, len(r.key), r.pos); err != nil {
			return err
		}
	}
	return nil
}

// spillRun sorts the buffer and writes it as one run (cut to the limit) to the
// partial's temporary file.
func (p *partial) spillRun() error {
	if p.spill == nil {
		f, err := newSpillFile(p.s.tempDir)
		if err != nil {
			return err
		}
		p.spill = f
	}
	p.buf.sort()
	rows := p.buf.entries()
	if p.s.limit >= 0 && int64(len(rows)) > p.s.limit {
		rows = rows[:p.s.limit]
	}
	if err := p.spill.writeRun(p.buf, rows); err != nil {
		return err
	}
	p.buf.reset()
	return nil
}

func (p *partial) Release() {
	if !p.released {
		p.released = true
		p.s.partials.Add(-1)
	}
	if p.buf != nil {
		p.buf.free()
		p.buf = nil
	}
	if p.spill != nil {
		p.spill.close()
		p.spill = nil
	}
	p.heap = nil
}

// keyHead is the first 16 bytes of a key as two big-endian words, padded with zeros.
// Keys are prefix-free, so two keys whose heads differ compare as their heads, and two
// keys of at most 16 bytes with the same head are equal.
type keyHead struct{ hi, lo uint64 }

const headSize = 16

func headOf(key []byte) keyHead {
	if len(key) >= headSize {
		return keyHead{binary.BigEndian.Uint64(key), binary.BigEndian.Uint64(key[8:])}
	}
	var b [headSize]byte
	copy(b[:], key)
	return keyHead{binary.BigEndian.Uint64(b[:]), binary.BigEndian.Uint64(b[8:])}
}

func (h keyHead) compare(o keyHead) int {
	if h.hi != o.hi {
		return cmp.Compare(h.hi, o.hi)
	}
	return cmp.Compare(h.lo, o.lo)
}

// compareTails compares two keys with the same head by what follows it.
func compareTails(a, b []byte) int {
	return bytes.Compare(a[min(headSize, len(a)):], b[min(headSize, len(b)):])
}

// runBuffer holds rows of one run in a region of memory of the partial's share,
// allocated once: encoded rows (key, then values) from its front, a sort entry per
// row from its back. The region is outside the Go heap where the system allows, so
// the rows a run holds neither grow the garbage collector's target nor are scanned.
type runBuffer struct {
	region []byte
	used   int // bytes of rows at the front
	n      int // entries at the back
}

// entry is a held row's sort entry. Its first 16 key bytes decide most comparisons
// without reading the row (all of them for keys of up to 16 bytes: one number, date or
// short text).
type entry struct {
	head   keyHead
	pos    uint64
	off    uint64 // the row's bytes start at region[off]
	keyLen uint32
	recLen uint32
}

const entrySize = int(unsafe.Sizeof(entry{}))

func newRunBuffer(share int64) (*runBuffer, error) {
	size := int(max(share, 1<<16)) &^ (entrySize - 1)
	region, err := offheap.Map(size)
	if err != nil {
		return nil, fmt.Errorf("sorting: cannot reserve %d bytes of memory: %w (lower --memory)", size, err)
	}
	return &runBuffer{region: region}, nil
}

func (b *runBuffer) fits(recLen int) bool {
	return b.used+recLen+(b.n+1)*entrySize <= len(b.region)
}

// entries are the held rows' entries (in the order of the last sort).
func (b *runBuffer) entries() []entry {
	if b.n == 0 {
		return nil
	}
	return unsafe.Slice((*entry)(unsafe.Pointer(&b.region[len(b.region)-b.n*entrySize])), b.n)
}

func (b *runBuffer) add(rec []byte, keyLen int, pos uint64) {
	off := b.used
	b.used += copy(b.region[off:], rec)
	b.n++
	e := &b.entries()[0]
	*e = entry{head: headOf(rec[:keyLen]), pos: pos, off: uint64(off), keyLen: uint32(keyLen), recLen: uint32(len(rec))}
}

func (b *runBuffer) key(e *entry) []byte { return b.region[e.off : e.off+uint64(e.keyLen)] }

func (b *runBuffer) payload(e *entry) []byte {
	return b.region[e.off+uint64(e.keyLen) : e.off+uint64(e.recLen)]
}

func (b *runBuffer) sort() {
	slices.SortFunc(b.entries(), func(x, y entry) int {
		if c := x.head.compare(y.head); c != 0 {
			return c
		}
		if x.keyLen > headSize || y.keyLen > headSize {
			if c := compareTails(b.key(&x), b.key(&y)); c != 0 {
				return c
			}
		}
		return cmp.Compare(x.pos, y.pos)
	})
}

func (b *runBuffer) reset() { b.used, b.n = 0, 0 }

func (b *runBuffer) free() {
	offheap.Unmap(b.region)
	b.region = nil
	b.reset()
}

// topHeap keeps the limit best rows seen, the worst on top, each in its own buffers,
// which a better row reuses when it takes the worst one's place.
type topHeap struct {
	limit int
	rows  []heldRow
	bytes int64 // held bytes, for the partial's memory share
}

type heldRow struct {
	head         keyHead
	key, payload []byte
	pos          uint64
}

// compareHeld orders a row (by its key head, key and position) against a held row.
func compareHeld(head keyHead, key []byte, pos uint64, r *heldRow) int {
	if c := head.compare(r.head); c != 0 {
		return c
	}
	if len(key) > headSize || len(r.key) > headSize {
		if c := compareTails(key, r.key); c != 0 {
			return c
		}
	}
	return cmp.Compare(pos, r.pos)
}

const heldRowOverhead = int64(unsafe.Sizeof(heldRow{}))

func (h *topHeap) full() bool { return len(h.rows) >= h.limit }

// improves says whether a row would be kept: it comes before the worst kept row.
func (h *topHeap) improves(key []byte, pos uint64) bool {
	return compareHeld(headOf(key), key, pos, &h.rows[0]) < 0
}

// offer keeps the row when the heap is not full or it improves on the worst row.
func (h *topHeap) offer(key []byte, pos uint64, payload []byte) {
	if !h.full() {
		r := heldRow{head: headOf(key), key: slices.Clone(key), payload: slices.Clone(payload), pos: pos}
		h.bytes += int64(cap(r.key)+cap(r.payload)) + heldRowOverhead
		h.rows = append(h.rows, r)
		h.up(len(h.rows) - 1)
		return
	}
	if !h.improves(key, pos) {
		return
	}
	r := &h.rows[0]
	h.bytes -= int64(cap(r.key) + cap(r.payload))
	r.head = headOf(key)
	r.key = append(r.key[:0], key...)
	r.payload = append(r.payload[:0], payload...)
	r.pos = pos
	h.bytes += int64(cap(r.key) + cap(r.payload))
	h.down(0)
}

func (h *topHeap) worse(i, j int) bool {
	a := &h.rows[i]
	return compareHeld(a.head, a.key, a.pos, &h.rows[j]) > 0
}

func (h *topHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.worse(i, parent) {
			return
		}
		h.rows[i], h.rows[parent] = h.rows[parent], h.rows[i]
		i = parent
	}
}

func (h *topHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h.rows) {
			return
		}
		w := l
		if r := l + 1; r < len(h.rows) && h.worse(r, l) {
			w = r
		}
		if !h.worse(w, i) {
			return
		}
		h.rows[i], h.rows[w] = h.rows[w], h.rows[i]
		i = w
	}
}

// sorted returns the kept rows best first.
func (h *topHeap) sorted() []heldRow {
	slices.SortFunc(h.rows, func(a, b heldRow) int { return compareHeld(a.head, a.key, a.pos, &b) })
	return h.rows
}
