package xlsxfmt

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/ptransform/ptransform/internal/table"
)

// Decoder turns raw row blocks (from Sheet.Split) into chunks. It belongs to one
// worker: it keeps scratch buffers between blocks and is not safe for concurrent use.
// Everything it needs (shared strings, formats, date system) was read by Open, so
// blocks decode independently, in any order, on any worker.
type Decoder struct {
	sheet *Sheet
	raw   []byte    // scratch: the text of one <v>
	val   []byte    // scratch: the values of one row, back to back
	cells []cellOut // the cells of one row, in column order
	hint  []int     // per column: data bytes of the previous chunk, to size the next

	textCells []bool // per header column: a text cell was decoded (nil: not noted)
	noteRows  int    // rows still to decode whose text cells are noted
}

type cellOut struct {
	col        int
	start, end int  // value is val[start:end]
	text       bool // a shared or inline string, or a formula's string result (told only while text cells are noted)
}

// NoteTextCells makes the decoder note, per header column, whether a non-empty cell of
// the next rows it decodes (rows of them, over as many blocks as they take) is a text
// cell: a shared or inline string, or a formula's string result. TextCells reports it.
// The typed outputs' schema reads its sample this way, so that a number Excel holds as
// text (a zip code, an id) stays text: the cell's type is the workbook's answer, its
// content only a CSV's.
func (d *Decoder) NoteTextCells(rows int) {
	d.textCells, d.noteRows = make([]bool, len(d.sheet.Header)), rows
}

// TextCells reports, per header column, whether a text cell was decoded since
// NoteTextCells (nil if it was not called).
func (d *Decoder) TextCells() []bool { return d.textCells }

// isTextCell tells the cell types whose value is text whatever it reads as.
func isTextCell(typ []byte) bool {
	switch string(typ) {
	case "s", "inlineStr", "str":
		return true
	}
	return false
}

// NewDecoder returns a decoder for this sheet's blocks.
func (s *Sheet) NewDecoder() *Decoder { return &Decoder{sheet: s} }

// column accumulates one Arrow string column. Nulls are added lazily (padTo), so
// empty rows and columns that never get a value cost nothing per row.
type column struct {
	data  []byte
	offs  []int32 // nil until the column gets its first value
	valid []byte
	nulls int
}

// padTo appends nulls until the column holds n rows.
func (c *column) padTo(n int) {
	if c.offs == nil {
		c.offs = make([]int32, 1, max(n+1, 256))
	}
	for row := len(c.offs) - 1; row < n; row++ {
		if row%8 == 0 {
			c.valid = append(c.valid, 0)
		}
		c.nulls++
		c.offs = append(c.offs, int32(len(c.data)))
	}
}

// add appends a non-empty value as row len(offs)-1.
func (c *column) add(v []byte) {
	row := len(c.offs) - 1
	if row%8 == 0 {
		c.valid = append(c.valid, 0)
	}
	c.valid[row>>3] |= 1 << (row & 7)
	c.data = append(c.data, v...)
	c.offs = append(c.offs, int32(len(c.data)))
}

// Block framing written by the splitter: "<?b N?>" first (N = the last row emitted
// before the block, so the decoder fills the gap up to the block's first row), and
// "<?r N?>" before any row element that lacks its r attribute.

// DecodeBlock decodes one block into a chunk: one string column per header column,
// empty cells null, rows between the ones present filled as empty rows.
func (d *Decoder) DecodeBlock(block []byte) (*table.Chunk, error) {
	s := d.sheet
	width := len(s.Header)
	cols := make([]column, width)
	prev, pending, first := s.dataBase(), 0, 0
	nrows := 0
	fail := func(row, col int, err error) (*table.Chunk, error) {
		var e *Error
		if errors.As(err, &e) {
			return nil, s.locate(e)
		}
		return nil, s.locate(&Error{Row: row, Col: col, Err: err})
	}
	for p := 0; ; {
		j := bytes.IndexByte(block[p:], '<')
		if j < 0 {
			break
		}
		p += j
		t, next, err := scanTag(block, p)
		if err != nil {
			if errors.Is(err, errIncomplete) {
				err = errors.New("block ends inside markup")
			}
			return fail(prev+1, -1, err)
		}
		switch {
		case t.kind == tagOther && len(t.body) > 2 && t.body[1] == ' ' && (t.body[0] == 'b' || t.body[0] == 'r'):
			n, ok := parseMarker(t.body[2:])
			if !ok {
				return fail(prev+1, -1, fmt.Errorf("bad block marker %s", table.QuoteValue(t.body)))
			}
			if t.body[0] == 'r' {
				pending = n
			} else if nrows == 0 {
				prev = n
			}
			p = next
			continue
		case t.kind == tagOther, t.kind == tagCDATA && len(bytes.TrimSpace(t.body)) == 0:
			p = next
			continue
		case t.kind == tagEnd && string(t.name) == "sheetData":
			p = len(block)
			continue
		case t.kind == tagEnd || string(t.name) != "row":
			return fail(prev+1, -1, fmt.Errorf("unexpected markup %.40q between rows", block[p:next]))
		}
		var num int
		if _, hasR := attr(t.attrs, "r"); hasR || pending == 0 {
			if num, _, err = rowNumber(t.attrs, prev); err != nil {
				return fail(prev+1, -1, err)
			}
		} else if num = pending; num <= prev {
			return fail(num, -1, fmt.Errorf("row %d comes after row %d (rows must ascend)", num, prev))
		}
		pending = 0
		if nrows == 0 {
			first = prev + 1
		}
		nrows += num - prev - 1 // empty rows in between: nulls, padded lazily
		prev = num
		d.cells, d.val = d.cells[:0], d.val[:0]
		if t.kind == tagStart {
			if next, err = d.decodeRow(block, next, num); err != nil {
				return fail(num, -1, err)
			}
		}
		for _, c := range d.cells {
			j := c.col - s.win.firstCol
			if j < 0 || j >= width {
				continue
			}
			col := &cols[j]
			if col.offs == nil && j < len(d.hint) {
				col.data = make([]byte, 0, d.hint[j]+d.hint[j]/8)
			}
			col.padTo(nrows)
			col.add(d.val[c.start:c.end])
			if c.text && nrows < d.noteRows {
				d.textCells[j] = true
			}
		}
		nrows++
		p = next
	}
	d.noteRows = max(d.noteRows-nrows, 0)
	return d.chunk(cols, nrows, first)
}

func (d *Decoder) chunk(cols []column, nrows, first int) (*table.Chunk, error) {
	s := d.sheet
	arrays := make([]arrow.Array, len(cols))
	if len(d.hint) != len(cols) {
		d.hint = make([]int, len(cols))
	}
	// Columns without a value in this block share one all-null layout, so a stray
	// far-right cell does not cost a buffer per column per row.
	var nullOffs []int32
	var nullValid []byte
	for j := range cols {
		c := &cols[j]
		if len(c.data) > math.MaxInt32 {
			return nil, s.locate(&Error{Col: s.win.firstCol + j, Err: errors.New("column text of one block exceeds 2 GiB; use smaller blocks")})
		}
		d.hint[j] = len(c.data)
		if c.offs == nil {
			if nullOffs == nil {
				nullOffs, nullValid = make([]int32, nrows+1), make([]byte, (nrows+7)/8)
			}
			arrays[j] = table.StringColumn(nil, nullOffs, nullValid, nrows)
			continue
		}
		c.padTo(nrows)
		valid := c.valid
		if c.nulls == 0 {
			valid = nil
		}
		arrays[j] = table.StringColumn(c.data, c.offs, valid, c.nulls)
	}
	batch := array.NewRecordBatch(s.schema, arrays, int64(nrows))
	for _, a := range arrays {
		a.Release()
	}
	lines := make([]int64, nrows)
	for i := range lines {
		lines[i] = int64(first + i)
	}
	row0 := int64(0)
	if nrows > 0 {
		row0 = int64(first - s.dataBase())
	}
	return &table.Chunk{
		Source: table.Source{File: s.book.Path, Sheet: s.Name},
		Batch:  batch,
		Row0:   row0,
		Lines:  lines,
	}, nil
}

// decodeRow decodes the cells of the row whose start tag ends at p into d.cells and
// d.val, and returns the index just past </row>.
func (d *Decoder) decodeRow(buf []byte, p, num int) (int, error) {
	col := -1
	for {
		if p >= len(buf) || buf[p] != '<' {
			j := bytes.IndexByte(buf[p:], '<')
			if j < 0 {
				return 0, errors.New("row is not closed")
			}
			p += j
		}
		t, next, err := scanTag(buf, p)
		if err != nil {
			if errors.Is(err, errIncomplete) {
				err = errors.New("row is not closed")
			}
			return 0, err
		}
		p = next
		switch {
		case t.kind == tagEnd && string(t.name) == "row":
			return p, nil
		case string(t.name) != "c" || t.kind == tagEnd:
			continue // row extensions, comments
		}
		c, typ, style, err := cellAttrs(t.attrs, col)
		if err != nil {
			return 0, &Error{Row: num, Col: col + 1, Err: err}
		}
		if c <= col {
			return 0, &Error{Row: num, Col: c, Err: fmt.Errorf("cell %s%d comes after column %s in its row (cells must ascend)", ColumnName(c), num, ColumnName(col))}
		}
		col = c
		start := len(d.val)
		if t.kind == tagStart {
			if p, err = d.decodeCell(buf, p, typ, style); err != nil {
				return 0, &Error{Row: num, Col: col, Err: err}
			}
		}
		if len(d.val) > start {
			d.cells = append(d.cells, cellOut{col: col, start: start, end: len(d.val), text: d.textCells != nil && isTextCell(typ)})
		}
	}
}

// decodeCell reads a cell's children up to </c> and appends its value text to d.val.
func (d *Decoder) decodeCell(buf []byte, p int, typ, style []byte) (int, error) {
	inline := string(typ) == "inlineStr"
	if text, end, ok := simpleValue(buf, p); ok && !inline {
		// Most cells are exactly <v>text</v></c>.
		d.raw = appendText(d.raw[:0], text, false)
		return end, d.value(typ, style)
	}
	d.raw = d.raw[:0]
	hasV, inIS := false, false
	phonetic := 0
	for {
		j := bytes.IndexByte(buf[p:], '<')
		if j < 0 {
			return 0, errors.New("cell is not closed")
		}
		p += j
		t, next, err := scanTag(buf, p)
		if err != nil {
			if errors.Is(err, errIncomplete) {
				err = errors.New("cell is not closed")
			}
			return 0, err
		}
		p = next
		if t.kind == tagEnd {
			switch string(t.name) {
			case "c":
				if inline {
					return p, nil // the value is already in d.val
				}
				if !hasV {
					return p, nil
				}
				return p, d.value(typ, style)
			case "is":
				inIS = false
			case "rPh":
				phonetic--
			}
			continue
		}
		if t.kind != tagStart {
			continue
		}
		switch string(t.name) {
		case "v":
			hasV = true
			d.raw, p, err = readText(buf, p, d.raw[:0])
		case "f":
			_, p, err = readText(buf, p, nil)
		case "is":
			inIS = true
		case "rPh":
			phonetic++
		case "t":
			if inIS && phonetic == 0 {
				if inline {
					d.val, p, err = readText(buf, p, d.val)
				} else {
					_, p, err = readText(buf, p, nil)
				}
			}
		}
		if err != nil {
			return 0, err
		}
	}
}

// simpleValue recognises the common cell body "<v>text</v></c>" at buf[p:] and
// returns the raw text and the index past </c>.
func simpleValue(buf []byte, p int) (text []byte, end int, ok bool) {
	if len(buf)-p < 11 || buf[p] != '<' || buf[p+1] != 'v' || buf[p+2] != '>' {
		return nil, 0, false
	}
	k := bytes.IndexByte(buf[p+3:], '<')
	if k < 0 {
		return nil, 0, false
	}
	q := p + 3 + k
	if len(buf)-q < 8 || string(buf[q:q+8]) != "</v></c>" {
		return nil, 0, false
	}
	return buf[p+3 : q], q + 8, true
}

// readText appends the decoded character data of the element whose start tag ended
// at p to dst (nil dst: skip it) and returns the index past its end tag.
func readText(buf []byte, p int, dst []byte) ([]byte, int, error) {
	for {
		j := bytes.IndexByte(buf[p:], '<')
		if j < 0 {
			return dst, 0, errors.New("element is not closed")
		}
		if dst != nil || j > 0 {
			dst = appendText(dst, buf[p:p+j], false)
		}
		p += j
		t, next, err := scanTag(buf, p)
		if err != nil {
			return dst, 0, err
		}
		p = next
		switch t.kind {
		case tagEnd:
			return dst, p, nil
		case tagCDATA:
			dst = appendText(dst, t.body, true)
		case tagStart, tagEmpty:
			return dst, 0, fmt.Errorf("unexpected element %s inside text", table.QuoteValue(t.name))
		}
	}
}

// value appends the text of a non-inline cell whose <v> text is in d.raw.
func (d *Decoder) value(typ, style []byte) error {
	s := d.sheet
	raw := d.raw
	switch string(typ) {
	case "", "n":
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return nil
		}
		f := s.book.styleFormat(style)
		if f.class == classNumber {
			d.val = appendNumber(d.val, raw)
			return nil
		}
		v, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			d.val = append(d.val, raw...)
			return nil
		}
		var ok bool
		if d.val, ok = appendSerial(d.val, v, f, s.book.Date1904); !ok {
			d.val = appendNumber(d.val, raw)
		}
	case "s":
		i, err := strconv.Atoi(string(bytes.TrimSpace(raw)))
		str, ok := s.book.strings.get(i)
		if err != nil || !ok {
			return fmt.Errorf("shared string index %s out of range (the table has %d)", table.QuoteValue(raw), len(s.book.strings.ends))
		}
		d.val = append(d.val, str...)
	case "str", "e":
		d.val = append(d.val, raw...)
	case "b":
		switch string(bytes.TrimSpace(raw)) {
		case "1", "true", "TRUE":
			d.val = append(d.val, "true"...)
		case "0", "false", "FALSE":
			d.val = append(d.val, "false"...)
		case "":
		default:
			return fmt.Errorf("bad boolean %s", table.QuoteValue(raw))
		}
	case "d":
		raw = bytes.TrimSpace(raw)
		if len(raw) == 0 {
			return nil
		}
		var ok bool
		if d.val, ok = appendISO(d.val, raw, s.book.styleFormat(style)); !ok {
			return fmt.Errorf("bad ISO 8601 date %s", table.QuoteValue(raw))
		}
	default:
		return fmt.Errorf("unknown cell type %s", table.QuoteValue(typ))
	}
	return nil
}

// parseMarker reads the row number of a block marker (0 allowed: no rows before).
func parseMarker(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 7 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= maxRows
}

// styleFormat is the date/time reading of the cell style s (an index into cellXfs).
func (b *Book) styleFormat(s []byte) format {
	if len(s) == 0 {
		return format{}
	}
	i := 0
	for _, c := range s {
		if c < '0' || c > '9' || i > 1<<24 {
			return format{}
		}
		i = i*10 + int(c-'0')
	}
	if i < len(b.formats) {
		return b.formats[i]
	}
	return format{}
}

// appendNumber writes a numeric cell's text as Excel shows it in General format:
// at most 15 significant digits, in shortest form (table.AppendFloat: 21 not 21.0,
// no exponent below 1e21). Text that is not a number is kept as it is.
func appendNumber(dst, raw []byte) []byte {
	if isShortestDecimal(raw) {
		return append(dst, raw...)
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil {
		return append(dst, raw...)
	}
	var tmp [32]byte
	g15 := strconv.AppendFloat(tmp[:0], f, 'g', 15, 64)
	g, err := strconv.ParseFloat(string(g15), 64)
	if err != nil {
		// Only near the largest double: 15 digits round it past the float64 range,
		// and the text is already in AppendFloat's exponent form.
		return append(dst, g15...)
	}
	return table.AppendFloat(dst, g)
}

// isShortestDecimal reports whether raw is already the text table.AppendFloat gives
// for its value: a plain decimal of at most 15 significant digits, no redundant
// zeros, magnitude at least 1e-6. Most stored numbers are, and skip the float trip.
func isShortestDecimal(raw []byte) bool {
	i := 0
	if len(raw) > 0 && raw[0] == '-' {
		i = 1
	}
	if i >= len(raw) || raw[i] < '0' || raw[i] > '9' {
		return false
	}
	intStart := i
	for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
		i++
	}
	intDigits := i - intStart
	zeroInt := intDigits == 1 && raw[intStart] == '0'
	if intDigits > 1 && raw[intStart] == '0' {
		return false
	}
	if i == len(raw) {
		return intDigits <= 15 && !(zeroInt && intStart == 1)
	}
	if raw[i] != '.' || i+1 == len(raw) || raw[len(raw)-1] == '0' {
		return false
	}
	i++
	fracStart := i
	for i < len(raw) && raw[i] >= '0' && raw[i] <= '9' {
		i++
	}
	if i != len(raw) {
		return false
	}
	sig := intDigits + len(raw) - fracStart
	if zeroInt {
		lead := 0
		for lead < len(raw)-fracStart && raw[fracStart+lead] == '0' {
			lead++
		}
		if lead > 5 {
			return false
		}
		sig = len(raw) - fracStart - lead
	}
	return sig <= 15
}

// appendISO writes a t="d" cell (ISO 8601 text) in the class of its format, or, for
// a cell without a date format, in the shape the text itself has.
func appendISO(dst, raw []byte, f format) ([]byte, bool) {
	days, ms, hasDate, hasTime, frac, ok := parseISO(raw)
	if !ok {
		return dst, false
	}
	switch {
	case !hasDate:
		// A bare time is Excel's day 0 plus a time: whatever the format, only the
		// time means anything.
		if f.class == classNumber {
			f.frac = frac
		}
		f.class = classTime
	case f.class == classNumber:
		f = format{class: classDateTime, frac: frac}
		if !hasTime {
			f.class = classDate
		}
	case f.class == classDuration:
		f.class = classTime
	}
	rounded := int64(roundMillis(float64(ms), f.frac))
	if rounded >= msPerDay {
		days++
		rounded -= msPerDay
	}
	return appendDayTime(dst, days, rounded, f), true
}

// parseISO reads YYYY-MM-DD, YYYY-MM-DDTHH:MM[:SS[.fff]][Z|±HH:MM] or HH:MM[:SS[.fff]].
// A zone suffix is dropped: spreadsheets have no time zones.
func parseISO(s []byte) (days, ms int64, hasDate, hasTime bool, frac uint8, ok bool) {
	num := func(b []byte) (int64, bool) {
		var n int64
		if len(b) == 0 {
			return 0, false
		}
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		y, ok1 := num(s[0:4])
		m, ok2 := num(s[5:7])
		dd, ok3 := num(s[8:10])
		// The calendar rules are table's, which every reader of dates shares.
		if !ok1 || !ok2 || !ok3 || y < 1 || m < 1 || m > 12 || dd < 1 || dd > int64(table.DaysIn(int(y), int(m))) {
			return 0, 0, false, false, 0, false
		}
		days, hasDate = table.DaysFromCivil(int(y), int(m), int(dd)), true
		s = s[10:]
		if len(s) == 0 {
			return days, 0, true, false, 0, true
		}
		if s[0] != 'T' && s[0] != ' ' {
			return 0, 0, false, false, 0, false
		}
		s = s[1:]
	}
	if k := bytes.IndexAny(s, "Z+"); k >= 0 {
		s = s[:k]
	} else if k := bytes.LastIndexByte(s, '-'); k >= 0 {
		s = s[:k]
	}
	if len(s) < 5 || s[2] != ':' {
		return 0, 0, false, false, 0, false
	}
	h, ok1 := num(s[0:2])
	mi, ok2 := num(s[3:5])
	var sec, fr int64
	ok3 := true
	if len(s) > 5 {
		if s[5] != ':' || len(s) < 8 {
			return 0, 0, false, false, 0, false
		}
		sec, ok3 = num(s[6:8])
		if len(s) > 8 {
			if s[8] != '.' {
				return 0, 0, false, false, 0, false
			}
			digits := s[9:]
			if len(digits) > 3 {
				digits = digits[:3]
			}
			var okf bool
			if fr, okf = num(digits); !okf {
				return 0, 0, false, false, 0, false
			}
			frac = uint8(len(digits))
			for range 3 - len(digits) {
				fr *= 10
			}
		}
	}
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 59 {
		return 0, 0, false, false, 0, false
	}
	ms = ((h*60+mi)*60+sec)*1000 + fr
	return days, ms, hasDate, true, frac, true
}
