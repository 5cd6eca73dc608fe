package xlsxout

import (
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// Excel's limits: rows per worksheet (the header row included) and columns.
const (
	MaxRows    = 1 << 20
	MaxColumns = 1 << 14
)

// Options tune a Writer. The zero value is the default.
type Options struct {
	// Level is the deflate level, flate.BestSpeed (1) when 0: the sheet XML is so
	// repetitive that higher levels gain little and cost much.
	Level int
}

// Patcher is an output whose bytes may be overwritten once written: a file of the run's
// own, written from its first byte (output.Destination when Patchable). To such an
// output the writer gives each worksheet a <dimension> element, its extent, which comes
// before the rows and is known only after them: it leaves room for the element and
// writes it at the worksheet's end. Readers that size a sheet from it (openpyxl's
// read-only mode: max_row, max_column) need it; Excel and LibreOffice do without. To
// any other output the optional element is left out.
type Patcher interface {
	Patchable() bool
	// Patch overwrites len(p) bytes at offset off, counted from the first byte the
	// writer wrote.
	Patch(p []byte, off int64) error
}

// Writer writes one workbook. AddSheet and Append and Close belong to one goroutine
// (the one that writes in input order); Sheet.EncodeChunk may run on any number of
// goroutines at once.
type Writer struct {
	zip      *zipWriter
	patch    Patcher // nil: the output cannot be patched, worksheets have no <dimension>
	level    int
	maxRows  int      // rows per worksheet, header included (tests lower it)
	sheets   []*Sheet // in AddSheet order
	current  int      // index of the sheet taking parts; those before it are finished
	taken    map[string]bool
	written  []writtenSheet
	warnings []string
	err      error // the first error: the workbook is then unusable
	closed   bool
}

// writtenSheet is one worksheet of the file, for workbook.xml.
type writtenSheet struct {
	name       string
	cols, rows int // rows: data rows, below the header
}

// Sheet is one sheet of the output with its schema; past MaxRows rows it continues
// on sheets "Name (2)", "Name (3)"...
type Sheet struct {
	w      *Writer
	name   string
	schema schema.Schema

	// The fields below belong to the goroutine that appends.
	pending  []*Part // parts held until sampleRows rows decide the column widths
	sampled  int
	widths   []int // characters per column, from the header and the sampled rows
	sized    bool  // widths are final
	pieces   int   // output worksheets started for this sheet
	outRows  int   // data rows in the worksheet being written
	firstRow int64 // data rows written to earlier worksheets of this sheet
	crc      uint32
	packed   int64
	raw      int64
	// With a Patcher: where the worksheet's <dimension> goes (its offset in the output,
	// -1 without one), and the CRC-32 and size of the XML before it; crc is then the
	// CRC of the XML after it.
	dimensionAt int64
	beforeCRC   uint32
	beforeRaw   int64
}

// New returns a writer of a workbook to out; out receives the bytes in order, once.
func New(out io.Writer, opts Options) (*Writer, error) {
	level := opts.Level
	if level == 0 {
		level = flate.BestSpeed
	}
	if level < flate.HuffmanOnly || level > flate.BestCompression {
		return nil, fmt.Errorf("xlsx: deflate level %d out of range", level)
	}
	w := &Writer{zip: newZipWriter(out), level: level, maxRows: MaxRows, taken: map[string]bool{}}
	if p, ok := out.(Patcher); ok && p.Patchable() {
		w.patch = p
	}
	return w, nil
}

// AddSheet adds a sheet after those added before, named name made valid and unique
// (SheetName). Its parts must be appended after those of the sheets added before it;
// a sheet that gets no part holds its header row only.
func (w *Writer) AddSheet(name string, sch schema.Schema) (*Sheet, error) {
	if w.closed {
		return nil, errors.New("xlsx: AddSheet after Close")
	}
	if len(sch) > MaxColumns {
		return nil, fmt.Errorf("xlsx: sheet %q has %d columns; Excel holds at most %d (select fewer columns or write another format)", name, len(sch), MaxColumns)
	}
	for _, c := range sch {
		if n := textChars(c.Name); n > MaxCellChars {
			return nil, fmt.Errorf("xlsx: sheet %q: a column name of %d characters; an Excel cell holds at most %d", name, n, MaxCellChars)
		}
	}
	s := &Sheet{w: w, name: w.uniqueName(SheetName(name), 1), schema: sch}
	s.widths = make([]int, len(sch))
	for j, c := range sch {
		s.widths[j] = utf8.RuneCountInString(c.Name) + 2 // room for the autofilter button
	}
	w.sheets = append(w.sheets, s)
	return s, nil
}

// Name is the sheet's name in the workbook (of its first worksheet).
func (s *Sheet) Name() string { return s.name }

// Warnings lists what the writer changed to fit Excel: sheets continued past the row
// limit.
func (w *Writer) Warnings() []string { return w.warnings }

// Append writes the next part in input order. A part of a later sheet finishes the
// sheets before it.
func (w *Writer) Append(p *Part) error {
	if w.err != nil {
		p.Release()
		return w.err
	}
	if w.closed {
		p.Release()
		return errors.New("xlsx: Append after Close")
	}
	w.err = w.append(p)
	return w.err
}

func (w *Writer) append(p *Part) error {
	idx := w.current
	for idx < len(w.sheets) && w.sheets[idx] != p.sheet {
		idx++
	}
	if idx == len(w.sheets) {
		p.Release()
		return fmt.Errorf("xlsx: a part of sheet %q after the sheets that follow it: append each sheet's parts together, in the order of AddSheet", p.sheet.name)
	}
	for ; w.current < idx; w.current++ {
		if err := w.sheets[w.current].finish(); err != nil {
			p.Release()
			return err
		}
	}
	return p.sheet.take(p)
}

// take holds parts until the sample rows are in, then writes them.
func (s *Sheet) take(p *Part) error {
	if s.sized {
		return s.write(p)
	}
	n := len(s.schema)
	for r := 0; r < len(p.widths)/max(n, 1) && s.sampled+r < sampleRows; r++ {
		for j, wd := range p.widths[r*n : (r+1)*n] {
			s.widths[j] = max(s.widths[j], int(wd))
		}
	}
	s.sampled += p.rows
	s.pending = append(s.pending, p)
	if s.sampled >= sampleRows {
		return s.flushPending()
	}
	return nil
}

func (s *Sheet) flushPending() error {
	s.sized = true
	pending := s.pending
	s.pending = nil
	for i, p := range pending {
		if err := s.write(p); err != nil {
			for _, q := range pending[i+1:] {
				q.Release()
			}
			return err
		}
	}
	return nil
}

// write writes a part to the worksheet being written, continuing on a new worksheet
// where the part crosses the row limit (splitPart inflates that part, a rare cost).
func (s *Sheet) write(p *Part) error {
	defer func() { p.Release() }() // p changes when the part is split
	for {
		if s.pieces == 0 {
			if err := s.begin(); err != nil {
				return err
			}
		}
		room := s.w.maxRows - 1 - s.outRows
		if p.rows <= room {
			return s.writeData(p)
		}
		head, rest, err := s.splitPart(p, room)
		if err != nil {
			return err
		}
		p.Release()
		p = rest
		if head != nil {
			err = s.writeData(head)
			head.Release()
			if err != nil {
				return err
			}
		}
		if err := s.end(); err != nil {
			return err
		}
		if err := s.begin(); err != nil {
			return err
		}
	}
}

// splitPart cuts p after its first n rows (nil head when n is 0): it inflates the
// part (which refers to no earlier part: each is deflated from a fresh state), cuts
// the XML after the n-th </row> (text is escaped, so the tag occurs nowhere else) and
// deflates both sides again.
func (s *Sheet) splitPart(p *Part, n int) (head, rest *Part, err error) {
	// The final empty block ends the stream where the part's full flush left it.
	stream := append(slices.Clip(p.data), 0x03, 0x00)
	xml, err := io.ReadAll(flate.NewReader(bytes.NewReader(stream)))
	if err != nil {
		return nil, nil, fmt.Errorf("xlsx: sheet %q: inflating a part to split it at the row limit: %w", s.name, err)
	}
	cut := 0
	for range n {
		end := bytes.Index(xml[cut:], []byte("</row>"))
		if end < 0 {
			return nil, nil, fmt.Errorf("xlsx: sheet %q: a part of %d rows holds fewer <row> elements", s.name, p.rows)
		}
		cut += end + len("</row>")
	}
	if n > 0 {
		data, crc := deflateXML(s.w.level, xml[:cut], false)
		head = &Part{sheet: s, rows: n, data: data, crc: crc, raw: int64(cut)}
	}
	data, crc := deflateXML(s.w.level, xml[cut:], false)
	rest = &Part{sheet: s, rows: p.rows - n, data: data, crc: crc, raw: int64(len(xml) - cut)}
	return head, rest, nil
}

func (s *Sheet) writeData(p *Part) error {
	if err := s.w.zip.write(p.data); err != nil {
		return err
	}
	s.crc = crc32Combine(s.crc, p.crc, p.raw)
	s.packed += int64(len(p.data))
	s.raw += p.raw
	s.outRows += p.rows
	return nil
}

// begin starts a worksheet of this sheet: the zip entry, the sheet's head with the
// column widths and the header row.
func (s *Sheet) begin() error {
	w := s.w
	s.pieces++
	name := s.name
	if s.pieces > 1 {
		s.firstRow += int64(s.outRows)
		name = w.uniqueName(s.name, s.pieces)
		w.warnings = append(w.warnings, fmt.Sprintf("sheet %q: more than %d rows; data rows from %d on continue on sheet %q",
			s.name, w.maxRows, s.firstRow+1, name))
	}
	w.written = append(w.written, writtenSheet{name: name, cols: len(s.schema)})
	if err := w.zip.begin(fmt.Sprintf("xl/worksheets/sheet%d.xml", len(w.written))); err != nil {
		return err
	}
	s.crc, s.packed, s.raw, s.outRows = 0, 0, 0, 0
	s.dimensionAt = -1
	head := s.head()
	if w.patch != nil {
		start := []byte(worksheetStart)
		data, crc := deflateXML(w.level, start, false)
		if err := s.writeData(&Part{data: data, crc: crc, raw: int64(len(start))}); err != nil {
			return err
		}
		if err := s.dimensionRoom(); err != nil {
			return err
		}
	} else {
		head = append([]byte(worksheetStart), head...)
	}
	data, crc := deflateXML(w.level, head, false)
	return s.writeData(&Part{data: data, crc: crc, raw: int64(len(head))})
}

// worksheetStart is what a worksheet's XML holds before its <dimension>.
const worksheetStart = xmlDecl + `<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`

// dimensionSize is the room left for a worksheet's <dimension>: the element with the
// widest extent a sheet can have, A1:XFD1048576. A narrower one is padded with spaces
// before its "/>", where XML allows them.
const dimensionSize = len(`<dimension ref="A1:XFD1048576"/>`)

// dimensionRoom writes the room for the worksheet's <dimension> as a stored deflate
// block, whose bytes are the XML's own: a header byte (not final, stored: the block
// before it ended with a full flush, byte aligned), the length and its complement, then
// the element of a sheet's header row alone, which end overwrites with the worksheet's
// extent. The CRC-32 of the XML after the element is then summed apart, and end
// combines the three.
func (s *Sheet) dimensionRoom() error {
	block := []byte{0, byte(dimensionSize), byte(dimensionSize >> 8), ^byte(dimensionSize), ^byte(dimensionSize >> 8)}
	if err := s.w.zip.write(block); err != nil {
		return err
	}
	s.dimensionAt = s.w.zip.off
	if err := s.w.zip.write(dimensionElement(len(s.schema), 0)); err != nil {
		return err
	}
	s.beforeCRC, s.beforeRaw = s.crc, s.raw
	s.crc = 0
	s.packed += int64(len(block) + dimensionSize)
	s.raw += int64(dimensionSize)
	return nil
}

// dimensionElement is a worksheet's <dimension> for the header row and rows data rows
// of cols columns, dimensionSize bytes long.
func dimensionElement(cols, rows int) []byte {
	b := append(make([]byte, 0, dimensionSize), `<dimension ref="A1`...)
	if cols > 0 {
		b = append(b, ':')
		b = append(b, xlsxfmt.ColumnName(cols-1)...)
		b = strconv.AppendInt(b, int64(rows+1), 10)
	}
	b = append(b, '"')
	for len(b) < dimensionSize-2 {
		b = append(b, ' ')
	}
	return append(b, "/>"...)
}

// head is the worksheet's XML after its <dimension>, up to and with the header row.
func (s *Sheet) head() []byte {
	var b []byte
	b = append(b, `<sheetViews><sheetView workbookViewId="0">`...)
	if len(s.schema) > 0 {
		b = append(b, `<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/>`...)
	}
	b = append(b, `</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>`...)
	if len(s.schema) > 0 {
		b = append(b, `<cols>`...)
		for j, wd := range s.widths {
			b = append(b, `<col min="`...)
			b = strconv.AppendInt(b, int64(j+1), 10)
			b = append(b, `" max="`...)
			b = strconv.AppendInt(b, int64(j+1), 10)
			b = append(b, `" width="`...)
			b = strconv.AppendInt(b, int64(min(max(wd+1, minWidth), maxWidth)), 10)
			b = append(b, `" customWidth="1"/>`...)
		}
		b = append(b, `</cols>`...)
	}
	b = append(b, `<sheetData>`...)
	if len(s.schema) > 0 {
		b = append(b, `<row>`...)
		for _, c := range s.schema {
			b = appendInlineString(b, c.Name, styleHeader)
		}
		b = append(b, `</row>`...)
	}
	return b
}

// end finishes the worksheet being written: the autofilter over its rows, the end
// of the deflate stream, the zip entry's data descriptor.
func (s *Sheet) end() error {
	w := s.w
	tail := []byte(`</sheetData>`)
	if n := len(s.schema); n > 0 {
		tail = append(tail, `<autoFilter ref="`...)
		tail = append(tail, filterRange(n, s.outRows, false)...)
		tail = append(tail, `"/>`...)
	}
	tail = append(tail, `</worksheet>`...)
	data, crc := deflateXML(w.level, tail, true)
	rows := s.outRows
	if err := s.writeData(&Part{data: data, crc: crc, raw: int64(len(tail))}); err != nil {
		return err
	}
	w.written[len(w.written)-1].rows = rows
	if s.dimensionAt >= 0 {
		dim := dimensionElement(len(s.schema), rows)
		if err := w.zip.flush(); err != nil {
			return err
		}
		if err := w.patch.Patch(dim, s.dimensionAt); err != nil {
			return err
		}
		after := s.raw - s.beforeRaw - int64(len(dim))
		s.crc = crc32Combine(crc32Combine(s.beforeCRC, crc32.ChecksumIEEE(dim), int64(len(dim))), s.crc, after)
	}
	return w.zip.end(s.crc, s.packed, s.raw)
}

// filterRange is the header and data range, A1:J201 (absolute: $A$1:$J$201).
func filterRange(cols, rows int, absolute bool) string {
	last := xlsxfmt.ColumnName(cols - 1)
	if absolute {
		return fmt.Sprintf("$A$1:$%s$%d", last, rows+1)
	}
	return fmt.Sprintf("A1:%s%d", last, rows+1)
}

// finish writes what is left of the sheet: parts held for the sample, the end.
func (s *Sheet) finish() error {
	if err := s.flushPending(); err != nil {
		return err
	}
	if s.pieces == 0 {
		if err := s.begin(); err != nil {
			return err
		}
	}
	return s.end()
}

// Close finishes the sheets and writes the workbook's package parts and the zip's
// central directory. It does not close out.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	if w.err == nil {
		w.err = w.close()
	}
	w.releasePending()
	w.closed = true
	return w.err
}

func (w *Writer) close() error {
	if len(w.sheets) == 0 {
		if _, err := w.AddSheet("Sheet1", nil); err != nil {
			return err
		}
	}
	for ; w.current < len(w.sheets); w.current++ {
		if err := w.sheets[w.current].finish(); err != nil {
			w.releasePending()
			return err
		}
	}
	for _, part := range w.packageParts() {
		data, crc := deflateXML(w.level, part.xml, true)
		if err := w.zip.whole(part.name, data, crc, int64(len(part.xml))); err != nil {
			return err
		}
	}
	return w.zip.close()
}

// releasePending drops the parts held for the sample of a failed workbook.
func (w *Writer) releasePending() {
	for _, s := range w.sheets {
		for _, p := range s.pending {
			p.Release()
		}
		s.pending = nil
	}
}

// uniqueName returns base, or with from > 1 base " (from)", or base " (k)" with the
// first k > from that no sheet has (Excel compares sheet names without case), and
// takes it.
func (w *Writer) uniqueName(base string, from int) string {
	name := base
	if from > 1 {
		name = continuationName(base, from)
	}
	for k := max(from, 1) + 1; w.taken[strings.ToLower(name)]; k++ {
		name = continuationName(base, k)
	}
	w.taken[strings.ToLower(name)] = true
	return name
}
