package parquetout

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// The page headers of a column chunk, in Thrift's compact protocol (the encoding of every
// Parquet header): field ids and types as in parquet.thrift. arrow-go keeps its Thrift
// types internal, so the few structures a data or dictionary page needs are written here;
// the file's footer is still arrow-go's.

// Thrift compact type ids.
const (
	thriftTrue   = 1
	thriftFalse  = 2
	thriftI32    = 5
	thriftI64    = 6
	thriftBinary = 8
	thriftStruct = 12
)

// Parquet's enums, as parquet.thrift numbers them.
const (
	pageData       = 0 // PageType DATA_PAGE
	pageDictionary = 2 // PageType DICTIONARY_PAGE

	encodingPlain         = 0 // Encoding PLAIN
	encodingRLE           = 3 // Encoding RLE, of the definition and repetition levels
	encodingRLEDictionary = 8 // Encoding RLE_DICTIONARY, of dictionary indices

	encodingDeltaBinaryPacked = 5 // Encoding DELTA_BINARY_PACKED, of INT64 values
)

// thriftWriter appends one structure in the compact protocol; each nested structure keeps
// the id of its last field (deltas are relative to it).
type thriftWriter struct {
	buf  []byte
	last []int16
}

func (t *thriftWriter) field(id int16, kind byte) {
	last := &t.last[len(t.last)-1]
	if delta := id - *last; delta > 0 && delta <= 15 {
		t.buf = append(t.buf, byte(delta)<<4|kind)
	} else {
		t.buf = append(t.buf, kind)
		t.buf = binary.AppendVarint(t.buf, int64(id))
	}
	*last = id
}

func (t *thriftWriter) i32(id int16, v int32) {
	t.field(id, thriftI32)
	t.buf = binary.AppendVarint(t.buf, int64(v))
}

func (t *thriftWriter) i64(id int16, v int64) {
	t.field(id, thriftI64)
	t.buf = binary.AppendVarint(t.buf, v)
}

func (t *thriftWriter) bool(id int16, v bool) {
	kind := byte(thriftFalse)
	if v {
		kind = thriftTrue
	}
	t.field(id, kind)
}

func (t *thriftWriter) binary(id int16, v []byte) {
	t.field(id, thriftBinary)
	t.buf = binary.AppendUvarint(t.buf, uint64(len(v)))
	t.buf = append(t.buf, v...)
}

func (t *thriftWriter) begin(id int16) {
	t.field(id, thriftStruct)
	t.last = append(t.last, 0)
}

// end closes the innermost structure (the outermost one too).
func (t *thriftWriter) end() {
	t.buf = append(t.buf, 0)
	t.last = t.last[:len(t.last)-1]
}

// appendDataPageHeader appends the PageHeader of a data page (v1) whose values have the
// given encoding, levels RLE encoded, with its statistics.
func appendDataPageHeader(dst []byte, uncompressed, compressed, values int, encoding int32, stats metadata.EncodedStatistics) []byte {
	t := thriftWriter{buf: dst, last: make([]int16, 1, 3)}
	t.i32(1, pageData)
	t.i32(2, int32(uncompressed))
	t.i32(3, int32(compressed))
	t.begin(5) // DataPageHeader
	t.i32(1, int32(values))
	t.i32(2, encoding)
	t.i32(3, encodingRLE)
	t.i32(4, encodingRLE)
	t.begin(5) // Statistics, as arrow-go's EncodedStatistics.ToThrift fills them
	if stats.HasMax && stats.Signed {
		t.binary(1, stats.Max)
	}
	if stats.HasMin && stats.Signed {
		t.binary(2, stats.Min)
	}
	if stats.HasNullCount {
		t.i64(3, stats.NullCount)
	}
	if stats.HasDistinctCount {
		t.i64(4, stats.DistinctCount)
	}
	if stats.HasMax {
		t.binary(5, stats.Max)
	}
	if stats.HasMin {
		t.binary(6, stats.Min)
	}
	t.end()
	t.end()
	t.end()
	return t.buf
}

// appendDictionaryPageHeader appends the PageHeader of a PLAIN dictionary page of entries values.
func appendDictionaryPageHeader(dst []byte, uncompressed, compressed, entries int) []byte {
	t := thriftWriter{buf: dst, last: make([]int16, 1, 2)}
	t.i32(1, pageDictionary)
	t.i32(2, int32(uncompressed))
	t.i32(3, int32(compressed))
	t.begin(7) // DictionaryPageHeader
	t.i32(1, int32(entries))
	t.i32(2, encodingPlain)
	t.bool(3, false)
	t.end()
	t.end()
	return t.buf
}
