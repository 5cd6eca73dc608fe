package parquetin

import (
	"encoding/binary"
	"errors"
	"slices"
)

// The page path parses a column chunk's pages itself: their headers (Thrift's compact
// protocol), the definition levels and dictionary indices (the RLE / bit-packed
// hybrid). These are the parsers; pagepath.go decodes the values.

// errPage is wrapped by the errors of the page parsers: the caller then reads the column
// chunk through arrow-go instead, which reports what is wrong with it.
var errPage = errors.New("page not read by the page path")

// Page types and encodings of the Parquet format (parquet.thrift).
const (
	pageData       = 0
	pageIndex      = 1
	pageDictionary = 2
	pageDataV2     = 3

	encodingPlain          = 0
	encodingPlainDict      = 2
	encodingRLE            = 3
	encodingRLEDictionary  = 8
	maxThriftNesting       = 32
	maxPageHeaderFieldSize = 1 << 24
)

// pageHeader holds the fields of a Parquet PageHeader the page path reads.
type pageHeader struct {
	kind                     int32
	uncompressed, compressed int32
	numValues                int32 // data pages (both versions) and dictionary pages
	encoding                 int32
	levelEncoding            int32 // a version 1 data page's definition levels
	defLength, repLength     int32 // a version 2 data page's level bytes, never compressed
	compressedV2             bool  // a version 2 data page's values are compressed
}

// thriftReader reads Thrift's compact protocol from b; the first error sticks.
type thriftReader struct {
	b     []byte
	pos   int
	err   error
	depth int
}

// Compact protocol types.
const (
	thriftTrue   = 1
	thriftFalse  = 2
	thriftByte   = 3
	thriftI16    = 4
	thriftI32    = 5
	thriftI64    = 6
	thriftDouble = 7
	thriftBinary = 8
	thriftList   = 9
	thriftSet    = 10
	thriftMap    = 11
	thriftStruct = 12
)

func (r *thriftReader) fail(what string) {
	if r.err == nil {
		r.err = errors.Join(errPage, errors.New("page header: "+what))
	}
}

func (r *thriftReader) byte() byte {
	if r.err != nil || r.pos >= len(r.b) {
		r.fail("cut short")
		return 0
	}
	c := r.b[r.pos]
	r.pos++
	return c
}

func (r *thriftReader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.pos += n
	return v
}

// int reads a zigzag varint (i16, i32, i64).
func (r *thriftReader) int() int64 {
	v := r.uvarint()
	return int64(v>>1) ^ -int64(v&1)
}

// i32 reads an i32 field, or fails on a field of another type.
func (r *thriftReader) i32(typ byte) int32 {
	if typ != thriftI32 {
		r.fail("a field is not an i32")
		return 0
	}
	v := r.int()
	if v < -1<<31 || v > 1<<31-1 {
		r.fail("an i32 out of range")
	}
	return int32(v)
}

// fields calls field for each field of a struct, until its stop byte; field must read
// or skip the value.
func (r *thriftReader) fields(field func(id int64, typ byte)) {
	r.depth++
	if r.depth > maxThriftNesting {
		r.fail("nested too deeply")
	}
	var id int64
	for r.err == nil {
		h := r.byte()
		if h == 0 || r.err != nil {
			break
		}
		if delta := int64(h >> 4); delta != 0 {
			id += delta
		} else {
			id = r.int()
		}
		field(id, h&0x0f)
	}
	r.depth--
}

// skip reads past a value of type typ.
func (r *thriftReader) skip(typ byte) {
	switch typ {
	case thriftTrue, thriftFalse:
	case thriftByte:
		r.byte()
	case thriftI16, thriftI32, thriftI64:
		r.uvarint()
	case thriftDouble:
		r.bytes(8)
	case thriftBinary:
		n := r.uvarint()
		if n > maxPageHeaderFieldSize {
			r.fail("a field is too long")
			return
		}
		r.bytes(int(n))
	case thriftList, thriftSet:
		h := r.byte()
		n, elem := uint64(h>>4), h&0x0f
		if n == 15 {
			n = r.uvarint()
		}
		r.skipMany(n, elem, 0)
	case thriftMap:
		n := r.uvarint()
		if n > 0 {
			kv := r.byte()
			if kv&0x0f == 0 {
				r.fail("unknown element type")
				return
			}
			r.skipMany(n, kv>>4, kv&0x0f)
		}
	case thriftStruct:
		r.fields(func(_ int64, typ byte) { r.skip(typ) })
	default:
		r.fail("unknown field type")
	}
}

// skipMany skips n elements of a list (b == 0) or n key-value pairs of a map. Each
// element of a valid type takes a byte at least, so a damaged count runs out of bytes;
// an element type of 0 (no type) would take none, and a count of 2^64 would loop for
// ever: it is refused, as is a count beyond the bytes left.
func (r *thriftReader) skipMany(n uint64, a, b byte) {
	r.depth++
	if r.depth > maxThriftNesting {
		r.fail("nested too deeply")
	}
	if n > 0 && a == 0 {
		r.fail("unknown element type")
	}
	if n > uint64(len(r.b)-r.pos) {
		r.fail("cut short")
	}
	for i := uint64(0); i < n && r.err == nil; i++ {
		for _, typ := range [2]byte{a, b} {
			switch typ {
			case 0:
			case thriftTrue, thriftFalse: // a collection's booleans take a byte each
				r.byte()
			default:
				r.skip(typ)
			}
		}
	}
	r.depth--
}

func (r *thriftReader) bytes(n int) {
	if r.err == nil && n > len(r.b)-r.pos {
		r.fail("cut short")
		return
	}
	r.pos += n
}

// parsePageHeader reads the page header at the start of b and returns it and its size.
func parsePageHeader(b []byte) (h pageHeader, size int, err error) {
	r := thriftReader{b: b}
	h.compressedV2 = true // the format's default
	r.fields(func(id int64, typ byte) {
		switch {
		case id == 1:
			h.kind = r.i32(typ)
		case id == 2:
			h.uncompressed = r.i32(typ)
		case id == 3:
			h.compressed = r.i32(typ)
		case id == 5 && typ == thriftStruct: // DataPageHeader
			r.fields(func(id int64, typ byte) {
				switch id {
				case 1:
					h.numValues = r.i32(typ)
				case 2:
					h.encoding = r.i32(typ)
				case 3:
					h.levelEncoding = r.i32(typ)
				default:
					r.skip(typ)
				}
			})
		case id == 7 && typ == thriftStruct: // DictionaryPageHeader
			r.fields(func(id int64, typ byte) {
				switch id {
				case 1:
					h.numValues = r.i32(typ)
				case 2:
					h.encoding = r.i32(typ)
				default:
					r.skip(typ)
				}
			})
		case id == 8 && typ == thriftStruct: // DataPageHeaderV2
			r.fields(func(id int64, typ byte) {
				switch {
				case id == 1:
					h.numValues = r.i32(typ)
				case id == 4:
					h.encoding = r.i32(typ)
				case id == 5:
					h.defLength = r.i32(typ)
				case id == 6:
					h.repLength = r.i32(typ)
				case id == 7 && (typ == thriftTrue || typ == thriftFalse):
					h.compressedV2 = typ == thriftTrue
				default:
					r.skip(typ)
				}
			})
		default:
			r.skip(typ)
		}
	})
	if r.err != nil {
		return h, 0, r.err
	}
	if h.uncompressed < 0 || h.compressed < 0 || h.numValues < 0 || h.defLength < 0 || h.repLength < 0 {
		return h, 0, errors.Join(errPage, errors.New("page header: a negative size"))
	}
	return h, r.pos, nil
}

// decodeHybrid appends to dst the n values of width bits that b holds in the RLE /
// bit-packed hybrid encoding. Fewer values than n is an error.
func decodeHybrid(dst []uint32, b []byte, width, n int) ([]uint32, error) {
	if width < 0 || width > 32 {
		return dst, errors.Join(errPage, errors.New("a bit width beyond 32"))
	}
	mask := uint64(1)<<width - 1
	valueBytes := (width + 7) / 8
	for n > 0 {
		h, k := binary.Uvarint(b)
		if k <= 0 {
			return dst, errors.Join(errPage, errors.New("levels or indices cut short"))
		}
		b = b[k:]
		if h&1 == 0 { // a run of one value
			count := h >> 1
			if valueBytes > len(b) || count == 0 {
				return dst, errors.Join(errPage, errors.New("a bad run of levels or indices"))
			}
			var v uint32
			for i := range valueBytes {
				v |= uint32(b[i]) << (8 * i)
			}
			if uint64(v) > mask {
				return dst, errors.Join(errPage, errors.New("a run of a value wider than its bit width"))
			}
			b = b[valueBytes:]
			take := int(min(count, uint64(n)))
			dst = slices.Grow(dst, take)
			run := dst[len(dst) : len(dst)+take]
			for i := range run {
				run[i] = v
			}
			dst = dst[:len(dst)+take]
			n -= take
			continue
		}
		groups := h >> 1
		if groups == 0 || groups > 1<<28 {
			return dst, errors.Join(errPage, errors.New("a bad bit-packed run of levels or indices"))
		}
		size := int(groups) * width // bytes
		count := int(groups) * 8
		if size > len(b) { // a last run may end where the page does
			size = len(b)
			count = size * 8 / width // width > 0, or size would be 0
		}
		take := min(count, n)
		dst = slices.Grow(dst, take)
		packed := b[:size]
		for i := range take {
			bit := i * width
			at := bit >> 3
			var v uint64
			if at+8 <= len(packed) {
				v = binary.LittleEndian.Uint64(packed[at:])
			} else {
				for j := at; j < len(packed); j++ {
					v |= uint64(packed[j]) << (8 * (j - at))
				}
			}
			dst = append(dst, uint32(v>>(bit&7)&mask))
		}
		n -= take
		b = b[size:]
	}
	return dst, nil
}
