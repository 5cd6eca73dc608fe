package csvfmt

import (
	"errors"
	"fmt"
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
