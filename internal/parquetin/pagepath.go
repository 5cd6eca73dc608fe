package parquetin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/apache/arrow-go/v18/parquet"
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

// pagePath is a decoder's page path: buffers kept from one column chunk to the next,
// and the input's cache of decompressed column chunks, shared with the other decoders,
// for the next rows of the same row group (a row group is cut into several chunks).
type pagePath struct {
	chunk []byte // a column chunk as in the file
	zstd  *zstd.Decoder
	cache *pageCache
}

// columnPages are the data pages of one column chunk, decompressed, with their levels,
// dictionary indices and string spans decoded: what formatting any of its rows needs.
type columnPages struct {
	arena    []byte   // the pages' values
	levels   []uint32 // definition levels, a row each (nullable columns)
	counts   []int32  // see pageSpan.counts
	indices  []uint32 // dictionary indices, a value each (dictionary pages)
	spans    []int32  // PLAIN strings' bytes in arena: start, end, a value each
	dictText []byte   // the dictionary's entries, formatted
	dictOffs []int32  // entry i is dictText[dictOffs[i]:dictOffs[i+1]]
	pages    []pageSpan
}

// pageSpan is one data page of a columnPages.
type pageSpan struct {
	row0, rows   int   // its rows in the row group
	encoding     int32 // of its values
	start, end   int   // its values in arena
	level, value int   // its first row's level in levels, first value's index or span
	present      int   // its values (rows not null)
	counts       int   // in columnPages.counts: its values before each levelBlock rows
}

// levelBlock is how many rows of a page with nulls one columnPages.counts entry covers:
// the rows a part starts after are counted from the block, not from the page's start.
const levelBlock = 1024

// pagePathReads reports whether the page path reads column chunk col, as far as its
// metadata tells: its codec, no encryption, encodings it knows.
func pagePathReads(col *metadata.ColumnChunkMetaData) bool {
	switch col.Compression() {
	case compress.Codecs.Uncompressed, compress.Codecs.Snappy, compress.Codecs.Zstd:
	default:
		return false
	}
	for _, e := range col.Encodings() {
		switch e {
		case parquet.Encodings.Plain, parquet.Encodings.PlainDict, parquet.Encodings.RLE, parquet.Encodings.RLEDict,
			parquet.Encodings.DeltaBinaryPacked:
		default:
			return false
		}
	}
	return col.CryptoMetadata() == nil
}

// maxPageChunkBytes bounds the column chunk the page path reads into memory at once.
const maxPageChunkBytes = 1 << 30

func pageFail(what string, args ...any) error {
	return errors.Join(errPage, fmt.Errorf(what, args...))
}

// read formats rows [from, to) of column chunk col of row group rg, leaf column leaf of
// rows rows, flat, of the given kind, from f as text built by b. An error means b holds
// nothing usable and the chunk must be read by the column reader.
func (p *pagePath) read(f io.ReaderAt, rg, leaf int, col *metadata.ColumnChunkMetaData, kind directKind, tsNanos int64, nullable bool, rows, from, to int64, b *textBuilder) error {
	s, load := p.cache.acquire(pageKey{rg: rg, leaf: leaf})
	defer p.cache.release(s)
	if load {
		c := p.cache.take()
		published := false
		defer func() {
			if !published { // a panic on damaged pages, on its way to recoverAs: wake the readers
				p.cache.loaded(s, c, pageFail("column chunk of row group %d unreadable", rg+1))
			}
		}()
		err := p.load(c, f, col, kind, tsNanos, nullable, rows)
		published = true
		p.cache.loaded(s, c, err)
	} else {
		<-s.ready
	}
	if s.err != nil {
		return s.err
	}
	resetFor(b, kind, rows, from, to, col)
	s.pages.format(b, int(from), int(to), kind, tsNanos, nullable)
	return nil
}

// load reads column chunk col into c.
func (p *pagePath) load(c *columnPages, f io.ReaderAt, col *metadata.ColumnChunkMetaData, kind directKind, tsNanos int64, nullable bool, rows int64) error {
	codec := col.Compression()
	if !pagePathReads(col) {
		return pageFail("codec %s, encodings %v", codec, col.Encodings())
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
	// Room for what the footer says, as far as it can be believed: grown value by
	// value, the buffers would be copied again and again as they grow.
	c.arena = slices.Grow(c.arena[:0], int(min(col.TotalUncompressedSize(), maxPageChunkBytes)))
	c.levels = slices.Grow(c.levels[:0], int(min(rows, preallocRows)))
	c.counts, c.indices, c.spans, c.pages = c.counts[:0], c.indices[:0], c.spans[:0], c.pages[:0]
	c.dictText, c.dictOffs = c.dictText[:0], c.dictOffs[:0]
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
			mark := len(c.arena)
			if c.arena, err = p.decompress(c.arena, codec, body, int(h.uncompressed)); err != nil {
				return err
			}
			if err := c.dictionary(c.arena[mark:], int(h.numValues), kind, tsNanos); err != nil {
				return err
			}
			c.arena = c.arena[:mark]
			hasDict = true
		case pageData, pageDataV2:
			values := int64(h.numValues)
			if values > rows-done || values == 0 {
				return pageFail("a data page of %d values where %d remain", values, rows-done)
			}
			if err := p.dataPage(c, codec, &h, body, nullable, int(done), kind); err != nil {
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

// dataPage decompresses a data page of c's column chunk, its first row row0, and
// decodes its levels, indices or string spans.
func (p *pagePath) dataPage(c *columnPages, codec compress.Compression, h *pageHeader, body []byte, nullable bool, row0 int, kind directKind) error {
	n := int(h.numValues)
	pg := pageSpan{row0: row0, rows: n, encoding: h.encoding, level: len(c.levels)}
	var levels []byte
	var err error
	if h.kind == pageDataV2 {
		if h.repLength != 0 || int(h.defLength) > len(body) || !nullable && h.defLength != 0 {
			return pageFail("levels of a version 2 page")
		}
		levels, body = body[:h.defLength], body[h.defLength:]
		pg.start = len(c.arena)
		if h.compressedV2 {
			c.arena, err = p.decompress(c.arena, codec, body, int(h.uncompressed-h.defLength))
		} else {
			c.arena = append(c.arena, body...)
		}
		if err != nil {
			return err
		}
	} else {
		mark := len(c.arena)
		if c.arena, err = p.decompress(c.arena, codec, body, int(h.uncompressed)); err != nil {
			return err
		}
		pg.start = mark
		if nullable {
			data := c.arena[mark:]
			if h.levelEncoding != encodingRLE || len(data) < 4 {
				return pageFail("definition levels encoded as %d", h.levelEncoding)
			}
			size := binary.LittleEndian.Uint32(data)
			if uint64(size) > uint64(len(data)-4) {
				return pageFail("definition levels beyond their page")
			}
			levels = data[4 : 4+size]
			pg.start = mark + 4 + int(size)
		}
	}
	pg.end = len(c.arena)
	present := n
	if nullable {
		if c.levels, err = decodeHybrid(c.levels, levels, 1, n); err != nil {
			return err
		}
		present = 0
		pg.counts = len(c.counts)
		for i, l := range c.levels[pg.level:] {
			if i%levelBlock == 0 {
				c.counts = append(c.counts, int32(present))
			}
			present += int(l)
		}
	}
	pg.present = present
	data := c.arena[pg.start:pg.end]
	switch pg.encoding {
	case encodingPlain:
		pg.value = len(c.spans) / 2
		if c.spans, err = checkPlain(c.spans, data, present, kind); err != nil {
			return err
		}
		if kind != directText {
			pg.value = 0
		}
	case encodingPlainDict, encodingRLEDictionary:
		entries := len(c.dictOffs) - 1
		if entries < 0 || len(data) == 0 {
			return pageFail("dictionary indices without a dictionary")
		}
		pg.value = len(c.indices)
		if c.indices, err = decodeHybrid(c.indices, data[1:], int(data[0]), present); err != nil {
			return err
		}
		for _, i := range c.indices[pg.value:] {
			if int(i) >= entries {
				return pageFail("dictionary index %d of %d entries", i, entries)
			}
		}
	case encodingDeltaBinaryPacked:
		// decoded after the page's bytes, and read as PLAIN values from there on
		width := 8
		switch kind {
		case directInt64, directUint64, directTimestamp:
		case directInt32, directUint32, directDate:
			width = 4
		default:
			return pageFail("DELTA_BINARY_PACKED values of a column of kind %d", kind)
		}
		pg.start = len(c.arena)
		if c.arena, err = decodeDelta(c.arena, data, present, width); err != nil {
			return err
		}
		pg.end, pg.encoding, pg.value = len(c.arena), encodingPlain, 0
	default:
		return pageFail("values encoded as %d", pg.encoding)
	}
	c.pages = append(c.pages, pg)
	return nil
}

// decompress appends to dst the size bytes that src decompresses to.
func (p *pagePath) decompress(dst []byte, codec compress.Compression, src []byte, size int) ([]byte, error) {
	if size < 0 {
		return dst, pageFail("a page of negative size")
	}
	switch codec {
	case compress.Codecs.Uncompressed:
		if len(src) != size {
			return dst, pageFail("an uncompressed page of %d bytes, said to be %d", len(src), size)
		}
		return append(dst, src...), nil
	case compress.Codecs.Snappy:
		n, err := snappy.DecodedLen(src)
		if err != nil || n != size {
			return dst, pageFail("a snappy page of %d bytes, said to be %d (%v)", n, size, err)
		}
		mark := len(dst)
		dst = slices.Grow(dst, n)[:mark+n]
		out, err := snappy.Decode(dst[mark:], src)
		if err != nil || len(out) != size {
			return dst[:mark], pageFail("a snappy page: %v", err)
		}
		return dst, nil
	case compress.Codecs.Zstd:
		if p.zstd == nil {
			d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxPageChunkBytes))
			if err != nil {
				return dst, pageFail("zstd: %v", err)
			}
			p.zstd = d
		}
		mark := len(dst)
		out, err := p.zstd.DecodeAll(src, slices.Grow(dst, size))
		if err != nil || len(out)-mark != size {
			return dst, pageFail("a zstd page of %d bytes, said to be %d (%v)", len(out)-mark, size, err)
		}
		return out, nil
	}
	return dst, pageFail("codec %s", codec)
}

// dictionary formats the n PLAIN entries of a dictionary page.
func (c *columnPages) dictionary(data []byte, n int, kind directKind, tsNanos int64) error {
	spans, err := checkPlain(c.spans[:0], data, n, kind)
	if err != nil {
		return err
	}
	text := plainText(data, spans, kind, tsNanos)
	c.dictOffs = append(c.dictOffs[:0], 0)
	for k := range n {
		c.dictText = text(c.dictText, k)
		if len(c.dictText) > math.MaxInt32 {
			return pageFail("a dictionary over 2 GiB")
		}
		c.dictOffs = append(c.dictOffs, int32(len(c.dictText)))
	}
	c.spans = spans[:0]
	return nil
}

// format appends rows [from, to) of the column chunk to b, a row each: a null where
// the definition level is 0.
func (c *columnPages) format(b *textBuilder, from, to int, kind directKind, tsNanos int64, nullable bool) {
	for i := range c.pages {
		pg := &c.pages[i]
		lo, hi := max(from, pg.row0)-pg.row0, min(to, pg.row0+pg.rows)-pg.row0
		if lo >= hi {
			continue
		}
		var text func(dst []byte, k int) []byte
		data := c.arena[pg.start:pg.end]
		if pg.encoding == encodingPlain {
			text = plainText(data, c.spans[2*pg.value:], kind, tsNanos)
		} else {
			dict, offs, indices := c.dictText, c.dictOffs, c.indices[pg.value:]
			text = func(dst []byte, k int) []byte {
				i := indices[k]
				return append(dst, dict[offs[i]:offs[i+1]]...)
			}
		}
		switch {
		case pg.present == pg.rows && kind != directText:
			for k := lo; k < hi; k++ {
				b.data = text(b.data, k)
				b.offs = append(b.offs, int32(len(b.data)))
			}
			b.endValid(hi - lo)
			continue
		case pg.present == pg.rows:
			for k := lo; k < hi; k++ {
				b.data = text(b.data, k)
				b.end()
			}
			continue
		}
		levels := c.levels[pg.level : pg.level+pg.rows]
		block := lo / levelBlock
		k := int(c.counts[pg.counts+block])
		for _, l := range levels[block*levelBlock : lo] {
			k += int(l)
		}
		for _, l := range levels[lo:hi] {
			if l != 0 {
				b.data = text(b.data, k)
				k++
			}
			b.end()
		}
	}
}

// checkPlain checks that data holds n PLAIN values of the given kind, and for strings
// appends their spans (start, end in data) to spans.
func checkPlain(spans []int32, data []byte, n int, kind directKind) ([]int32, error) {
	width := 0
	switch kind {
	case directInt32, directUint32, directDate, directFloat:
		width = 4
	case directInt64, directUint64, directTimestamp, directDouble:
		width = 8
	case directBool:
		if n > len(data)*8 {
			return spans, pageFail("%d booleans in %d bytes", n, len(data))
		}
		return spans, nil
	case directText:
		pos := 0
		for range n {
			if len(data)-pos < 4 {
				return spans, pageFail("strings beyond their page")
			}
			size := binary.LittleEndian.Uint32(data[pos:])
			pos += 4
			if uint64(size) > uint64(len(data)-pos) {
				return spans, pageFail("strings beyond their page")
			}
			spans = append(spans, int32(pos), int32(pos+int(size)))
			pos += int(size)
		}
		return spans, nil
	default:
		return spans, pageFail("a column of kind %d", kind)
	}
	if n > len(data)/width {
		return spans, pageFail("%d values of %d bytes in %d bytes", n, width, len(data))
	}
	return spans, nil
}

// plainText returns the function that appends the text of PLAIN value k of data, which
// checkPlain checked (spans: the strings' spans it gave, from value 0 of data).
func plainText(data []byte, spans []int32, kind directKind, tsNanos int64) func(dst []byte, k int) []byte {
	switch kind {
	case directInt32, directUint32, directDate:
		format := formatInt32(kind)
		return func(dst []byte, k int) []byte {
			return format(dst, int32(binary.LittleEndian.Uint32(data[4*k:])))
		}
	case directFloat:
		return func(dst []byte, k int) []byte {
			return appendFloat32(dst, math.Float32frombits(binary.LittleEndian.Uint32(data[4*k:])))
		}
	case directInt64, directUint64, directTimestamp:
		format := formatInt64(kind, tsNanos)
		return func(dst []byte, k int) []byte {
			return format(dst, int64(binary.LittleEndian.Uint64(data[8*k:])))
		}
	case directDouble:
		return func(dst []byte, k int) []byte {
			return table.AppendFloat(dst, math.Float64frombits(binary.LittleEndian.Uint64(data[8*k:])))
		}
	case directBool:
		return func(dst []byte, k int) []byte { return strconv.AppendBool(dst, data[k>>3]>>(k&7)&1 != 0) }
	}
	return func(dst []byte, k int) []byte { return append(dst, data[spans[2*k]:spans[2*k+1]]...) }
}
