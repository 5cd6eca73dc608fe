// Package sniff opens an input once and tells from its first bytes what it holds, whatever
// its name: text to read as CSV, a compressed stream, a workbook container, or a format
// ptransform does not read, which is refused saying what it is.
//
// The first bytes are read through a buffer that the reader of the input then goes on
// with, so a pipe, a FIFO or a process substitution (<(zcat …)) is opened and read once
// and loses nothing to the sniffing. Only a regular file may be opened again.
package sniff

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Kind is what the first bytes of an input say it is.
type Kind uint8

const (
	Text        Kind = iota // nothing recognised: read as CSV
	Gzip                    // decompressed on the fly
	Zstd                    // decompressed on the fly
	Zip                     // an xlsx workbook, or another zip package the workbook reader refuses by name
	OLE2                    // a compound file: .xls, or an encrypted xlsx
	Unsupported             // a format ptransform does not read
	JSONLines               // JSON objects, one per line (NDJSON)
	Parquet                 // a Parquet file, read by its footer
)

// Format is what an input was recognised as.
type Format struct {
	Kind Kind
	What string // for people: "a Parquet file"; "" for Text
}

// signature is the bytes a format starts with, at an offset.
type signature struct {
	offset int
	magic  string
	format Format
}

// signatures are the formats recognised by their first bytes. JSON is told by its
// syntax (detectJSON); other text formats that start with common characters (XML, HTML)
// are told by CheckText, which looks further.
var signatures = []signature{
	{0, "\x1F\x8B", Format{Gzip, "gzip-compressed data"}},
	{0, "\x28\xB5\x2F\xFD", Format{Zstd, "zstd-compressed data"}},
	{0, "PK\x03\x04", Format{Zip, "a zip archive"}},
	{0, "PK\x05\x06", Format{Zip, "an empty zip archive"}},
	{0, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", Format{OLE2, "an OLE2 compound file (an .xls workbook or an encrypted .xlsx)"}},
	{0, "PAR1", Format{Parquet, "a Parquet file"}},
	{0, "ARROW1", Format{Unsupported, "an Arrow IPC file"}},
	{0, "Obj\x01", Format{Unsupported, "an Avro container file"}},
	{0, "SQLite format 3\x00", Format{Unsupported, "an SQLite database"}},
	{0, "%PDF-", Format{Unsupported, "a PDF document"}},
	{0, "\x7FELF", Format{Unsupported, "an ELF executable"}},
	{0, "\xCF\xFA\xED\xFE", Format{Unsupported, "a Mach-O executable"}},
	{0, "\x89PNG\r\n\x1A\n", Format{Unsupported, "a PNG image"}},
	{0, "\xFF\xD8\xFF", Format{Unsupported, "a JPEG image"}},
	{0, "GIF87a", Format{Unsupported, "a GIF image"}},
	{0, "GIF89a", Format{Unsupported, "a GIF image"}},
	{4, "1AY&SY", Format{Unsupported, "bzip2-compressed data (decompress it first: bzcat FILE | ptransform apply -)"}},
	{0, "\xFD7zXZ\x00", Format{Unsupported, "xz-compressed data (decompress it first: xzcat FILE | ptransform apply -)"}},
	{0, "\x04\x22\x4D\x18", Format{Unsupported, "lz4-compressed data"}},
	{0, "7z\xBC\xAF\x27\x1C", Format{Unsupported, "a 7-Zip archive"}},
	{0, "Rar!\x1A\x07", Format{Unsupported, "a RAR archive"}},
	{257, "ustar", Format{Unsupported, "a tar archive"}},
}

// HeadSize is how many bytes Detect may look at.
const HeadSize = 512

// Detect tells what head, the first bytes of an input (HeadSize of them unless the
// input is shorter), starts like.
func Detect(head []byte) Format {
	for _, s := range signatures {
		if len(head) >= s.offset && bytes.HasPrefix(head[s.offset:], []byte(s.magic)) {
			return s.format
		}
	}
	return detectJSON(head)
}

// jsonArray is what a JSON document holding an array is, for its refusal.
const jsonArray = "a JSON array (one JSON document, not JSON Lines of one object per line; jq -c '.[]' FILE | ptransform apply - reads its objects)"

// detectJSON tells JSON Lines (text whose first line is an object) and JSON arrays
// from text, by parsing as much of head as there is: a CSV header such as {id},{name}
// is not JSON. A first line that is not a whole object but starts a JSON document
// (an object written over several lines) is JSON Lines too, for its reader to refuse
// saying what it is; a later line cut short is its reader's to report.
func detectJSON(head []byte) Format {
	trimmed := bytes.TrimLeft(head, " \t\r\n\uFEFF")
	eof := len(head) < HeadSize
	if len(trimmed) == 0 {
		return Format{Kind: Text}
	}
	switch trimmed[0] {
	case '{':
		if end := bytes.IndexByte(trimmed, '\n'); end >= 0 && json.Valid(trimmed[:end]) || looksJSON(trimmed, eof) {
			return Format{JSONLines, "JSON Lines"}
		}
	case '[':
		if looksJSON(trimmed, eof) {
			return Format{Unsupported, jsonArray}
		}
	}
	return Format{Kind: Text}
}

// ErrUnsupported is wrapped by the errors for inputs in a format ptransform does not read.
var ErrUnsupported = errors.New("unsupported input format")

// unsupported is an error that wraps ErrUnsupported without saying it twice.
type unsupported struct{ msg string }

func (e *unsupported) Error() string        { return e.msg }
func (e *unsupported) Is(target error) bool { return target == ErrUnsupported }

func refusal(format string, args ...any) error {
	return &unsupported{fmt.Sprintf(format, args...)}
}

// Refuse is the error for reading name, of format f, as text.
func (f Format) Refuse(name string) error {
	return refusal("%s: is %s, not CSV; ptransform reads CSV, TSV, JSON Lines, Parquet and xlsx", name, f.What)
}

// CheckText checks the first block of a text input (decompressed and transcoded; eof
// when it is the whole input) for what must not be read as CSV, and returns the error
// saying what it is, or nil.
//
// A NUL byte in the first line means binary data or UTF-16 without a byte-order mark:
// no CSV header holds one. NUL bytes further on pass through as data, as other
// readers keep them.
func CheckText(name string, block []byte, eof bool) error {
	firstLine := block
	if i := bytes.IndexAny(block, "\n\r"); i >= 0 {
		firstLine = block[:i]
	}
	if i := bytes.IndexByte(firstLine, 0); i >= 0 {
		return refusal("%s: holds a NUL byte in its first line (byte %d): binary data, not CSV (for UTF-16 text without a byte-order mark, give --encoding utf-16le or utf-16be)", name, i+1)
	}
	if looksJSON(block, eof) {
		return refusal("%s: looks like JSON, which is read as JSON Lines from plain UTF-8 input only (decompress or transcode it first)", name)
	}
	return nil
}

// looksJSON says whether block is JSON: an object or array, or JSON lines, as far as it
// goes (the rest of the input is not known unless eof).
func looksJSON(block []byte, eof bool) bool {
	trimmed := bytes.TrimLeft(block, " \t\r\n\uFEFF")
	if len(trimmed) == 0 || trimmed[0] != '{' && trimmed[0] != '[' {
		return false
	}
	d := json.NewDecoder(bytes.NewReader(trimmed))
	depth := 0
	for {
		tok, err := d.Token()
		switch {
		case err == nil:
			if delim, ok := tok.(json.Delim); ok && (delim == '{' || delim == '[') {
				depth++
			} else if ok {
				depth--
			}
			continue
		case errors.Is(err, io.EOF):
			return depth == 0 || !eof // whole values, or the block ends inside one
		case errors.Is(err, io.ErrUnexpectedEOF):
			return !eof // the block ends inside a value
		}
		var syn *json.SyntaxError
		// A value cut by the end of the block may fail as a bad token ("tru"): what
		// parsed up to the last few bytes still makes it JSON.
		return errors.As(err, &syn) && !eof && syn.Offset >= int64(len(trimmed))-8
	}
}

// File is an input opened once: standard input for "-", else the named file.
type File struct {
	Name string   // as given
	File *os.File // os.Stdin for "-"
	Info os.FileInfo
	// Seekable says File is a regular file read from its start: it can be read at any
	// offset (ReadAt, by many goroutines at once) and, but for standard input, opened
	// again by name.
	Seekable bool
	Head     *bufio.Reader // the input from its start, the bytes Format looked at included
	Format   Format
}

// Open opens name ("-" for standard input) and detects its format, reading through a
// buffer of bufSize bytes that the caller goes on reading from.
func Open(name string, bufSize int) (*File, error) {
	f := &File{Name: name, File: os.Stdin}
	if name != "-" {
		var err error
		if f.File, err = os.Open(name); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such file", name)
		} else if err != nil {
			return nil, err
		}
	}
	var err error
	if f.Info, err = f.File.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.Info.IsDir() {
		f.Close()
		return nil, fmt.Errorf("%s: is a directory", name)
	}
	f.Seekable = f.Info.Mode().IsRegular()
	if name == "-" && f.Seekable {
		// Standard input may have been partly read before (`{ read x; ptransform apply -; } < f`).
		off, err := f.File.Seek(0, io.SeekCurrent)
		f.Seekable = err == nil && off == 0
	}
	f.Head = bufio.NewReaderSize(f.File, max(bufSize, HeadSize))
	head, err := f.Head.Peek(HeadSize)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.Format = Detect(head)
	return f, nil
}

// Close closes the file, unless it is standard input.
func (f *File) Close() error {
	if f.File == os.Stdin || f.File == nil {
		return nil
	}
	err := f.File.Close()
	f.File = nil
	return err
}
