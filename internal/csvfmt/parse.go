package csvfmt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// status is what parser.record found at a position.
type status uint8

const (
	stRecord status = iota // a record was parsed
	stBlank                // a blank line was skipped
	stMore                 // the buffer ends inside a record; call again with more bytes
	stEnd                  // end of input
)

// column accumulates one output column of a chunk: values back to back in data,
// Arrow offsets (rows+1 entries) and the rows whose value is null (empty).
type column struct {
	data     []byte
	offsets  []int32
	nullRows []int32
}

func (c *column) reset() {
	c.data = c.data[:0]
	c.offsets = append(c.offsets[:0], 0)
	c.nullRows = c.nullRows[:0]
}

// parser is the one CSV state machine that produces values (the boundary scanner in
// scan.go mirrors it without output). It parses row-major straight into per-column
// buffers, so each field byte is copied once.
type parser struct {
	file   string
	delim  byte
	term   byte // '\n', or '\r' for files with bare-CR line ends
	cs     charset
	ragged RaggedPolicy
	ncols  int
	// grow makes the first record define the columns (header parsing).
	grow bool

	stop [256]bool // delim and term: the bytes that end an unquoted field

	cols  []column
	rows  int
	lines []int64 // per row: terminators consumed before it since the chunk start
	// reshaped lists the records the ragged policy padded or truncated, in order.
	reshaped []Reshaped
	line     int64                   // terminators consumed since the chunk start
	seps     []int                   // plainRecords' list of separator positions
	masks    [maxBatch/64 + 1]uint64 // findSeparators' bit masks of a batch; sparseRecords' delimiters'
	terms    [maxBatch / 64]uint64   // sparseRecords' bit masks of a batch's terminators
	// sparseWindow is the window sparseRecords starts its next call with.
	sparseWindow int

	// For table.RawRows: per row, its bytes in the input without the line end, set by
	// plainRecords (kept at full length, like its other buffers), and a bit per row
	// that plainRecords took and that holds no CR (bits for other rows stay clear).
	rawStarts, rawEnds []int32
	rawPlain           []uint64
	// skip marks the columns plainRecords leaves empty on the rows it marks plain
	// (Decoder.SkipColumns); nil when every column is stored.
	skip []bool
}

func newParser(file string, delim, term byte, cs charset, ragged RaggedPolicy, ncols int) *parser {
	p := &parser{file: file, delim: delim, term: term, cs: cs, ragged: ragged, ncols: ncols}
	p.stop[delim] = true
	p.stop[term] = true
	return p
}

// rawRows reports whether the rows of this input read back as their own bytes, which
// table.RawRows describes: UTF-8 with LF or CR LF line ends (int32 positions further
// limit a chunk's data to 2 GiB).
func (p *parser) rawRows() bool { return p.cs == charsetUTF8 && p.term == '\n' }

// begin starts a chunk with the given column buffers (reset here).
func (p *parser) begin(cols []column) {
	for i := range cols {
		cols[i].reset()
	}
	p.cols = cols
	p.rows = 0
	p.lines = p.lines[:0]
	p.line = 0
	p.reshaped = p.reshaped[:0]
	clear(p.rawPlain)
	p.rawPlain = p.rawPlain[:0]
}

func (p *parser) errorf(line int64, col int, format string, args ...any) *ParseError {
	return &ParseError{File: p.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// fieldStart prepares column col for a new value. It reports whether the value is kept
// (false for fields beyond the header, which ragged policies drop or reject).
func (p *parser) fieldStart(col int) bool {
	if col < len(p.cols) {
		return true
	}
	if p.grow && p.rows == 0 {
		p.cols = append(p.cols, column{offsets: []int32{0}})
		return true
	}
	return false
}

func (p *parser) appendData(col int, b []byte) {
	c := &p.cols[col]
	if p.cs == charsetUTF8 {
		c.data = append(c.data, b...)
	} else {
		c.data = appendTranscoded(c.data, b, p.cs)
	}
}

func (p *parser) fieldEnd(col int) {
	c := &p.cols[col]
	n := len(c.data)
	if int32(n) == c.offsets[len(c.offsets)-1] {
		c.nullRows = append(c.nullRows, int32(p.rows))
	}
	c.offsets = append(c.offsets, int32(n))
}

// putField stores a whole field in one go (the unquoted fast path).
func (p *parser) putField(col int, b []byte) {
	if !p.fieldStart(col) {
		return
	}
	c := &p.cols[col]
	if p.cs == charsetUTF8 {
		c.data = append(c.data, b...)
	} else {
		c.data = appendTranscoded(c.data, b, p.cs)
	}
	n := len(c.data)
	if len(b) == 0 {
		c.nullRows = append(c.nullRows, int32(p.rows))
	}
	c.offsets = append(c.offsets, int32(n))
}

// rollback forgets the fields stored for the current, incomplete row.
func (p *parser) rollback(line int64) {
	row := p.rows
	for j := range p.cols {
		c := &p.cols[j]
		if len(c.offsets) > row+1 {
			c.offsets = c.offsets[:row+1]
			c.data = c.data[:c.offsets[row]]
		}
		for len(c.nullRows) > 0 && c.nullRows[len(c.nullRows)-1] == int32(row) {
			c.nullRows = c.nullRows[:len(c.nullRows)-1]
		}
	}
	p.line = line
}

// endRecord applies the ragged policy to a record of nfields fields that started at
// line startLine, whose bytes are rec, and counts the row.
func (p *parser) endRecord(nfields int, startLine int64, rec []byte) error {
	want := len(p.cols)
	if nfields != want && !(p.grow && p.rows == 0) {
		if nfields < want && p.ragged&RaggedPad == 0 || nfields > want && p.ragged&RaggedTruncate == 0 {
			p.rollback(startLine)
			err := p.errorf(startLine, 0, "expected %d fields, found %d", want, nfields)
			err.Hint = fieldCountHint(rec, p.delim, want, nfields)
			return err
		}
		for j := nfields; j < want; j++ {
			c := &p.cols[j]
			c.nullRows = append(c.nullRows, int32(p.rows))
			c.offsets = append(c.offsets, int32(len(c.data)))
		}
		if !p.grow {
			p.reshaped = append(p.reshaped, Reshaped{Line: startLine, Fields: nfields, Columns: want})
		}
	}
	p.lines = append(p.lines, startLine)
	p.rows++
	return nil
}

const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
	low7 = 0x7F7F7F7F7F7F7F7F
)

// scanUnquoted returns the index of the first delimiter or terminator at or after i,
// or len(buf). It tests 8 bytes at a time: (v-lsb)&^v&msb flags the lowest zero byte of
// v exactly (borrows only propagate upwards from a zero byte), which is all we need.
func (p *parser) scanUnquoted(buf []byte, i int) int {
	dm := uint64(p.delim) * lsb8
	tm := uint64(p.term) * lsb8
	for i+8 <= len(buf) {
		v := binary.LittleEndian.Uint64(buf[i:])
		a := v ^ dm
		b := v ^ tm
		m := ((a - lsb8) &^ a & msb8) | ((b - lsb8) &^ b & msb8)
		if m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
		i += 8
	}
	for i < len(buf) && !p.stop[buf[i]] {
		i++
	}
	return i
}

// isBlankTail reports whether text after a closing quote is only spaces and tabs.
func isBlankTail(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' {
			return false
		}
	}
	return true
}

// record parses the record starting at buf[i]. It returns the position after it, what
// it found, and the number of fields the record had. With atEOF false, a record that
// reaches the end of buf is rolled back and stMore returned. Field counts beyond the
// columns are dropped or rejected by the ragged policy in endRecord.
func (p *parser) record(buf []byte, i int, atEOF bool) (int, status, int, error) {
	n := len(buf)
	if i >= n {
		if atEOF {
			return i, stEnd, 0, nil
		}
		return i, stMore, 0, nil
	}
	// Blank lines: a terminator alone, or CR LF in LF mode (and a lone CR at EOF).
	if c := buf[i]; c == p.term {
		p.line++
		return i + 1, stBlank, 0, nil
	} else if c == '\r' && p.term == '\n' {
		switch {
		case i+1 < n:
			if buf[i+1] == '\n' {
				p.line++
				return i + 2, stBlank, 0, nil
			}
		case atEOF:
			return i + 1, stBlank, 0, nil
		default:
			return i, stMore, 0, nil
		}
	}
	recStart, startLine := i, p.line
	col := 0
	for {
		if i < n && buf[i] == '"' {
			next, done, err := p.quotedField(buf, i, col, atEOF, startLine)
			if err != nil || next < 0 {
				p.rollback(startLine)
				if err != nil {
					return recStart, stMore, 0, err
				}
				return recStart, stMore, 0, nil
			}
			col++
			i = next
			if done {
				return i, stRecord, col, p.endRecord(col, startLine, buf[recStart:i])
			}
			continue
		}
		j := p.scanUnquoted(buf, i)
		if j == n && !atEOF {
			p.rollback(startLine)
			return recStart, stMore, 0, nil
		}
		isDelim := j < n && buf[j] == p.delim
		end := j
		if !isDelim && p.term == '\n' && end > i && buf[end-1] == '\r' {
			end--
		}
		if col < len(p.cols) && p.cs == charsetUTF8 {
			// The common case, inlined: one short fixed-size copy per field.
			c := &p.cols[col]
			c.data = appendField(c.data, buf, i, end)
			if end == i {
				c.nullRows = append(c.nullRows, int32(p.rows))
			}
			c.offsets = append(c.offsets, int32(len(c.data)))
		} else {
			p.putField(col, buf[i:end])
		}
		col++
		if isDelim {
			i = j + 1
			continue
		}
		if j < n {
			p.line++
			j++
		}
		return j, stRecord, col, p.endRecord(col, startLine, buf[recStart:j])
	}
}

// appendField appends src[i:j] to dst. Fields are mostly short, and a constant-size
// 16-byte move (two 8-byte loads and stores) (when both slices have room) beats a memmove call; the bytes it copies
// past j are overwritten by the next field.
func appendField(dst, src []byte, i, j int) []byte {
	n := len(dst)
	if j-i <= 16 && i+16 <= len(src) && n+16 <= cap(dst) {
		d, s := dst[n:n+16], src[i:i+16]
		binary.LittleEndian.PutUint64(d, binary.LittleEndian.Uint64(s))
		binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:]))
		return dst[:n+j-i]
	}
	return append(dst, src[i:j]...)
}

// quotedField parses a field starting with a quote at buf[i]. It returns the position
// after the field's delimiter or the record's terminator, and done=true when the record
// ended. next < 0 means more input is needed.
func (p *parser) quotedField(buf []byte, i, col int, atEOF bool, startLine int64) (next int, done bool, err error) {
	n := len(buf)
	keep := p.fieldStart(col)
	q := i + 1
	for {
		k := bytes.IndexByte(buf[q:], '"')
		if k < 0 {
			if !atEOF {
				return -1, false, nil
			}
			return 0, false, p.errorf(startLine, col+1, unclosedQuote)
		}
		k += q
		seg := buf[q:k]
		p.line += int64(bytes.Count(seg, []byte{p.term}))
		if keep {
			p.appendData(col, seg)
		}
		if k+1 == n {
			if !atEOF {
				return -1, false, nil
			}
			p.endQuoted(col, keep)
			return n, true, nil
		}
		switch c := buf[k+1]; {
		case c == '"':
			if keep {
				p.appendData(col, buf[k:k+1])
			}
			q = k + 2
			continue
		case c == p.delim:
			p.endQuoted(col, keep)
			return k + 2, false, nil
		case c == p.term:
			p.line++
			p.endQuoted(col, keep)
			return k + 2, true, nil
		}
		// Text after the closing quote: kept as is up to the delimiter, unless it is
		// only spaces and tabs (`"a" ,` reads as `a`).
		j := p.scanUnquoted(buf, k+1)
		if j == n && !atEOF {
			return -1, false, nil
		}
		end := j
		if (j == n || buf[j] == p.term) && p.term == '\n' && end > k+1 && buf[end-1] == '\r' {
			end--
		}
		if tail := buf[k+1 : end]; keep && !isBlankTail(tail) {
			p.appendData(col, tail)
		}
		p.endQuoted(col, keep)
		if j == n {
			return n, true, nil
		}
		if buf[j] == p.delim {
			return j + 1, false, nil
		}
		p.line++
		return j + 1, true, nil
	}
}

func (p *parser) endQuoted(col int, keep bool) {
	if keep {
		p.fieldEnd(col)
	}
}
