package xlsxfmt

import (
	"bytes"
	"errors"
	"strconv"
	"unicode/utf8"
)

// This file holds the hand-written XML scanning shared by the splitter, the row
// decoder and the shared-strings reader. encoding/xml allocates per token and is an
// order of magnitude too slow for sheet data; SpreadsheetML rows use a tiny, regular
// subset of XML, so a scanner over []byte that understands tags, attributes, entities,
// CDATA, comments and processing instructions is enough — and never expands entities
// beyond the five predefined ones, so entity bombs cannot exist. A DOCTYPE is refused.

type tagKind uint8

const (
	tagStart tagKind = iota // <name ...>
	tagEmpty                // <name .../>
	tagEnd                  // </name>
	tagCDATA                // <![CDATA[...]]>, body holds the text
	tagOther                // <?...?> or <!--...-->, body holds what is inside
)

// tag is one piece of markup; its slices point into the scanned buffer.
type tag struct {
	kind  tagKind
	name  []byte // local name, namespace prefix removed
	attrs []byte // raw attribute text of a start tag
	body  []byte // CDATA text, or the inside of a PI or comment
}

var (
	errIncomplete = errors.New("incomplete markup")
	errDoctype    = errors.New("DOCTYPE declarations are not allowed in workbook XML")
)

// scanTag reads the markup starting at buf[i] == '<'. It returns the index just past
// it, or errIncomplete when buf ends inside it (a streaming caller reads more).
func scanTag(buf []byte, i int) (tag, int, error) {
	var t tag
	if i+1 >= len(buf) {
		return t, 0, errIncomplete
	}
	switch buf[i+1] {
	case '?':
		end := bytes.Index(buf[i+2:], []byte("?>"))
		if end < 0 {
			return t, 0, errIncomplete
		}
		t.kind, t.body = tagOther, buf[i+2:i+2+end]
		return t, i + 2 + end + 2, nil
	case '!':
		rest := buf[i+2:]
		switch {
		case bytes.HasPrefix(rest, []byte("--")):
			end := bytes.Index(rest[2:], []byte("-->"))
			if end < 0 {
				return t, 0, errIncomplete
			}
			t.kind, t.body = tagOther, rest[2:2+end]
			return t, i + 4 + end + 3, nil
		case bytes.HasPrefix(rest, []byte("[CDATA[")):
			end := bytes.Index(rest[7:], []byte("]]>"))
			if end < 0 {
				return t, 0, errIncomplete
			}
			t.kind, t.body = tagCDATA, rest[7:7+end]
			return t, i + 9 + end + 3, nil
		case len(rest) < 7 && (bytes.HasPrefix([]byte("--"), rest) || bytes.HasPrefix([]byte("[CDATA["), rest)):
			return t, 0, errIncomplete
		}
		return t, 0, errDoctype
	case '/':
		j := i + 2
		for j < len(buf) && buf[j] != '>' {
			j++
		}
		if j >= len(buf) {
			return t, 0, errIncomplete
		}
		name := buf[i+2 : j]
		for len(name) > 0 && isSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		t.kind, t.name = tagEnd, localName(name)
		return t, j + 1, nil
	}
	j := i + 1
	for j < len(buf) {
		c := buf[j]
		if c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
			break
		}
		if c == '<' {
			return t, 0, errors.New("'<' inside a tag name")
		}
		j++
	}
	t.name = localName(buf[i+1 : j])
	k := j
	for k < len(buf) {
		c := buf[k]
		switch c {
		case '>':
			if buf[k-1] == '/' && k-1 >= j {
				t.kind, t.attrs = tagEmpty, buf[j:k-1]
			} else {
				t.kind, t.attrs = tagStart, buf[j:k]
			}
			return t, k + 1, nil
		case '"', '\'':
			q := bytes.IndexByte(buf[k+1:], c)
			if q < 0 {
				return t, 0, errIncomplete
			}
			k += q + 2
			continue
		case '<':
			return t, 0, errors.New("'<' inside a tag")
		}
		k++
	}
	return t, 0, errIncomplete
}

func localName(name []byte) []byte {
	// Names are short: a plain loop beats a call to bytes.IndexByte.
	for k, c := range name {
		if c == ':' {
			return name[k+1:]
		}
	}
	return name
}

// nextAttr returns the first attribute in attrs (local name, raw value) and the rest.
func nextAttr(attrs []byte) (name, value, rest []byte, ok bool) {
	i := 0
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	start := i
	for i < len(attrs) && attrs[i] != '=' && !isSpace(attrs[i]) {
		i++
	}
	name = attrs[start:i]
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || attrs[i] != '=' || len(name) == 0 {
		return nil, nil, nil, false
	}
	i++
	for i < len(attrs) && isSpace(attrs[i]) {
		i++
	}
	if i >= len(attrs) || (attrs[i] != '"' && attrs[i] != '\'') {
		return nil, nil, nil, false
	}
	q := attrs[i]
	end := bytes.IndexByte(attrs[i+1:], q)
	if end < 0 {
		return nil, nil, nil, false
	}
	value = attrs[i+1 : i+1+end]
	return localName(name), value, attrs[i+1+end+1:], true
}

// attr returns the raw value of the attribute with the given local name.
func attr(attrs []byte, name string) ([]byte, bool) {
	for {
		n, v, rest, ok := nextAttr(attrs)
		if !ok {
			return nil, false
		}
		if string(n) == name {
			return v, true
		}
		attrs = rest
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// needsDecoding marks the bytes that make text differ from its XML source: entity
// references, carriage returns (XML turns CR LF and lone CR into LF) and the
// underscore that starts an OOXML _xHHHH_ escape.
var needsDecoding = [256]bool{'&': true, '\r': true, '_': true}

// appendText appends XML character data raw to dst, decoded: predefined and numeric
// entity references resolved, literal line ends normalised to LF, and OOXML _xHHHH_
// escapes (as in _x000D_) turned into the characters they stand for.
func appendText(dst, raw []byte, cdata bool) []byte {
	i := 0
	for i < len(raw) && !needsDecoding[raw[i]] {
		i++
	}
	if i == len(raw) {
		return append(dst, raw...)
	}
	dst = append(dst, raw[:i]...)
	for i < len(raw) {
		c := raw[i]
		switch {
		case c == '&' && !cdata:
			r, n := entity(raw[i:])
			if n == 0 {
				dst = append(dst, '&')
				i++
				continue
			}
			dst = utf8.AppendRune(dst, r)
			i += n
		case c == '\r':
			dst = append(dst, '\n')
			i++
			if i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c == '_':
			r, n := ooxmlEscape(raw[i:])
			if n == 0 {
				dst = append(dst, '_')
				i++
				continue
			}
			if r >= 0xD800 && r < 0xDC00 {
				// A surrogate pair is written as two escapes, _xD83D__xDE00_.
				if lo, m := ooxmlEscape(raw[i+n:]); m > 0 && lo >= 0xDC00 && lo < 0xE000 {
					r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
					n += m
				}
			}
			dst = utf8.AppendRune(dst, r)
			i += n
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

// entity decodes the reference at s[0] == '&', returning 0 length if it is not one.
func entity(s []byte) (rune, int) {
	end := bytes.IndexByte(s, ';')
	if end < 2 || end > 12 {
		return 0, 0
	}
	name := s[1:end]
	switch string(name) {
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "amp":
		return '&', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	}
	if name[0] != '#' {
		return 0, 0
	}
	var v uint64
	var err error
	if len(name) > 1 && (name[1] == 'x' || name[1] == 'X') {
		v, err = strconv.ParseUint(string(name[2:]), 16, 32)
	} else {
		v, err = strconv.ParseUint(string(name[1:]), 10, 32)
	}
	if err != nil || v > utf8.MaxRune {
		return 0, 0
	}
	return rune(v), end + 1
}

// ooxmlEscape decodes _xHHHH_ at s[0] == '_', returning 0 length if it is not one.
func ooxmlEscape(s []byte) (rune, int) {
	if len(s) < 7 || s[1] != 'x' || s[6] != '_' {
		return 0, 0
	}
	var r rune
	for _, c := range s[2:6] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, 0
		}
		r = r<<4 | rune(d)
	}
	return r, 7
}

// cellRef parses an A1-style reference into a 0-based column and 1-based row.
// A reference without digits (as in a column-only ref) gives row 0.
func cellRef(ref []byte) (col, row int, ok bool) {
	i := 0
	if len(ref) > 0 && ref[0] == '$' {
		ref = ref[1:]
	}
	for i < len(ref) && i < 4 {
		c := ref[i] | 0x20
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		i++
	}
	if i == 0 || col > maxCols {
		return 0, 0, false
	}
	if i < len(ref) && ref[i] == '$' {
		i++
	}
	digits := len(ref) - i
	for ; i < len(ref); i++ {
		c := ref[i]
		if c < '0' || c > '9' || row > maxRows {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
	}
	if row > maxRows || (digits > 0 && row == 0) {
		return 0, 0, false
	}
	return col - 1, row, true
}

// parseRowNum parses the r attribute of a row.
func parseRowNum(v []byte) (int, bool) {
	if len(v) == 0 || len(v) > 7 {
		return 0, false
	}
	n := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n >= 1 && n <= maxRows
}

const (
	maxRows = 1 << 20 // 1,048,576 rows, Excel's limit
	maxCols = 1 << 14 // 16,384 columns (XFD)
)

// ColumnName returns the letters of a 0-based column index: 0 → A, 26 → AA.
func ColumnName(col int) string {
	var b [4]byte
	i := len(b)
	for col >= 0 && i > 0 {
		i--
		b[i] = byte('A' + col%26)
		col = col/26 - 1
	}
	return string(b[i:])
}
