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
func buildChunk(c *table.Chunk, sel []int32, adds []refColumn, names []string, idx []int32, inputs int) (*table.Chunk, error) {
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
		col := adds[k].gather(idx)
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
		if len(sel) > 0 {
			out.Row0 = c.Row0 + int64(sel[0])
		}
		if c.Lines != nil {
			out.Lines = make([]int64, len(sel))
			for k, i := range sel {
				out.Lines[k] = c.Lines[i]
			}
		}
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

// gather builds the column's values for reference rows idx (-1: null).
func (rc *refColumn) gather(idx []int32) arrow.Array {
	n := len(idx)
	valid := make([]byte, bitutil.BytesForBits(int64(n)))
	nulls := 0
	for k, r := range idx {
		if r >= 0 && rc.isValid(int(r)) {
			bitutil.SetBit(valid, k)
		} else {
			nulls++
		}
	}
	if rc.typ == expr.TypeText {
		size := 0
		for _, r := range idx {
			if r >= 0 {
				size += int(rc.ends[r] - rc.start(r))
			}
		}
		data := make([]byte, 0, size)
		offsets := make([]int32, n+1)
		for k, r := range idx {
			if r >= 0 {
				data = append(data, rc.data[rc.start(r):rc.ends[r]]...)
			}
			offsets[k+1] = int32(len(data))
		}
		return table.StringColumn(data, offsets, valid, nulls)
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
		values = make([]byte, bitutil.BytesForBits(int64(n)))
		for k, r := range idx {
			if r >= 0 && rc.words[r] != 0 {
				bitutil.SetBit(values, k)
			}
		}
	case expr.TypeDate:
		dt = arrow.FixedWidthTypes.Date32
		days := make([]int32, n)
		for k, r := range idx {
			if r >= 0 {
				days[k] = int32(rc.words[r])
			}
		}
		values = arrow.Int32Traits.CastToBytes(days)
	default: // int, float and datetime: 64-bit words
		dt = map[expr.Type]arrow.DataType{expr.TypeInt: arrow.PrimitiveTypes.Int64, expr.TypeFloat: arrow.PrimitiveTypes.Float64,
			expr.TypeTimestamp: &arrow.TimestampType{Unit: arrow.Microsecond}}[rc.typ]
		words := make([]uint64, n)
		for k, r := range idx {
			if r >= 0 {
				words[k] = rc.words[r]
			}
		}
		values = arrow.Uint64Traits.CastToBytes(words)
	}
	data := array.NewData(dt, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(values)}, nil, nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// start is where reference row r's text begins in data.
func (rc *refColumn) start(r int32) int64 {
	if r == 0 {
		return 0
	}
	return rc.ends[r-1]
}
