// Package parquetin reads Parquet inputs: each top-level field is a column, a row
// group's rows (all of them, or parts: RowParts) a chunk that a worker decodes by
// itself, reading only the columns the run needs (the others are never read from the
// file). Flat columns of the common types and encodings are read from their pages by
// the package itself (pagepath.go), others through arrow-go.
//
// Values become text cells as ptransform writes the same values elsewhere, so that a
// Parquet input reads like the CSV the tool would have written of it:
//
//	INT8..INT64, UINT8..UINT64      42, -7                      (typed output: int)
//	FLOAT, DOUBLE                   0.1, 21, 1e+21              shortest text that reads back
//	                                                            as the same float (a FLOAT's
//	                                                            own, 0.1 not 0.10000000149…)
//	BOOLEAN                         true, false
//	DATE                            2024-03-01
//	TIMESTAMP (ms, us, ns)          2024-03-01T13:45:00.25      fraction only when not zero;
//	                                                            UTC-adjusted instants in UTC
//	TIME (ms, us, ns)               13:45:00.5
//	DECIMAL(p, s)                   1.50, 12345678901234567890.123   exact, s digits after
//	                                                            the point, never a float
//	STRING, ENUM, JSON              the text                    an empty string is null
//	UUID                            01234567-89ab-cdef-0123-456789abcdef
//	BINARY, FIXED_LEN_BYTE_ARRAY    AP8= (base64, RFC 4648 with padding)
//	LIST, STRUCT, MAP               [1,2,3], {"a":1,"b":"x"}    JSON text, keys in the
//	                                                            file's order, a map's keys
//	                                                            as JSON strings
//	null                            an empty cell (null)
//
// Typed outputs (xlsx, Parquet, JSON Lines) take each column's type from the file, not
// from a sample of its text (Input.Types): integers int, floats float, a DECIMAL float
// when its precision is at most 15 digits (exact in a float) else string, dates date,
// timestamps datetime, times time, anything else string.
//
// A file that is not Parquet, cut short, or with a damaged footer fails at Open with one
// line naming it; a damaged page fails its chunk naming the row group and column. Panics
// of the Parquet library are recovered at this package's boundary and returned as such
// errors.
package parquetin

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/ptransform/ptransform/internal/schema"
)

// maxRowGroupRows bounds the rows of a row group, which is one chunk whose columns have
// 32-bit offsets: a footer claiming more is refused rather than believed.
const maxRowGroupRows = 1 << 28

// Input is an opened Parquet file: its metadata, read once.
type Input struct {
	Name      string
	Header    []string      // the top-level fields' names
	Types     []schema.Type // per column: its type in a typed output
	RowGroups []int64       // rows per row group
	Rows      int64
	Size      int64
	file      *os.File
	meta      *metadata.FileMetaData
	fields    []arrow.Field // per column: its Arrow field as pqarrow reads it
	leaves    [][]int       // per column: the indices of its leaf columns in the file
	direct    []directKind  // per column: how it reads on the direct path, if it does
	tsNanos   []int64       // per column: a direct timestamp's unit in nanoseconds
	pages     *pageCache    // decompressed column chunks, shared by the decoders
}

// Open reads the footer of the Parquet file f (named name, for messages) and takes f
// over: Close closes it. Workers read row groups through it by ReadAt, at once.
func Open(name string, f *os.File) (in *Input, err error) {
	defer recoverAs(&err, name, "reading its footer")
	fail := func(err error) (*Input, error) {
		f.Close()
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		return fail(fmt.Errorf("%s: %w", name, err))
	}
	in = &Input{Name: name, file: f, Size: st.Size(), pages: &pageCache{}}
	rdr, err := file.NewParquetReader(io.NewSectionReader(f, 0, in.Size))
	if err != nil {
		return fail(footerError(name, err))
	}
	in.meta = rdr.MetaData()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, nil)
	if err != nil {
		return fail(fmt.Errorf("%s: its schema cannot be read as columns: %v", name, err))
	}
	sc, err := fr.Schema()
	if err != nil {
		return fail(fmt.Errorf("%s: its schema cannot be read as columns: %v", name, err))
	}
	in.fields = sc.Fields()
	root := in.meta.Schema.Root()
	in.leaves = make([][]int, root.NumFields())
	for leaf := range in.meta.Schema.NumColumns() {
		top := root.FieldIndexByField(in.meta.Schema.ColumnRoot(leaf))
		if top < 0 || top >= len(in.leaves) {
			return fail(fmt.Errorf("%s: its schema is damaged: leaf column %d has no top-level field", name, leaf))
		}
		in.leaves[top] = append(in.leaves[top], leaf)
	}
	if len(in.fields) != len(in.leaves) {
		return fail(fmt.Errorf("%s: its schema has %d top-level fields, read as %d columns", name, len(in.leaves), len(in.fields)))
	}
	if len(in.fields) == 0 {
		return fail(fmt.Errorf("%s: a Parquet file without columns: there is nothing to read", name))
	}
	for j, f := range in.fields {
		in.Header = append(in.Header, f.Name)
		in.Types = append(in.Types, outputType(f.Type))
		kind, nanos := notDirect, int64(0)
		if len(in.leaves[j]) == 1 && root.Field(j).Type() == pqschema.Primitive {
			kind, nanos = directColumn(in.meta.Schema.Column(in.leaves[j][0]))
		}
		in.direct = append(in.direct, kind)
		in.tsNanos = append(in.tsNanos, nanos)
	}
	for i := range in.meta.NumRowGroups() {
		n := in.meta.RowGroup(i).NumRows()
		if n < 0 || n > maxRowGroupRows {
			return fail(fmt.Errorf("%s: row group %d claims %d rows: its footer is damaged, or the row group is larger than ptransform reads (%d rows; rewrite the file with smaller row groups)", name, i+1, n, maxRowGroupRows))
		}
		if err := in.checkChunks(i); err != nil {
			return fail(err)
		}
		in.RowGroups = append(in.RowGroups, n)
		in.Rows += n
	}
	return in, nil
}

// footerError explains why the footer could not be read: most often the file is not
// Parquet at all, or was cut short while it was written.
func footerError(name string, err error) error {
	return fmt.Errorf("%s: not a readable Parquet file (%v): was it cut short while it was written, or is it another format?", name, err)
}

// recoverAs turns a panic of the Parquet library into an error naming the file and what
// was being read: a damaged file must fail the run with a message, not crash it.
func recoverAs(err *error, name, what string) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("%s: damaged Parquet data %s: %v", name, what, p)
	}
}

// Close closes the file.
func (in *Input) Close() error {
	if in.file == nil {
		return nil
	}
	err := in.file.Close()
	in.file = nil
	return err
}

// outputType is the typed-output type of a column of Arrow type t (see the package doc).
func outputType(t arrow.DataType) schema.Type {
	switch t := t.(type) {
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		return schema.Int
	case *arrow.Float16Type, *arrow.Float32Type, *arrow.Float64Type:
		return schema.Float
	case *arrow.BooleanType:
		return schema.Bool
	case *arrow.Date32Type, *arrow.Date64Type:
		return schema.Date
	case *arrow.TimestampType:
		return schema.Datetime
	case *arrow.Time32Type, *arrow.Time64Type:
		return schema.Time
	case arrow.DecimalType:
		if t.GetPrecision() <= 15 {
			return schema.Float
		}
	}
	return schema.String
}

// ErrDecode is wrapped by the errors of chunks that do not decode.
var ErrDecode = errors.New("parquet data does not decode")

// checkChunks checks that the column chunks of row group rg lie inside the file, as
// their pages are read from where the footer says: the Parquet library trusts it, and
// reads a damaged footer's offsets in goroutines whose panics nobody could recover.
func (in *Input) checkChunks(rg int) error {
	meta := in.meta.RowGroup(rg)
	for leaf := range meta.NumColumns() {
		col, err := meta.ColumnChunk(leaf)
		if err != nil {
			return fmt.Errorf("%s: row group %d, column %d: %v: %w", in.Name, rg+1, leaf+1, err, ErrDecode)
		}
		start, size := col.DataPageOffset(), col.TotalCompressedSize()
		if col.HasDictionaryPage() && col.DictionaryPageOffset() > 0 && start > col.DictionaryPageOffset() {
			start = col.DictionaryPageOffset()
		}
		if start < 0 || size < 0 || start > in.Size || size > in.Size-start {
			return fmt.Errorf("%s: row group %d, column %q: its pages would lie at bytes %d to %d of a file of %d: the footer is damaged",
				in.Name, rg+1, in.meta.Schema.Column(leaf).Path(), start, start+size, in.Size)
		}
	}
	return nil
}

// RowGroupBytes is the size in the file of row group rg, compressed.
func (in *Input) RowGroupBytes(rg int) int64 { return in.meta.RowGroup(rg).TotalCompressedSize() }

// minPartRows is the fewest rows RowParts puts in a part of a row group.
const minPartRows = 1024

// RowParts returns the bounds of the parts row group rg is read in by DecodeRows (rows
// from 0; part k is rows bounds[k] to bounds[k+1]): about partBytes of its uncompressed
// column data each, so that the workers share a file of few row groups evenly and hold
// small chunks. A row group with a column read (not in skip) that only the column
// reader or pqarrow reads, whole column chunks at a time, is one part.
func (in *Input) RowParts(rg int, skip []bool, partBytes int64) []int64 {
	rows := in.RowGroups[rg]
	meta := in.meta.RowGroup(rg)
	parts := int64(1)
	if size := meta.TotalByteSize(); partBytes > 0 && size > partBytes {
		parts = min((size+partBytes-1)/partBytes, max(rows/minPartRows, 1))
	}
	for j := range in.direct {
		if parts == 1 {
			break
		}
		if skip != nil && skip[j] {
			continue
		}
		col, err := meta.ColumnChunk(in.leaves[j][0])
		if in.direct[j] == notDirect || err != nil || !pagePathReads(col) {
			parts = 1
		}
	}
	bounds := make([]int64, parts+1)
	for k := range bounds {
		bounds[k] = rows * int64(k) / parts
	}
	return bounds
}
