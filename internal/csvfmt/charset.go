package csvfmt

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf16"
	"unicode/utf8"
)

// charset is how the decoder turns field bytes into UTF-8. UTF-16 never reaches the
// decoder: it is transcoded to UTF-8 by utf16Reader before splitting.
type charset uint8

const (
	charsetUTF8   charset = iota // checked to be valid (checkUTF8), then passed through
	charsetLatin1                // ISO-8859-1: byte value = code point
	charsetCP1252                // Windows-1252: Latin-1 except 0x80-0x9F
)

// cp1252High maps bytes 0x80-0x9F of Windows-1252. The five bytes the code page leaves
// undefined map to the C1 control with the same value, as the WHATWG encoding standard
// does, so no byte is lost.
var cp1252High = [32]rune{
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
	0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
	0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
}

// appendTranscoded appends b, read in a single-byte charset, as UTF-8.
func appendTranscoded(dst, b []byte, cs charset) []byte {
	for _, c := range b {
		switch {
		case c < 0x80:
			dst = append(dst, c)
		case c < 0xA0 && cs == charsetCP1252:
			dst = utf8.AppendRune(dst, cp1252High[c-0x80])
		default:
			dst = utf8.AppendRune(dst, rune(c))
		}
	}
	return dst
}

// utf16Reader transcodes a UTF-16 stream to UTF-8. Unpaired surrogates and a dangling
// odd byte at the end become U+FFFD.
type utf16Reader struct {
	r         io.Reader
	bigEndian bool
	raw       []byte // undecoded input bytes
	out       []byte // decoded bytes not yet returned
	pending   rune   // a high surrogate waiting for its pair, or -1
	eof       bool
}

func newUTF16Reader(r io.Reader, bigEndian bool) *utf16Reader {
	return &utf16Reader{r: r, bigEndian: bigEndian, raw: make([]byte, 0, 64<<10), pending: -1}
}

func (u *utf16Reader) Read(p []byte) (int, error) {
	for len(u.out) == 0 {
		if u.eof {
			return 0, io.EOF
		}
		if err := u.fill(); err != nil {
			return 0, err
		}
	}
	n := copy(p, u.out)
	u.out = u.out[n:]
	return n, nil
}

func (u *utf16Reader) fill() error {
	n, err := u.r.Read(u.raw[len(u.raw):cap(u.raw)])
	u.raw = u.raw[:len(u.raw)+n]
	if err == io.EOF {
		u.eof = true
	} else if err != nil {
		return err
	}
	out := u.out[:0]
	i := 0
	for ; i+1 < len(u.raw); i += 2 {
		var v uint16
		if u.bigEndian {
			v = uint16(u.raw[i])<<8 | uint16(u.raw[i+1])
		} else {
			v = uint16(u.raw[i+1])<<8 | uint16(u.raw[i])
		}
		r := rune(v)
		if u.pending >= 0 {
			if utf16.IsSurrogate(r) && r >= 0xDC00 {
				out = utf8.AppendRune(out, utf16.DecodeRune(u.pending, r))
				u.pending = -1
				continue
			}
			out = utf8.AppendRune(out, utf8.RuneError)
			u.pending = -1
		}
		switch {
		case r >= 0xD800 && r < 0xDC00:
			u.pending = r
		case r >= 0xDC00 && r < 0xE000:
			out = utf8.AppendRune(out, utf8.RuneError)
		default:
			out = utf8.AppendRune(out, r)
		}
	}
	rest := copy(u.raw, u.raw[i:])
	u.raw = u.raw[:rest]
	if u.eof && (u.pending >= 0 || rest > 0) {
		out = utf8.AppendRune(out, utf8.RuneError)
		u.pending = -1
		u.raw = u.raw[:0]
	}
	u.out = out
	return nil
}

// invalidUTF8Hint is what a user can do about input that is not UTF-8.
const invalidUTF8Hint = "the input is not UTF-8: name its encoding, e.g. --encoding latin1 or --encoding windows-1252"

// checkUTF8 reports the first invalid UTF-8 sequence in data, records that start on
// relative line line0, as a ParseError naming its line and field. Input read as UTF-8
// must be valid: invalid bytes would pass through some columns unchanged and become
// U+FFFD in others (whatever a function rewrites), one row in two encodings. The check
// is one utf8.Valid per chunk, which runs 8 ASCII bytes a step.
func checkUTF8(file string, data []byte, delim, term byte, line0 int64) error {
	if utf8.Valid(data) {
		return nil
	}
	bad := 0
	for bad < len(data) {
		r, size := utf8.DecodeRune(data[bad:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		bad += size
	}
	lineStart := bytes.LastIndexByte(data[:bad], term) + 1
	// The field: delimiters outside quotes since the line's start (a line inside a
	// multi-line quoted field counts from that line).
	col, inQuotes := 1, false
	for _, c := range data[lineStart:bad] {
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case c == delim && !inQuotes:
			col++
		}
	}
	return &ParseError{File: file, Line: line0 + int64(bytes.Count(data[:bad], []byte{term})), Column: col,
		Msg: fmt.Sprintf("invalid UTF-8 (byte 0x%02X)", data[bad]), Hint: invalidUTF8Hint}
}
