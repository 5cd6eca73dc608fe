package csvfmt

import (
	"bytes"
	"encoding/binary"
	"math"
	"math/bits"
	"unsafe"
)

// records parses the records of buf from i on, stopping before the first one that
// starts at or after stop. It returns the position reached and stRecord, or what
// record reported when it needs more input (stMore, at the record's start) or the
// input ended (stEnd), or the first error.
//
// Runs of records without quotes go through plainRecords, the rest through record.
// next is the position of the next quote in buf, found with one vectorised search
// per quote rather than per line: every line that ends before it is quote-free.
func (p *parser) records(buf []byte, i, stop int, atEOF bool) (int, status, error) {
	fast := p.cs == charsetUTF8 && !p.grow && len(p.cols) > 0
	next := -1 // the next quote, when next >= i
	for i < stop {
		if fast {
			if p.skip != nil {
				// sparseRecords finds the next quote itself, with its masks.
				lim, until, quote := len(buf), 0, 0
				if next >= i {
					lim = next
				}
				if i, until, quote = p.sparseRecords(buf, i, stop, lim); quote >= 0 {
					next = quote
				}
				if i >= stop {
					break
				}
				// What sparseRecords leaves to plainRecords: a batch holding a CR, the
				// records before the end of buf, a record longer than a window.
				if local := min(stop, until); i < local {
					next = nextQuote(buf, i, next)
					if i = p.plainRecords(buf, i, local, next); i >= local {
						continue
					}
				}
			} else {
				next = nextQuote(buf, i, next)
				if i = p.plainRecords(buf, i, stop, next); i >= stop {
					break
				}
			}
		}
		n, st, _, err := p.record(buf, i, atEOF)
		if err != nil || st == stMore || st == stEnd {
			return i, st, err
		}
		i = n
	}
	return i, stRecord, nil
}

// nextQuote returns the position of the first quote in buf at or after i (len(buf) for
// none): next when that is at or after i, which makes one vectorised search per quote
// rather than per line.
func nextQuote(buf []byte, i, next int) int {
	if next >= i {
		return next
	}
	if q := bytes.IndexByte(buf[i:], '"'); q >= 0 {
		return i + q
	}
	return len(buf)
}

// plainRecords is the hot path: it parses the records from buf[i] on that end before
// lim (the next quote) and 32 bytes before the end of buf and have exactly one field
// per column, and blank lines, stopping before a record that starts at or after stop.
// It returns the position after the last one, leaving whatever it cannot take (a
// quote, a ragged record, the end of buf) to record, which follows the same rules.
//
// It works in three steps per batch of input, so that few branches depend on the data
// and the inner loops stay small: findSeparators lists where every delimiter and
// terminator is; the list is checked to hold, record after record, ncols-1 delimiters
// then a terminator (or a blank line); storeColumns then copies the values of those
// records column by column.
func (p *parser) plainRecords(buf []byte, i, stop, lim int) int {
	cols, row, line := p.cols, p.rows, p.line
	ncols := len(cols)
	lines := p.fullCapacity()
	starts, ends := p.rawStarts, p.rawEnds
	rowRoom := p.rowRoom(lines)
	// Room for the separators of the current line carried over, a batch, and the
	// unconditional writes of findSeparators.
	if n := ncols + maxBatch + 16; len(p.seps) < n {
		p.seps = make([]int, n)
	}
	seps := p.seps

	// Leave the last 32 bytes of buf to record, so that the 16-byte copies of
	// storeColumns and the 8-byte loads of findSeparators need no length checks.
	lim = min(lim, len(buf)-32)
	dm := uint64(p.delim) * lsb8
	tm := uint64(p.term) * lsb8
	crlf := p.term == '\n'
	ls := i // start of the current line
	// seps[h:n] are the separators not used yet, from ls on. seps[0] stays free for
	// storeColumns, which needs the position before a group's first line.
	h, n := 1, 1
	k := i // where findSeparators goes on
	// Batches start small, so that a record left to record early (ragged files) does
	// not cost a long search, and double up to maxBatch (all multiples of 8 bytes).
	batch := 256
	for {
		if row >= rowRoom {
			lines = p.growRows(lines)
			starts, ends = p.rawStarts, p.rawEnds
			rowRoom = p.rowRoom(lines)
		}
		if h < n && buf[seps[h]] == p.term {
			// A terminator first: a blank line (LF, CR LF, or CR), or a record of one
			// field in a file of one column.
			end := seps[h]
			if crlf && end > ls && buf[end-1] == '\r' {
				end--
			}
			if end == ls {
				line++
				ls = seps[h] + 1
				h++
				if ls >= stop {
					break
				}
				continue
			}
		}
		if h+ncols > n {
			// Not a whole record listed: list the next batch, keeping the separators
			// of the current line.
			if k >= lim {
				break
			}
			n = 1 + copy(seps[1:], seps[h:n])
			h = 1
			end := min(k+batch, lim)
			n = findSeparators(buf[k:k+(end-k+7)&^7], k, dm, tm, seps, n, p.masks[:])
			for n > h && seps[n-1] >= end {
				n-- // read with the last word, but from lim on
			}
			k = end
			batch = min(2*batch, maxBatch)
			continue
		}
		// Check record after record: ncols-1 delimiters, then a terminator.
		g, first, gs := h, row, ls
		left := false // the next record is left to record, or starts after stop
		for h+ncols <= n && row < rowRoom {
			rec := seps[h : h+ncols]
			if end := rec[0]; buf[end] == p.term {
				if crlf && end > ls && buf[end-1] == '\r' {
					end--
				}
				if end == ls {
					break // blank line
				}
			}
			bad := buf[rec[ncols-1]] ^ p.term
			for _, s := range rec[:ncols-1] {
				bad |= buf[s] ^ p.delim
			}
			if bad != 0 {
				left = true
				break
			}
			lines[row] = line
			end := rec[ncols-1]
			if crlf && end > ls && buf[end-1] == '\r' {
				end--
			}
			starts[row], ends[row] = int32(ls), int32(end)
			line++
			row++
			h += ncols
			ls = rec[ncols-1] + 1
			if ls >= stop {
				left = true
				break
			}
		}
		if row > first {
			seps[g-1] = gs - 1
			// A row not plain (a CR inside a value) is written from its values, so
			// a group holding one skips no column.
			hasCR := bytes.IndexByte(buf[gs:ls], '\r') >= 0
			allPlain := p.markPlain(starts, ends, first, row, buf, hasCR)
			if !p.storeColumns(buf, seps[g-1:h], first, row, p.skip != nil && allPlain, hasCR) {
				// A column would reach 2 GiB: leave the group to record.
				p.unmarkPlain(first, row)
				row, line, ls = first, line-int64(row-first), gs
				break
			}
		}
		if left {
			break
		}
	}
	p.commitRows(lines, row, line)
	return ls
}

// fullCapacity readies the buffers for plainRecords and sparseRecords, which work at
// full capacity with index assignments instead of appends: offsets[row] is where column
// data ends so far, and lines, which it returns, is as long as the rows it has room
// for. Offsets are int32, so a column's data must stay below 2 GiB here (finish reports
// larger columns after record has parsed them).
func (p *parser) fullCapacity() []int64 {
	lines := p.lines[:cap(p.lines)]
	for j := range p.cols {
		c := &p.cols[j]
		c.data = c.data[:min(cap(c.data), math.MaxInt32)]
		c.offsets = c.offsets[:cap(c.offsets)]
	}
	// Rows parsed by record have no entry here: room starts where lines' does.
	p.rawStarts = growInt32(p.rawStarts, len(lines))
	p.rawEnds = growInt32(p.rawEnds, len(lines))
	return lines
}

// commitRows undoes fullCapacity once rows (in all) and line are parsed: it restores
// the lengths, forgetting anything stored for rows not committed.
func (p *parser) commitRows(lines []int64, rows int, line int64) {
	for j := range p.cols {
		c := &p.cols[j]
		c.offsets = c.offsets[:rows+1]
		c.data = c.data[:c.offsets[rows]]
		for len(c.nullRows) > 0 && c.nullRows[len(c.nullRows)-1] >= int32(rows) {
			c.nullRows = c.nullRows[:len(c.nullRows)-1]
		}
	}
	p.lines = lines[:rows]
	p.rows, p.line = rows, line
}

// maxBatch is the most input bytes whose separators plainRecords lists at once: enough
// to make the per-batch work negligible, little enough for the input and the list to
// stay in the L1 cache while storeColumns reads them.
const maxBatch = 8 << 10

// storeColumns stores the values of rows first to last-1, whose separators are
// seps[1:] (ncols per row), seps[0] being the position just before the first row. It
// goes column by column so that the column's buffers stay in registers and its data is
// written sequentially. With skip, the columns p.skip marks get empty values instead.
// hasCR says whether the rows' bytes hold a CR. It reports false, having stored only
// part of the rows, when a column would outgrow int32 offsets.
func (p *parser) storeColumns(buf []byte, seps []int, first, last int, skip, hasCR bool) bool {
	ncols := len(p.cols)
	rows := last - first
	for j := range p.cols {
		c := &p.cols[j]
		data, offs := c.data, c.offsets[first:last+1]
		o := int(offs[0])
		if skip && p.skip[j] {
			fillInt32(offs[1:], int32(o))
			continue
		}
		// Only the last field of a line may end in the CR of a CR LF.
		dropCR := j == ncols-1 && p.term == '\n' && hasCR
		for r, idx := 0, j+1; r < rows; r, idx = r+1, idx+ncols {
			if !dropCR {
				if r, o = storeShort(data, o, offs, buf, seps, idx, ncols, r); r == rows {
					break
				}
				idx = j + 1 + r*ncols
			}
			s, e := seps[idx-1]+1, seps[idx]
			if dropCR && e > s && buf[e-1] == '\r' {
				e--
			}
			n := e - s
			if 0 < n && n <= 16 && o+16 <= len(data) {
				// Most fields are short: a constant 16-byte move (one SSE load and
				// store) beats a memmove call; the bytes it copies past n are
				// overwritten by the next value.
				*(*[16]byte)(data[o:]) = *(*[16]byte)(buf[s:])
				o += n
				offs[r+1] = int32(o)
				continue
			}
			// Everything else, out of line so that the loop keeps its registers.
			var ok bool
			if data, ok = c.storeSlow(data, buf[s:e], o, first+r); !ok {
				return false
			}
			o += n
			offs[r+1] = int32(o)
		}
		c.data = data
	}
	return true
}

// fillInt32 sets every element of s to v, eight at a time (two 16-byte stores): the
// offsets of a skipped column, all equal, are most of what storing the rows of a top-N
// that reads one column of ten writes.
func fillInt32(s []int32, v int32) {
	v8 := [8]int32{v, v, v, v, v, v, v, v}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		*(*[8]int32)(s[i:]) = v8
	}
	for ; i < len(s); i++ {
		s[i] = v
	}
}

// storeShort is storeColumns' loop over the values of 1 to 32 bytes of one column, the
// field ending at seps[idx] being row r's: it stores them from data[o:] and their
// offsets in offs, from row r on, and returns at the first row it leaves to the caller
// (a longer or empty value, no room, the end) and the offset reached.
//
// Each value is moved as a constant 32 bytes (two SSE loads and stores), whatever its
// length, which beats a memmove call and a branch on the length; the bytes moved past
// the value are overwritten by the next one. The loop goes through pointers, its extent
// checked once up front, because with slices the bounds checks and the variables they
// need did not fit in registers: the loop spilled to the stack on every value.
func storeShort(data []byte, o int, offs []int32, buf []byte, seps []int, idx, ncols, r int) (int, int) {
	rows := len(offs) - 1
	if r >= rows {
		return r, o
	}
	if idx < 1 || idx+(rows-1-r)*ncols >= len(seps) {
		panic("csvfmt: storeShort: rows beyond the separators listed")
	}
	oMax, sMax := len(data)-32, len(buf)-32
	sepBase := unsafe.Pointer(unsafe.SliceData(seps))
	dataBase := unsafe.Pointer(unsafe.SliceData(data))
	bufBase := unsafe.Pointer(unsafe.SliceData(buf))
	offsBase := unsafe.Pointer(unsafe.SliceData(offs))
	const intSize = unsafe.Sizeof(int(0))
	for ; r < rows; r, idx = r+1, idx+ncols {
		sep := unsafe.Add(sepBase, uintptr(idx)*intSize)
		s, e := *(*int)(unsafe.Add(sep, -int(intSize)))+1, *(*int)(sep)
		n := e - s
		if uint(n-1) >= 32 || o > oMax || s > sMax {
			break
		}
		to, from := unsafe.Add(dataBase, o), unsafe.Add(bufBase, s)
		*(*[16]byte)(to) = *(*[16]byte)(from) // two moves: one of 32 bytes calls memmove
		*(*[16]byte)(unsafe.Add(to, 16)) = *(*[16]byte)(unsafe.Add(from, 16))
		o += n
		*(*int32)(unsafe.Add(offsBase, 4*(r+1))) = int32(o)
	}
	return r, o
}

// storeSlow stores v at data[o:] for row, growing data as needed, and records an empty
// value as null. It reports false when data would outgrow int32 offsets.
//
//go:noinline
func (c *column) storeSlow(data, v []byte, o, row int) ([]byte, bool) {
	if len(v) == 0 {
		c.nullRows = append(c.nullRows, int32(row))
		return data, true
	}
	if o+len(v) > len(data) {
		if o+len(v) > math.MaxInt32 {
			c.data = data
			return data, false
		}
		nd := make([]byte, min(max(2*cap(data), o+len(v)+len(v)/4+16), math.MaxInt32))
		copy(nd, data[:o])
		data = nd
	}
	copy(data[o:], v)
	return data, true
}

// findSeparators writes to seps[n:] the positions of the delimiters and terminators
// in b (whose length is a multiple of 8), b being at position base of the input, and
// returns the new length. seps needs room for len(b)+8 more entries, masks for
// len(b)/64+1.
//
// It finds them 64 bytes at a time as a bit mask (separatorMasks), then writes their
// positions 8 at a time without testing how many there are (usually fewer), the count
// advancing by the number of bits: no branch depends on the data.
func findSeparators(b []byte, base int, dm, tm uint64, seps []int, n int, masks []uint64) int {
	whole := len(b) &^ 63
	masks = masks[:whole/64+1]
	separatorMasks(b[:whole], dm, tm, masks[:whole/64])
	var tail uint64
	for w := range (len(b) - whole) >> 3 {
		tail |= separatorBits(binary.LittleEndian.Uint64(b[whole+8*w:]), dm, tm) << (8 * w)
	}
	masks[whole/64] = tail
	for _, mask := range masks {
		cnt := bits.OnesCount64(mask)
		s := seps[n : n+8 : n+8]
		for j := range s {
			s[j] = base + bits.TrailingZeros64(mask)
			mask &= mask - 1
		}
		for j := n + 8; j < n+cnt; j++ {
			seps[j] = base + bits.TrailingZeros64(mask)
			mask &= mask - 1
		}
		n += cnt
		base += 64
	}
	return n
}

// separatorMasksGeneric is separatorMasks in Go, 8 bytes at a time.
func separatorMasksGeneric(b []byte, dm, tm uint64, masks []uint64) {
	for i := range len(b) / 64 {
		// Unrolled: constant shifts, and the loads need no further bounds checks.
		b := b[64*i : 64*i+64]
		m0 := separatorBits(binary.LittleEndian.Uint64(b[0:]), dm, tm)
		m1 := separatorBits(binary.LittleEndian.Uint64(b[8:]), dm, tm)
		m2 := separatorBits(binary.LittleEndian.Uint64(b[16:]), dm, tm)
		m3 := separatorBits(binary.LittleEndian.Uint64(b[24:]), dm, tm)
		m4 := separatorBits(binary.LittleEndian.Uint64(b[32:]), dm, tm)
		m5 := separatorBits(binary.LittleEndian.Uint64(b[40:]), dm, tm)
		m6 := separatorBits(binary.LittleEndian.Uint64(b[48:]), dm, tm)
		m7 := separatorBits(binary.LittleEndian.Uint64(b[56:]), dm, tm)
		masks[i] = m0 | m1<<8 | m2<<16 | m3<<24 | m4<<32 | m5<<40 | m6<<48 | m7<<56
	}
}

// splitSeparatorMasksGeneric is splitSeparatorMasks in Go, 8 bytes at a time.
func splitSeparatorMasksGeneric(b []byte, dm, tm uint64, delims, terms []uint64) (blocks int, hasCR bool) {
	const crs, quotes = '\r' * lsb8, '"' * lsb8
	var cr uint64
	for i := range len(b) / 64 {
		b := b[64*i : 64*i+64]
		var d, t, q uint64
		for w := range 8 {
			v := binary.LittleEndian.Uint64(b[8*w:])
			d |= separatorBits(v, dm, dm) << (8 * w)
			t |= separatorBits(v, tm, tm) << (8 * w)
			cr |= separatorBits(v, crs, crs)
			q |= separatorBits(v, quotes, quotes)
		}
		delims[i], terms[i] = d, t
		if q != 0 {
			return i + 1, cr != 0
		}
	}
	return len(b) / 64, cr != 0
}

// separatorBits returns a bit per byte of the little-endian word v (bit i for byte i)
// that is the delimiter or the terminator (dm and tm: that byte times lsb8).
//
// For x = v ^ dm, the high bit of ^(((x & 0x7F..7F) + 0x7F..7F) | x) is set exactly in
// the bytes of x that are zero: adding 0x7F to the low 7 bits carries into the high bit
// unless they are all zero, and no carry crosses bytes. (The cheaper (x-0x01..01)&^x
// can also flag the byte above a match: with ',' as delimiter, the '-' of ",-5".)
// With those high bits shifted down to bits 0, 8, ..., 56, multiplying by
// 0x0102040810204080 gathers them into the top byte (each lands on a bit of its own,
// so nothing carries).
func separatorBits(v, dm, tm uint64) uint64 {
	x, y := v^dm, v^tm
	m := ^((((x & low7) + low7) | x) & (((y & low7) + low7) | y)) & msb8 >> 7
	return m * 0x0102040810204080 >> 56
}

// markPlain sets the rawPlain bits of rows first to last-1, just taken by plainRecords
// from buf, except those holding a CR (which the writer would quote); hasCR says
// whether the bytes of those rows hold any CR, line ends included. It reports whether
// every row was marked.
func (p *parser) markPlain(starts, ends []int32, first, last int, buf []byte, hasCR bool) bool {
	if n := (last + 63) / 64; len(p.rawPlain) < n {
		p.rawPlain = append(p.rawPlain, make([]uint64, n-len(p.rawPlain))...)
	}
	plain := p.rawPlain
	if !hasCR {
		for r := first; r < last; {
			// Whole words at a time: bits r to the word's end or last.
			n := min(64-r&63, last-r)
			plain[r>>6] |= (1<<n - 1) << (r & 63)
			r += n
		}
		return true
	}
	all := true
	for r := first; r < last; r++ {
		if bytes.IndexByte(buf[starts[r]:ends[r]], '\r') < 0 {
			plain[r>>6] |= 1 << (r & 63)
		} else {
			all = false
		}
	}
	return all
}

// unmarkPlain clears the rawPlain bits of rows first to last-1.
func (p *parser) unmarkPlain(first, last int) {
	for r := first; r < last; r++ {
		p.rawPlain[r>>6] &^= 1 << (r & 63)
	}
}

// rowRoom is the number of rows the full-capacity buffers of plainRecords can hold.
func (p *parser) rowRoom(lines []int64) int {
	room := min(len(lines), len(p.rawStarts), len(p.rawEnds))
	for j := range p.cols {
		room = min(room, len(p.cols[j].offsets)-1)
	}
	return room
}

// growRows doubles the room for rows in plainRecords' full-capacity buffers.
func (p *parser) growRows(lines []int64) []int64 {
	n := 2*len(lines) + 64
	lines = append(lines, make([]int64, n-len(lines))...)
	p.rawStarts = growInt32(p.rawStarts, n)
	p.rawEnds = growInt32(p.rawEnds, n)
	for j := range p.cols {
		c := &p.cols[j]
		if len(c.offsets) < n+1 {
			c.offsets = append(c.offsets, make([]int32, n+1-len(c.offsets))...)
			c.offsets = c.offsets[:cap(c.offsets)]
		}
	}
	return lines[:cap(lines)]
}

// growInt32 returns s at full capacity, at least n long, keeping its values.
func growInt32(s []int32, n int) []int32 {
	s = s[:cap(s)]
	if len(s) < n {
		s = append(s, make([]int32, n-len(s))...)
	}
	return s[:cap(s)]
}
