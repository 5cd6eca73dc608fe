// Package table defines the unit of work that flows between readers, transforms and
// writers: a Chunk, one Arrow record batch of rows plus where those rows came from.
//
// Conventions every reader, transform and writer relies on:
//
//   - Readers produce one arrow.String column per input column. An empty cell is null
//     (validity bit cleared); a non-empty cell holds its text exactly as decoded
//     (unquoted, unescaped, transcoded to UTF-8). Typing happens later, per value,
//     where an expression needs a number, date or bool, so results never depend on
//     how the input was cut into chunks.
//   - Transforms may replace or add columns of other types: Int64, Float64, Boolean,
//     String, Date32 and Timestamp (microseconds, no zone). Writers format them with
//     AppendValue, the one place that decides how a computed value reads as text.
//   - Row positions are absolute once a chunk leaves the reader stage: Row0 is the
//     1-based data row number of the first row within its source (`_row`), Lines[i] is
//     where row i is found by a user (CSV line number, Excel row number).
package table

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Source names where a chunk's rows come from, for `_file`, `_sheet` and error messages.
type Source struct {
	File  string // input path as the user gave it ("-" for stdin)
	Sheet string // worksheet name; empty for CSV
}

// Chunk is a batch of consecutive rows of one source.
type Chunk struct {
	Source Source
	Batch  arrow.RecordBatch
	Row0   int64   // 1-based data row number of row 0 within its source
	Lines  []int64 // per row: the line (CSV) or row (Excel) number a user would look up
	// Raw, optional, lets a CSV writer copy rows it would write unchanged from the
	// input bytes. It is only ever used while Batch's first len(Raw.Columns) columns
	// are those very arrays, so a transform that changes rows may leave it in place.
	Raw *RawRows
}

// RawRows lets a writer copy rows that it would write unchanged from the input bytes.
type RawRows struct {
	// Columns are the reader's columns these rows decode to. Their text is valid UTF-8
	// (the CSV decoder checked or transcoded its input), which the JSON Lines writer
	// then does not check again.
	Columns []arrow.Array
	// Data holds the input bytes; it is valid only until the reader's next chunk, so
	// a chunk kept longer must have Raw cleared.
	Data         []byte
	Starts, Ends []int32 // per row: its bytes in Data, without the line end
	// Plain has a bit per row (LSB first) set when Data[Starts[i]:Ends[i]] is exactly
	// what a CSV writer with this Delimiter and LF line ends writes for the row's
	// values: nothing to quote, nothing transcoded.
	Plain     []uint64
	Delimiter byte
	// Sparse, when not nil, marks the columns the reader was told no transform reads
	// (csvfmt.Decoder.SkipColumns): they hold values only on the rows not marked
	// plain, so those arrays may be written only through Data.
	Sparse []bool
	// Whole says that Data is the rows exactly as the CSV writer writes them, every
	// column Sparse and empty (csvfmt.Decoder.DecodeWhole): Starts, Ends and Plain
	// are not set, and only a writer of the whole chunk as Data may use it.
	Whole bool
}

// Take returns the raw rows of rows sel (in that order) for cols, the arrays that
// hold those rows' values of r.Columns: the raw rows of a filtered chunk. With sparse,
// every one of cols holds values only on the rows not plain.
func (r *RawRows) Take(cols []arrow.Array, sel []int32, sparse bool) *RawRows {
	out := &RawRows{Columns: cols, Data: r.Data, Delimiter: r.Delimiter, Sparse: r.Sparse,
		Starts: make([]int32, len(sel)), Ends: make([]int32, len(sel)),
		Plain: make([]uint64, (len(sel)+63)/64)}
	for k, i := range sel {
		out.Starts[k], out.Ends[k] = r.Starts[i], r.Ends[i]
		out.Plain[k>>6] |= (r.Plain[i>>6] >> (i & 63) & 1) << (k & 63)
	}
	if sparse {
		out.Sparse = make([]bool, len(cols))
		for j := range out.Sparse {
			out.Sparse[j] = true
		}
	}
	return out
}

// RawCovers reports whether c has raw rows and its first columns are still the arrays
// they decode to: a transform that filters rows may then keep the raw rows of the rows
// it keeps (RawRows.Take).
func (c *Chunk) RawCovers() bool {
	if c.Raw == nil || c.Raw.Whole || int(c.Batch.NumCols()) < len(c.Raw.Columns) {
		return false
	}
	for j, a := range c.Raw.Columns {
		if c.Batch.Column(j) != a {
			return false
		}
	}
	return true
}

// Prefix returns the first n rows of c (n <= its rows) without a copy: the same arrays,
// sliced. When c's raw rows describe it (RawCovers), the prefix's describe the prefix,
// so a writer still copies its plain rows, and the columns a reader did not decode
// (RawRows.Sparse) are still written from the input bytes.
func (c *Chunk) Prefix(n int) *Chunk {
	if n >= c.NumRows() {
		return c
	}
	out := &Chunk{Source: c.Source, Row0: c.Row0, Batch: c.Batch.NewSlice(0, int64(n))}
	if c.Lines != nil {
		out.Lines = c.Lines[:n]
	}
	if c.RawCovers() {
		raw := *c.Raw
		raw.Columns = out.Batch.Columns()[:len(raw.Columns)]
		raw.Starts, raw.Ends = raw.Starts[:n], raw.Ends[:n]
		out.Raw = &raw
	}
	return out
}

// NumbersOf returns the Row0 and Lines of a chunk holding rows sel of c, in that order
// (a filtered or gathered chunk). Lines go into buf when it has room for them, so that
// a caller with buffers of its own allocates nothing; they are nil when c has none.
func (c *Chunk) NumbersOf(sel []int32, buf []int64) (row0 int64, lines []int64) {
	row0 = c.Row0
	if len(sel) > 0 {
		row0 += int64(sel[0])
	}
	if c.Lines == nil {
		return row0, nil
	}
	if buf == nil || cap(buf) < len(sel) {
		buf = make([]int64, len(sel))
	}
	lines = buf[:len(sel)]
	for k, i := range sel {
		lines[k] = c.Lines[i]
	}
	return row0, lines
}

// NumRows is the number of rows in the chunk.
func (c *Chunk) NumRows() int { return int(c.Batch.NumRows()) }

// StringColumn wraps already-built buffers as an Arrow string array without copying.
// data holds the values back to back; offsets has n+1 entries; valid is a validity
// bitmap (LSB first, as Arrow) or nil when no value is null. The slices must not be
// modified while the array is in use: readers hand out fresh or recycled-after-use
// buffers, never ones still referenced by a chunk in flight.
func StringColumn(data []byte, offsets []int32, valid []byte, nulls int) *array.String {
	n := len(offsets) - 1
	var validBuf *memory.Buffer
	if nulls > 0 {
		validBuf = memory.NewBufferBytes(valid)
	}
	d := array.NewData(arrow.BinaryTypes.String, n,
		[]*memory.Buffer{validBuf, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(offsets)), memory.NewBufferBytes(data)},
		nil, nulls, 0)
	defer d.Release()
	return array.NewStringData(d)
}

// StringSchema is a schema of nullable string fields with the given names.
func StringSchema(names []string) *arrow.Schema {
	fields := make([]arrow.Field, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
