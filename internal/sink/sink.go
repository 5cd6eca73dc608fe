// Package sink is the seam between the engine and the output formats: one Sink per
// output (per sheet of a Workbook, with --sheet-per-source), one file per format, and
// one factory table (formats) that picks the format from --to or the output's extension.
//
// A run drives a sink in three steps:
//
//	Begin    the writer goroutine, once: what opens the output (a CSV header)
//	Encode   the workers, concurrently, once per chunk: the chunk in the format's bytes
//	Append   the writer goroutine, in input order: a chunk's part placed in the output
//	Finish   the writer goroutine, once: what closes the output (a trailer, a footer)
//
// A sink whose parts are final bytes, laid end to end (CSV, TSV, JSON Lines), says so
// with Final: then the workers of a file output write their parts at their offsets
// themselves and Append is never called for them.
//
// Typed sinks (JSON Lines, xlsx, Parquet) receive chunks whose columns already have the
// Arrow types of the output's schema (Format.ConformSchema's schema.Schema.Conform, run by
// the workers before Encode; JSON Lines and xlsx may get the checked text of some columns
// instead, see Format.TextTypes); untyped ones (CSV, TSV) receive chunks as the
// transforms left them and write every value as text.
package sink

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// Sink is the format of one output.
type Sink interface {
	// Typed reports whether chunks must be conformed to the schema before Encode.
	Typed() bool
	// Final reports whether Encode's bytes are the output's own, one chunk's after the
	// other's, with nothing to add between them or after the last.
	Final() bool
	// Begin writes what opens the output, before any chunk.
	Begin(w io.Writer) error
	// Encode appends chunk c in the format's bytes to dst. Workers call it concurrently
	// on the same Sink, so it keeps no state between calls.
	Encode(dst []byte, c *table.Chunk) (Part, error)
	// Append places one chunk's part in the output; the writer calls it in input order.
	Append(w io.Writer, p Part) error
	// Finish writes what closes the output, after the last chunk.
	Finish(w io.Writer) error
}

// Unnumbered is a sink whose Encode and Append read no row or line numbers of a chunk
// (table.Chunk's Row0 and Lines) except to name an input line in an error Encode
// returns: CSV, TSV, JSON Lines, xlsx (whose rows carry no r attribute) and Parquet. Workers may
// then encode a chunk before the chunks ahead of it are counted, and the engine makes
// the lines of its errors absolute afterwards; any other sink gets chunks numbered from
// their input's start (see NeedsNumbers).
type Unnumbered interface {
	Unnumbered() bool
}

// NeedsNumbers tells whether s must be given chunks with absolute row and line numbers:
// whether it is not an Unnumbered sink that says so.
func NeedsNumbers(s Sink) bool {
	u, ok := s.(Unnumbered)
	return !ok || !u.Unnumbered()
}

// Retention is what a sink's part still refers to of a chunk once Encode has returned,
// and so whether the decoder may reuse the chunk's buffers for its next chunk.
type Retention int

const (
	// RetainsArrays: the part refers to the chunk's arrays until Append places it.
	RetainsArrays Retention = iota
	// RetainsTyped: the part copies the text columns it keeps but refers to the others
	// until its rows are written (Parquet); a chunk that holds only text (CSV's) is free.
	RetainsTyped
	// RetainsNothing: the part holds its own bytes only (final bytes; xlsx's deflated rows).
	RetainsNothing
)

// Retainer is a sink that says what its parts keep of a chunk (see Retention).
type Retainer interface {
	Retains() Retention
}

// Retains tells what s's parts keep of a chunk once it is encoded: nothing for a sink of
// final bytes, what a Retainer says, else the chunk's arrays.
func Retains(s Sink) Retention {
	if s.Final() {
		return RetainsNothing
	}
	if r, ok := s.(Retainer); ok {
		return r.Retains()
	}
	return RetainsArrays
}

// Lender is a typed sink that lends the memory of the columns a chunk is conformed to
// (schema.Schema.ConformWith) and takes it back when the arrays it keeps are released:
// Parquet, whose parts keep a chunk's arrays until their row group is written. The
// engine releases the conformed chunk's batch once Encode has returned, so what Encode
// keeps it retains.
type Lender interface {
	Memory() memory.Allocator
}

// Warner is a sink that has something to say once the output is finished (an xlsx
// sheet continued past Excel's row limit).
type Warner interface {
	Warnings() []string
}

// Aborter is a sink with work of its own in flight (Parquet row groups being encoded),
// which a failed run stops.
type Aborter interface {
	Abort()
}

// Part is one chunk in a format's encoding.
type Part struct {
	Bytes []byte
	Rows  int64 // the rows the part holds
	// Meta is what else the format's Append needs of the part (say, the CRC-32 and
	// uncompressed size of compressed bytes); nil for most.
	Meta any
}

// RowCopier is a sink that can write a plain input row as the row's own bytes when its
// values are unchanged (see table.RawRows): the CSV sink, for input of the delimiter
// it writes. The engine then lets decoders skip the columns nothing else reads.
type RowCopier interface {
	CopiesRows(delim byte) bool
}

// Verbatim is a sink of final bytes that can tell when the part Encode would make of a
// chunk is a piece of the chunk's input bytes (table.RawRows.Data): the CSV sink, for
// identity and --head runs over input written as it writes. A worker writing its chunk
// at its offset may then write that piece, valid until its decoder's next chunk,
// instead of a copy of it.
type Verbatim interface {
	Verbatim(c *table.Chunk) ([]byte, bool)
}

// Config is what a sink needs to know of its output.
type Config struct {
	Schema    schema.Schema // the columns, with their types for typed sinks
	CRLF      bool          // CSV and TSV: CRLF line ends
	NoHeader  bool          // CSV and TSV: no header line (the part of a --shard run after the first)
	SheetName string        // xlsx: the output sheet's name; "" for Sheet1
	// Parquet: the codec ("" for zstd), rows per row group (0 for the default) and the
	// goroutines that encode row groups.
	Compression  string
	RowGroupRows int
	Workers      int
}

// Format is one output format of the factory table.
type Format struct {
	Name       string
	Extensions []string
	Binary     bool                       // not text: standard output takes it only when --to names it
	Typed      bool                       // needs a schema (see Sink.Typed)
	New        func(Config) (Sink, error) // makes the format's sink
	// TextTypes are the types whose values the format writes as text (JSON Lines: ints,
	// floats, bools, dates; xlsx: the numbers of cells), so columns of them may reach
	// Encode as the text they were read from (see ConformSchema).
	TextTypes []schema.Type
	// ChecksText says that the format checks, as it writes them, that the values of
	// its TextTypes columns read as their types: ConformSchema marks those columns
	// schema.Column.Unchecked, and Encode returns ErrUncheckedText for a chunk where
	// one does not.
	ChecksText bool
}

// ErrUncheckedText is Encode's error for a chunk whose unchecked text (see
// Format.ChecksText) holds a value that does not read as its column's type: the
// engine conforms the chunk with the schema's Checked() columns, which turns such
// values into values or errors per --on-error, and encodes it again.
var ErrUncheckedText = errors.New("a value of an unchecked text column does not read as its type")

// ConformSchema is the schema a run conforms a typed format's chunks to: s, with its
// columns of the format's TextTypes marked schema.Column.Text, which the format then
// copies most of instead of parsing the text into values and formatting those again;
// nil for an untyped format.
func (f Format) ConformSchema(s schema.Schema) schema.Schema {
	if !f.Typed {
		return nil
	}
	if len(f.TextTypes) == 0 {
		return s
	}
	s = slices.Clone(s)
	for i, c := range s {
		s[i].Text = slices.Contains(f.TextTypes, c.Type)
		s[i].Unchecked = s[i].Text && f.ChecksText
	}
	return s
}

// formats is the factory table: every output format, in the order help lists them.
var formats = []Format{
	{Name: "csv", Extensions: []string{".csv", ".txt", ".dat"}, New: newCSV(',')},
	{Name: "tsv", Extensions: []string{".tsv", ".tab"}, New: newCSV('\t')},
	{Name: "jsonl", Extensions: []string{".jsonl", ".ndjson"}, Typed: true, New: newJSONL,
		TextTypes: []schema.Type{schema.Int, schema.Float, schema.Bool, schema.Date}, ChecksText: true},
	{Name: "xlsx", Extensions: []string{".xlsx"}, Binary: true, Typed: true, New: newXLSX,
		TextTypes: []schema.Type{schema.Int, schema.Float}},
	{Name: "parquet", Extensions: []string{".parquet"}, Binary: true, Typed: true, New: newParquet},
}

// Names lists the output formats, for help and error messages.
func Names() []string {
	names := make([]string, len(formats))
	for i, f := range formats {
		names[i] = f.Name
	}
	return names
}

// Lookup decides an output's format: to (--to) when given, else by path's extension;
// standard output ("" or "-") without to is CSV. It refuses an unknown format and an
// extension it does not know (writing CSV into report.pdf would make a file nothing
// opens).
func Lookup(to, path string) (Format, error) {
	toStdout := path == "" || path == "-"
	if to != "" {
		for _, f := range formats {
			if strings.EqualFold(to, f.Name) {
				return f, nil
			}
		}
		return Format{}, fmt.Errorf("unknown output format %q (want %s)", to, strings.Join(Names(), ", "))
	}
	if toStdout {
		return formats[0], nil
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext == "" {
		return formats[0], nil
	}
	for _, f := range formats {
		for _, e := range f.Extensions {
			if ext == e {
				return f, nil
			}
		}
	}
	return Format{}, fmt.Errorf("cannot tell the output format of %s from its extension %s: use one of %s, or name the format with --to (%s)",
		path, ext, strings.Join(extensions(), " "), strings.Join(Names(), ", "))
}

func extensions() []string {
	var exts []string
	for _, f := range formats {
		exts = append(exts, f.Extensions...)
	}
	return exts
}
