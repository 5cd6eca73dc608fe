package csvfmt

import (
	"bytes"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/table"
)

// A chunk decoded whole (Decoder.DecodeWhole) is one whose input bytes are already what
// Writer would write for its rows: the caller writes them as they are (Writer.Verbatim)
// and needs nothing else of the chunk but its row count. Such a chunk is only checked,
// not decoded: its records are found and their fields counted, its quoted fields are
// checked to be quoted as Writer quotes, and no value, row position or line number is
// stored. An identity run spent more than half of its decoding time storing what it then
// did not read (the records' positions, every skipped column's offsets, the values of
// the rows with quotes, which Verbatim encoded again to compare with the input).
//
// The bytes qualify when every record:
//
//	ends in LF, holds no CR and is not blank;
//	has as many fields as the header;
//	quotes a field only as a whole ("a,b" but not a"b" or "a"b), and only when the
//	field holds the delimiter, a quote (doubled: "say ""hi""") or a line end,
//	as Writer does.
//
// Anything else (and a chunk whose last record runs past the bytes read) is decoded the
// usual way, which writes or reports it as it always has.

// wholeWindow is the most bytes verbatimRecords takes masks of at once.
const wholeWindow = 16 << 10

// The states of verbatimRecords' byte loop: where in a field the byte before is.
const (
	atFieldStart = iota // at the start of a field (of a record, or after a delimiter)
	inUnquoted          // in a field that does not start with a quote
	inQuoted            // in a quoted field
	afterQuote          // after a quote in a quoted field: its end, or the first of ""
)

// verbatimRecords checks the records of buf that start in [p, stop) against the rules
// above, with delimiter delim and ncols fields each. It returns the end of the last
// (after its LF), the number of records and of line ends inside their quoted fields,
// and whether they all qualify.
// delims and terms hold the masks of a window (wholeWindow/64 words each).
//
// Outside quotes it counts fields from bit masks, 64 bytes at a time (as sparseRecords
// does): a record ends at the next bit of the line ends' mask, and its delimiters are a
// population count. A block holding a quote, and the bytes from there until its quoted
// fields end, go byte by byte through a state machine, which also checks the quoting.
func verbatimRecords(buf []byte, p, stop int, delim byte, ncols int, delims, terms []uint64) (end, rows, quotedLineEnds int, ok bool) {
	if p >= stop || ncols < 1 {
		return 0, 0, 0, false
	}
	dm, tm := uint64(delim)*lsb8, uint64('\n')*lsb8
	rs, fields := p, 0 // the current record's start, and its delimiters so far
	pos, state, special := p, atFieldStart, false
	for {
		if state <= inUnquoted && len(buf)-pos >= 64 {
			window := buf[pos : pos+min(len(buf)-pos, wholeWindow)&^63]
			blocks, hasCR := splitSeparatorMasks(window, dm, tm, delims, terms)
			if hasCR {
				return 0, 0, 0, false
			}
			fast := blocks // the blocks before the first holding a quote
			if bytes.IndexByte(window[(blocks-1)*64:blocks*64], '"') >= 0 {
				fast--
			}
			var n int
			var done bool
			if rs, fields, n, done, ok = maskRecords(delims[:fast], terms[:fast], pos, rs, fields, ncols-1, stop); !ok {
				return 0, 0, 0, false
			}
			rows += n
			if done {
				return rs, rows, quotedLineEnds, true
			}
			pos += fast << 6
			if pos == rs || buf[pos-1] == delim {
				state = atFieldStart
			} else {
				state = inUnquoted
			}
			if fast == blocks {
				continue
			}
		}
		// Byte by byte: the block holding a quote, and on to the end of its quoted
		// fields; or the last bytes, fewer than a block.
		for resume := pos + 64; pos < len(buf); {
			c := buf[pos]
			pos++
			recordEnds := false
			switch state {
			case atFieldStart:
				switch c {
				case '"':
					state, special = inQuoted, false
				case delim:
					fields++
				case '\n':
					recordEnds = true
				case '\r':
					return 0, 0, 0, false
				default:
					state = inUnquoted
				}
			case inUnquoted:
				switch c {
				case delim:
					fields++
					state = atFieldStart
				case '\n':
					recordEnds = true
				case '"', '\r':
					return 0, 0, 0, false // a quote inside a field, or a CR
				}
			case inQuoted:
				switch c {
				case '"':
					state = afterQuote
				case delim:
					special = true
				case '\n':
					special = true
					quotedLineEnds++
				case '\r':
					return 0, 0, 0, false
				}
			default: // afterQuote
				switch {
				case c == '"':
					state, special = inQuoted, true // a doubled quote
				case !special:
					return 0, 0, 0, false // quoted, but Writer would not quote it
				case c == delim:
					fields++
					state = atFieldStart
				case c == '\n':
					recordEnds = true
				default:
					return 0, 0, 0, false // text after the closing quote
				}
			}
			if recordEnds {
				if fields != ncols-1 || pos-1 == rs {
					return 0, 0, 0, false
				}
				rows++
				rs, fields, state = pos, 0, atFieldStart
				if rs >= stop {
					return rs, rows, quotedLineEnds, true
				}
			}
			if state <= inUnquoted && pos >= resume && len(buf)-pos >= 64 {
				break // back to the masks
			}
		}
		if pos >= len(buf) {
			return 0, 0, 0, false // the last record runs past the bytes read
		}
	}
}

// maskRecords is verbatimRecords' loop over the masks of blocks without quotes, the
// first at position base, the current record starting at rs with fields delimiters so
// far: it counts the records that end in those blocks, each of want delimiters and not
// blank, until one ends at or past stop (done). It returns the current record's start
// and delimiters after them, and ok false at a record that does not qualify. Out of
// verbatimRecords, whose many variables left this loop's in stack slots.
func maskRecords(delims, terms []uint64, base, rs, fields, want, stop int) (int, int, int, bool, bool) {
	rows := 0
	delims = delims[:len(terms)]
	for w, t := range terms {
		d := delims[w]
		for t != 0 {
			e := bits.TrailingZeros64(t)
			below := uint64(1)<<e - 1
			fields += bits.OnesCount64(d & below)
			d &^= below
			at := base + w<<6 + e
			if fields != want || at == rs {
				return rs, fields, rows, false, false // ragged, or a blank line
			}
			rows++
			rs, fields = at+1, 0
			if rs >= stop {
				return rs, fields, rows, true, true
			}
			t &= t - 1
		}
		fields += bits.OnesCount64(d)
	}
	return rs, fields, rows, false, true
}

// DecodeWhole makes DecodeRange return chunks that qualify (see verbatimRecords) only
// checked, for a caller that writes them as their input bytes and reads nothing else
// of them: their columns are empty strings, Raw.Whole is set and Raw.Data holds the
// rows' bytes, nothing else of Raw is set, and Chunk.Lines is nil. Chunks that do not
// qualify are decoded as SkipColumns says. Only for UTF-8 input with LF line ends whose
// columns are all skipped; it does nothing otherwise.
func (d *Decoder) DecodeWhole() {
	if d.ps.skip == nil || d.in.LineEnd != '\n' || d.ps.cs != charsetUTF8 {
		return
	}
	for _, skipped := range d.ps.skip {
		if !skipped {
			return
		}
	}
	d.whole = true
}

// decodeWhole is DecodeRange's way for a chunk DecodeWhole asked for: the chunk of the
// records of buf from p that start before stop, or false when they do not qualify.
// start and lo are the file offsets of buf[p] and buf[0].
func (d *Decoder) decodeWhole(buf []byte, p, stop int, start, lo int64) (Decoded, bool) {
	if d.wholeMasks == nil {
		d.wholeMasks = make([]uint64, 2*wholeWindow/64)
	}
	delims, terms := d.wholeMasks[:wholeWindow/64], d.wholeMasks[wholeWindow/64:]
	ncols := len(d.in.Header)
	end, rows, quotedLineEnds, ok := verbatimRecords(buf, p, stop, d.in.Delimiter, ncols, delims, terms)
	if !ok || end-p > 1<<31-1 || d.checkUTF8(buf[p:end]) != nil {
		return Decoded{}, false
	}
	// Every column is rows empty strings: one slice of zero offsets serves them all,
	// and every chunk after, read only.
	if len(d.zeros) < rows+1 {
		d.zeros = make([]int32, rows+1+rows/4)
	}
	arrs := make([]arrow.Array, ncols)
	for j := range arrs {
		arrs[j] = table.StringColumn(nil, d.zeros[:rows+1], nil, 0)
	}
	batch := array.NewRecordBatch(d.in.schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	chunk := &table.Chunk{Source: table.Source{File: d.in.Name}, Batch: batch,
		Raw: &table.RawRows{Columns: arrs, Data: buf[p:end], Delimiter: d.in.Delimiter, Sparse: d.ps.skip, Whole: true}}
	return Decoded{Chunk: chunk, Start: start, End: lo + int64(end), Rows: int64(rows), Lines: int64(rows + quotedLineEnds)}, true
}
