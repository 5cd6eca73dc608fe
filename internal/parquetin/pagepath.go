package parquetin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zstd"

	"github.com/ptransform/ptransform/internal/table"
)

// The page path reads a direct column's chunk with one ReadAt into a buffer its decoder
// keeps, parses the pages itself, decompresses them into another kept buffer, and
// formats the values into the text builder straight from the page bytes; a dictionary's
// entries are formatted once per column chunk. arrow-go's column reader allocates the
// chunk's bytes, a decompression buffer and a page buffer anew for every column chunk,
// copies each compressed page once more, and then the values into a batch: that was
// about a third of a Parquet → CSV run (page faults of the fresh buffers included).
//
// It reads the common case: a flat column (no repetition, at most one definition
// level), data pages of version 1 or 2, values PLAIN or dictionary-encoded, pages
// uncompressed, snappy or zstd, no encryption. Anything else, and anything it finds
// wrong, makes it give up (errPage): the column chunk is then read again by the column
// reader (readColumnDirect), which reads every case and reports what is damaged, so
// errors read the same whichever path met them.

// pagePath is a decoder's page path: buffers kept from one column chunk to the next.
type pagePath struct {
	chunk    []byte   // the column chunk as in the file
	page     []byte   // a decompressed page
	levels   []uint32 // a page's definition levels
	indices  []uint32 // a page's dictionary indices
	spans    []int32  // a PLAIN BYTE_ARRAY page's values: start, end, start, end…
	dictText []byte   // the column chunk's dictionary entries, formatted
	dictOffs []int32  // entry i is dictText[dictOffs[i]:dictOffs[i+1]]
	zstd     *zstd.Decoder
}

// maxPageChunkBytes bounds the column chunk the page path reads into memory at once.
const maxPageChunkBytes = 1 << 30

func pageFail(what string, args ...any) error {
	return errors.Join(errPage, fmt.Errorf(what, args...))
}

// read reads column chunk col, of rows rows of a flat column of the given kind, from f
// as text built by b. An error means b holds nothing usable and the chunk must be read
// by the column reader.
func (p *pagePath) read(f io.ReaderAt, col *metadata.ColumnChunkMetaData, kind directKind, tsNanos int64, nullable bool, rows int64, b *textBuilder) error {
	codec := col.Compression()
	switch codec {
	case compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd:
	default:
		return pageFail("codec %s", codec)
	}
	if col.CryptoMetadata() != nil {
		return pageFail("an encrypted column")
	}
	start, size := col.DataPageOffset(), col.TotalCompressedSize()
	if col.HasDictionaryPage() && col.DictionaryPageOffset() > 0 && start > col.DictionaryPageOffset() {
		start = col.DictionaryPageOffset()
	}
	if start < 0 || size <= 0 || size > maxPageChunkBytes {
		return pageFail("column chunk of %d bytes", size)
	}
	p.chunk = slices.Grow(p.chunk[:0], int(size))[:size]
	if n, err := f.ReadAt(p.chunk, start); n != len(p.chunk) {
		return pageFail("reading the column chunk: %v", err)
	}
	resetFor(b, kind, rows, col)
	p.dictOffs = p.dictOffs[:0]
	hasDict := false
	rest := p.chunk
	for done := int64(0); done < rows; {
		h, n, err := parsePageHeader(rest)
		if err != nil {
			return err
		}
		rest = rest[n:]
		if int(h.compressed) > len(rest) {
			return pageFail("a page beyond its column chunk")
		}
		body := rest[:h.compressed]
		rest = rest[h.compressed:]
		switch h.kind {
		case pageDictionary:
			if hasDict || done > 0 || h.encoding != encodingPlain && h.encoding != encodingPlainDict {
				return pageFail("a dictionary page where none is read")
			}
			data, err := p.decompress(codec, body, int(h.uncompressed))
			if err != nil {
				return err
			}
			if err := p.dictionary(data, int(h.numValues), kind, tsNanos); err != nil {
				return err
			}
			hasDict = true
		case pageData, pageDataV2:
			values := int64(h.numValues)
			if values > rows-done || values == 0 {
				return pageFail("a data page of %d values where %d remain", values, rows-done)
			}
			levels, data, err := p.pageLevels(codec, &h, body, nullable)
			if err != nil {
				return err
			}
			if err := p.values(b, h.encoding, levels, data, int(values), nullable, kind, tsNanos); err != nil {
				return err
			}
			done += values
		case pageIndex:
		default:
			return pageFail("a page of type %d", h.kind)
		}
	}
	return nil
}

// pageLevels returns the definition levels of a data page (version 1 or 2) and its
// values' bytes, decompressed.
func (p *pagePath) pageLevels(codec compress.Compression, h *pageHeader, body []byte, nullable bool) (levels []byte, values []byte, err error) {
	if h.kind == pageDataV2 {
		if h.repLength != 0 || int(h.defLength) > len(body) || !nullable && h.defLength != 0 {
			return nil, nil, pageFail("levels of a version 2 page")
		}
		levels, values = body[:h.defLength], body[h.defLength:]
		if h.compressedV2 {
			if values, err = p.decompress(codec, values, int(h.uncompressed-h.defLength)); err != nil {
				return nil, nil, err
			}
		}
		return levels, values, nil
	}
	data, err := p.decompress(codec, body, int(h.uncompressed))
	if err != nil || !nullable {
		return nil, data, err
	}
	if h.levelEncoding != encodingRLE || len(data) < 4 {
		return nil, nil, pageFail("definition levels encoded as %d", h.levelEncoding)
	}
	n := binary.LittleEndian.Uint32(data)
	if uint64(n) > uint64(len(data)-4) {
		return nil, nil, pageFail("definition levels beyond their page")
	}
	return data[4 : 4+n], data[4+n:], nil
}

// decompress returns the size bytes that src decompresses to.
func (p *pagePath) decompress(codec compress.Compression, src []byte, size int) ([]byte, error) {
	if size < 0 {
		return nil, pageFail("a page of negative size")
	}
	switch codec {
	case compress.Codecs.Uncompressed:
		if len(src) != size {
			return nil, pageFail("an uncompressed page of %d bytes, said to be %d", len(src), size)
		}
		return src, nil
	case compress.Codecs.Snappy:
		n, err := snappy.DecodedLen(src)
		if err != nil || n != size {
			return nil, pageFail("a snappy page of %d bytes, said to be %d (%v)", n, size, err)
		}
		p.page = slices.Grow(p.page[:0], n)[:n]
		out, err := snappy.Decode(p.page, src)
		if err != nil || len(out) != size {
			return nil, pageFail("a snappy page: %v", err)
		}
		return out, nil
	case compress.Codecs.Zstd:
		if p.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxPageChunkBytes))
			if err != nil {
				return nil, pageFail("zstd: %v", err)
			}
			p.zstd = d
		}
		out, err := p.zstd.DecodeAll(src, slices.Grow(p.page[:0], size))
		if err != nil || len(out) != size {
			return nil, pageFail("a zstd page of %d bytes, said to be %d (%v)", len(out), size, err)
		}
		p.page = out
		return out, nil
	}
	return nil, pageFail("codec %s", codec)
}

// dictionary formats the n PLAIN entries of a dictionary page.
func (p *pagePath) dictionary(data []byte, n int, kind directKind, tsNanos int64) error {
	text, err := p.plain(data, n, kind, tsNanos)
	if err != nil {
		return err
	}
	p.dictText = p.dictText[:0]
	p.dictOffs = append(p.dictOffs[:0], 0)
	for k := range n {
		p.dictText = text(p.dictText, k)
		p.dictOffs = append(p.dictOffs, int32(len(p.dictText)))
	}
	if len(p.dictText) > math.MaxInt32 {
		return pageFail("a dictionary over 2 GiB")
	}
	return nil
}

// values formats a data page's values into b, a row each: a null where its definition
// level is 0.
func (p *pagePath) values(b *textBuilder, encoding int32, levels, data []byte, n int, nullable bool, kind directKind, tsNanos int64) error {
	present := n
	if nullable {
		var err error
		if p.levels, err = decodeHybrid(p.levels[:0], levels, 1, n); err != nil {
			return err
		}
		present = 0
		for _, l := range p.levels {
			present += int(l)
		}
	}
	var text func(dst []byte, k int) []byte
	switch encoding {
	case encodingPlain:
		var err error
		if text, err = p.plain(data, present, kind, tsNanos); err != nil {
			return err
		}
	case encodingPlainDict, encodingRLEDictionary:
		entries := len(p.dictOffs) - 1
		if entries < 0 || len(data) == 0 {
			return pageFail("dictionary indices without a dictionary")
		}
		var err error
		if p.indices, err = decodeHybrid(p.indices[:0], data[1:], int(data[0]), present); err != nil {
			return err
		}
		for _, i := range p.indices {
			if int(i) >= entries {
				return pageFail("dictionary index %d of %d entries", i, entries)
			}
		}
		dict, offs, indices := p.dictText, p.dictOffs, p.indices
		text = func(dst []byte, k int) []byte {
			i := indices[k]
			return append(dst, dict[offs[i]:offs[i+1]]...)
		}
	default:
		return pageFail("values encoded as %d", encoding)
	}
	if present == n {
		for k := range n {
			b.data = text(b.data, k)
			b.end()
		}
		return nil
	}
	k := 0
	for _, l := range p.levels {
		if l != 0 {
			b.data = text(b.data, k)
			k++
		}
		b.end()
	}
	return nil
}

// plain returns the function that appends the text of value k of the n PLAIN values in
// data, having checked data holds them.
func (p *pagePath) plain(data []byte, n int, kind directKind, tsNanos int64) (func(dst []byte, k int) []byte, error) {
	width := 0
	switch kind {
	case directInt32, directUint32, directDate, directFloat:
		width = 4
	case directInt64, directUint64, directTimestamp, directDouble:
		width = 8
	}
	if width > 0 && n > len(data)/width {
		return nil, pageFail("%d values of %d bytes in %d bytes", n, width, len(data))
	}
	switch kind {
	case directInt32, directUint32, directDate:
		format := formatInt32(kind)
		return func(dst []byte, k int) []byte {
			return format(dst, int32(binary.LittleEndian.Uint32(data[4*k:])))
		}, nil
	case directFloat:
		return func(dst []byte, k int) []byte {
			return appendFloat32(dst, math.Float32frombits(binary.LittleEndian.Uint32(data[4*k:])))
		}, nil
	case directInt64, directUint64, directTimestamp:
		format := formatInt64(kind, tsNanos)
		return func(dst []byte, k int) []byte {
			return format(dst, int64(binary.LittleEndian.Uint64(data[8*k:])))
		}, nil
	case directDouble:
		return func(dst []byte, k int) []byte {
			return table.AppendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(data[8*k:])))
		}, nil
	case directBool:
		if n > len(data)*8 {
			return nil, pageFail("%d booleans in %d bytes", n, len(data))
		}
		return func(dst []byte, k int) []byte { return strconv.AppendBool(dst, data[k>>3]>>(k&7)&1 != 0) }, nil
	case directText:
		spans := p.spans[:0]
		pos := 0
		for range n {
			if len(data)-pos < 4 {
				return nil, pageFail("strings beyond their page")
			}
			size := binary.LittleEndian.Uint32(data[pos:])
			pos += 4
			if uint64(size) > uint64(len(data)-pos) {
				return nil, pageFail("strings beyond their page")
			}
			spans = append(spans, int32(pos), int32(pos+int(size)))
			pos += int(size)
		}
		p.spans = spans
		return func(dst []byte, k int) []byte { return append(dst, data[spans[2*k]:spans[2*k+1]]...) }, nil
	}
	return nil, pageFail("a column of kind %d", kind)
}
