package parquetin

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/ptransform/ptransform/internal/table"
)

// The direct path reads the flat columns of the common types (integers, floats,
// booleans, dates, timestamps, strings) from the column chunk readers into the text
// of the chunk, value by value, with no Arrow array in between: pqarrow would copy
// every string into a builder and allocate each column's arrays anew, which cost as
// much as the formatting. Other columns take the pqarrow path (Decoder.column); both
// write the same text (TestDirectMatchesArrow).

// directKind is how a flat column's values read on the direct path.
type directKind uint8

const (
	notDirect directKind = iota
	directInt32
	directUint32
	directDate
	directInt64
	directUint64
	directTimestamp // timestampNanos gives the unit
	directFloat
	directDouble
	directBool
	directText
)

// directColumn says how column c reads on the direct path, and for a timestamp the
// nanoseconds of its unit.
func directColumn(c *pqschema.Column) (kind directKind, timestampNanos int64) {
	if c.MaxRepetitionLevel() > 0 || c.MaxDefinitionLevel() > 1 {
		return notDirect, 0
	}
	logical := c.LogicalType()
	plain := logical == nil || logical.Equals(pqschema.NoLogicalType{})
	if plain && c.ConvertedType() != pqschema.ConvertedTypes.None {
		if c.PhysicalType() == parquet.Types.ByteArray && c.ConvertedType() == pqschema.ConvertedTypes.UTF8 {
			return directText, 0
		}
		return notDirect, 0 // a legacy annotation: pqarrow knows them all
	}
	switch c.PhysicalType() {
	case parquet.Types.Int32:
		switch t := logical.(type) {
		case pqschema.DateLogicalType:
			return directDate, 0
		case pqschema.IntLogicalType:
			if !t.IsSigned() {
				return directUint32, 0
			}
			return directInt32, 0
		}
		if plain {
			return directInt32, 0
		}
	case parquet.Types.Int64:
		switch t := logical.(type) {
		case pqschema.TimestampLogicalType:
			switch t.TimeUnit() {
			case pqschema.TimeUnitMillis:
				return directTimestamp, 1e6
			case pqschema.TimeUnitMicros:
				return directTimestamp, 1e3
			case pqschema.TimeUnitNanos:
				return directTimestamp, 1
			}
		case pqschema.IntLogicalType:
			if !t.IsSigned() {
				return directUint64, 0
			}
			return directInt64, 0
		}
		if plain {
			return directInt64, 0
		}
	case parquet.Types.Float:
		if plain {
			return directFloat, 0
		}
	case parquet.Types.Double:
		if plain {
			return directDouble, 0
		}
	case parquet.Types.Boolean:
		if plain {
			return directBool, 0
		}
	case parquet.Types.ByteArray:
		switch logical.(type) {
		case pqschema.StringLogicalType, pqschema.EnumLogicalType, pqschema.JSONLogicalType:
			return directText, 0
		}
	}
	return notDirect, 0
}

// textBuilder builds one string column of a chunk: a null for a value that is null
// or whose text is empty.
type textBuilder struct {
	data  []byte
	offs  []int32
	valid []byte
	nulls int
}

// reset makes the builder empty, for rows rows of about size bytes of text. It
// reserves room for at most preallocRows rows: a damaged file may claim any number,
// and what it does hold grows the buffers as it is read.
func (b *textBuilder) reset(rows, size int) {
	rows = min(rows, preallocRows)
	b.data = slices.Grow(b.data[:0], min(size, preallocRows*16))
	b.offs = append(slices.Grow(b.offs[:0], rows+1), 0)
	b.valid = slices.Grow(b.valid[:0], (rows+7)/8)[:0]
	b.nulls = 0
}

const preallocRows = 1 << 20

// dropLarge lets go of the buffers larger than keptBufferBytes.
func (b *textBuilder) dropLarge() {
	if cap(b.data) > keptBufferBytes {
		b.data = nil
	}
	if cap(b.offs)*4 > keptBufferBytes {
		b.offs = nil
	}
	if cap(b.valid) > keptBufferBytes {
		b.valid = nil
	}
}

// end ends the current row, which holds what was appended to data since the last.
func (b *textBuilder) end() {
	row := len(b.offs) - 1
	if row&7 == 0 {
		b.valid = append(b.valid, 0)
	}
	if int32(len(b.data)) == b.offs[row] {
		b.nulls++
	} else {
		b.valid[row>>3] |= 1 << (row & 7)
	}
	b.offs = append(b.offs, int32(len(b.data)))
}

// endValid ends the last n rows, whose offsets are already in offs: values of text
// never empty (numbers, dates, booleans), so none is null.
func (b *textBuilder) endValid(n int) {
	end := len(b.offs) - 1
	row := end - n
	for ; row < end && row&7 != 0; row++ {
		b.valid[row>>3] |= 1 << (row & 7)
	}
	for ; row+8 <= end; row += 8 {
		b.valid = append(b.valid, 0xff)
	}
	if row < end {
		b.valid = append(b.valid, byte(1)<<(end-row)-1)
	}
}

func (b *textBuilder) array() (arrow.Array, error) {
	if len(b.data) > math.MaxInt32 {
		return nil, fmt.Errorf("the text of one row group's column exceeds 2 GiB: %w", ErrDecode)
	}
	return table.StringColumn(b.data, b.offs, b.valid, b.nulls), nil
}

// pageReader is a column chunk reader of values of type T.
type pageReader[T any] interface {
	ReadBatchInPage(batchSize int64, values []T, defLvls, repLvls []int16) (int64, int, error)
}

// directBatch is how many values a direct read takes at a time.
const directBatch = 4096

// readDirect reads rows values of a flat column into b, formatting each with format.
func readDirect[T any](r pageReader[T], rows int64, nullable bool, b *textBuilder, format func([]byte, T) []byte) error {
	values := make([]T, directBatch)
	var defs []int16
	if nullable {
		defs = make([]int16, directBatch)
	}
	for done := int64(0); done < rows; {
		total, n, err := r.ReadBatchInPage(min(directBatch, rows-done), values, defs, nil)
		if err != nil {
			return fmt.Errorf("%v: %w", err, ErrDecode)
		}
		if total == 0 {
			return fmt.Errorf("%d values for %d rows: %w", done, rows, ErrDecode)
		}
		if n > int(total) || !nullable && n != int(total) {
			return fmt.Errorf("%d values in a batch of %d rows: %w", n, total, ErrDecode)
		}
		if !nullable || n == int(total) {
			for _, v := range values[:n] {
				b.data = format(b.data, v)
				b.end()
			}
		} else {
			k := 0
			for _, def := range defs[:total] {
				if def > 0 {
					if k >= n {
						return fmt.Errorf("definition levels name more values than the page holds: %w", ErrDecode)
					}
					b.data = format(b.data, values[k])
					k++
				}
				b.end()
			}
		}
		done += total
	}
	return nil
}

// formatInt32 is how a direct INT32 column of the given kind writes a value.
func formatInt32(kind directKind) func([]byte, int32) []byte {
	switch kind {
	case directDate:
		return func(dst []byte, v int32) []byte { return table.AppendDate(dst, arrow.Date32(v)) }
	case directUint32:
		return func(dst []byte, v int32) []byte { return strconv.AppendUint(dst, uint64(uint32(v)), 10) }
	}
	return func(dst []byte, v int32) []byte { return strconv.AppendInt(dst, int64(v), 10) }
}

// formatInt64 is how a direct INT64 column of the given kind writes a value.
func formatInt64(kind directKind, tsNanos int64) func([]byte, int64) []byte {
	switch kind {
	case directTimestamp:
		return func(dst []byte, v int64) []byte { return appendTimestamp(dst, v, tsNanos) }
	case directUint64:
		return func(dst []byte, v int64) []byte { return strconv.AppendUint(dst, uint64(v), 10) }
	}
	return func(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }
}

// resetFor makes b empty for rows [from, to) of column chunk col of rows rows, of the
// given kind.
func resetFor(b *textBuilder, kind directKind, rows, from, to int64, col *metadata.ColumnChunkMetaData) {
	n := to - from
	size := int(n) * 12
	if kind == directText && col != nil && rows > 0 {
		size = int(min(col.TotalUncompressedSize(), 1<<30) * n / rows)
	}
	b.reset(int(n), size)
}

// readColumnDirect reads leaf column leaf of a row group, of the given kind, as text
// built by b.
func readColumnDirect(rgr *file.RowGroupReader, leaf int, kind directKind, tsNanos, rows int64, b *textBuilder) (arrow.Array, error) {
	cr, err := rgr.Column(leaf)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", err, ErrDecode)
	}
	nullable := cr.Descriptor().MaxDefinitionLevel() > 0
	meta, _ := rgr.MetaData().ColumnChunk(leaf)
	resetFor(b, kind, rows, 0, rows, meta)
	switch r := cr.(type) {
	case *file.Int32ColumnChunkReader:
		err = readDirect(r, rows, nullable, b, formatInt32(kind))
	case *file.Int64ColumnChunkReader:
		err = readDirect(r, rows, nullable, b, formatInt64(kind, tsNanos))
	case *file.Float32ColumnChunkReader:
		err = readDirect(r, rows, nullable, b, appendFloat32)
	case *file.Float64ColumnChunkReader:
		err = readDirect(r, rows, nullable, b, table.AppendFloat)
	case *file.BooleanColumnChunkReader:
		err = readDirect(r, rows, nullable, b, strconv.AppendBool)
	case *file.ByteArrayColumnChunkReader:
		err = readDirect(r, rows, nullable, b, func(dst []byte, v parquet.ByteArray) []byte { return append(dst, v...) })
	default:
		return nil, fmt.Errorf("internal: column reader %T for a direct column: %w", cr, ErrDecode)
	}
	if err != nil {
		return nil, err
	}
	return b.array()
}
