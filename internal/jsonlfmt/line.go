package jsonlfmt

import (
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// lineError is what is wrong with one line, at a byte of it (0-based).
type lineError struct {
	at        int
	msg       string
	truncated bool // the line ends inside a value
}

func (e *lineError) Error() string { return fmt.Sprintf("byte %d: %s", e.at+1, e.msg) }

// errTruncated matches (errors.Is) the errors of lines that end inside a value.
var errTruncated = errors.New("truncated line")

func (e *lineError) Is(target error) bool { return target == errTruncated && e.truncated }

func errAt(at int, format string, args ...any) *lineError {
	return &lineError{at: at, msg: fmt.Sprintf(format, args...)}
}

// maxDepth bounds the nesting of a value, as encoding/json does (10,000), so that no
// line can exhaust the stack.
const maxDepth = 10000

// field is one key of an object and its value as a cell: a string's decoded text,
// any other value's JSON text as written; null has no cell.
type field struct {
	key   []byte // decoded
	value []byte
	null  bool
}

// lineParser parses one line's object into fields. Decoded keys and strings go to
// scratch, which is reused from line to line.
type lineParser struct {
	scratch []byte
	fields  []field
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// blank says whether a line holds only JSON whitespace.
func blank(line []byte) bool { return skipSpace(line, 0) == len(line) }

// parse reads line, one JSON object and nothing else but whitespace, into p.fields.
// The fields' bytes point into line or p.scratch, valid until the next parse.
func (p *lineParser) parse(line []byte) error {
	p.fields, p.scratch = p.fields[:0], p.scratch[:0]
	// Decoded strings are appended to scratch: sized up front to the line, no append
	// moves it while fields point into it (a decoded string is never longer than its
	// JSON text).
	if cap(p.scratch) < len(line) {
		p.scratch = make([]byte, 0, len(line)+len(line)/4)
	}
	i := skipSpace(line, 0)
	if i == len(line) {
		return errAt(i, "a blank line") // callers skip them
	}
	if line[i] != '{' {
		return errAt(i, "not a JSON object: each line must hold one object, {...}%s", notObjectHint(line[i]))
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return p.end(line, i+1)
	}
	for {
		if i >= len(line) {
			return truncated(i)
		}
		if line[i] != '"' {
			return errAt(i, "expected a key in double quotes, found %s", describeByte(line, i))
		}
		key, next, err := p.str(line, i)
		if err != nil {
			return err
		}
		i = skipSpace(line, next)
		if i >= len(line) {
			return truncated(i)
		}
		if line[i] != ':' {
			return errAt(i, "expected ':' after the key, found %s", describeByte(line, i))
		}
		i = skipSpace(line, i+1)
		f := field{key: key}
		if i < len(line) && line[i] == '"' {
			f.value, next, err = p.str(line, i)
		} else if next, err = skipValue(line, i, 1); err == nil {
			f.value = line[i:next]
			f.null = string(f.value) == "null"
		}
		if err != nil {
			return err
		}
		p.fields = append(p.fields, f)
		i = skipSpace(line, next)
		if i >= len(line) {
			return truncated(i)
		}
		switch line[i] {
		case ',':
			i = skipSpace(line, i+1)
		case '}':
			return p.end(line, i+1)
		default:
			return errAt(i, "expected ',' or '}' after a value, found %s", describeByte(line, i))
		}
	}
}

// end checks that nothing but whitespace follows the object.
func (p *lineParser) end(line []byte, i int) error {
	if j := skipSpace(line, i); j < len(line) {
		return errAt(j, "more after the object (%s): a line holds one object", describeByte(line, j))
	}
	return nil
}

func truncated(at int) error {
	return &lineError{at: at, msg: "the line ends inside the object", truncated: true}
}

func notObjectHint(c byte) string {
	if c == '[' {
		return ", not an array"
	}
	return ""
}

func describeByte(b []byte, i int) string {
	if i >= len(b) {
		return "the end of the line"
	}
	if b[i] < 0x20 || b[i] >= 0x80 {
		return fmt.Sprintf("byte 0x%02X", b[i])
	}
	return fmt.Sprintf("%q", b[i])
}

// str decodes the JSON string at b[i] (a '"') onto p.scratch and returns its text and
// the offset after its closing quote. Text without escapes is returned in place.
func (p *lineParser) str(b []byte, i int) ([]byte, int, error) {
	start := i + 1
	j := start
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			return b[start:j], j + 1, nil
		case c == '\\':
			return p.strEscaped(b, start, j)
		case c < 0x20:
			return nil, 0, errAt(j, "control character 0x%02X inside a string (write it as \\u%04X)", c, c)
		case c < utf8.RuneSelf:
			j++
		default:
			r, w := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && w == 1 {
				return nil, 0, errAt(j, "invalid UTF-8 (byte 0x%02X)", c)
			}
			j += w
		}
	}
	return nil, 0, truncated(j)
}

// strEscaped goes on with a string that holds escapes, from its first backslash at j.
func (p *lineParser) strEscaped(b []byte, start, j int) ([]byte, int, error) {
	from := len(p.scratch)
	p.scratch = append(p.scratch, b[start:j]...)
	for j < len(b) {
		c := b[j]
		switch {
		case c == '"':
			return p.scratch[from:len(p.scratch):len(p.scratch)], j + 1, nil
		case c == '\\':
			if j+1 >= len(b) {
				return nil, 0, truncated(j + 1)
			}
			switch e := b[j+1]; e {
			case '"', '\\', '/':
				p.scratch = append(p.scratch, e)
			case 'b':
				p.scratch = append(p.scratch, '\b')
			case 'f':
				p.scratch = append(p.scratch, '\f')
			case 'n':
				p.scratch = append(p.scratch, '\n')
			case 'r':
				p.scratch = append(p.scratch, '\r')
			case 't':
				p.scratch = append(p.scratch, '\t')
			case 'u':
				r, n, err := unicodeEscape(b, j)
				if err != nil {
					return nil, 0, err
				}
				p.scratch = utf8.AppendRune(p.scratch, r)
				j += n
				continue
			default:
				return nil, 0, errAt(j, "unknown escape \\%c in a string", e)
			}
			j += 2
		case c < 0x20:
			return nil, 0, errAt(j, "control character 0x%02X inside a string (write it as \\u%04X)", c, c)
		case c < utf8.RuneSelf:
			p.scratch = append(p.scratch, c)
			j++
		default:
			r, w := utf8.DecodeRune(b[j:])
			if r == utf8.RuneError && w == 1 {
				return nil, 0, errAt(j, "invalid UTF-8 (byte 0x%02X)", c)
			}
			p.scratch = append(p.scratch, b[j:j+w]...)
			j += w
		}
	}
	return nil, 0, truncated(j)
}

// unicodeEscape decodes the \uXXXX at b[i:], with the \uXXXX after it when the two are
// a surrogate pair, and returns the character and the bytes read. A lone surrogate
// reads as U+FFFD, as encoding/json reads it.
func unicodeEscape(b []byte, i int) (rune, int, error) {
	r, ok := hex4(b, i)
	if !ok {
		return 0, 0, errAt(i, `\u needs 4 hex digits`)
	}
	if utf16.IsSurrogate(r) {
		if lo, ok := hex4(b, i+6); ok {
			if dec := utf16.DecodeRune(r, lo); dec != utf8.RuneError {
				return dec, 12, nil
			}
		}
		return utf8.RuneError, 6, nil
	}
	return r, 6, nil
}

func hex4(b []byte, i int) (rune, bool) {
	if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
		return 0, false
	}
	var r rune
	for _, c := range b[i+2 : i+6] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// skipValue checks the JSON value at b[i] (not a string at the top: str reads those)
// and returns the offset after it.
func skipValue(b []byte, i, depth int) (int, error) {
	if i >= len(b) {
		return 0, truncated(i)
	}
	switch c := b[i]; {
	case c == '"':
		var p lineParser // strings inside nested values are checked, not kept
		_, next, err := p.str(b, i)
		return next, err
	case c == '{' || c == '[':
		if depth >= maxDepth {
			return 0, errAt(i, "values nested more than %d deep", maxDepth)
		}
		return skipContainer(b, i, depth)
	case c == '-' || c >= '0' && c <= '9':
		return number(b, i)
	}
	for _, lit := range []string{"true", "false", "null"} {
		if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
			if end := i + len(lit); end == len(b) || !isWordByte(b[end]) {
				return end, nil
			}
		}
	}
	return 0, errAt(i, "expected a value, found %s%s", describeByte(b, i), valueHint(b, i))
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

func valueHint(b []byte, i int) string {
	if b[i] == '\'' {
		return " (JSON strings take double quotes)"
	}
	return ""
}

// skipContainer checks the object or array at b[i].
func skipContainer(b []byte, i, depth int) (int, error) {
	closer := byte(']')
	object := b[i] == '{'
	if object {
		closer = '}'
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1, nil
	}
	for {
		if i >= len(b) {
			return 0, truncated(i)
		}
		if object {
			if b[i] != '"' {
				return 0, errAt(i, "expected a key in double quotes, found %s", describeByte(b, i))
			}
			next, err := skipValue(b, i, depth+1)
			if err != nil {
				return 0, err
			}
			i = skipSpace(b, next)
			if i >= len(b) {
				return 0, truncated(i)
			}
			if b[i] != ':' {
				return 0, errAt(i, "expected ':' after the key, found %s", describeByte(b, i))
			}
			i = skipSpace(b, i+1)
		}
		next, err := skipValue(b, i, depth+1)
		if err != nil {
			return 0, err
		}
		i = skipSpace(b, next)
		if i >= len(b) {
			return 0, truncated(i)
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case closer:
			return i + 1, nil
		default:
			return 0, errAt(i, "expected ',' or '%c', found %s", closer, describeByte(b, i))
		}
	}
}

// number checks the JSON number at b[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func number(b []byte, i int) (int, error) {
	start := i
	if b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return 0, errAt(start, "malformed number")
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return 0, errAt(start, "malformed number")
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, errAt(start, "malformed number")
		}
	}
	if i < len(b) && (isWordByte(b[i]) || b[i] == '.') {
		return 0, errAt(start, "malformed number")
	}
	return i, nil
}
