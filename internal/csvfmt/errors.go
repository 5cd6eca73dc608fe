package csvfmt

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
)

// ParseError reports malformed input. Errors returned by DecodeRange and DecodeBlock
// carry a Line relative to the chunk (0 = the line at Decoded.Start) until the engine,
// which knows how many lines earlier chunks consumed, calls Rebase.
type ParseError struct {
	File   string
	Line   int64 // 1-based line number once rebased; errors from Open are absolute
	Column int   // 1-based field index; 0 when the error concerns the whole record
	Msg    string
	Hint   string // what the user can do about it, if anything; shown in parentheses
}

func (e *ParseError) Error() string {
	var s string
	if e.Column > 0 {
		s = fmt.Sprintf("%s: line %d, column %d: %s", e.File, e.Line, e.Column, e.Msg)
	} else {
		s = fmt.Sprintf("%s: line %d: %s", e.File, e.Line, e.Msg)
	}
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Rebase turns a chunk-relative line into an absolute one: base is the absolute line
// number of the chunk's first line.
func (e *ParseError) Rebase(base int64) { e.Line += base }

// ErrNeedStream is returned by DecodeRange when the range cannot be decoded on its
// own: no record boundary was found near its start, or its last record runs far past
// its end. Both happen when a range's start was guessed or counted wrong (a line break
// inside quotes, bare quotes) or a record is enormous. The engine treats it like a
// Start mismatch: it goes on from the previous chunk's End, with counted ranges after a
// guess and with SplitFrom, which is always exact, after that.
var ErrNeedStream = errors.New("csv range needs stream decoding")

// Reshaped is a record that Options.Ragged padded with nulls (Fields < Columns) or
// whose extra fields it dropped (Fields > Columns). Decoded.Reshaped lists them, so
// that nothing is changed without a word. Line is relative to the chunk like
// ParseError's until the engine adds the chunk's base line.
type Reshaped struct {
	Line            int64
	Fields, Columns int
}

// Message says what was done to the record.
func (r Reshaped) Message() string {
	cells := func(n int, kind string) string {
		if n == 1 {
			return "1 " + kind + " cell"
		}
		return fmt.Sprintf("%d %s cells", n, kind)
	}
	if r.Fields < r.Columns {
		return fmt.Sprintf("%d fields instead of %d: padded with %s (--ragged pad)", r.Fields, r.Columns, cells(r.Columns-r.Fields, "empty"))
	}
	return fmt.Sprintf("%d fields instead of %d: %s dropped (--ragged truncate)", r.Fields, r.Columns, cells(r.Fields-r.Columns, "extra"))
}

// fieldCountHint says what most likely makes a record of `found` fields where the header
// has `want`, from the record's bytes: a binary file, the wrong delimiter, title lines
// above the header, or else a ragged file that --ragged can read.
func fieldCountHint(rec []byte, delim byte, want, found int) string {
	if bytes.IndexByte(rec, 0) >= 0 {
		return "the input holds NUL bytes: is it a binary file rather than CSV?"
	}
	if found == 1 {
		// One field: perhaps the fields are separated by another delimiter.
		best, bestCount := byte(0), 0
		for _, d := range sniffCandidates {
			if n := bytes.Count(rec, []byte{d}); d != delim && n > 0 && (n+1 == want || best == 0 || n > bestCount && bestCount+1 != want) {
				best, bestCount = d, n
			}
		}
		if best != 0 {
			return fmt.Sprintf("is %s the delimiter? --delimiter %s", delimiterName(best), delimiterArg(best))
		}
	}
	// A header of one or two fields over rows of many: the "header" is a title line.
	if want == 1 && found > 1 || want == 2 && found >= 4 {
		return "title lines above the header? --header-row N reads the header from line N"
	}
	if found < want {
		return "--ragged pad fills short rows with empty cells"
	}
	return "--ragged truncate drops the extra cells"
}

// delimiterName and delimiterArg spell a delimiter in a message and as a flag value.
func delimiterName(d byte) string {
	if d == '\t' {
		return "TAB"
	}
	return fmt.Sprintf("'%c'", d)
}

func delimiterArg(d byte) string {
	if d == '\t' {
		return "tab"
	}
	return fmt.Sprintf("'%c'", d)
}

// countingReader counts the compressed bytes a decompressor has taken, so that a
// damaged stream's error can say where it broke. It keeps the io.ByteReader of its
// source, so decompressors read no further ahead than they must. n is atomic: zstd
// reads in a goroutine of its own.
type countingReader struct {
	r    *bufio.Reader
	n    atomic.Int64
	size int64 // the whole compressed input, -1 when unknown (a pipe)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.n.Add(1)
	}
	return b, err
}

// decompressed is a decompressor's output whose errors say where the compressed input
// broke (a bare "unexpected EOF" tells nothing).
type decompressed struct {
	r      io.Reader
	format string
	at     *countingReader
}

func (d *decompressed) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = &damagedError{d.format, d.at, err}
	}
	return n, err
}

// damagedError is a compressed input that cannot be decompressed.
type damagedError struct {
	format string
	at     *countingReader
	err    error
}

func (e *damagedError) Error() string {
	what := "damaged"
	if errors.Is(e.err, io.ErrUnexpectedEOF) {
		what = "truncated"
	}
	of := ""
	if e.at.size >= 0 {
		of = fmt.Sprintf(" of %d", e.at.size)
	}
	return fmt.Sprintf("%s data %s at compressed byte %d%s (%v)", e.format, what, e.at.n.Load(), of, e.err)
}

func (e *damagedError) Unwrap() error { return e.err }
