package sorting

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/table"
)

// A held row's values are encoded column after column, each by its column's type:
//
//	string                  uvarint(len+1), then the bytes; 0 is null
//	int64 float64 timestamp 0 for null, or 1 and 8 bytes little-endian
//	date32                  0 for null, or 1 and 4 bytes little-endian
//	boolean                 0 null, 1 false, 2 true
//	null                    nothing
//
// which is compact for the text cells most inputs are made of, and is decoded straight
// into the buffers of the output arrays.

// valueAppender appends row i of one column.
type valueAppender func(dst []byte, i int) []byte

func newValueAppender(col arrow.Array) (valueAppender, error) {
	switch a := col.(type) {
	case *array.String:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, 0)
			}
			v := a.Value(i)
			dst = binary.AppendUvarint(dst, uint64(len(v))+1)
			return append(dst, v...)
		}, nil
	case *array.Int64:
		return fixed8(a, func(i int) uint64 { return uint64(a.Value(i)) }), nil
	case *array.Float64:
		return fixed8(a, func(i int) uint64 { return math.Float64bits(a.Value(i)) }), nil
	case *array.Timestamp:
		return fixed8(a, func(i int) uint64 { return uint64(a.Value(i)) }), nil
	case *array.Date32:
		return func(dst []byte, i int) []byte {
			if a.IsNull(i) {
				return append(dst, 0)
			}
			return binary.LittleEndian.AppendUint32(append(dst, 1), uint32(a.Value(i)))
		}, nil
	case *array.Boolean:
		return func(dst []byte, i int) []byte {
			switch {
			case a.IsNull(i):
				return append(dst, 0)
			case a.Value(i):
				return append(dst, 2)
			}
			return append(dst, 1)
		}, nil
	case *array.Null:
		return func(dst []byte, i int) []byte { return dst }, nil
	}
	return nil, fmt.Errorf("cannot hold values of type %s", col.DataType())
}

func fixed8(a arrow.Array, value func(int) uint64) valueAppender {
	return func(dst []byte, i int) []byte {
		if a.IsNull(i) {
			return append(dst, 0)
		}
		return binary.LittleEndian.AppendUint64(append(dst, 1), value(i))
	}
}

// columnBuilder gathers one output column's values from encoded rows.
type columnBuilder struct {
	typ    arrow.DataType
	n      int
	nulls  int
	valid  []byte // validity bitmap, LSB first
	data   []byte // string bytes, or fixed-width values
	offs   []int32
	width  int // bytes per fixed-width value; 0 for strings, booleans and nulls
	isText bool
	// dataHint is the data bytes of the last array: the next one's starting capacity,
	// so that its buffer is allocated once rather than grown and copied.
	dataHint int
}

func newColumnBuilder(typ arrow.DataType) (*columnBuilder, error) {
	b := &columnBuilder{typ: typ}
	switch typ.ID() {
	case arrow.STRING:
		b.isText = true
	case arrow.INT64, arrow.FLOAT64, arrow.TIMESTAMP:
		b.width = 8
	case arrow.DATE32:
		b.width = 4
	case arrow.BOOL, arrow.NULL:
	default:
		return nil, fmt.Errorf("cannot hold values of type %s", typ)
	}
	b.reset()
	return b, nil
}

// reset starts a new array with fresh buffers: the last array's buffers belong to the
// chunk that was emitted.
func (b *columnBuilder) reset() {
	b.dataHint = max(b.dataHint, len(b.data))
	b.n, b.nulls = 0, 0
	b.valid = make([]byte, 0, maxChunkRows/8)
	b.data = make([]byte, 0, b.dataHint+b.dataHint/8)
	if b.isText {
		b.offs = make([]int32, 1, maxChunkRows+1)
	}
}

func (b *columnBuilder) setValid(ok bool) {
	if b.n&7 == 0 {
		b.valid = append(b.valid, 0)
	}
	if ok {
		b.valid[b.n>>3] |= 1 << (b.n & 7)
	} else {
		b.nulls++
	}
}

// decode appends the value at the start of rec and returns the rest of rec.
func (b *columnBuilder) decode(rec []byte) []byte {
	switch {
	case b.isText:
		l, k := binary.Uvarint(rec)
		rec = rec[k:]
		b.setValid(l > 0)
		if l > 0 {
			b.data = append(b.data, rec[:l-1]...)
			rec = rec[l-1:]
		}
		b.offs = append(b.offs, int32(len(b.data)))
	case b.width > 0:
		ok := rec[0] != 0
		b.setValid(ok)
		if ok {
			b.data = append(b.data, rec[1:1+b.width]...)
			rec = rec[1+b.width:]
		} else {
			b.data = append(b.data, make([]byte, b.width)...)
			rec = rec[1:]
		}
	case b.typ.ID() == arrow.BOOL:
		b.setValid(rec[0] != 0)
		if b.n&7 == 0 {
			b.data = append(b.data, 0)
		}
		if rec[0] == 2 {
			b.data[b.n>>3] |= 1 << (b.n & 7)
		}
		rec = rec[1:]
	default: // null
		b.nulls++
	}
	b.n++
	return rec
}

// finish returns the array of the values decoded since the last reset.
func (b *columnBuilder) finish() arrow.Array {
	defer b.reset()
	if b.isText {
		return table.StringColumn(b.data, b.offs, b.valid, b.nulls)
	}
	if b.typ.ID() == arrow.NULL {
		return array.NewNull(b.n)
	}
	var valid *memory.Buffer
	if b.nulls > 0 {
		valid = memory.NewBufferBytes(b.valid)
	}
	d := array.NewData(b.typ, b.n, []*memory.Buffer{valid, memory.NewBufferBytes(b.data)}, nil, b.nulls, 0)
	defer d.Release()
	return array.MakeFromData(d)
}
