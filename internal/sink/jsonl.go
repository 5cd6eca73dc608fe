package sink

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// jsonlSink writes JSON Lines: one object per row, its keys the column names in column
// order, each value by its schema type:
//
//	string    a JSON string, escaped per RFC 8259 (", \ and control characters; bytes
//	          that are not UTF-8 become U+FFFD), nothing else escaped
//	int       a JSON number, exact (int64)
//	float     a JSON number that always reads as one with a fraction or exponent (2.0,
//	          0.5, 1e+21), so that readers type the column alike on every line
//	bool      true, false
//	date      "2024-03-01"; datetime "2024-03-01T13:45:00" (fraction when present)
//	time      "13:45:00"; duration "-27:30:00" (H:MM:SS, fraction when present)
//	null      null, for every empty cell
//
// A chunk's bytes are final, so a file output is written at the workers' offsets.
type jsonlSink struct {
	keys  [][]byte      // per column: `{"name":` for the first, `,"name":` for the others, then '"' (see jsonColumn.key)
	types []schema.Type // per column
}

func newJSONL(c Config) (Sink, error) {
	s := &jsonlSink{keys: make([][]byte, len(c.Schema)), types: make([]schema.Type, len(c.Schema))}
	for j, col := range c.Schema {
		s.types[j] = col.Type
		sep := byte(',')
		if j == 0 {
			sep = '{'
		}
		// `,"name":"`, of which the key is all but the quote, with room for appendShort
		key := append(appendJSONString(append(make([]byte, 0, 32), sep), col.Name), ':', '"')
		s.keys[j] = key[:len(key)-1]
	}
	return s, nil
}

func (s *jsonlSink) Typed() bool            { return true }
func (s *jsonlSink) Final() bool            { return true }
func (s *jsonlSink) Unnumbered() bool       { return true } // lines hold no row numbers
func (s *jsonlSink) Begin(io.Writer) error  { return nil }
func (s *jsonlSink) Finish(io.Writer) error { return nil }
func (s *jsonlSink) Append(w io.Writer, p Part) error {
	_, err := w.Write(p.Bytes)
	return err
}

func (s *jsonlSink) Encode(dst []byte, c *table.Chunk) (Part, error) {
	b := c.Batch
	rows := int(b.NumRows())
	if int(b.NumCols()) != len(s.keys) {
		return Part{}, fmt.Errorf("internal error: a chunk of %d columns for %d keys", b.NumCols(), len(s.keys))
	}
	cols := make([]jsonColumn, len(s.keys))
	size := 3*rows + 32 // 32: room for appendMedium's last move
	for j := range cols {
		col := b.Column(j)
		if err := cols[j].prepare(col, s.types[j], s.keys[j], validUTF8(c, col)); err != nil {
			return Part{}, err
		}
		size += cols[j].size(rows)
	}
	// One pass, row by row: the values are formatted (or copied) where they go. The text
	// of a CSV input's columns, most values, is copied here, without a call per value:
	// a string or an int is copied when no byte of it is one the copy cannot take (see
	// jsonColumn.clean), a float as far as its form says (jsonFloatForm); the others
	// go the long way (appendJSONText, appendSlowly).
	dst = slices.Grow(dst, size)
	for i := range rows {
		if len(cols) == 0 {
			dst = append(dst, '{')
		}
		for j := range cols {
			c := &cols[j]
			if c.kind > kindDateText || c.valid != nil && !bitutil.BitIsSet(c.valid, c.offset+i) {
				dst = c.appendValue(dst, i)
				continue
			}
			end := int(c.offsets[i+1])
			v := c.data[c.offsets[i]:end]
			switch c.kind {
			case kindString:
				dst = appendShort(dst, c.key[:len(c.key)+1])
				if end <= c.clean {
					dst = appendMedium(dst, v)
				} else {
					dst = appendJSONText(dst, v, c.utf8)
					c.clean = nextJSONSpecial(c.data, end, c.utf8)
				}
				dst = append(dst, '"')
			case kindIntText:
				dst = appendShort(dst, c.key)
				if end <= c.clean && uint(len(v)-1) < 18 && (v[0] != '0' || len(v) == 1) {
					dst = appendShort(dst, v) // 1 to 18 digits, no leading zero: jsonIntText
				} else {
					dst = c.appendSlowly(dst, v)
					c.clean = nextNonDigit(c.data, end)
				}
			case kindFloatText:
				dst = appendShort(dst, c.key)
				if n, pointZero, ok := jsonFloatForm(v); ok {
					dst = appendShort(dst, v[:n])
					if pointZero {
						dst = append(dst, '.', '0')
					}
				} else {
					dst = c.appendSlowly(dst, v)
				}
			case kindBoolText:
				dst = appendShort(dst, c.key)
				if string(v) == "true" || string(v) == "false" {
					dst = appendShort(dst, v)
				} else {
					dst = c.appendSlowly(dst, v)
				}
			default: // kindDateText
				dst = appendShort(dst, c.key[:len(c.key)+1])
				if len(v) == len("2006-01-02") && schema.TextReadsAs(v, schema.Date) {
					dst = appendShort(dst, v) // as appendDateText writes it
				} else {
					dst = c.appendSlowly(dst, v)
				}
				dst = append(dst, '"')
			}
		}
		dst = append(dst, '}', '\n')
	}
	for j := range cols {
		if cols[j].unreadable {
			return Part{Bytes: dst[:0]}, ErrUncheckedText
		}
	}
	return Part{Bytes: dst, Rows: int64(rows)}, nil
}

// jsonKind is how a column's values are written: the kinds of text first, up to
// kindDateText (Encode's row loop copies those itself).
type jsonKind uint8

const (
	kindString    jsonKind = iota // text, escaped
	kindIntText                   // an int column's text (schema.Column.Text)
	kindFloatText                 // a float column's text
	kindBoolText                  // a bool column's text
	kindDateText                  // a date column's text
	kindInt
	kindFloat
	kindBool
	kindDate
	kindDatetime
	kindTime
	kindDuration
)

// jsonColumn is one column of a chunk, ready for the row loop: its key and its values,
// read straight from the Arrow buffers.
type jsonColumn struct {
	// key is `,"name":`; key[:len(key)+1] the same with the opening quote of a string
	// value; its capacity at least 16 (appendShort).
	key    []byte
	kind   jsonKind
	valid  []byte // the validity bitmap from bit offset; nil when the column has no nulls
	offset int
	// kindString and the text kinds: value i is data[offsets[i]:offsets[i+1]].
	data    []byte
	offsets []int32
	// kindString: the values are known to be valid UTF-8 (see validUTF8).
	utf8 bool
	// kindString and kindIntText: the index in data of the first byte from the current
	// value's start on that the row loop cannot copy as it is (a byte to escape, a byte
	// not a digit), len(data) when there is none: a value that ends before it is copied.
	// The bytes are looked at a word at a time, from one such byte to the next.
	clean int
	typ   schema.Type // the text kinds: the column's type
	// The text kinds: a value did not read as the column's type (see
	// schema.Column.Unchecked); the chunk's bytes are wrong and Encode says so.
	unreadable bool
	ints       []int64 // kindInt, and the microseconds of kindDatetime, kindTime, kindDuration
	floats     []float64
	bools      *array.Boolean
	days       []arrow.Date32
}

func (c *jsonColumn) prepare(col arrow.Array, typ schema.Type, key []byte, utf8 bool) error {
	*c = jsonColumn{key: key, utf8: utf8, typ: typ}
	if col.NullN() > 0 {
		c.valid, c.offset = col.NullBitmapBytes(), col.Data().Offset()
	}
	switch a := col.(type) {
	case *array.String:
		c.kind = kindString
		switch typ {
		case schema.Int:
			c.kind = kindIntText
		case schema.Float:
			c.kind = kindFloatText
		case schema.Bool:
			c.kind = kindBoolText
		case schema.Date:
			c.kind = kindDateText
		}
		c.offsets = a.ValueOffsets()
		if buf := a.Data().Buffers()[2]; buf != nil {
			c.data = buf.Bytes() // the offsets index the whole buffer
		}
		if len(c.offsets) > 0 {
			switch c.kind {
			case kindString:
				c.clean = nextJSONSpecial(c.data, int(c.offsets[0]), utf8)
			case kindIntText:
				c.clean = nextNonDigit(c.data, int(c.offsets[0]))
			}
		}
	case *array.Int64:
		c.kind, c.ints = kindInt, a.Int64Values()
	case *array.Float64:
		c.kind, c.floats = kindFloat, a.Float64Values()
	case *array.Boolean:
		c.kind, c.bools = kindBool, a
	case *array.Date32:
		c.kind, c.days = kindDate, a.Date32Values()
	case *array.Timestamp:
		c.kind, c.ints = kindDatetime, arrow.Int64Traits.CastFromBytes(arrow.TimestampTraits.CastToBytes(a.TimestampValues()))
	case *array.Time64:
		c.kind, c.ints = kindTime, arrow.Int64Traits.CastFromBytes(arrow.Time64Traits.CastToBytes(a.Time64Values()))
	case *array.Duration:
		c.kind, c.ints = kindDuration, arrow.Int64Traits.CastFromBytes(arrow.DurationTraits.CastToBytes(a.DurationValues()))
	default:
		return fmt.Errorf("internal error: no JSON form for column type %s", col.DataType())
	}
	return nil
}

// size is about the bytes the column's values and keys take in n rows: a text column's
// bytes (escapes aside), a fixed width for the others.
func (c *jsonColumn) size(n int) int {
	width := 0
	switch c.kind {
	case kindString, kindIntText, kindFloatText, kindBoolText, kindDateText:
		if len(c.offsets) > n {
			width = int(c.offsets[n]-c.offsets[0]) / max(n, 1)
		}
		width += 4 // quotes, or ".0"
	case kindInt, kindFloat:
		width = 20
	case kindBool, kindDate:
		width = 12
	default:
		width = 28
	}
	return n * (len(c.key) + width)
}

// appendValue appends the key and value of row i when it is null or of a typed kind
// (the text kinds' values are Encode's).
func (c *jsonColumn) appendValue(dst []byte, i int) []byte {
	dst = appendShort(dst, c.key)
	if c.valid != nil && !bitutil.BitIsSet(c.valid, c.offset+i) {
		return append(dst, "null"...)
	}
	switch c.kind {
	case kindInt:
		return strconv.AppendInt(dst, c.ints[i], 10)
	case kindFloat:
		return appendJSONFloat(dst, c.floats[i])
	case kindBool:
		return strconv.AppendBool(dst, c.bools.Value(i))
	case kindDate:
		dst = append(dst, '"')
		dst = table.AppendDate(dst, c.days[i])
	case kindDatetime:
		dst = append(dst, '"')
		dst = table.AppendTimestamp(dst, c.ints[i])
	default: // kindTime, kindDuration
		dst = append(dst, '"')
		dst = schema.AppendClock(dst, c.ints[i])
	}
	return append(dst, '"')
}

// validUTF8 reports whether col is known to hold valid UTF-8 only: a column of the CSV
// decoder's (table.RawRows.Columns), whose input was checked or transcoded.
func validUTF8(c *table.Chunk, col arrow.Array) bool {
	return c.Raw != nil && slices.Contains(c.Raw.Columns, col)
}

// appendSlowly writes v, the text of a value of a text kind other than string that
// Encode's row loop did not copy, as the JSON value it reads as (appendJSONNumberText,
// appendJSONBoolText, appendDateText); when it does not read as the column's type
// (schema.TextReadsAs), the column is unreadable and nothing is written.
func (c *jsonColumn) appendSlowly(dst, v []byte) []byte {
	if !schema.TextReadsAs(v, c.typ) {
		c.unreadable = true
		return dst
	}
	switch c.kind {
	case kindIntText, kindFloatText:
		return appendJSONNumberText(dst, v, c.typ)
	case kindBoolText:
		return appendJSONBoolText(dst, v)
	default: // kindDateText, after the opening quote
		return appendDateText(dst, v)
	}
}

// appendJSONNumberText writes the text of an int or float that Conform checked (see
// schema.Column.Text) as the same JSON number the value would be written as: the text
// itself, or for a float the text with the trailing zeros of its fraction dropped or
// ".0" added, when that is the value's text (jsonIntText, jsonFloatForm), which is most
// of the time and saves formatting it again; else the value formatted.
func appendJSONNumberText(dst, v []byte, typ schema.Type) []byte {
	if typ == schema.Int {
		if jsonIntText(v) {
			return append(dst, v...)
		}
		n, _ := schema.ParseInt(unsafeString(v))
		return strconv.AppendInt(dst, n, 10)
	}
	if n, pointZero, ok := jsonFloatForm(v); ok {
		dst = append(dst, v[:n]...)
		if pointZero {
			dst = append(dst, '.', '0')
		}
		return dst
	}
	f, _ := schema.ParseFloat(unsafeString(v))
	return appendJSONFloat(dst, f)
}

// appendJSONBoolText writes the text of a bool that Conform checked as JSON: the text
// when it is already true or false, else the value (TRUE is true).
func appendJSONBoolText(dst, v []byte) []byte {
	if string(v) == "true" || string(v) == "false" {
		return append(dst, v...)
	}
	b, _ := schema.ParseBool(unsafeString(v))
	return strconv.AppendBool(dst, b)
}

// appendDateText writes the text of a date that Conform checked as table.AppendDate
// writes its value: the text itself when it has AppendDate's ten bytes (schema.ParseDate
// reads YYYY-MM-DD, years 1 to 9999, and nothing else), else the value formatted.
func appendDateText(dst, v []byte) []byte {
	if len(v) == len("2006-01-02") {
		return appendShort(dst, v)
	}
	d, _ := schema.ParseDate(unsafeString(v))
	return table.AppendDate(dst, d)
}

// jsonIntText reports whether v, the text of an int that schema.ParseInt reads (an
// optional sign and digits), is what strconv.AppendInt writes: no '+', no leading zero,
// no "-0".
func jsonIntText(v []byte) bool {
	if len(v) == 0 || v[0] == '+' {
		return false
	}
	digits := v
	if v[0] == '-' {
		digits = v[1:]
	}
	if len(digits) == 0 || digits[0] == '0' && (len(digits) > 1 || len(digits) < len(v)) {
		return false
	}
	return allDigits(digits)
}

// jsonFloatForm tells how the text v of a float is written as the JSON number of the
// value v reads as, without formatting it: its first n bytes, then ".0" when pointZero;
// ok is false when it cannot tell. The text is [-]D.F, D without leading zero, F without
// trailing zero (or F = "0" for an integral value, but not "-0.0", written 0.0), at most
// 15 digits in all, and at least 1e-6 in magnitude: what appendJSONFloat writes for the
// value it reads as. Why: the value is below 1e15, written in its shortest 'f' form
// (table.AppendFloat, with ".0" added to an integral one), and two decimals of at most
// 15 significant digits are always more than one double apart, so no other decimal of as
// few digits reads back as the same double: the shortest form is v's digits. Trailing
// zeros of F (v = 1.50) and a missing fraction (v = 15) do not change the decimal, so
// the text without them, or with ".0", is that form too.
//
// A value of at most 16 bytes, with 16 to read from its start (a value of a column's
// buffer), is told from two words at once (jsonFloatFormWords); others byte by byte.
func jsonFloatForm(v []byte) (n int, pointZero, ok bool) {
	if len(v) > 0 && len(v) <= 16 && cap(v) >= 16 {
		return jsonFloatFormWords(v)
	}
	return jsonFloatFormBytes(v)
}

// jsonFloatFormBytes is jsonFloatForm for any v, one byte after the other.
func jsonFloatFormBytes(v []byte) (n int, pointZero, ok bool) {
	start := 0
	if len(v) > 0 && v[0] == '-' {
		start = 1
	}
	i := start
	for i < len(v) && '0' <= v[i] && v[i] <= '9' {
		i++
	}
	whole := i - start
	if whole == 0 || v[start] == '0' && whole > 1 {
		return 0, false, false // no digit, or a leading zero
	}
	if i == len(v) { // an integer: D.0
		negativeZero := v[start] == '0' && start == 1
		return len(v), true, whole+1 <= 15 && !negativeZero
	}
	if v[i] != '.' {
		return 0, false, false
	}
	point := i
	for i++; i < len(v) && '0' <= v[i] && v[i] <= '9'; i++ {
	}
	frac := i - point - 1
	if i < len(v) || frac == 0 || whole+frac > 15 {
		return 0, false, false
	}
	end := len(v)
	for end > point+2 && v[end-1] == '0' {
		end--
	}
	if whole == 1 && v[start] == '0' {
		if end == point+2 && v[point+1] == '0' {
			return end, false, start == 0 // 0.0, but not -0.0
		}
		zeros := 0
		for zeros < frac && v[point+1+zeros] == '0' {
			zeros++
		}
		return end, false, zeros <= 5 // 1e-6 = 0.000001 is the least
	}
	return end, false, true
}

// jsonFloatFormWords is jsonFloatForm for v of 1 to 16 bytes with 16 bytes to read from
// v[0]: the same rules, read off bit masks of v's bytes (bit k for byte k: not a digit,
// a '0') instead of loops whose ends, at a different byte for each value, the processor
// mispredicts. The one byte not a digit after a leading '-' must be the point; at most
// 15 digits holds by the length: 16 bytes less the point.
func jsonFloatFormWords(v []byte) (n int, pointZero, ok bool) {
	w := v[:16]
	lo, hi := binary.LittleEndian.Uint64(w)^'0'*ones, binary.LittleEndian.Uint64(w[8:])^'0'*ones // a digit's byte its value
	inValue := uint32(1)<<len(v) - 1
	nonDigit := (byteMask(nonDigitBytes(lo)) | byteMask(nonDigitBytes(hi))<<8) & inValue
	zero := (byteMask(zeroBytes(lo)) | byteMask(zeroBytes(hi))<<8) & inValue
	start := 0
	// v[0] is read from lo, not again from memory: reading it again made the compiler
	// share that byte's load with the word's and build the word from eight byte loads.
	if byte(lo) == '-'^'0' {
		start = 1
	}
	point := nonDigit &^ uint32(start)
	leadingZero := zero>>start&1 != 0
	if point == 0 { // an integer: D.0
		whole := len(v) - start
		return len(v), true, whole >= 1 && whole <= 14 && !(leadingZero && (whole > 1 || start == 1))
	}
	at := bits.TrailingZeros32(point)
	whole := at - start
	if point&(point-1) != 0 || v[at] != '.' || whole == 0 || at == len(v)-1 || leadingZero && whole > 1 {
		return 0, false, false // a byte other than one point, no digit before or after it, or a leading zero
	}
	end := max(32-bits.LeadingZeros32(inValue&^zero), at+2) // the trailing zeros dropped, one digit kept
	if leadingZero {                                        // 0.F
		if end == at+2 && zero>>(at+1)&1 != 0 {
			return end, false, start == 0 // 0.0, but not -0.0
		}
		return end, false, bits.TrailingZeros32(^zero>>(at+1)) <= 5 // 1e-6 = 0.000001 is the least
	}
	return end, false, true
}

// byteMask gathers the high bits of w's bytes (a word of byte tests) into bits 0 to 7.
func byteMask(w uint64) uint32 {
	return uint32((w >> 7) * 0x0102040810204080 >> 56)
}

// zeroBytes sets the high bit of each byte of x that is 0, and no other bit: no carry
// crosses a byte (the low seven bits of a byte plus 0x7f stay below 0x100).
func zeroBytes(x uint64) uint64 {
	return ^((x&^highs + 0x7f*ones) | x) & highs
}

// nonDigitBytes sets the high bit of each byte of x, a word XORed with '0' in every byte
// (a digit's byte is then its value), that is not 0 to 9, and no other bit: adding 0x76
// to the low seven bits of a byte sets its high bit when they are 10 or more.
func nonDigitBytes(x uint64) uint64 {
	return ((x&^highs + 0x76*ones) | x) & highs
}

// appendShort is append(dst, b...), for b of at most 16 bytes with 16 bytes of room after
// the end of dst and 16 bytes to read from the start of b (a value of a column's buffer,
// a key) one 16-byte move: the bytes past b go to dst's spare capacity, where the next
// append writes over them. A call of memmove for every key and value of a row was a
// tenth of the encoder's time.
func appendShort(dst, b []byte) []byte {
	n := len(dst)
	if len(b) <= 16 && cap(b) >= 16 && cap(dst)-n >= 16 {
		*(*[16]byte)(dst[n : n+16]) = [16]byte(b[:16])
		return dst[:n+len(b)]
	}
	return append(dst, b...)
}

// appendMedium is appendShort for b of at most 32 bytes, two 16-byte moves: with 32
// bytes of room after the end of dst and 32 to read from the start of b.
func appendMedium(dst, b []byte) []byte {
	n := len(dst)
	if len(b) <= 32 && cap(b) >= 32 && cap(dst)-n >= 32 {
		to := dst[n : n+32]
		*(*[16]byte)(to) = [16]byte(b[:16])
		*(*[16]byte)(to[16:]) = [16]byte(b[16:32])
		return dst[:n+len(b)]
	}
	return append(dst, b...)
}

// nextJSONSpecial is the index of the first byte of data from i on that appendJSONText
// does not copy as it is (", \, a control byte, and unless valid a byte of 0x80 or
// more), or len(data): 8 bytes at a time (jsonSpecial's lowest flag is always a byte
// that is one).
func nextJSONSpecial(data []byte, i int, valid bool) int {
	nonASCII := uint64(highs)
	if valid {
		nonASCII = 0
	}
	for ; i+8 <= len(data); i += 8 {
		if m := jsonSpecial(binary.LittleEndian.Uint64(data[i:]), nonASCII); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(data); i++ {
		if !jsonPlain[data[i]] && (!valid || data[i] < utf8.RuneSelf) {
			return i
		}
	}
	return len(data)
}

// nextNonDigit is the index of the first byte of data from i on that is not an ASCII
// digit, or len(data): 8 bytes at a time.
func nextNonDigit(data []byte, i int) int {
	for ; i+8 <= len(data); i += 8 {
		if m := nonDigitBytes(binary.LittleEndian.Uint64(data[i:]) ^ '0'*ones); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(data); i++ {
		if data[i]-'0' > 9 {
			return i
		}
	}
	return len(data)
}

// unsafeString is b as a string without a copy, for a parser that keeps no reference
// to it (its errors copy what they quote).
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func allDigits(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// appendJSONFloat writes f as a JSON number with a fraction or an exponent; JSON has no
// NaN or infinity, which are null.
func appendJSONFloat(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	start := len(dst)
	dst = table.AppendFloat(dst, f)
	for _, c := range dst[start:] {
		if c == '.' || c == 'e' || c == 'E' {
			return dst
		}
	}
	return append(dst, '.', '0')
}

const hexDigits = "0123456789abcdef"

// appendJSONString writes s as a JSON string (see appendJSONText), its bytes not known
// to be valid UTF-8.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONText(dst, []byte(s), false)
	return append(dst, '"')
}

// jsonPlain marks the bytes a JSON string holds as they are: printable ASCII other
// than " and \.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Bytes of 8 copies of a byte, for the 8-byte scan of appendJSONText.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// appendJSONText writes s as the inside of a JSON string: ", \ and control characters
// escaped (\n, \r, \t, \b, \f by name, the others as \u00XX), invalid UTF-8 as U+FFFD
// (which the caller may rule out with valid), nothing else. Runs of plain bytes are found
// 8 bytes at a time and copied at once.
func appendJSONText(dst, s []byte, valid bool) []byte {
	nonASCII := uint64(highs)
	if valid {
		nonASCII = 0 // multi-byte sequences pass as they are
	}
	// The usual short value, all plain: two words, the bytes past it read as plain, one
	// 16-byte move (see appendShort).
	if n := len(s); n <= 16 && cap(s) >= 16 && cap(dst)-len(dst) >= 16 {
		keepLo, keepHi := uint64(1)<<(8*min(n, 8))-1, uint64(1)<<(8*max(n-8, 0))-1 // 1<<64 is 0
		lo := binary.LittleEndian.Uint64(s[:16])&keepLo | 'a'*ones&^keepLo
		hi := binary.LittleEndian.Uint64(s[8:16])&keepHi | 'a'*ones&^keepHi
		if jsonSpecial(lo, nonASCII)|jsonSpecial(hi, nonASCII) == 0 {
			return appendShort(dst, s)
		}
	}
	start, i := 0, 0
	for i < len(s) {
		for i+8 <= len(s) && jsonSpecial(binary.LittleEndian.Uint64(s[i:]), nonASCII) == 0 {
			i += 8
		}
		// Byte by byte until the next word: the byte the scan stopped at, or the tail.
		for stop := min(i+8, len(s)); i < stop; {
			c := s[i]
			switch {
			case jsonPlain[c]:
				i++
				continue
			case c >= utf8.RuneSelf:
				if valid {
					i++
					continue
				}
				r, size := utf8.DecodeRune(s[i:])
				if r != utf8.RuneError || size != 1 {
					i += size
					continue
				}
				dst = append(dst, s[start:i]...)
				dst = append(dst, `\ufffd`...)
			default:
				dst = append(dst, s[start:i]...)
				dst = appendJSONEscape(dst, c)
			}
			i++
			start = i
		}
	}
	return append(dst, s[start:]...)
}

// jsonSpecial is not zero when a byte of w is 0x80 or more (in nonASCII: highs, or 0
// when those pass), a control byte, " or \\: the usual zero-byte tests on the word, and
// on it XORed with the byte looked for.
func jsonSpecial(w, nonASCII uint64) uint64 {
	quote, backslash := w^('"'*ones), w^('\\'*ones)
	return (w-0x20*ones)&^w&highs | (quote-ones)&^quote&highs | (backslash-ones)&^backslash&highs | w&nonASCII
}

// appendJSONEscape writes the escape of c: ", \ or a control byte.
func appendJSONEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
}
