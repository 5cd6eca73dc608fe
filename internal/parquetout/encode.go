package parquetout

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"
)

// A column chunk is encoded here, straight from the Arrow buffers into pages: arrow-go's
// column writer allocated and zeroed fresh page buffers for every chunk and went through
// its values in batches of 1024 with per-batch bookkeeping, more than half of a run's time.
// The pages are what arrow-go writes (data pages v1, PLAIN or RLE_DICTIONARY values, RLE
// definition levels, a PLAIN dictionary page first, statistics in every page header and
// the chunk's in the footer, computed by arrow-go's own statistics types), in buffers a
// pool recycles across chunks.

// pageBytes is the size past which a data page is closed (arrow-go's default data page
// size), counted as PLAIN values; dictionaryBytes the largest dictionary page, past which
// the chunk is PLAIN encoded (arrow-go's default limit).
const (
	pageBytes       = int(parquet.DefaultDataPageSize)
	dictionaryBytes = int(parquet.DefaultDictionaryPageSizeLimit)
	maxStatsSize    = int(parquet.DefaultMaxStatsSize)
	// pageRows bounds the rows of a page whatever their size (booleans, dictionary indices).
	pageRows = 1 << 20
	// literalGroups is the most groups of 8 values in one bit-packed run: its header is one byte.
	literalGroups = 63
)

// scratch is one task's reusable memory.
type scratch struct {
	body    []byte  // a page, uncompressed
	packed  []byte  // a page, compressed
	dict    []byte  // the dictionary page's values, PLAIN
	indices []int32 // dictionary indices of the chunk's values
	bits    []byte  // definition levels or booleans, aligned
	bools   []bool  // booleans for their statistics
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// chunkEncoder encodes the column chunks of one column.
type chunkEncoder struct {
	descr  *pqschema.Column
	codec  compress.Codec // nil: uncompressed
	level  int
	signed bool // the statistics' sort order
}

// encodedChunk is a column chunk's bytes at offset chunkBase and what its metadata needs.
type encodedChunk struct {
	data  []byte
	info  metadata.ChunkMetaInfo
	stats metadata.EncodedStatistics
	dict  bool
	pages int32
}

// column is a column chunk's values as the encoder reads them.
type column struct {
	values arrow.Array
	n      int
	valid  []byte // validity bitmap, nil without nulls
	offset int    // of the first value in valid and in the Arrow buffers
	nulls  int
}

func (c *column) isValid(i int) bool {
	return c.valid == nil || bitutil.BitIsSet(c.valid, c.offset+i)
}

// encode encodes values as one column chunk, dictionary encoded when useDictionary and the
// dictionary stays within dictionaryBytes.
func (e *chunkEncoder) encode(values arrow.Array, useDictionary bool, out []byte) (encodedChunk, error) {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	col := column{values: values, n: values.Len(), offset: values.Data().Offset(), nulls: values.NullN()}
	if col.nulls > 0 {
		col.valid = values.NullBitmapBytes()
	}
	chunk := encodedChunk{data: out[:0], info: metadata.ChunkMetaInfo{NumValues: int64(col.n), IndexPageOffset: -1}}

	entries := 0
	if useDictionary {
		entries, chunk.dict = e.dictionary(sc, &col)
	}
	if chunk.dict {
		chunk.info.DictPageOffset = chunkBase
		compressed := e.compress(sc, sc.dict)
		start := len(chunk.data)
		chunk.data = appendDictionaryPageHeader(chunk.data, len(sc.dict), len(compressed), entries)
		chunk.info.UncompressedSize += int64(len(chunk.data)-start) + int64(len(sc.dict))
		chunk.data = append(chunk.data, compressed...)
	}
	chunk.info.DataPageOffset = chunkBase + int64(len(chunk.data))

	chunkStats := metadata.NewStatistics(e.descr, memory.DefaultAllocator)
	indexWidth := dictionaryIndexWidth(entries)
	encoding := int32(encodingPlain)
	if chunk.dict {
		encoding = encodingRLEDictionary
	}
	valuesBefore := 0 // non-null values of the pages before
	for start := 0; start < col.n; {
		end := e.pageEnd(&col, start, chunk.dict)
		nulls := 0
		if col.valid != nil {
			nulls = (end - start) - bitutil.CountSetBits(col.valid, col.offset+start, end-start)
		}
		body := appendLevels(sc, sc.body[:0], &col, start, end, nulls)
		if chunk.dict {
			count := end - start - nulls
			body = append(body, byte(indexWidth))
			body = appendHybrid(body, sc.indices[valuesBefore:valuesBefore+count], indexWidth)
			valuesBefore += count
		} else {
			var err error
			if body, err = e.appendPlain(sc, body, &col, start, end); err != nil {
				return chunk, err
			}
		}
		sc.body = body
		pageStats, err := e.statistics(sc, &col, start, end, nulls)
		if err != nil {
			return chunk, err
		}
		chunkStats.Merge(pageStats)
		encoded, err := pageStats.Encode()
		if err != nil {
			return chunk, err
		}
		encoded.ApplyStatSizeLimits(maxStatsSize)
		encoded.Signed = e.signed

		compressed := e.compress(sc, body)
		headerStart := len(chunk.data)
		chunk.data = appendDataPageHeader(chunk.data, len(body), len(compressed), end-start, encoding, encoded)
		chunk.info.UncompressedSize += int64(len(chunk.data)-headerStart) + int64(len(body))
		chunk.data = append(chunk.data, compressed...)
		chunk.pages++
		start = end
	}
	chunk.info.CompressedSize = int64(len(chunk.data))
	stats, err := chunkStats.Encode()
	if err != nil {
		return chunk, err
	}
	stats.ApplyStatSizeLimits(maxStatsSize)
	stats.Signed = e.signed
	chunk.stats = stats
	return chunk, nil
}

// compress returns a page's bytes compressed, in sc.packed (or the page itself, uncompressed).
func (e *chunkEncoder) compress(sc *scratch, page []byte) []byte {
	if e.codec == nil {
		return page
	}
	sc.packed = e.codec.EncodeLevel(sc.packed[:0], page, e.level)
	return sc.packed
}

// pageEnd is the end of the page starting at row start: pageBytes of PLAIN values, or pageRows.
func (e *chunkEncoder) pageEnd(col *column, start int, dict bool) int {
	end := min(col.n, start+pageRows)
	if dict {
		return end
	}
	switch v := col.values.(type) {
	case *array.String:
		offsets, size := v.ValueOffsets(), 0
		for i := start; i < end; i++ {
			if col.isValid(i) {
				size += 4 + int(offsets[i+1]-offsets[i])
				if size >= pageBytes {
					return i + 1
				}
			}
		}
		return end
	case *array.Boolean:
		return end
	}
	width := e.descr.PhysicalType().ByteSize()
	return min(end, start+pageBytes/width)
}

// appendLevels appends a data page's definition levels (v1: their length, then the RLE /
// bit-packed hybrid of width 1): one run without nulls, else the validity bits as they are.
func appendLevels(sc *scratch, dst []byte, col *column, start, end, nulls int) []byte {
	at := len(dst)
	dst = append(dst, 0, 0, 0, 0)
	switch n := end - start; {
	case nulls == 0 || nulls == n:
		level := byte(1)
		if nulls == n {
			level = 0
		}
		dst = binary.AppendUvarint(dst, uint64(n)<<1)
		dst = append(dst, level)
	default:
		dst = appendBitRuns(dst, alignedBits(sc, col.valid, col.offset+start, n))
	}
	binary.LittleEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	return dst
}

// alignedBits copies n bits from bitmap at offset to the start of sc.bits, the bits past n zero.
func alignedBits(sc *scratch, bitmap []byte, offset, n int) []byte {
	size := int(bitutil.BytesForBits(int64(n)))
	sc.bits = append(sc.bits[:0], make([]byte, size)...)
	bitutil.CopyBitmap(bitmap, offset, n, sc.bits, 0)
	return sc.bits
}

// appendBitRuns appends bit-packed runs (width 1) of the bits, literalGroups bytes a run.
func appendBitRuns(dst, packed []byte) []byte {
	for len(packed) > 0 {
		k := min(len(packed), literalGroups)
		dst = append(dst, byte(k<<1|1))
		dst = append(dst, packed[:k]...)
		packed = packed[k:]
	}
	return dst
}

// dictionaryIndexWidth is the bit width of the indices into a dictionary of entries values,
// as arrow-go picks it.
func dictionaryIndexWidth(entries int) int {
	switch entries {
	case 0:
		return 0
	case 1:
		return 1
	}
	return bits.Len32(uint32(entries - 1))
}

// appendHybrid appends values in the RLE / bit-packed hybrid encoding of the given width:
// runs of 8 or more equal values (starting where a group of 8 would) as RLE runs, the rest
// bit-packed, its last group padded with zeros.
func appendHybrid(dst []byte, values []int32, width int) []byte {
	literal := 0 // start of the values not yet written
	for i := 0; i < len(values); {
		run := 1
		for i+run < len(values) && values[i+run] == values[i] {
			run++
		}
		if run < 8 {
			i += 8
			continue
		}
		dst = appendBitPacked(dst, values[literal:i], width)
		dst = binary.AppendUvarint(dst, uint64(run)<<1)
		for v, b := uint32(values[i]), 0; b < width; b += 8 {
			dst = append(dst, byte(v))
			v >>= 8
		}
		i += run
		literal = i
	}
	return appendBitPacked(dst, values[literal:], width)
}

// appendBitPacked appends values as bit-packed runs of at most literalGroups groups of 8.
func appendBitPacked(dst []byte, values []int32, width int) []byte {
	for len(values) > 0 {
		k := min(len(values), literalGroups*8)
		groups := (k + 7) / 8
		dst = append(dst, byte(groups<<1|1))
		var acc uint64
		var filled int
		for j := range groups * 8 {
			var v uint64
			if j < k {
				v = uint64(uint32(values[j]))
			}
			acc |= v << filled
			filled += width
			for filled >= 8 {
				dst = append(dst, byte(acc))
				acc >>= 8
				filled -= 8
			}
		}
		values = values[k:]
	}
	return dst
}

// fixedWidth are the physical types of fixed width, float64 as its bits.
type fixedWidth interface{ ~int32 | ~int64 | ~uint64 }

// asBytes is the memory of values, in the machine's order: little-endian, Parquet's.
func asBytes[T fixedWidth](values []T) []byte {
	if len(values) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&values[0])), len(values)*int(unsafe.Sizeof(values[0])))
}

// dictionary builds the dictionary of the chunk's non-null values: its PLAIN page in
// sc.dict, the values' indices in sc.indices. It reports the number of entries and false
// when the dictionary would pass dictionaryBytes (or the type has none).
func (e *chunkEncoder) dictionary(sc *scratch, col *column) (int, bool) {
	data := col.values.Data()
	switch e.descr.PhysicalType() {
	case parquet.Types.Int64:
		return fixedDictionary(sc, col, arrow.GetValues[int64](data, 1))
	case parquet.Types.Double:
		return fixedDictionary(sc, col, arrow.GetValues[uint64](data, 1))
	case parquet.Types.Int32:
		return fixedDictionary(sc, col, arrow.GetValues[int32](data, 1))
	case parquet.Types.ByteArray:
		return stringDictionary(sc, col)
	}
	return 0, false
}

func fixedDictionary[T fixedWidth](sc *scratch, col *column, values []T) (int, bool) {
	width := int(unsafe.Sizeof(values[0]))
	index := make(map[T]int32)
	sc.indices, sc.dict = sc.indices[:0], sc.dict[:0]
	raw := asBytes(values)
	for i, v := range values[:col.n] {
		if !col.isValid(i) {
			continue
		}
		at, ok := index[v]
		if !ok {
			if len(sc.dict)+width > dictionaryBytes {
				return 0, false
			}
			at = int32(len(index))
			index[v] = at
			sc.dict = append(sc.dict, raw[i*width:(i+1)*width]...)
		}
		sc.indices = append(sc.indices, at)
	}
	return len(index), true
}

func stringDictionary(sc *scratch, col *column) (int, bool) {
	text, offsets := stringBuffers(col.values)
	index := make(map[string]int32)
	sc.indices, sc.dict = sc.indices[:0], sc.dict[:0]
	for i := range col.n {
		if !col.isValid(i) {
			continue
		}
		v := text[offsets[i]:offsets[i+1]]
		at, ok := index[string(v)]
		if !ok {
			if len(sc.dict)+4+len(v) > dictionaryBytes {
				return 0, false
			}
			at = int32(len(index))
			index[string(v)] = at
			sc.dict = binary.LittleEndian.AppendUint32(sc.dict, uint32(len(v)))
			sc.dict = append(sc.dict, v...)
		}
		sc.indices = append(sc.indices, at)
	}
	return len(index), true
}

// stringBuffers are a string array's bytes and its offsets into them (from its first value).
func stringBuffers(values arrow.Array) ([]byte, []int32) {
	var text []byte
	if buf := values.Data().Buffers()[2]; buf != nil {
		text = buf.Bytes()
	}
	return text, values.(*array.String).ValueOffsets()
}

// appendPlain appends the PLAIN encoding of the non-null values of rows [start, end).
func (e *chunkEncoder) appendPlain(sc *scratch, dst []byte, col *column, start, end int) ([]byte, error) {
	data := col.values.Data()
	switch e.descr.PhysicalType() {
	case parquet.Types.Int64, parquet.Types.Double:
		return appendFixed(dst, col, arrow.GetValues[uint64](data, 1), start, end), nil
	case parquet.Types.Int32:
		return appendFixed(dst, col, arrow.GetValues[int32](data, 1), start, end), nil
	case parquet.Types.ByteArray:
		text, offsets := stringBuffers(col.values)
		for i := start; i < end; i++ {
			if col.isValid(i) {
				v := text[offsets[i]:offsets[i+1]]
				dst = binary.LittleEndian.AppendUint32(dst, uint32(len(v)))
				dst = append(dst, v...)
			}
		}
		return dst, nil
	case parquet.Types.Boolean:
		values := data.Buffers()[1].Bytes()
		if col.valid == nil {
			return append(dst, alignedBits(sc, values, col.offset+start, end-start)...), nil
		}
		var acc byte
		var filled int
		for i := start; i < end; i++ {
			if !col.isValid(i) {
				continue
			}
			if bitutil.BitIsSet(values, col.offset+i) {
				acc |= 1 << filled
			}
			if filled++; filled == 8 {
				dst = append(dst, acc)
				acc, filled = 0, 0
			}
		}
		if filled > 0 {
			dst = append(dst, acc)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("parquet: no PLAIN encoding of %s values", e.descr.PhysicalType())
}

func appendFixed[T fixedWidth](dst []byte, col *column, values []T, start, end int) []byte {
	if col.valid == nil {
		return append(dst, asBytes(values[start:end])...)
	}
	width := int(unsafe.Sizeof(values[0]))
	raw := asBytes(values)
	for i := start; i < end; i++ {
		if col.isValid(i) {
			dst = append(dst, raw[i*width:(i+1)*width]...)
		}
	}
	return dst
}

// statistics are the statistics of rows [start, end) with arrow-go's types, fed as its
// column writer feeds them.
func (e *chunkEncoder) statistics(sc *scratch, col *column, start, end, nulls int) (metadata.TypedStatistics, error) {
	stats := metadata.NewStatistics(e.descr, memory.DefaultAllocator)
	data := col.values.Data()
	switch s := stats.(type) {
	case *metadata.Int64Statistics:
		updateFixed(s.Update, s.UpdateSpaced, col, arrow.GetValues[int64](data, 1)[start:end], start, nulls)
	case *metadata.Int32Statistics:
		updateFixed(s.Update, s.UpdateSpaced, col, arrow.GetValues[int32](data, 1)[start:end], start, nulls)
	case *metadata.Float64Statistics:
		updateFixed(s.Update, s.UpdateSpaced, col, arrow.GetValues[float64](data, 1)[start:end], start, nulls)
	case *metadata.BooleanStatistics:
		bools := col.values.(*array.Boolean)
		sc.bools = sc.bools[:0]
		for i := start; i < end; i++ {
			sc.bools = append(sc.bools, bools.Value(i))
		}
		updateFixed(s.Update, s.UpdateSpaced, col, sc.bools, start, nulls)
	case *metadata.ByteArrayStatistics:
		text, offsets := stringBuffers(col.values)
		if nulls == 0 {
			s.UpdateFromArrowOffsets(text, offsets[start:end+1], 0)
		} else {
			s.UpdateFromArrowOffsetsSpaced(text, offsets[start:end+1], col.valid, int64(col.offset+start), int64(nulls))
		}
	default:
		return nil, fmt.Errorf("parquet: no statistics of %s values", e.descr.PhysicalType())
	}
	return stats, nil
}

func updateFixed[T any](dense func([]T, int64), spaced func([]T, []byte, int64, int64), col *column, values []T, start, nulls int) {
	if nulls == 0 {
		dense(values, 0)
	} else {
		spaced(values, col.valid, int64(col.offset+start), int64(nulls))
	}
}
