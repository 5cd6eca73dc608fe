// Package jsonlfmt reads JSON Lines (NDJSON) inputs: one JSON object per line, each
// line a row and each key a column.
//
//   - Columns are the keys of the objects of the first SampleLines lines (or of as many
//     lines as the first SampleBytes hold), in the order they first appear. A key first
//     seen later is an error naming its line: the columns are decided before any chunk
//     is read, so that they never depend on how the input was cut.
//   - Values become cells as a CSV field would hold them: a string its text (unescaped;
//     "" is null, as an empty CSV field is), a number its text as written (1.50 stays
//     1.50), true and false as such, null (or a missing key) null, and a nested object
//     or array its JSON text as written.
//   - Blank lines are skipped and counted, so line numbers are the file's own. A line
//     that is not one complete object, invalid UTF-8 or a key given twice in one object
//     is an error naming the file, the line and the byte.
//
// A JSON line holds no raw line break (JSON escapes them), so every '\n' ends a record:
// a regular file is cut into byte ranges that workers decode in parallel by ReadAt,
// each owning the lines that start inside it; a stream is cut by Split into blocks of
// whole lines.
package jsonlfmt

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ptransform/ptransform/internal/sniff"
)

// The sample that decides the columns.
const (
	SampleLines = 1000
	SampleBytes = 16 << 20
)

// ParseError is a line that does not decode. Errors of DecodeRange and DecodeBlock
// carry a Line relative to their chunk (0 for its first line) until Rebase.
type ParseError struct {
	File string
	Line int64
	Msg  string
	Hint string
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("%s: line %d, %s", e.File, e.Line, e.Msg)
	if e.Hint != "" {
		s += " (" + e.Hint + ")"
	}
	return s
}

// Rebase turns a chunk-relative line into an absolute one: base is the absolute line
// number of the chunk's first line.
func (e *ParseError) Rebase(base int64) { e.Line += base }

// Input is an opened JSON Lines input.
type Input struct {
	Name     string
	Header   []string // the keys of the sample, in order of first appearance
	Seekable bool
	Size     int64 // when Seekable
	// DataStart is the offset of the first line (after a UTF-8 byte-order mark).
	DataStart int64
	index     map[string]int
	file      *os.File
	src       *sniff.File
	sample    []byte    // the sampled lines, read from the stream
	rest      io.Reader // a stream's bytes after the sample
}

// Open reads the sample of src, recognised as JSON Lines, and decides the columns. The
// input takes src over (Close closes it).
func Open(src *sniff.File) (*Input, error) {
	in := &Input{Name: src.Name, src: src, index: map[string]int{}, Seekable: src.Seekable}
	fail := func(err error) (*Input, error) {
		src.Close()
		return nil, err
	}
	if bom, _ := src.Head.Peek(3); bytes.Equal(bom, []byte("\xEF\xBB\xBF")) {
		src.Head.Discard(3)
		in.DataStart = 3
	}
	if in.Seekable {
		in.file, in.Size = src.File, src.Info.Size()
	}
	if err := in.readSample(src.Head); err != nil {
		return fail(err)
	}
	in.rest = src.Head
	return in, nil
}

// readSample reads the sample's lines from r into in.sample and takes their keys.
func (in *Input) readSample(r *bufio.Reader) error {
	var p lineParser
	objects := 0
	for line := int64(1); objects < SampleLines && len(in.sample) < SampleBytes; line++ {
		text, err := r.ReadBytes('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		in.sample = append(in.sample, text...)
		if !blank(text) {
			objects++
			if perr := p.parse(text); perr != nil {
				return in.sampleError(line, objects, perr)
			}
			for _, f := range p.fields {
				if _, ok := in.index[string(f.key)]; !ok {
					in.index[string(f.key)] = len(in.Header)
					in.Header = append(in.Header, string(f.key))
				}
			}
		}
		if err != nil {
			break // the end of the input
		}
	}
	if len(in.Header) == 0 {
		return fmt.Errorf("%s: the objects of its first %d lines have no keys: there is no column to read", in.Name, SampleLines)
	}
	return nil
}

// sampleError is the error for a sampled line, saying what the input is when its first
// object is not complete on its line: a JSON document written over several lines.
func (in *Input) sampleError(line int64, objects int, err error) error {
	if objects == 1 && errors.Is(err, errTruncated) {
		return fmt.Errorf("%s: is a JSON document written over several lines, not JSON Lines (one object per line); jq -c . FILE | ptransform apply - reads it", in.Name)
	}
	return lineParseError(in.Name, line, err)
}

func lineParseError(name string, line int64, err error) *ParseError {
	pe := &ParseError{File: name, Line: line, Msg: err.Error()}
	if errors.Is(err, errTruncated) {
		pe.Hint = "a JSON line must hold a whole object; was the file cut short?"
	}
	return pe
}

// Sample returns the sampled lines: whole lines from the first on.
func (in *Input) Sample() []byte { return in.sample }

// Close closes the input's file, unless it is standard input.
func (in *Input) Close() error { return in.src.Close() }

// Range is a byte range of a seekable input; it owns the lines that start in it.
type Range struct{ Start, End int64 }

// Ranges cuts the input's data into ranges of size bytes.
func (in *Input) Ranges(size int64) []Range {
	var out []Range
	for start := in.DataStart; start < in.Size; start += size {
		out = append(out, Range{start, min(start+size, in.Size)})
	}
	return out
}

// Split cuts a stream input into blocks of whole lines of about chunkSize bytes, the
// sample's lines first, and hands each to emit, which owns it.
func (in *Input) Split(ctx context.Context, chunkSize int, emit func([]byte) error) error {
	r := io.MultiReader(bytes.NewReader(in.sample), in.rest)
	var carry []byte
	for {
		if err := ctx.Err(); err != nil {
			return context.Cause(ctx)
		}
		block := make([]byte, len(carry), max(chunkSize, 2*len(carry)))
		copy(block, carry)
		n, err := io.ReadFull(r, block[len(carry):cap(block)])
		block = block[:len(carry)+n]
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			if len(block) == 0 {
				return nil
			}
			return emit(block)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.Name, err)
		}
		cut := bytes.LastIndexByte(block, '\n')
		if cut < 0 {
			carry = block // a line longer than the block: read on
			continue
		}
		carry = append([]byte(nil), block[cut+1:]...)
		if err := emit(block[:cut+1]); err != nil {
			return err
		}
	}
}
