package csvfmt

import (
	"bytes"
	"math/bits"
)

// sparseRecords is plainRecords for a decoder that leaves columns out (p.skip): it
// takes the records plainRecords would take from buf[i] on, or stops earlier, and
// stores the same values, but finds the records' boundaries from bit masks instead of
// a list of every separator. A record ends at the next bit of the terminators' mask;
// its field count is a population count of the delimiters' mask up to there; only the
// delimiters before the last stored column ends are listed, for storeColumns. For the
// bench data (ten columns, the filter storing the first five's values, a top-N the
// second's) that is two to nine positions a record instead of ten, and no check loop
// reading every separator's byte again.
//
// It returns the position after the last record it took and until, the end of what
// plainRecords should take from there: from a batch holding a CR (CR LF line ends, or a
// value holding a CR, whose row is not plain and has every value stored) up to lim (the
// next quote, or the last 32 bytes of buf); the same when too few bytes are left before
// lim for a batch or before the end of buf for a window; one record longer than a
// window; else nothing (that same position), leaving to record a ragged record and a
// record that reaches lim (one holding the quote). lim is the next quote when the caller
// knows it, else len(buf): the masks find quotes as they go, and quote is the first one
// found (-1 for none), which becomes lim.
func (p *parser) sparseRecords(buf []byte, i, stop, lim int) (next, until, quote int) {
	lim = min(lim, len(buf)-32)
	quote = -1
	if lim-i < 64 {
		// Too few bytes for a batch (a quote close ahead, in a file that quotes a
		// field of every row): hand them over before readying any buffer.
		return i, max(lim, i), quote
	}
	ready := false // the buffers below, readied once a window is found to hold records
	var lines []int64
	var starts, ends []int32
	var seps []int
	rowRoom, listed := 0, 0
	row, line := p.rows, p.line
	ncols := len(p.cols)
	dm, tm := uint64(p.delim)*lsb8, uint64(p.term)*lsb8
	ls := i
	until = -1
	// Windows double up to maxBatch, and the next call starts where this one got: a
	// run of records ends at every quote (a file quoting one field in fifty rows), and
	// starting over small each time cost a window and a group of stores (storeColumns'
	// setup for every column) per few rows. A ragged record starts them over small, so
	// that a file of ragged records does not pay for masks of bytes it leaves to record.
	batch := max(p.sparseWindow, minSparseWindow)
	defer func() { p.sparseWindow = batch }()
	for ls < stop && until < 0 {
		// A window of whole 64-byte blocks from the current record's start, up to the
		// first block that reaches lim: the records that end before lim in that block
		// are taken here too, so that a quote leaves only its own record to record.
		w0 := ls
		if w0 >= lim {
			until = ls // a record holding the quote, or near the end: record's
			break
		}
		size := min(batch, (lim-w0+63)&^63, (len(buf)-w0)&^63)
		if size < 64 {
			until = lim // the records before the end of buf: plainRecords'
			break
		}
		batch = min(2*batch, maxBatch)
		window := buf[w0 : w0+size]
		nw := size / 64
		delims, terms := p.masks[:nw], p.terms[:nw]
		// The masks stop at the first block holding a quote (found in the same pass
		// over the bytes, not by a search of its own), which becomes lim.
		blocks, hasCR := splitSeparatorMasks(window, dm, tm, delims, terms)
		if q := bytes.IndexByte(window[(blocks-1)*64:blocks*64], '"'); q >= 0 {
			quote = w0 + (blocks-1)*64 + q
			lim = min(lim, quote)
			nw, size = blocks, blocks*64
		}
		end := lim - w0 // records end before it, in the window
		if hasCR {
			// CR LF line ends, most likely: every window would hold one.
			until = lim
			break
		}
		if !ready {
			if lim-i < 64 {
				return i, max(lim, i), quote // as above
			}
			ready = true
			lines = p.fullCapacity()
			starts, ends = p.rawStarts, p.rawEnds
			rowRoom = p.rowRoom(lines)
			if n := ncols + maxBatch + 16; len(p.seps) < n {
				p.seps = make([]int, n)
			}
			seps = p.seps
			// listed: the delimiters a record's stored values need, those up to the
			// end of the last stored column.
			for j, skipped := range p.skip {
				if !skipped {
					listed = j + 1
				}
			}
			listed = min(listed, ncols-1)
		}
		for {
			// A group: records without a blank line between them, stored at once.
			first, gs, gline := row, ls, line
			blank, done := false, false
			for {
				var why int
				ls, row, line, why = sparseGroup(terms[:nw], delims, seps[1+(row-first)*ncols:], lines[:rowRoom], starts[:rowRoom], ends[:rowRoom],
					w0, size, end, stop, ls, row, ncols, listed, line)
				if why == groupFull {
					lines = p.growRows(lines)
					starts, ends = p.rawStarts, p.rawEnds
					rowRoom = p.rowRoom(lines)
					continue
				}
				blank = why == groupBlank
				done = why == groupDone || why == groupRagged
				if why == groupRagged {
					batch = minSparseWindow
				}
				break
			}
			if row > first {
				seps[0] = gs - 1
				p.markPlain(starts, ends, first, row, buf, false)
				if !p.storeColumns(buf, seps[:1+(row-first)*ncols], first, row, true, false) {
					// A column would reach 2 GiB: leave the group to record.
					p.unmarkPlain(first, row)
					row, line, ls = first, gline, gs
					done = true
				}
			}
			if done {
				p.commitRows(lines, row, line)
				return ls, ls, quote
			}
			if !blank {
				break // the next window
			}
			line++
			ls++
			if ls >= stop {
				p.commitRows(lines, row, line)
				return ls, ls, quote
			}
		}
		if ls == w0 {
			until = ls + 1 // a record longer than the window: plainRecords'
			break
		}
	}
	if ready {
		p.commitRows(lines, row, line)
	}
	return ls, max(until, ls), quote
}

// Why sparseGroup stopped.
const (
	groupWindowEnd = iota // the next record goes on past the window, which ends before lim
	groupDone             // a record reaches lim, or stop is reached
	groupBlank            // the next record is a blank line
	groupFull             // no room for the next row
	groupRagged           // the next record has too few or too many fields
)

// sparseGroup is sparseRecords' loop over the records of a group, out of it so that its
// variables stay in registers: inside sparseRecords they were reloaded from the stack
// on every record (BenchmarkDecodeRangeSkip, six interleaved runs on one core: a filter
// storing four columns of ten 44.4 → 39.0 ns a row, a top-N storing one 33.1 → 29.5).
// The window's masks are terms and delims, its bytes start at position w0, size of
// them, and records end before end. From the record at ls, it
// takes records, row after row, until one of the reasons above: each record's first
// listed delimiters and its end go to its ncols slots of seps (from seps[0]), its
// line, start and end to lines, starts and ends (whose length is the room for rows).
// It returns the next record's start, the row and the line reached, and why it
// stopped.
func sparseGroup(terms, delims []uint64, seps []int, lines []int64, starts, ends []int32,
	w0, size, end, stop, ls, row, ncols, listed int, line int64) (int, int, int64, int) {
	nw := len(terms)
	delims = delims[:nw]
	at := 0
	for {
		o := ls - w0 // the record's start in the window
		if o >= size {
			return ls, row, line, groupWindowEnd
		}
		w := o >> 6
		t := terms[w] & (^uint64(0) << (o & 63))
		for t == 0 && w+1 < nw {
			w++
			t = terms[w]
		}
		if t == 0 {
			// The record goes on past the window, and past lim when the window
			// reaches it: then it holds the quote, record's.
			if size >= end {
				return ls, row, line, groupDone
			}
			return ls, row, line, groupWindowEnd
		}
		e := w<<6 + bits.TrailingZeros64(t)
		if e >= end {
			return ls, row, line, groupDone // the record reaches lim: it holds the quote, record's
		}
		if e == o {
			return ls, row, line, groupBlank
		}
		if row >= len(lines) {
			return ls, row, line, groupFull
		}
		// Count the delimiters up to the terminator; when they are the right number,
		// the first ones listed are before it.
		ew, wd := e>>6, o>>6
		d := delims[wd] & (^uint64(0) << (o & 63))
		k := bits.OnesCount64(d)
		for w := wd + 1; w <= ew; w++ {
			k += bits.OnesCount64(delims[w])
		}
		if k -= bits.OnesCount64(delims[ew] &^ (1<<(e&63) - 1)); k != ncols-1 {
			return ls, row, line, groupRagged // left to record
		}
		listDelimiters(seps[at:at+listed], delims, wd, d, w0)
		seps[at+ncols-1] = w0 + e
		at += ncols
		lines[row] = line
		starts[row], ends[row] = int32(ls), int32(w0+e)
		line++
		row++
		ls = w0 + e + 1
		if ls >= stop {
			return ls, row, line, groupDone
		}
	}
}

// minSparseWindow is the size of sparseRecords' first window, and of the next after a
// ragged record.
const minSparseWindow = 256

// listDelimiters writes to dst the positions of the first len(dst) delimiters from bit
// d of delims[w] on (d: that word with the bits before the record's start cleared), the
// window starting at position base. Small enough to be inlined into sparseGroup, where
// a call would make the loop spill and reload its variables on every record (a Go call
// keeps no register).
func listDelimiters(dst []int, delims []uint64, w int, d uint64, base int) {
	for k := range dst {
		for d == 0 {
			w++
			d = delims[w]
		}
		dst[k] = base + w<<6 + bits.TrailingZeros64(d)
		d &= d - 1
	}
}
