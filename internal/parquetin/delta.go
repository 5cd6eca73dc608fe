package parquetin

import (
	"encoding/binary"
	"errors"
)

// encodingDeltaBinaryPacked is DELTA_BINARY_PACKED (parquet.thrift): the encoding of the
// INT64 columns without a dictionary that parquetout writes, and of other writers'
// integer columns.
const encodingDeltaBinaryPacked = 5

// maxDeltaBlock bounds a DELTA_BINARY_PACKED block's values (writers use 128).
const maxDeltaBlock = 1 << 16

// decodeDelta appends to dst the n values of DELTA_BINARY_PACKED data b as PLAIN values
// of width bytes (8: INT64; 4: INT32, the low 32 bits of the same sums): a header (block
// size, miniblocks a block, the count, the first value), then blocks of differences, each
// its least difference and the differences less it, bit-packed by miniblock. Sums wrap
// around as the writer's differences did. Bytes that do not hold n such values are an
// errPage.
func decodeDelta(dst, b []byte, n, width int) ([]byte, error) {
	fail := func(what string) ([]byte, error) {
		return dst, errors.Join(errPage, errors.New("DELTA_BINARY_PACKED values: "+what))
	}
	var header [3]uint64
	for i := range header {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return fail("header cut short")
		}
		header[i], b = v, b[k:]
	}
	block, miniblocks, count := header[0], header[1], header[2]
	if block == 0 || block%128 != 0 || block > maxDeltaBlock || miniblocks == 0 || block%miniblocks != 0 || block/miniblocks%32 != 0 {
		return fail("bad block layout")
	}
	if count != uint64(n) {
		return fail("another count of values")
	}
	// Differences of bit width 0 take no bytes: a few kilobytes of blocks can hold a
	// billion values (a constant step, as in a column of sequential ids), which decoded
	// would take gigabytes. The page path keeps its decoded column chunk within what it
	// reads at once; beyond that the column's reader decodes it in batches.
	if int64(len(dst))+int64(n)*int64(width) > maxPageChunkBytes {
		return fail("more values than the page path decodes at once")
	}
	first, k := binary.Varint(b)
	if k <= 0 {
		return fail("header cut short")
	}
	b = b[k:]
	if n == 0 {
		return dst, nil
	}
	put := func(v uint64) {
		if width == 8 {
			dst = binary.LittleEndian.AppendUint64(dst, v)
		} else {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		}
	}
	value := uint64(first)
	put(value)
	perMiniblock := int(block / miniblocks)
	for left := n - 1; left > 0; {
		least, k := binary.Varint(b)
		if k <= 0 || len(b)-k < int(miniblocks) {
			return fail("block cut short")
		}
		widths := b[k : k+int(miniblocks)]
		b = b[k+int(miniblocks):]
		for _, w := range widths {
			if left == 0 {
				break
			}
			if w > 64 {
				return fail("a bit width beyond 64")
			}
			size := perMiniblock * int(w) / 8
			if len(b) < size {
				return fail("miniblock cut short")
			}
			packed := b[:size]
			b = b[size:]
			take := min(left, perMiniblock)
			left -= take
			for i := range take {
				value += uint64(least) + bitsAt(packed, i*int(w), int(w))
				put(value)
			}
		}
	}
	return dst, nil
}

// bitsAt is the value of width bits (at most 64) at bit pos of packed, least significant
// bits first (Parquet's bit-packing); packed holds them.
func bitsAt(packed []byte, pos, width int) uint64 {
	if width == 0 {
		return 0
	}
	at, shift := pos>>3, uint(pos&7)
	var v uint64
	if at+8 <= len(packed) {
		v = binary.LittleEndian.Uint64(packed[at:])
	} else {
		for j := range len(packed) - at {
			v |= uint64(packed[at+j]) << (8 * j)
		}
	}
	v >>= shift
	if int(shift)+width > 64 {
		v |= uint64(packed[at+8]) << (64 - shift)
	}
	return v & (^uint64(0) >> (64 - width))
}
