package csvfmt

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/klauspost/compress/zstd"

	"github.com/ptransform/ptransform/internal/sniff"
	"github.com/ptransform/ptransform/internal/table"
)

// RaggedPolicy says what happens to records whose field count differs from the header's.
type RaggedPolicy uint8

const (
	RaggedFail        RaggedPolicy = 0                          // a ParseError naming the line and both counts
	RaggedPad         RaggedPolicy = 1                          // short records are padded with nulls
	RaggedTruncate    RaggedPolicy = 2                          // extra fields are dropped
	RaggedPadTruncate              = RaggedPad | RaggedTruncate // both
)

// Options configure Open. The zero value detects everything.
type Options struct {
	Delimiter byte   // 0: TAB for .tsv/.tab names, else sniffed among , ; TAB |
	NoHeader  bool   // the first record is data; columns are named c1, c2, ...
	Encoding  string // "" detects UTF-8 (BOM stripped) or UTF-16 by BOM; see ParseEncoding
	Ragged    RaggedPolicy
	// HeaderRow is the 1-based line the header starts on; the lines above it (titles,
	// notes) are skipped unread. 0 or 1: the first line. With NoHeader, data starts there.
	HeaderRow int
	// SkipLines is how many lines above the header are skipped unread: HeaderRow
	// SkipLines+1 said another way, for --skip-lines. At most one of the two is set.
	SkipLines int
}

const (
	SniffSize    = 64 << 10 // bytes examined for line ends and the delimiter: the buffer to open an input with (sniff.Open) for OpenFile
	maxHeaderLen = 16 << 20 // a header record longer than this is refused
)

// Input is one opened CSV input: its header and how to read its records.
type Input struct {
	Name      string   // as given ("-" for stdin)
	Header    []string // column names, decoded; c1..cN with NoHeader
	Delimiter byte
	// Seekable inputs (plain or single-byte-encoded regular files) are decoded in
	// parallel byte ranges (Ranges, DecodeRange); others go through Split.
	Seekable    bool
	Size        int64  // file size when Seekable
	DataStart   int64  // offset of the first data record in the file (Seekable), after BOM and header
	DataLine    int64  // 1-based line number of the line at DataStart
	RowsBefore  int64  // data rows before DataStart: nonzero for an input narrowed to a shard (Narrow)
	Encoding    string // the encoding in effect: utf-8, latin1, windows-1252, utf-16le, utf-16be
	Compression string // "", "gzip" or "zstd"
	// LineEnd is '\n' (LF and CRLF files) or '\r' (files whose line ends are bare CR).
	LineEnd byte

	opts   Options
	schema *arrow.Schema
	cs     charset
	ragged RaggedPolicy
	// file is the input's one open file, which every decoder reads at its offsets
	// (Seekable); nil while parked (see Park).
	file *os.File
	info os.FileInfo // the file as measured when the header was read
	// Stream inputs: the logical (decompressed, UTF-8 or single-byte) stream, and the
	// bytes already read from it past the header.
	stream  io.Reader
	prefix  []byte
	closers []io.Closer
	// compressed counts what the decompressor of a compressed input has read; the
	// progress bar polls it from the writer's goroutine while Reopen may replace it.
	compressed atomic.Pointer[countingReader]
	mu         sync.Mutex // orders Park, Reopen and Close
	closed     bool
}

// CompressedRead reports, for a compressed input that is a regular file, how many of
// its size bytes the decompressor has read so far: the measure of progress that such
// an input has. ok is false for other inputs.
func (in *Input) CompressedRead() (read, size int64, ok bool) {
	c := in.compressed.Load()
	if c == nil || c.size < 0 {
		return 0, 0, false
	}
	return c.n.Load(), c.size, true
}

// Schema is the Arrow schema of decoded chunks: one nullable string field per column.
func (in *Input) Schema() *arrow.Schema { return in.schema }

// Close releases the input's file and decompressors, for good: Reopen fails after it.
// It may be called while another goroutine parks or reopens the input.
func (in *Input) Close() error {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.closed = true
	return in.release()
}

func (in *Input) release() error {
	var first error
	for i := len(in.closers) - 1; i >= 0; i-- {
		if err := in.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	in.closers = nil
	return first
}

// ParseEncoding maps an encoding name to its canonical form; "" means detect.
func ParseEncoding(name string) (string, error) {
	switch strings.ToLower(strings.ReplaceAll(name, "_", "-")) {
	case "":
		return "", nil
	case "utf-8", "utf8":
		return "utf-8", nil
	case "latin1", "latin-1", "iso-8859-1", "iso8859-1":
		return "latin1", nil
	case "windows-1252", "cp1252":
		return "windows-1252", nil
	case "utf-16le", "utf16le":
		return "utf-16le", nil
	case "utf-16be", "utf16be":
		return "utf-16be", nil
	}
	return "", fmt.Errorf("unknown encoding %q (want utf-8, latin1, windows-1252, utf-16le or utf-16be)", name)
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Open opens one CSV input; name "-" is stdin. It detects compression by magic bytes,
// the encoding, the line-end convention and the delimiter, and reads the header.
func Open(name string, opts Options) (*Input, error) {
	if _, err := ParseEncoding(opts.Encoding); err != nil {
		return nil, err // a usage error, whatever the file
	}
	src, err := sniff.Open(name, SniffSize)
	if err != nil {
		return nil, err
	}
	return OpenFile(src, opts)
}

// OpenFile is Open for an input already opened and sniffed, which it takes over (it
// closes src when it fails).
func OpenFile(src *sniff.File, opts Options) (*Input, error) {
	in := &Input{Name: src.Name, ragged: opts.Ragged, opts: opts}
	if err := in.open(src, opts); err != nil {
		in.Close()
		return nil, err
	}
	return in, nil
}

// Parkable says whether the input can be closed between the reading of its header and
// that of its data (Park, Reopen): a regular file opened by name.
func (in *Input) Parkable() bool {
	return in.Name != "-" && in.info != nil && in.info.Mode().IsRegular()
}

// Park closes a Parkable input's file until Reopen, so that a run of many inputs keeps
// only those open whose chunks are in flight. It does nothing to other inputs.
func (in *Input) Park() error {
	if !in.Parkable() {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.file, in.stream, in.prefix = nil, nil, nil
	return in.release()
}

// Reopen opens a parked input again, after checking that the name still leads to the
// file whose header was read, unchanged; it does nothing to an input that is open.
func (in *Input) Reopen() error {
	if !in.Parkable() {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return fmt.Errorf("%s: internal: reopening a closed input", in.Name)
	}
	if len(in.closers) > 0 {
		return nil
	}
	if in.Seekable {
		// Ranges are read at their offsets: the open file is all it needs. Sniffing and
		// the header again (Open) cost a few milliseconds of CPU per Reopen, and a run
		// reopens its input for the schema sample and for its chunks before any worker starts.
		src, err := sniff.Open(in.Name, 0)
		if err != nil {
			return err
		}
		if !sameFile(in.info, src.Info) {
			src.Close()
			return errFileChanged(in.Name)
		}
		in.file, in.closers = src.File, []io.Closer{src}
		return nil
	}
	again, err := Open(in.Name, in.opts)
	if err != nil {
		return err
	}
	if !sameFile(in.info, again.info) {
		again.Close()
		return errFileChanged(in.Name)
	}
	in.file, in.stream, in.prefix, in.closers = again.file, again.stream, again.prefix, again.closers
	in.compressed.Store(again.compressed.Load())
	return nil
}

// errFileChanged is Reopen's error for an input whose name no longer leads to the file
// whose header was read.
func errFileChanged(name string) error {
	return fmt.Errorf("%s: the file changed after its header was read (replaced or rewritten during the run); run again once it is complete", name)
}

// sameFile says whether b is the file a was, with the same size and modification time.
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

func (in *Input) open(src *sniff.File, opts Options) error {
	name := in.Name
	if src.File != os.Stdin {
		in.closers = append(in.closers, src)
	}
	enc, err := ParseEncoding(opts.Encoding)
	if err != nil {
		return err
	}
	in.info = src.Info
	regular := src.Seekable
	if regular {
		in.file, in.Size = src.File, src.Info.Size()
	}
	raw := src.Head

	var logical *bufio.Reader // decompressed, not yet transcoded
	compressed := &countingReader{r: raw, size: -1}
	if regular {
		compressed.size = in.Size
	}
	if src.Format.Kind == sniff.Gzip || src.Format.Kind == sniff.Zstd {
		in.compressed.Store(compressed)
	}
	switch src.Format.Kind {
	case sniff.Gzip:
		zr, err := gzip.NewReader(compressed)
		if err != nil {
			return fmt.Errorf("%s: %w", name, &damagedError{"gzip", compressed, err})
		}
		in.closers = append(in.closers, zr)
		in.Compression, logical = "gzip", bufio.NewReaderSize(&decompressed{zr, "gzip", compressed}, SniffSize)
	case sniff.Zstd:
		zr, err := zstd.NewReader(compressed)
		if err != nil {
			return fmt.Errorf("%s: %w", name, &damagedError{"zstd", compressed, err})
		}
		in.closers = append(in.closers, zr.IOReadCloser())
		in.Compression, logical = "zstd", bufio.NewReaderSize(&decompressed{zr, "zstd", compressed}, SniffSize)
	case sniff.Text:
		logical = raw
	default:
		return src.Format.Refuse(name)
	}
	if in.Compression != "" {
		head, err := logical.Peek(sniff.HeadSize)
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: %w", name, err)
		}
		inner := sniff.Detect(head)
		if inner.Kind == sniff.JSONLines {
			return fmt.Errorf("%s: is %s-compressed JSON Lines, which is read uncompressed only: decompress it through a pipe (%scat %s | ptransform apply -)", name, in.Compression, map[string]string{"gzip": "z", "zstd": "zstd"}[in.Compression], name)
		}
		if inner.Kind != sniff.Text {
			inner.What += " (" + in.Compression + "-compressed)"
			return inner.Refuse(name)
		}
	}

	// The byte-order mark decides the encoding unless one was given.
	bom, _ := logical.Peek(3)
	bomLen := 0
	switch {
	case bytes.HasPrefix(bom, bomUTF8) && (enc == "" || enc == "utf-8"):
		enc, bomLen = "utf-8", 3
	case bytes.HasPrefix(bom, bomUTF16LE) && (enc == "" || enc == "utf-16le"):
		enc, bomLen = "utf-16le", 2
	case bytes.HasPrefix(bom, bomUTF16BE) && (enc == "" || enc == "utf-16be"):
		enc, bomLen = "utf-16be", 2
	case enc == "":
		enc = "utf-8"
	}
	in.Encoding = enc
	if _, err := logical.Discard(bomLen); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	switch enc {
	case "latin1":
		in.cs = charsetLatin1
	case "windows-1252":
		in.cs = charsetCP1252
	}

	var stream io.Reader = logical
	if strings.HasPrefix(enc, "utf-16") {
		stream = newUTF16Reader(logical, enc == "utf-16be")
	}
	in.Seekable = regular && in.Compression == "" && !strings.HasPrefix(enc, "utf-16")

	// Read the beginning of the logical stream: enough to sniff, then as much as the
	// header record needs.
	head := make([]byte, 0, SniffSize)
	eof := false
	readMore := func(limit int) error {
		for len(head) < limit && !eof {
			if len(head) == cap(head) {
				head = append(head, 0)[:len(head)]
			}
			k, err := stream.Read(head[len(head):min(cap(head), limit)])
			head = head[:len(head)+k]
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
		}
		return nil
	}
	if err := readMore(SniffSize); err != nil {
		return err
	}
	if err := sniff.CheckText(name, head, eof); err != nil {
		return err
	}

	in.LineEnd = detectLineEnd(head)
	skip, flag := opts.SkipLines, fmt.Sprintf("--skip-lines %d", opts.SkipLines)
	if opts.HeaderRow > 1 {
		skip, flag = opts.HeaderRow-1, fmt.Sprintf("--header-row %d", opts.HeaderRow)
	}
	skipped, skippedLines, err := skipLines(name, &head, skip, flag, in.LineEnd, readMore)
	if err != nil {
		return err
	}
	sample := head[skipped:]
	in.Delimiter = opts.Delimiter
	if in.Delimiter == 0 {
		in.Delimiter = delimiterFor(name, sample, in.LineEnd, eof)
	}
	if in.Delimiter == '"' || in.Delimiter == '\n' || in.Delimiter == '\r' {
		return fmt.Errorf("%s: the delimiter cannot be %q", name, in.Delimiter)
	}

	// The header: the first record that is not a blank line.
	var hp *parser
	var headerEnd int
	var headerFields int
	for limit := SniffSize; ; limit *= 2 {
		if opts.NoHeader {
			hp = newParser(name, in.Delimiter, in.LineEnd, in.cs, RaggedPadTruncate, 0) // counts fields only
		} else {
			hp = newParser(name, in.Delimiter, in.LineEnd, in.cs, RaggedFail, 0)
			hp.grow = true
		}
		var st status
		var perr error
		i := skipped
		for {
			i, st, headerFields, perr = hp.record(head, i, eof)
			if st != stBlank {
				break
			}
		}
		if perr != nil {
			var pe *ParseError
			if errors.As(perr, &pe) {
				pe.Rebase(1 + skippedLines)
			}
			return perr
		}
		if st != stMore {
			headerEnd = i
			break
		}
		if limit >= maxHeaderLen {
			return fmt.Errorf("%s: the first record is longer than %d MiB", name, maxHeaderLen>>20)
		}
		if err := readMore(limit * 2); err != nil {
			return err
		}
	}
	if in.cs == charsetUTF8 && !opts.NoHeader {
		if err := checkUTF8(name, head[skipped:headerEnd], in.Delimiter, in.LineEnd, 1+skippedLines); err != nil {
			return err
		}
	}
	if opts.NoHeader {
		for j := 0; j < headerFields; j++ {
			in.Header = append(in.Header, "c"+strconv.Itoa(j+1))
		}
		headerEnd = skipped
		hp.line = 0
	} else {
		for j := range hp.cols {
			in.Header = append(in.Header, string(hp.cols[j].data))
		}
	}
	in.schema = table.StringSchema(in.Header)
	in.DataLine = 1 + skippedLines + hp.line
	in.DataStart = int64(bomLen + headerEnd)
	if in.Seekable {
		return nil
	}
	in.stream = stream
	in.prefix = head[headerEnd:]
	return nil
}

// skipLines finds the end of the first n lines of the stream whose beginning readMore
// reads into *head,
// reading more with readMore as needed (up to maxHeaderLen): the lines above the header
// that flag (--header-row or --skip-lines) skips unparsed, so that a title with a stray
// quote cannot swallow the header. It returns the offset after them and how many lines
// that is.
func skipLines(name string, head *[]byte, n int, flag string, term byte, readMore func(int) error) (int, int64, error) {
	pos, lines := 0, int64(0)
	for lines < int64(n) {
		k := bytes.IndexByte((*head)[pos:], term)
		if k >= 0 {
			pos += k + 1
			lines++
			continue
		}
		if len(*head) >= maxHeaderLen {
			return 0, 0, fmt.Errorf("%s: %s: the lines it skips are longer than %d MiB", name, flag, maxHeaderLen>>20)
		}
		before := len(*head)
		if err := readMore(2 * before); err != nil {
			return 0, 0, err
		}
		if len(*head) == before {
			if pos < before {
				lines++ // a last line without a line end
			}
			return 0, 0, fmt.Errorf("%s: %s is past the end of the input (%d lines)", name, flag, lines)
		}
	}
	return pos, lines, nil
}

// detectLineEnd finds bare-CR files: CR is the terminator when the sample has a CR
// outside quotes that is not followed by LF, and no LF outside quotes.
func detectLineEnd(sample []byte) byte {
	inQuotes, bareCR := false, false
	for i, c := range sample {
		switch c {
		case '"':
			inQuotes = !inQuotes
		case '\n':
			if !inQuotes {
				return '\n'
			}
		case '\r':
			if !inQuotes && (i+1 == len(sample) || sample[i+1] != '\n') {
				bareCR = true
			}
		}
	}
	if bareCR {
		return '\r'
	}
	return '\n'
}

var sniffCandidates = []byte{',', '\t', ';', '|'}

// delimiterFor picks the delimiter: TAB for .tsv/.tab names (compression suffix
// ignored), else the candidate that splits every complete record of the sample into
// the same number (>1) of fields, the larger count winning and ties going to the
// earlier of , TAB ; |. If no candidate is consistent, the one producing the most
// multi-field records; comma when none splits anything.
func delimiterFor(name string, sample []byte, term byte, eof bool) byte {
	base := strings.ToLower(name)
	for _, ext := range []string{".gz", ".gzip", ".zst", ".zstd"} {
		base = strings.TrimSuffix(base, ext)
	}
	if ext := filepath.Ext(base); ext == ".tsv" || ext == ".tab" {
		return '\t'
	}
	best, bestFields, bestConsistent, bestSplit := byte(','), 0, false, 0
	for _, d := range sniffCandidates {
		p := newParser("", d, term, charsetUTF8, RaggedPadTruncate, 0)
		fields, consistent, split := -1, true, 0
		for i := 0; ; {
			next, st, nf, err := p.record(sample, i, eof)
			if err != nil || st == stMore || st == stEnd {
				break
			}
			i = next
			if st == stBlank {
				continue
			}
			if nf > 1 {
				split++
			}
			if fields >= 0 && nf != fields {
				consistent = false
			}
			fields = nf
		}
		consistent = consistent && fields > 1
		switch {
		case consistent && (!bestConsistent || fields > bestFields):
			best, bestFields, bestConsistent = d, fields, true
		case !consistent && !bestConsistent && split > bestSplit:
			best, bestSplit = d, split
		}
	}
	return best
}
