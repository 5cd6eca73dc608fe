package xlsxfmt

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/ptransform/ptransform/internal/table"
)

// window is the rectangle of a sheet a reader wants.
type window struct {
	firstRow, lastRow int // 1-based Excel rows, inclusive
	firstCol, lastCol int // 0-based columns, inclusive
}

var fullWindow = window{firstRow: 1, lastRow: maxRows, firstCol: 0, lastCol: maxCols - 1}

func (w window) hasCol(c int) bool { return c >= w.firstCol && c <= w.lastCol }
func (w window) hasRow(r int) bool { return r >= w.firstRow && r <= w.lastRow }

// cellPos locates a cell; row 0 means none.
type cellPos struct{ row, col int }

// rowScanner walks a worksheet's XML stream row by row without decoding values: it
// finds each <row> element's bytes and number, and whether any cell in the window's
// columns holds a value. It is the splitter's engine, and finds the header row.
//
// A row "holds a value" when one of its cells has non-empty <v> text (ignored for
// inline strings, as the decoder ignores it) or non-empty <t> text outside phonetic
// runs, and is not a shared string that is empty (writers store "" so). Rows that
// hold no value are never emitted; the decoder fills the gaps before the next row
// that does, so trailing empty rows vanish whatever the block size.
type rowScanner struct {
	src    io.Reader
	buf    []byte
	pos    int // next unscanned byte
	end    int // buf[:end] holds data
	eof    bool
	limits Limits
	win    window
	shared *sharedStrings // to tell empty shared strings; nil: every index holds a value

	inData    bool // inside <sheetData>
	done      bool // past </sheetData>
	lastRow   int  // number of the last row seen
	dimension string

	formula        cellPos // first formula cell in the window
	formulaNoValue cellPos // first formula cell in the window without a cached value
	beyondRight    cellPos // first value right of the window's last column

	// rescanned counts the bytes scanned a second time because markup was incomplete
	// at the end of buf; fill keeps it within a small multiple of the input's size.
	rescanned int64
}

// scannedRow is one <row> element found by the scanner.
type scannedRow struct {
	num     int    // Excel row number
	raw     []byte // "<row ...>...</row>", valid until the next call
	hasR    bool   // the row carries its number in an r attribute
	content bool   // a cell in the window's columns holds a value
	lastCol int    // last column (of any) holding a value, -1 if none
}

var errTruncated = errors.New("the sheet XML ends early (truncated or damaged file)")

// errNoSheetData is a worksheet part without the element that holds its rows: not
// worksheet XML, or a damaged one. An empty sheet has an empty <sheetData/>.
var errNoSheetData = errors.New("holds no <sheetData> element (not worksheet XML, or damaged); repair the workbook by opening and saving it in Excel")

func newRowScanner(src io.Reader, win window, limits Limits) *rowScanner {
	return &rowScanner{src: src, buf: make([]byte, 256<<10), win: win, limits: limits}
}

// fill keeps buf[keep:end], moves it to the front and reads until buf is full or the
// input ends. Filling it whole matters: a caller that found its markup incomplete scans
// it again from its start, and after short reads (an inflater's) that would rescan a
// large row once per read; with full buffers a row is rescanned only when the buffer
// has doubled, which keeps scanning linear.
func (s *rowScanner) fill(keep int) error {
	if s.eof {
		return errTruncated
	}
	n := copy(s.buf, s.buf[keep:s.end])
	s.end, s.pos = n, s.pos-keep
	if s.end == len(s.buf) {
		if len(s.buf) >= s.limits.MaxElementBytes {
			return fmt.Errorf("a row is larger than %d bytes (XML bomb limit)", s.limits.MaxElementBytes)
		}
		nb := make([]byte, min(2*len(s.buf), s.limits.MaxElementBytes))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for s.end < len(s.buf) {
		m, err := s.src.Read(s.buf[s.end:])
		s.end += m
		if errors.Is(err, io.EOF) {
			s.eof = true
			return nil
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// start advances to the first row, noting the <dimension> on the way.
func (s *rowScanner) start() error {
	for !s.inData && !s.done {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			if s.eof {
				return errNoSheetData
			}
			s.pos = s.end
			if err := s.fill(s.pos); err != nil {
				return err
			}
			continue
		}
		i += s.pos
		t, next, err := scanTag(s.buf[:s.end], i)
		if errors.Is(err, errIncomplete) {
			s.pos = i
			if err := s.fill(i); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		s.pos = next
		switch string(t.name) {
		case "dimension":
			if ref, ok := attr(t.attrs, "ref"); ok && t.kind != tagEnd {
				s.dimension = string(ref)
			}
		case "sheetData":
			switch t.kind {
			case tagStart:
				s.inData = true
			case tagEmpty:
				s.done = true
			}
		}
	}
	return nil
}

// next finds the next row. It returns false after the last one.
func (s *rowScanner) next(row *scannedRow) (bool, error) {
	if !s.inData {
		if err := s.start(); err != nil {
			return false, err
		}
	}
	for !s.done {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			s.pos = s.end
			if err := s.fill(s.pos); err != nil {
				return false, err
			}
			continue
		}
		i += s.pos
		t, next, err := scanTag(s.buf[:s.end], i)
		if err == nil && (t.kind == tagStart || t.kind == tagEmpty) && string(t.name) == "row" {
			next, err = s.scanRow(i, t, next, row)
		}
		if errors.Is(err, errIncomplete) {
			s.pos = i
			s.rescanned += int64(s.end - i)
			if err := s.fill(i); err != nil {
				return false, &Error{Row: s.lastRow + 1, Col: -1, Err: err}
			}
			continue
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return false, err
			}
			return false, &Error{Row: s.lastRow + 1, Col: -1, Err: err}
		}
		s.pos = next
		if t.kind == tagEnd && string(t.name) == "sheetData" {
			s.done = true
			return false, nil
		}
		if string(t.name) == "row" && t.kind != tagEnd {
			return true, nil
		}
	}
	return false, nil
}

// scanRow reads the row whose start tag t spans buf[start:p] and returns the index
// just past the row.
func (s *rowScanner) scanRow(start int, t tag, p int, row *scannedRow) (int, error) {
	num, hasR, err := rowNumber(t.attrs, s.lastRow)
	if err != nil {
		return 0, err
	}
	*row = scannedRow{num: num, hasR: hasR, lastCol: -1}
	buf := s.buf[:s.end]
	if t.kind == tagEmpty {
		row.raw = buf[start:p]
		s.lastRow = num
		return p, nil
	}
	inWindow := s.win.hasRow(num)
	col := -1
	inline, shared, hasF, hasV, cached, inValue := false, false, false, false, false, false
	phonetic, depth := 0, 0
	endCell := func() {
		if hasF && inWindow && s.win.hasCol(col) && s.formula.row == 0 {
			s.formula = cellPos{num, col}
		}
		switch {
		case hasV:
			row.lastCol = max(row.lastCol, col)
			if !inWindow {
				break
			}
			if s.win.hasCol(col) {
				row.content = true
			} else if col > s.win.lastCol && s.beyondRight.row == 0 {
				s.beyondRight = cellPos{num, col}
			}
		case hasF && !cached && inWindow && s.win.hasCol(col) && s.formulaNoValue.row == 0:
			// <v></v> is a cached empty string (=IF(…,"",…)), not a missing value.
			s.formulaNoValue = cellPos{num, col}
		}
		hasF, hasV, cached, inValue = false, false, false, false
	}
	for {
		j := 0
		if p >= len(buf) || buf[p] != '<' {
			if j = bytes.IndexByte(buf[p:], '<'); j < 0 {
				return 0, errIncomplete
			}
		}
		if inValue && j > 0 {
			hasV = hasV || !shared || !s.shared.isEmpty(buf[p:p+j])
		}
		p += j
		t, next, err := scanTag(buf, p)
		if err != nil {
			if errors.Is(err, errIncomplete) {
				return 0, err
			}
			return 0, &Error{Row: num, Col: -1, Err: err}
		}
		p = next
		switch t.kind {
		case tagStart, tagEmpty:
			if t.kind == tagStart {
				if depth++; depth > s.limits.MaxDepth {
					return 0, &Error{Row: num, Col: -1, Err: fmt.Errorf("elements nest deeper than %d (XML bomb limit)", s.limits.MaxDepth)}
				}
			}
			switch string(t.name) {
			case "c":
				c, typ, _, err := cellAttrs(t.attrs, col)
				if err != nil {
					return 0, &Error{Row: num, Col: col + 1, Err: err}
				}
				col, inline, shared = c, string(typ) == "inlineStr", string(typ) == "s" && s.shared != nil
				hasF, hasV, cached, inValue = false, false, false, false
				if t.kind == tagEmpty {
					endCell()
				} else if text, end, ok := simpleValue(buf, p); ok {
					depth--
					hasV = len(text) > 0 && !inline && !(shared && s.shared.isEmpty(text))
					endCell()
					p = end
				}
			case "v":
				inValue = t.kind == tagStart && !inline
				cached = true
			case "t":
				inValue = t.kind == tagStart && phonetic == 0
			case "f":
				hasF = true
			case "rPh":
				if t.kind == tagStart {
					phonetic++
				}
			}
		case tagEnd:
			depth--
			switch string(t.name) {
			case "row":
				row.raw = buf[start:p]
				s.lastRow = num
				return p, nil
			case "c":
				endCell()
			case "v", "t":
				inValue = false
			case "rPh":
				phonetic--
			}
		case tagCDATA:
			if inValue && len(t.body) > 0 {
				hasV = true
			}
		}
	}
}

// rowNumber reads a row's r attribute; a row without one follows the previous row.
func rowNumber(attrs []byte, prev int) (num int, hasR bool, err error) {
	num = prev + 1
	if r, ok := attr(attrs, "r"); ok {
		n, ok := parseRowNum(r)
		if !ok {
			return 0, false, &Error{Row: num, Col: -1, Err: fmt.Errorf("bad row number %s", table.QuoteValue(r))}
		}
		num, hasR = n, true
	}
	if num <= prev {
		return 0, false, &Error{Row: num, Col: -1, Err: fmt.Errorf("row %d comes after row %d (rows must ascend)", num, prev)}
	}
	if num > maxRows {
		return 0, false, &Error{Row: num, Col: -1, Err: fmt.Errorf("row number beyond Excel's %d rows", maxRows)}
	}
	return num, hasR, nil
}

// cellAttrs reads a <c> element's column (from r, or the one after prev), type and
// style attributes.
func cellAttrs(attrs []byte, prev int) (col int, typ, style []byte, err error) {
	col = prev + 1
	// A hand-rolled loop: this runs once per cell, and the generic attribute
	// reader's calls cost more than the cell's other work.
	i := 0
	for i < len(attrs) {
		if isSpace(attrs[i]) {
			i++
			continue
		}
		ns := i
		for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
			i++
		}
		name := attrs[ns:i]
		for i < len(attrs) && attrs[i] != '"' && attrs[i] != '\'' {
			i++
		}
		if i >= len(attrs) {
			break
		}
		q := attrs[i]
		i++
		vs := i
		for i < len(attrs) && attrs[i] != q {
			i++
		}
		v := attrs[vs:i]
		i++
		if len(name) != 1 {
			continue
		}
		switch name[0] {
		case 'r':
			c, _, ok := cellRef(v)
			if !ok {
				return 0, nil, nil, fmt.Errorf("bad cell reference %s", table.QuoteValue(v))
			}
			col = c
		case 't':
			typ = v
		case 's':
			style = v
		}
	}
	if col >= maxCols {
		return 0, nil, nil, fmt.Errorf("cell beyond Excel's last column XFD")
	}
	return col, typ, style, nil
}
