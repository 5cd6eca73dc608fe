package lookup

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// buildChunk is the chunk a lookup makes of c: the rows sel (nil: every row) with the
// input's columns, then the added columns (adds, named names), row k taking reference row idx[k] (-1: null).
// The input's columns of an unfiltered chunk are c's own arrays, so a CSV writer still
// copies unchanged rows from the input bytes (table.RawRows); a filtered chunk keeps
// the raw rows of the rows it keeps, as the expression filter does.
func buildChunk(a *arena, c *table.Chunk, sel []int32, adds []refColumn, names []string, idx []int32, inputs int) (*table.Chunk, error) {
	n := c.NumRows()
	if sel != nil {
		n = len(sel)
	}
	cols := make([]arrow.Array, 0, inputs+len(adds))
	fields := make([]arrow.Field, 0, inputs+len(adds))
	schema := c.Batch.Schema()
	raw := c.Raw
	keepRaw := c.RawCovers()
	for j := range inputs {
		col := c.Batch.Column(j)
		if sel == nil {
			col.Retain()
		} else if s, ok := col.(*array.String); ok {
			var skip []uint64
			if keepRaw && raw.Sparse != nil && j < len(raw.Sparse) && raw.Sparse[j] {
				skip = raw.Plain // a sparse column holds values only on the other rows
			}
			col = takeStrings(s, sel, skip)
		} else {
			var err error
			if col, err = takeAny(col, sel); err != nil {
				release(cols)
				return nil, err
			}
		}
		cols = append(cols, col)
		fields = append(fields, arrow.Field{Name: schema.Field(j).Name, Type: col.DataType(), Nullable: true})
	}
	for k := range adds {
		col := adds[k].gather(a, idx)
		cols = append(cols, col)
		fields = append(fields, arrow.Field{Name: names[k], Type: col.DataType(), Nullable: true})
	}
	out := &table.Chunk{Source: c.Source, Row0: c.Row0, Lines: c.Lines}
	switch {
	case sel == nil:
		out.Raw = raw
	case keepRaw:
		out.Raw = raw.Take(cols[:len(raw.Columns)], sel, false) // the same columns sparse
	}
	if sel != nil {
		out.Row0, out.Lines = c.NumbersOf(sel, nil)
	}
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(n))
	release(cols)
	return out, nil
}

func release(cols []arrow.Array) {
	for _, col := range cols {
		col.Release()
	}
}

// takeStrings returns the values of rows sel of a; a row marked in skip gets an empty
// value (the writer copies that row from the input bytes, not from its values).
func takeStrings(a *array.String, sel []int32, skip []uint64) arrow.Array {
	size := 0
	for _, i := range sel {
		size += a.ValueLen(int(i))
	}
	data := make([]byte, 0, size)
	offsets := make([]int32, len(sel)+1)
	var valid []byte
	nulls := 0
	if a.NullN() > 0 {
		valid = make([]byte, bitutil.BytesForBits(int64(len(sel))))
	}
	for k, i := range sel {
		skipped := skip != nil && skip[i>>6]&(1<<(i&63)) != 0
		if !skipped {
			data = append(data, a.Value(int(i))...)
		}
		offsets[k+1] = int32(len(data))
		if valid != nil {
			if !skipped && a.IsNull(int(i)) {
				nulls++
			} else {
				bitutil.SetBit(valid, k)
			}
		}
	}
	return table.StringColumn(data, offsets, valid, nulls)
}

// takeAny returns rows sel of a column of any type, as slices of its runs of
// consecutive rows: readers of typed formats give such columns, rarely filtered here.
func takeAny(col arrow.Array, sel []int32) (arrow.Array, error) {
	var runs []arrow.Array
	for k := 0; k < len(sel); {
		end := k + 1
		for end < len(sel) && sel[end] == sel[end-1]+1 {
			end++
		}
		runs = append(runs, array.NewSlice(col, int64(sel[k]), int64(sel[end-1])+1))
		k = end
	}
	if len(runs) == 0 {
		return array.NewSlice(col, 0, 0), nil
	}
	defer release(runs)
	return array.Concatenate(runs, memory.DefaultAllocator)
}

// gather builds the column's values for reference rows idx (-1: null), in buffers of
// the worker's arena.
func (rc *refColumn) gather(a *arena, idx []int32) arrow.Array {
	n := len(idx)
	valid := a.bytes(int(bitutil.BytesForBits(int64(n))))
	clear(valid)
	nulls := 0
	for k, r := range idx {
		if r >= 0 && rc.isValid(int(r)) {
			valid[k>>3] |= 1 << (k & 7)
		} else {
			nulls++
		}
	}
	if rc.typ == expr.TypeText {
		size := 0
		for _, r := range idx {
			if r >= 0 {
				s, e := rc.span(r)
				size += int(e - s)
			}
		}
		// Values of up to 16 bytes are copied as one 16-byte word: the column's data
		// and this buffer have 16 bytes to spare past their last value.
		data := a.bytes(size + 16)
		offsets := arrow.Int32Traits.CastFromBytes(a.bytes(4 * (n + 1)))
		offsets[0] = 0
		pos := 0
		for k, r := range idx {
			if r >= 0 {
				s, e := rc.span(r)
				if e-s <= 16 {
					*(*[16]byte)(data[pos:]) = *(*[16]byte)(rc.data[s:])
				} else {
					copy(data[pos:], rc.data[s:e])
				}
				pos += int(e - s)
			}
			offsets[k+1] = int32(pos)
		}
		return table.StringColumn(data[:pos], offsets, valid, nulls)
	}
	var validBuf *memory.Buffer
	if nulls > 0 {
		validBuf = memory.NewBufferBytes(valid)
	}
	var dt arrow.DataType
	var values []byte
	switch rc.typ {
	case expr.TypeBool:
		dt = arrow.FixedWidthTypes.Boolean
		values = a.bytes(int(bitutil.BytesForBits(int64(n))))
		clear(values)
		for k, r := range idx {
			if r >= 0 && rc.word(r) != 0 {
				bitutil.SetBit(values, k)
			}
		}
	case expr.TypeDate:
		dt = arrow.FixedWidthTypes.Date32
		values = a.bytes(4 * n)
		days := arrow.Int32Traits.CastFromBytes(values)
		for k, r := range idx {
			days[k] = 0
			if r >= 0 {
				days[k] = int32(rc.word(r))
			}
		}
	default: // int, float and datetime: 64-bit words
		dt = map[expr.Type]arrow.DataType{expr.TypeInt: arrow.PrimitiveTypes.Int64, expr.TypeFloat: arrow.PrimitiveTypes.Float64,
			expr.TypeTimestamp: &arrow.TimestampType{Unit: arrow.Microsecond}}[rc.typ]
		values = a.bytes(8 * n)
		words := arrow.Uint64Traits.CastFromBytes(values)
		for k, r := range idx {
			words[k] = 0
			if r >= 0 {
				words[k] = rc.word(r)
			}
		}
	}
	data := array.NewData(dt, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(values)}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// arena holds a worker's buffers of the columns it builds, reused once the runner says
// the chunk made of them is no longer referenced (Recycle); a chunk that is kept (a
// typed sink's, a barrier's) leaves its buffers to the garbage collector.
type arena struct {
	free, used [][]byte
}

// bytes returns a buffer of n bytes (8-byte aligned, as Arrow's offsets and words
// want), its contents undefined.
func (a *arena) bytes(n int) []byte {
	for i, b := range a.free {
		if cap(b) >= n {
			a.free[i] = a.free[len(a.free)-1]
			a.free = a.free[:len(a.free)-1]
			a.used = append(a.used, b)
			return b[:n]
		}
	}
	b := arrow.Uint64Traits.CastToBytes(make([]uint64, (n+7)/8+1))[:n]
	a.used = append(a.used, b)
	return b
}

// recycle makes the buffers of the last chunk free for the next.
func (a *arena) recycle() {
	a.free = append(a.free, a.used...)
	a.used = a.used[:0]
}

// forget drops the buffers of a chunk that was not recycled: someone keeps it.
func (a *arena) forget() { a.used = a.used[:0] }
