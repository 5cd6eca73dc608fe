package csvfmt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/fileio"
	"github.com/ptransform/ptransform/internal/table"
)

// Range is a byte range of a Seekable input. A Decoder decodes the records that start
// in [Start, End); InQuotes is the quote parity at Start.
type Range struct {
	Start, End int64
	InQuotes   bool
	// Guessed says InQuotes was not counted (GuessRanges): the range's first record is
	// taken to start after the first line end from Start-1 on. That is wrong only when
	// the line end is inside a quoted field, and then the record does not start where
	// the previous range's last one ended, which the engine checks.
	Guessed bool
}

// Decoded is one decoded chunk.
type Decoded struct {
	// Chunk has one String column per header column (empty field = null) and
	// Source.File set. Row0 is 0 and Lines are relative: Lines[i] counts the line
	// terminators between Start and row i's first byte. The engine adds the absolute
	// line number of Start once earlier chunks are counted.
	Chunk *table.Chunk
	// Start and End delimit the records parsed (DecodeRange: file offsets; DecodeBlock:
	// 0 and len(block)). For consecutive ranges End of one must equal Start of the next.
	Start, End int64
	Rows       int64 // records decoded
	Lines      int64 // line terminators in [Start, End), embedded and blank lines included
	// Reshaped lists the records the ragged policy padded or truncated (relative
	// lines, like Chunk.Lines); valid until the decoder's next call.
	Reshaped []Reshaped
}

const parityBlock = 1 << 20

// GuessRanges cuts [from, Size) into ranges of about chunkSize bytes without reading
// the input, guessing that every line end ends a record (Range.Guessed): true of every
// file whose quoted fields hold no line break, which is most of them. from must be the
// start of a record.
func (in *Input) GuessRanges(from, chunkSize int64) []Range {
	ranges := in.cut(from, chunkSize)
	for r := range ranges {
		ranges[r].Guessed = true
	}
	return ranges
}

// cut cuts [from, Size) into ranges of about chunkSize bytes, InQuotes unset.
func (in *Input) cut(from, chunkSize int64) []Range {
	chunkSize = max(chunkSize, 1)
	total := in.Size - from
	if total <= 0 {
		return nil
	}
	ranges := make([]Range, (total+chunkSize-1)/chunkSize)
	for r := range ranges {
		start := from + int64(r)*chunkSize
		ranges[r] = Range{Start: start, End: min(start+chunkSize, in.Size)}
	}
	return ranges
}

// Ranges cuts [from, Size) as GuessRanges does and computes the quote parity at each
// range start, reading that part of the input once with `workers` goroutines. from must
// be the start of a record.
func (in *Input) Ranges(ctx context.Context, from, chunkSize int64, workers int) ([]Range, error) {
	if !in.Seekable {
		return nil, fmt.Errorf("%s: not seekable; use Split", in.Name)
	}
	chunkSize = max(chunkSize, 1)
	ranges := in.cut(from, chunkSize)
	if len(ranges) == 0 {
		return nil, nil
	}
	total := in.Size - from
	n := int64(len(ranges))
	quotes := make([]atomic.Int64, n)
	blocks := (total + parityBlock - 1) / parityBlock
	var next atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for range min(int64(max(workers, 1)), blocks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, min(parityBlock, total))
			for {
				b := next.Add(1) - 1
				if b >= blocks || ctx.Err() != nil {
					return
				}
				lo := from + b*parityBlock
				hi := min(lo+parityBlock, in.Size)
				if _, err := in.file.ReadAt(buf[:hi-lo], lo); err != nil {
					errOnce.Do(func() { firstErr = in.readError(err) })
					return
				}
				// Attribute the block's quotes to the ranges it overlaps.
				for r := (lo - from) / chunkSize; r < n; r++ {
					rs := from + r*chunkSize
					if rs >= hi {
						break
					}
					s, e := max(rs, lo), min(rs+chunkSize, hi)
					quotes[r].Add(int64(countQuotes(buf[s-lo : e-lo])))
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	inQuotes := false
	for r := range ranges {
		ranges[r].InQuotes = inQuotes
		if quotes[r].Load()&1 == 1 {
			inQuotes = !inQuotes
		}
	}
	return ranges, nil
}

// A Decoder decodes chunks for one worker, reusing its buffers across chunks. It reads
// the input's one open file at its offsets, as the other decoders do: all of them read
// the file the input measured, even if its name is given to another file meanwhile.
// Not safe for concurrent use.
type Decoder struct {
	in  *Input
	ps  *parser
	buf []byte

	spare []*chunkBufs
	lent  [4]lentBufs // recently returned chunks, so Recycle can take their buffers back
	nlent int
	hint  []int // per column: data length of the last chunk, to size fresh buffers

	// whole: DecodeWhole was called; wholeMasks and zeros are decodeWhole's.
	whole      bool
	wholeMasks []uint64
	zeros      []int32
}

// chunkBufs are the buffers behind one Decoded chunk.
type chunkBufs struct {
	cols  []column
	valid [][]byte
	lines []int64
}

type lentBufs struct {
	chunk *table.Chunk
	bufs  *chunkBufs
}

// NewDecoder returns a decoder for this input.
func (in *Input) NewDecoder() *Decoder {
	return &Decoder{
		in:   in,
		ps:   newParser(in.Name, in.Delimiter, in.LineEnd, in.cs, in.ragged, len(in.Header)),
		hint: make([]int, len(in.Header)),
	}
}

// SkipColumns makes the decoder leave empty, on the rows it marks plain in a chunk's
// Raw, the columns marked in skip: those that no transform of the run reads, and that
// the writer either drops or copies from the input bytes with the rest of each plain
// row. Storing a value is most of the cost of decoding it. Rows not marked plain keep
// every value. It does nothing for input whose rows Raw cannot describe (charsets
// other than UTF-8, CR line ends): every column is stored there.
func (d *Decoder) SkipColumns(skip []bool) {
	if len(skip) != len(d.in.Header) || !slices.Contains(skip, true) || !d.ps.rawRows() {
		d.ps.skip = nil
		return
	}
	d.ps.skip = slices.Clone(skip)
}

// Close lets the decoder's buffers go. It closes no file: the input owns that.
func (d *Decoder) Close() error {
	d.buf, d.spare = nil, nil
	return nil
}

// Recycle gives the buffers of a chunk returned by this decoder back for reuse. Call it
// from the decoder's goroutine once nothing references the chunk's arrays any more.
// Chunks not returned by this decoder, or returned too long ago, are ignored.
func (d *Decoder) Recycle(c *table.Chunk) {
	for i := range d.lent {
		if l := &d.lent[i]; l.chunk == c && c != nil {
			if len(d.spare) < 2 {
				d.spare = append(d.spare, l.bufs)
			}
			*l = lentBufs{}
			return
		}
	}
}

// SwapBuffer returns the buffer the decoder read its last range into (DecodeRange), which
// that chunk's Raw.Data is, and makes it read on into buf instead: a caller that keeps
// the chunk's input bytes past the decoder's next call takes the buffer with them.
func (d *Decoder) SwapBuffer(buf []byte) []byte {
	old := d.buf
	d.buf = buf[:0]
	return old
}

func (d *Decoder) begin() *chunkBufs {
	var b *chunkBufs
	if k := len(d.spare); k > 0 {
		b, d.spare = d.spare[k-1], d.spare[:k-1]
	} else {
		ncols := len(d.in.Header)
		b = &chunkBufs{cols: make([]column, ncols), valid: make([][]byte, ncols)}
		for j := range b.cols {
			b.cols[j].data = make([]byte, 0, d.hint[j]+d.hint[j]/8)
		}
	}
	d.ps.begin(b.cols)
	d.ps.lines = b.lines[:0]
	return b
}

// finish wraps the parsed columns, decoded from data, as a chunk.
func (d *Decoder) finish(b *chunkBufs, data []byte, start, end int64) (Decoded, error) {
	ps := d.ps
	rows := ps.rows
	for j := range b.cols {
		if len(b.cols[j].data) > math.MaxInt32 {
			return Decoded{Start: start}, fmt.Errorf("%s: column %d holds more than 2 GiB in one chunk; use a smaller chunk size", d.in.Name, j+1)
		}
	}
	arrs := make([]arrow.Array, len(b.cols))
	for j := range b.cols {
		c := &b.cols[j]
		d.hint[j] = len(c.data)
		var valid []byte
		if len(c.nullRows) > 0 {
			nb := (rows + 7) / 8
			if cap(b.valid[j]) < nb {
				b.valid[j] = make([]byte, nb)
			}
			valid = b.valid[j][:nb]
			for i := range valid {
				valid[i] = 0xFF
			}
			for _, r := range c.nullRows {
				valid[r>>3] &^= 1 << (r & 7)
			}
		}
		arrs[j] = table.StringColumn(c.data, c.offsets, valid, len(c.nullRows))
	}
	b.lines = ps.lines
	batch := array.NewRecordBatch(d.in.schema, arrs, int64(rows))
	for _, a := range arrs {
		a.Release()
	}
	chunk := &table.Chunk{Source: table.Source{File: d.in.Name}, Batch: batch, Lines: ps.lines}
	if ps.skip != nil && len(data) > math.MaxInt32 {
		return Decoded{Start: start}, fmt.Errorf("%s: a chunk of more than 2 GiB; use a smaller chunk size", d.in.Name)
	}
	if ps.rawRows() && len(data) <= math.MaxInt32 && rows > 0 {
		if n := (rows + 63) / 64; len(ps.rawPlain) < n {
			ps.rawPlain = append(ps.rawPlain, make([]uint64, n-len(ps.rawPlain))...)
		}
		ps.rawStarts = growInt32(ps.rawStarts, rows)
		ps.rawEnds = growInt32(ps.rawEnds, rows)
		chunk.Raw = &table.RawRows{Columns: arrs, Data: data, Starts: ps.rawStarts[:rows], Ends: ps.rawEnds[:rows],
			Plain: ps.rawPlain[:(rows+63)/64], Delimiter: ps.delim, Sparse: ps.skip}
	}
	d.lent[d.nlent%len(d.lent)] = lentBufs{chunk: chunk, bufs: b}
	d.nlent++
	return Decoded{Chunk: chunk, Start: start, End: end, Rows: int64(rows), Lines: ps.line, Reshaped: ps.reshaped}, nil
}

// fill makes d.buf hold the file's bytes [lo, hi), keeping what it holds from lo.
func (d *Decoder) fill(lo, hi int64, keep int) ([]byte, error) {
	need := int(hi - lo)
	if cap(d.buf) < need {
		nb := make([]byte, need, need+need/4)
		copy(nb, d.buf[:keep])
		d.buf = nb
	}
	d.buf = d.buf[:need]
	if keep < need {
		k, err := fileio.ReadAt(d.in.file, d.buf[keep:need], lo+int64(keep)) // a worker's read: it keeps its P
		if k < need-keep {
			return nil, d.in.readError(err)
		}
	}
	return d.buf, nil
}

// readMargin is how many bytes DecodeRange first reads past a range's end.
const readMargin = 4 << 10

// DecodeRange decodes the records that start in [r.Start, r.End). For a range other than
// the first it skips to the first record boundary at or after r.Start, trusting
// r.InQuotes, or for a Guessed range the first line end; it reads past r.End to finish
// its last record. On error, Decoded.Start is still set when known, so the engine can
// tell a real error (Start equals the previous End) from a wrong start (resynchronise
// instead). ErrNeedStream also asks for a resynchronisation.
func (d *Decoder) DecodeRange(r Range) (Decoded, error) {
	in := d.in
	if !in.Seekable {
		return Decoded{Start: -1}, fmt.Errorf("%s: not seekable; use Split", in.Name)
	}
	if in.file == nil {
		return Decoded{Start: -1}, fmt.Errorf("%s: internal: decoding a parked input", in.Name)
	}
	if r.Start < in.DataStart || r.End > in.Size || r.Start >= r.End {
		return Decoded{Start: -1}, fmt.Errorf("%s: invalid range [%d, %d)", in.Name, r.Start, r.End)
	}
	first := r.Start == in.DataStart
	lo := r.Start
	if !first {
		lo--
	}
	// Beyond limit a range gives up: its records are not where parity said they are,
	// or they are too long to be worth decoding twice.
	limit := min(in.Size, r.End+max(16<<20, 4*(r.End-r.Start)))
	// The bytes read past End finish the range's last record, and the next range
	// reads them again: a small margin, doubled while a long record needs more, keeps
	// that rereading small (64 KiB were a quarter more bytes read per 256 KiB chunk).
	margin := int64(readMargin)
	hi := min(in.Size, r.End+margin)
	buf, err := d.fill(lo, hi, 0)
	if err != nil {
		return Decoded{Start: -1}, err
	}
	grow := func() error {
		if hi >= limit {
			return ErrNeedStream
		}
		margin *= 2
		nhi := min(limit, r.End+margin)
		buf, err = d.fill(lo, nhi, int(hi-lo))
		hi = nhi
		return err
	}

	p := 0
	if !first {
		inQuotes := r.InQuotes != (buf[0] == '"')
		for {
			var b int
			if r.Guessed {
				// The first line end ends a record: no parity to follow.
				if b = bytes.IndexByte(buf, in.LineEnd); b >= 0 {
					b++
				}
			} else {
				b = skipToBoundary(buf, 0, inQuotes, in.LineEnd)
			}
			if b >= 0 {
				p = b
				break
			}
			if hi == in.Size {
				// The previous range's last record runs to the end of the input.
				return d.finish(d.begin(), buf, in.Size, in.Size)
			}
			if err := grow(); err != nil {
				return Decoded{Start: -1}, err
			}
		}
	}
	start := lo + int64(p)
	if d.whole {
		if dd, ok := d.decodeWhole(buf, p, int(r.End-lo), start, lo); ok {
			return dd, nil
		}
	}
	from := p
	b := d.begin()
	for {
		next, st, err := d.ps.records(buf, p, int(r.End-lo), hi == in.Size)
		if err != nil {
			return Decoded{Start: start}, d.firstError(buf[from:next], err)
		}
		p = next
		if st != stMore {
			break
		}
		if err := grow(); err != nil {
			return Decoded{Start: start}, err
		}
	}
	if err := d.checkUTF8(buf[from:p]); err != nil {
		return Decoded{Start: start}, err
	}
	return d.finish(b, buf, start, lo+int64(p))
}

// checkUTF8 checks that the bytes of a chunk's records are valid UTF-8, when the input
// is read as UTF-8. data starts at the chunk's first line.
func (d *Decoder) checkUTF8(data []byte) error {
	if d.ps.cs != charsetUTF8 {
		return nil
	}
	return checkUTF8(d.in.Name, data, d.in.Delimiter, d.in.LineEnd, 0)
}

// firstError is the error to report for a chunk whose parse failed with err at the
// record after data (the chunk's records before it, from its first line): invalid
// UTF-8 in data comes first, as it does when the chunk is cut before the failing record.
func (d *Decoder) firstError(data []byte, err error) error {
	if uerr := d.checkUTF8(data); uerr != nil {
		return uerr
	}
	return err
}

// DecodeBlock decodes a block cut by Split: whole records, the last one possibly
// without a terminator when the block ends the input.
func (d *Decoder) DecodeBlock(block []byte) (Decoded, error) {
	b := d.begin()
	if next, _, err := d.ps.records(block, 0, len(block), true); err != nil {
		return Decoded{}, d.firstError(block[:next], err)
	}
	if err := d.checkUTF8(block); err != nil {
		return Decoded{}, err
	}
	return d.finish(b, block, 0, int64(len(block)))
}

// Split streams the input's records after the header in blocks of about chunkSize
// bytes, cut at record boundaries, and calls emit with each in order from the calling
// goroutine. Blocks are never reused by Split. A non-seekable input can be split once.
func (in *Input) Split(ctx context.Context, chunkSize int, emit func(block []byte) error) error {
	if in.Seekable {
		return in.SplitFrom(ctx, in.DataStart, chunkSize, emit)
	}
	if in.stream == nil {
		return fmt.Errorf("%s: input already read", in.Name)
	}
	r, prefix := in.stream, in.prefix
	in.stream, in.prefix = nil, nil
	return splitStream(ctx, in.Name, r, prefix, in.Delimiter, in.LineEnd, chunkSize, emit)
}

// SplitFrom is Split for a Seekable input from offset, which must be a record boundary
// (DataStart, or a Decoded.End of DecodeRange): the engine's way to resynchronise when
// quote parity turns out wrong.
func (in *Input) SplitFrom(ctx context.Context, offset int64, chunkSize int, emit func(block []byte) error) error {
	if !in.Seekable {
		return fmt.Errorf("%s: not seekable; use Split", in.Name)
	}
	if offset < in.DataStart || offset > in.Size {
		return fmt.Errorf("%s: offset %d outside the data [%d, %d]", in.Name, offset, in.DataStart, in.Size)
	}
	return splitStream(ctx, in.Name, &sizedReader{in: in, r: io.NewSectionReader(in.file, offset, in.Size-offset)}, nil, in.Delimiter, in.LineEnd, chunkSize, emit)
}

// ErrShrank is wrapped by the error for a Seekable input that ends before the size
// it had when opened.
var ErrShrank = errors.New("the file shrank while being read")

// readError is the error for a read of the Seekable input that failed or came short of
// the size measured when the input was opened.
func (in *Input) readError(err error) error {
	if err == nil || err == io.EOF {
		return fmt.Errorf("%s: %w (it was %d bytes when opened); was it rewritten during the run?", in.Name, ErrShrank, in.Size)
	}
	return fmt.Errorf("%s: %w", in.Name, err)
}

// sizedReader reads a section of a Seekable input that must hold the bytes it was
// measured with: an end before the section's is the file shrinking, not its end.
type sizedReader struct {
	in *Input
	r  *io.SectionReader
}

func (s *sizedReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err == io.EOF {
		if pos, _ := s.r.Seek(0, io.SeekCurrent); pos < s.r.Size() {
			return n, s.in.readError(nil)
		}
	}
	return n, err
}

func splitStream(ctx context.Context, name string, r io.Reader, prefix []byte, delim, term byte, chunkSize int, emit func([]byte) error) error {
	chunkSize = max(chunkSize, 1)
	// The buffer starts small and doubles up to chunkSize, so a huge chunk size costs
	// memory only when the input is that large.
	bufCap := max(64<<10, min(chunkSize, 1<<20))
	buf := append(make([]byte, 0, max(bufCap, len(prefix))), prefix...)
	blockStart, pos := 0, 0
	eof := false
	for {
		quote := -1 // the next quote at or after pos, len(buf) for none; -1: not looked for
		for {
			if pos-blockStart >= chunkSize {
				if err := emit(buf[blockStart:pos:pos]); err != nil {
					return err
				}
				blockStart = pos
			}
			// Every line end before the next quote ends a record: skip to the last
			// one within the block's size with two vectorised searches, not one
			// record at a time.
			if quote < pos {
				if quote = bytes.IndexByte(buf[pos:], '"'); quote < 0 {
					quote = len(buf)
				} else {
					quote += pos
				}
			}
			if end := min(quote, blockStart+chunkSize); end > pos {
				if j := bytes.LastIndexByte(buf[pos:end], term); j >= 0 {
					pos += j + 1
					continue
				}
			}
			next, ok := recordEnd(buf, pos, delim, term, eof)
			if !ok || next == pos {
				break
			}
			pos = next
		}
		if eof {
			if pos > blockStart {
				return emit(buf[blockStart:pos:pos])
			}
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if bufCap < chunkSize {
			bufCap = min(2*bufCap, chunkSize)
		} else if pos > blockStart {
			if err := emit(buf[blockStart:pos:pos]); err != nil {
				return err
			}
			blockStart = pos
		}
		// Carry what is not emitted into a fresh buffer (emitted blocks stay untouched),
		// doubling it when one record outgrows it.
		carry := len(buf) - blockStart
		nb := make([]byte, carry, max(bufCap, 2*(len(buf)-pos), carry+4096))
		copy(nb, buf[blockStart:])
		buf, pos, blockStart = nb, pos-blockStart, 0
		for len(buf) < cap(buf) {
			k, err := r.Read(buf[len(buf):cap(buf)])
			buf = buf[:len(buf)+k]
			if err == io.EOF {
				eof = true
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
	}
}
