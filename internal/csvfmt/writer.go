package csvfmt

import (
	"bytes"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/table"
)

// Writer formats records as CSV text: UTF-8, minimal quoting (a field is quoted only
// when it contains the delimiter, '"', CR or LF; quotes are doubled), LF line ends
// unless CRLF. Null and empty values are written as nothing, except that a record of
// one empty field is written as "" so that it does not read back as a blank line.
// The zero Delimiter means comma.
type Writer struct {
	Delimiter byte
	CRLF      bool
}

func (w Writer) delim() byte {
	if w.Delimiter == 0 {
		return ','
	}
	return w.Delimiter
}

func (w Writer) eol(dst []byte) []byte {
	if w.CRLF {
		return append(dst, '\r', '\n')
	}
	return append(dst, '\n')
}

// needsQuotes reports whether b must be quoted.
func (w Writer) needsQuotes(b []byte) bool {
	d := w.delim()
	for _, c := range b {
		if c == d || c == '"' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

func appendQuoted(dst, b []byte) []byte {
	dst = append(dst, '"')
	for {
		k := bytes.IndexByte(b, '"')
		if k < 0 {
			break
		}
		dst = append(dst, b[:k+1]...)
		dst = append(dst, '"')
		b = b[k+1:]
	}
	dst = append(dst, b...)
	return append(dst, '"')
}

// AppendHeader appends one record of column names.
func (w Writer) AppendHeader(dst []byte, names []string) []byte {
	if len(names) == 0 {
		return dst
	}
	if len(names) == 1 && names[0] == "" {
		return w.eol(append(dst, '"', '"'))
	}
	for i, n := range names {
		if i > 0 {
			dst = append(dst, w.delim())
		}
		if w.needsQuotes([]byte(n)) {
			dst = appendQuoted(dst, []byte(n))
		} else {
			dst = append(dst, n...)
		}
	}
	return w.eol(dst)
}

// textChars are all the bytes table.AppendText can produce for non-string types
// (digits, signs, exponents, NaN/Inf, true/false, dates and times); only a delimiter
// among them makes such values need quoting.
const textChars = "0123456789+-.:eETNaInftrulsf"

// colWriter writes one column's values from the buffers of a string column: the
// column's own, or for other types the text table.AppendText formats once per chunk.
type colWriter struct {
	// data is the whole value buffer up to its capacity, so that a 16-byte move may
	// read past the last value; offsets (rows+1 entries) index it directly.
	data    []byte
	offsets []int32
	// slow has a bit per row whose value cannot be copied as it is: it needs quotes
	// or is a null with bytes behind it. nil when there is none.
	slow []uint64
	// str is the string column, for its nulls; nil for formatted text, where nulls
	// are empty.
	str *array.String
	// text holds the formatted text, back to textBufs after the chunk.
	text *textBuf
	// floats, when not nil, are a Float64 column's values, formatted straight into
	// the output (writeFloat) instead of through text; floatCol is the column, for
	// its nulls.
	floats   []float64
	floatCol *array.Float64
}

// textBuf holds one column's formatted text; textBufs recycles them across chunks
// and the workers that share a Writer value.
type textBuf struct {
	data []byte
	ends []int32
}

var textBufs = sync.Pool{New: func() any { return new(textBuf) }}

// AppendChunk appends every row of b.
//
// Most values are copied as they are: non-string columns are first formatted into
// text buffers, and per column the rows that need anything else (quoting, a null with
// bytes behind it) are found beforehand, so the row loop tests one bit per value and
// otherwise makes a fixed 16-byte move into output sized in advance.
func (w Writer) AppendChunk(dst []byte, b arrow.RecordBatch) ([]byte, error) {
	ncols := int(b.NumCols())
	rows := int(b.NumRows())
	if ncols == 0 || rows == 0 {
		return dst, nil
	}
	d := w.delim()
	cws, specials, textSpecials := w.columnWriters(ncols)
	defer releaseText(cws)
	// size is the output size: values, one delimiter or line end per value, CRs,
	// quotes and the "" of empty records.
	size := rows*ncols + 16
	if w.CRLF {
		size += rows
	}
	if ncols == 1 {
		size += 2 * rows
	}
	for j := range cws {
		cw := &cws[j]
		if prepareFloats(cw, b.Column(j), textSpecials) {
			size += rows * floatRoom
			continue
		}
		special, err := prepare(cw, b.Column(j), specials, textSpecials)
		if err != nil {
			return dst, err
		}
		size += int(cw.offsets[rows] - cw.offsets[0])
		size += w.markSlow(cw, rows, special)
	}
	if cap(dst)-len(dst) < size {
		nd := make([]byte, len(dst), len(dst)+size)
		copy(nd, dst)
		dst = nd
	}
	// Write at full capacity with index assignments; pos is the length written.
	out, pos := dst[:cap(dst)], len(dst)
	for i := range rows {
		lineStart := pos
		for j := range cws {
			cw := &cws[j]
			if cw.floats != nil {
				out, pos = cw.writeFloat(out, pos, i, d)
				continue
			}
			if cw.slow != nil && cw.slow[i>>6]&(1<<(i&63)) != 0 {
				out, pos = w.appendSlow(out, pos, cw, i)
				continue
			}
			s, e := int(cw.offsets[i]), int(cw.offsets[i+1])
			n := e - s
			if n <= 16 && s+16 <= len(cw.data) && pos+17 <= len(out) {
				// Most values are short: a constant 16-byte move (one SSE load and
				// store) beats a memmove call; the bytes it writes past n are
				// overwritten by what follows.
				*(*[16]byte)(out[pos:]) = *(*[16]byte)(cw.data[s:])
			} else {
				out = ensure(out, pos, n+1)
				copy(out[pos:], cw.data[s:e])
			}
			out[pos+n] = d // a delimiter after every value; the last becomes the line end
			pos += n + 1
		}
		pos--
		if ncols == 1 && pos == lineStart {
			// A record of one empty value would read back as a blank line.
			out = ensure(out, pos, 2)
			out[pos], out[pos+1] = '"', '"'
			pos += 2
		}
		out = ensure(out, pos, 2)
		if w.CRLF {
			out[pos] = '\r'
			pos++
		}
		out[pos] = '\n'
		pos++
	}
	return out[:pos], nil
}

// prepare points cw at col's values: a string column's own buffers, or for other types
// its text formatted by table.AppendText. It returns the bytes that may need quoting
// in those values: specials, or textSpecials for formatted text.
func prepare(cw *colWriter, col arrow.Array, specials, textSpecials []byte) ([]byte, error) {
	if s, ok := col.(*array.String); ok {
		cw.str = s
		cw.offsets = s.ValueOffsets()
		if buf := s.Data().Buffers()[2]; buf != nil {
			cw.data = buf.Bytes()
			cw.data = cw.data[:cap(cw.data)]
		}
		return specials, nil
	}
	tb := textBufs.Get().(*textBuf)
	cw.text = tb
	var err error
	tb.data, tb.ends, err = table.AppendText(tb.data[:0], append(tb.ends[:0], 0), col)
	if err != nil {
		return nil, err
	}
	tb.data = slices.Grow(tb.data, 16)
	cw.data, cw.offsets = tb.data[:cap(tb.data)], tb.ends
	return textSpecials, nil
}

// prepareFloats points cw at col's values when col is a Float64 column whose text
// never needs quotes (no delimiter among textSpecials), for writeFloat, and reports
// whether it did. Formatting each value straight into the output spares the text
// buffer that prepare fills and the row loop copies again.
func prepareFloats(cw *colWriter, col arrow.Array, textSpecials []byte) bool {
	a, ok := col.(*array.Float64)
	if !ok || len(textSpecials) > 0 {
		return false
	}
	cw.floats = a.Float64Values()
	if a.NullN() > 0 {
		cw.floatCol = a
	}
	return true
}

// floatRoom is the output a float value is given in advance: the most
// table.AppendFloat writes (24 bytes, as -1.2345678901234567e-300) and its delimiter.
// Its fast path stores 32-byte words past the text, which writeFloat makes room for.
const floatRoom = 25

// writeFloat writes value i of cw's floats (nothing for a null) and a delimiter at
// out[pos:], as table.AppendFloat formats it.
func (cw *colWriter) writeFloat(out []byte, pos, i int, d byte) ([]byte, int) {
	if cw.floatCol == nil || cw.floatCol.IsValid(i) {
		out = ensure(out, pos, 40)
		text := table.AppendFloat(out[:pos], cw.floats[i])
		out, pos = text[:cap(text)], len(text)
	}
	out = ensure(out, pos, 1)
	out[pos] = d
	return out, pos + 1
}

// ensure returns out with room for n bytes at pos, keeping out[:pos].
func ensure(out []byte, pos, n int) []byte {
	if pos+n <= len(out) {
		return out
	}
	nd := make([]byte, max(2*len(out), pos+n+64))
	copy(nd, out[:pos])
	return nd
}

// markSlow sets cw.slow: the rows whose value needs quotes, found with one vectorised
// search per special byte (those the column's text may hold of the delimiter, '"', CR
// and LF) and a binary search for the row of each hit, and for a string column the
// nulls that have bytes behind them (Arrow allows it; they are written as nothing). It
// returns the extra output bytes the quoting takes.
func (w Writer) markSlow(cw *colWriter, rows int, special []byte) int {
	offs := cw.offsets
	lo, hi := int(offs[0]), int(offs[rows])
	if hi > len(cw.data) {
		hi = len(cw.data) // a malformed array; Value would panic on it too
	}
	mark := func(r int) {
		if cw.slow == nil {
			cw.slow = make([]uint64, (rows+63)/64)
		}
		cw.slow[r>>6] |= 1 << (r & 63)
	}
	extra := 0
	for _, c := range special {
		for p := lo; p < hi; {
			k := bytes.IndexByte(cw.data[p:hi], c)
			if k < 0 {
				break
			}
			// The row whose value holds position p+k: the last with offset <= p+k.
			r := sort.Search(rows, func(r int) bool { return int(offs[r+1]) > p+k })
			if cw.slow == nil || cw.slow[r>>6]&(1<<(r&63)) == 0 {
				mark(r)
				v := cw.data[offs[r]:offs[r+1]]
				extra += 2 + bytes.Count(v, quoteSep)
			}
			p = int(offs[r+1])
		}
	}
	if cw.str != nil && cw.str.NullN() > 0 {
		for r := range rows {
			if cw.str.IsNull(r) && offs[r] != offs[r+1] {
				mark(r)
			}
		}
	}
	return extra
}

// appendSlow writes row i's value of cw and a delimiter at out[pos:], by appending:
// nulls with bytes behind them and values that need quotes.
func (w Writer) appendSlow(out []byte, pos int, cw *colWriter, i int) ([]byte, int) {
	dst := out[:pos]
	if cw.str == nil || !cw.str.IsNull(i) {
		v := cw.data[cw.offsets[i]:cw.offsets[i+1]]
		if w.needsQuotes(v) {
			dst = appendQuoted(dst, v)
		} else {
			dst = append(dst, v...)
		}
	}
	dst = append(dst, w.delim())
	return dst[:cap(dst)], len(dst)
}

// AppendRows appends every row of c, as AppendChunk would, copying rows from c.Raw
// where that gives the same bytes: when the batch's first columns are still the very
// arrays the reader decoded (transforms that only add columns keep them), a row the
// reader marked plain is its input line, followed by the added columns' values.
// Consecutive plain lines adjacent in the input are copied at once.
func (w Writer) AppendRows(dst []byte, c *table.Chunk) ([]byte, error) {
	raw, b := c.Raw, c.Batch
	if !w.rawApplies(raw, b) {
		if j := sparseColumn(raw, b); j >= 0 {
			return dst, fmt.Errorf("internal error: column %d was not decoded but is written from its values", j+1)
		}
		return w.AppendChunk(dst, b)
	}
	ncols, np := int(b.NumCols()), len(raw.Columns)
	rows := int(b.NumRows())
	if ncols == 0 || rows == 0 {
		return dst, nil
	}
	plainRows := 0
	for _, word := range raw.Plain[:(rows+63)/64] {
		plainRows += bits.OnesCount64(word)
	}
	if plainRows < rows/2 && raw.Sparse == nil {
		// Mostly quoted input: the other rows are written value by value, slower
		// than AppendChunk's column-wise preparation.
		return w.AppendChunk(dst, b)
	}
	d := w.delim()
	cws, specials, textSpecials := w.columnWriters(ncols)
	defer releaseText(cws)
	// As AppendChunk's, with at most two quotes per value of the rows not plain
	// (doubled quotes inside them are rare enough to be left to ensure).
	size := rows*ncols + 16 + (rows-plainRows)*np*2
	for j := range cws {
		cw := &cws[j]
		if j >= np && prepareFloats(cw, b.Column(j), textSpecials) {
			size += rows * floatRoom
			continue
		}
		special, err := prepare(cw, b.Column(j), specials, textSpecials)
		if err != nil {
			return dst, err
		}
		size += int(cw.offsets[rows] - cw.offsets[0])
		if j >= np {
			// The first np columns are written from the input, or value by value.
			size += w.markSlow(cw, rows, special)
		}
	}
	if cap(dst)-len(dst) < size {
		nd := make([]byte, len(dst), len(dst)+size)
		copy(nd, dst)
		dst = nd
	}
	out, pos := dst[:cap(dst)], len(dst)
	data, starts, ends, plain := raw.Data, raw.Starts, raw.Ends, raw.Plain
	for i := 0; i < rows; i++ {
		from := 0
		if plain[i>>6]&(1<<(i&63)) != 0 {
			s, e := int(starts[i]), int(ends[i])
			if ncols == np {
				// Take the following plain lines that the input holds right after
				// this one, LF-terminated: one copy for them all.
				for i+1 < rows && plain[(i+1)>>6]&(1<<((i+1)&63)) != 0 &&
					int(starts[i+1]) == e+1 && data[e] == '\n' {
					i++
					e = int(ends[i])
				}
			}
			out = ensure(out, pos, e-s+1)
			pos += copy(out[pos:], data[s:e])
			out[pos] = d
			pos++
			from = np
		}
		lineStart := pos
		for j := from; j < ncols; j++ {
			cw := &cws[j]
			if cw.floats != nil {
				out, pos = cw.writeFloat(out, pos, i, d)
				continue
			}
			if j < np || cw.slow != nil && cw.slow[i>>6]&(1<<(i&63)) != 0 {
				// Rows the reader did not mark plain are rare: each value is checked.
				out, pos = w.appendSlow(out, pos, cw, i)
				continue
			}
			// AppendChunk's copy of a value, written out again: as a function too
			// large to inline it costs AppendChunk 6% (BenchmarkAppendChunk).
			s, e := int(cw.offsets[i]), int(cw.offsets[i+1])
			n := e - s
			if n <= 16 && s+16 <= len(cw.data) && pos+17 <= len(out) {
				*(*[16]byte)(out[pos:]) = *(*[16]byte)(cw.data[s:])
			} else {
				out = ensure(out, pos, n+1)
				copy(out[pos:], cw.data[s:e])
			}
			out[pos+n] = d
			pos += n + 1
		}
		pos--
		if ncols == 1 && from == 0 && pos == lineStart {
			out = ensure(out, pos, 2)
			out[pos], out[pos+1] = '"', '"'
			pos += 2
		}
		out = ensure(out, pos, 1)
		out[pos] = '\n'
		pos++
	}
	return out[:pos], nil
}

// CopiesRows reports whether the writer writes a plain row of input with this
// delimiter (see table.RawRows) as the row's own bytes, when its values are unchanged.
func (w Writer) CopiesRows(delim byte) bool { return !w.CRLF && w.delim() == delim }

// rawApplies reports whether raw describes b's rows as this writer would write them:
// same delimiter, LF line ends, and b's first columns the arrays raw was decoded to
// (same array, same slice of it).
func (w Writer) rawApplies(raw *table.RawRows, b arrow.RecordBatch) bool {
	if raw == nil || !w.CopiesRows(raw.Delimiter) || int(b.NumCols()) < len(raw.Columns) {
		return false
	}
	rows := int(b.NumRows())
	if len(raw.Starts) < rows || len(raw.Ends) < rows || len(raw.Plain) < (rows+63)/64 {
		return false
	}
	for j, a := range raw.Columns {
		c := b.Column(j)
		if c != a || c.Data() != a.Data() || c.Len() != rows {
			return false
		}
	}
	return true
}

// sparseColumn returns the index in b of a column that raw marks Sparse, or -1.
func sparseColumn(raw *table.RawRows, b arrow.RecordBatch) int {
	if raw == nil || raw.Sparse == nil {
		return -1
	}
	for j, c := range b.Columns() {
		for k, a := range raw.Columns {
			if raw.Sparse[k] && c == a {
				return j
			}
		}
	}
	return -1
}

// columnWriters makes one colWriter per column, with the bytes that force quoting: in
// text, the delimiter, quote, LF and CR; in formatted values (textSpecials), which hold
// no quote or line break, only the delimiter, and only if it is one of textChars.
func (w Writer) columnWriters(ncols int) (cws []colWriter, specials, textSpecials []byte) {
	specials = []byte{w.delim(), '"', '\n', '\r'}
	textSpecials = specials[:0]
	if strings.IndexByte(textChars, w.delim()) >= 0 {
		textSpecials = specials[:1]
	}
	return make([]colWriter, ncols), specials, textSpecials
}

// releaseText gives the text buffers of formatted columns back to the pool.
func releaseText(cws []colWriter) {
	for j := range cws {
		if cws[j].text != nil {
			textBufs.Put(cws[j].text)
		}
	}
}

// Verbatim returns the bytes AppendRows would append for c when they are one piece of
// the input bytes c.Raw.Data, so that a caller may write that piece instead of copying
// it: c's columns are the reader's arrays and no more, every row is written as the
// input holds it, LF-terminated, and the rows lie back to back in the input. That is
// an identity or --head run over LF input, chunk after chunk, where AppendRows would
// copy every line into its output only for the caller to copy it again. Rows the reader
// did not mark plain (quoted fields) are encoded as AppendRows encodes them and compared
// with the input bytes where they would be: the quoted fields of a file written with
// minimal quoting read back as written. It reports false for anything else (a changed
// or added column, CR LF line ends, quotes written otherwise, rows not adjacent, a last
// row without a line end), and the caller then calls AppendRows.
func (w Writer) Verbatim(c *table.Chunk) ([]byte, bool) {
	raw, b := c.Raw, c.Batch
	if raw != nil && raw.Whole {
		// The decoder checked that Data is the rows as written with this delimiter.
		if !w.CopiesRows(raw.Delimiter) || int(b.NumCols()) != len(raw.Columns) {
			return nil, false
		}
		for j, a := range raw.Columns {
			if col := b.Column(j); col != a || col.Len() != int(b.NumRows()) {
				return nil, false
			}
		}
		return raw.Data, true
	}
	if !w.rawApplies(raw, b) || int(b.NumCols()) != len(raw.Columns) {
		return nil, false
	}
	rows := int(b.NumRows())
	plainRows, first := 0, -1
	for k, word := range raw.Plain[:(rows+63)/64] {
		if word != 0 && first < 0 {
			first = k<<6 + bits.TrailingZeros64(word)
		}
		plainRows += bits.OnesCount64(word)
	}
	if first < 0 || first >= rows || plainRows < rows/2 {
		// Nothing to anchor the rows to, or mostly rows to encode one by one: for
		// those AppendRows is as cheap, and often the bytes would not match anyway.
		return nil, false
	}
	data, starts, ends, plain := raw.Data, raw.Starts, raw.Ends, raw.Plain
	var scratch []byte
	var cws []colWriter
	// encoded are rows [i, j), none plain, as AppendRows writes them.
	encoded := func(i, j int) []byte {
		if cws == nil {
			var specials, textSpecials []byte
			cws, specials, textSpecials = w.columnWriters(len(raw.Columns))
			for k := range cws {
				// The reader's columns are strings: nothing is formatted.
				prepare(&cws[k], b.Column(k), specials, textSpecials)
			}
		}
		scratch = scratch[:0]
		for ; i < j; i++ {
			scratch = w.appendValues(scratch, cws, i)
		}
		return scratch
	}
	// The rows before the first plain one end where it starts.
	pos := int(starts[first])
	begin := pos
	if first > 0 {
		enc := encoded(0, first)
		if len(enc) > begin || !bytes.Equal(data[begin-len(enc):begin], enc) {
			return nil, false
		}
		begin -= len(enc)
	}
	for i := first; i < rows; i++ {
		if plain[i>>6]&(1<<(i&63)) != 0 {
			e := int(ends[i])
			if int(starts[i]) != pos || e >= len(data) || data[e] != '\n' {
				return nil, false
			}
			pos = e + 1
			continue
		}
		j := i + 1
		for j < rows && plain[j>>6]&(1<<(j&63)) == 0 {
			j++
		}
		enc := encoded(i, j)
		if len(enc) > len(data)-pos || !bytes.Equal(data[pos:pos+len(enc)], enc) {
			return nil, false
		}
		pos += len(enc)
		i = j - 1
	}
	return data[begin:pos], true
}

// appendValues appends row i written value by value from cws, as AppendRows writes a
// row the reader did not mark plain: quoted where needed, LF-terminated.
func (w Writer) appendValues(dst []byte, cws []colWriter, i int) []byte {
	lineStart := len(dst)
	for j := range cws {
		var pos int
		dst, pos = w.appendSlow(dst, len(dst), &cws[j], i)
		dst = dst[:pos]
	}
	dst = dst[:len(dst)-1] // the last delimiter
	if len(cws) == 1 && len(dst) == lineStart {
		dst = append(dst, '"', '"') // a record of one empty value is not a blank line
	}
	return append(dst, '\n')
}
