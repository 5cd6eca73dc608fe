package xlsxfmt

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/ptransform/ptransform/internal/table"
)

// Sheet is one selected worksheet, ready to be split and decoded: its header has
// been read and its column window fixed.
type Sheet struct {
	Name      string
	Index     int      // 1-based position in the workbook
	Header    []string // column names, unique; one chunk column each
	HeaderRow int      // Excel row of the header, 0 with NoHeader

	book   *Book
	part   string
	win    window // data rows and output columns
	schema *arrow.Schema

	notes    []string // warnings fixed before reading: selected sheets left out
	mu       sync.Mutex
	findings struct{ formula, formulaNoValue, beyondRight cellPos }
}

// Selected returns the sheets Options.Sheets asks for, in the order asked, each with
// its header read. Each entry is a sheet NAME, a 1-based INDEX or a GLOB over names
// (* = every visible worksheet; IncludeHidden lets globs match hidden ones too).
// No entry selects the first visible worksheet. Of several sheets chosen, those
// holding no value (an untouched Sheet3) are left out, each with a warning in the
// first sheet kept's Warnings: they have no columns to agree with the others'.
func (b *Book) Selected() ([]*Sheet, error) {
	infos, err := b.selectSheets()
	if err != nil {
		return nil, &Error{File: b.Path, Col: -1, Err: err}
	}
	sheets := make([]*Sheet, 0, len(infos))
	for _, i := range infos {
		s, err := b.prepare(i)
		if err != nil {
			return nil, err
		}
		sheets = append(sheets, s)
	}
	if len(sheets) < 2 {
		return sheets, nil
	}
	var kept []*Sheet
	var notes []string
	for _, s := range sheets {
		if len(s.Header) > 0 {
			kept = append(kept, s)
		} else {
			notes = append(notes, fmt.Sprintf("%s: sheet %q holds no value: left out of the sheets read", b.Path, s.Name))
		}
	}
	if len(kept) == 0 {
		return sheets[:1], nil // all empty: one empty sheet reads as nothing, as alone
	}
	kept[0].notes = notes
	return kept, nil
}

// ErrSheetSelection is wrapped by the errors for a --sheet that names no sheet of the
// workbook: a mistake in how ptransform was called rather than in the data.
var ErrSheetSelection = errors.New("no such sheet")

// ErrNoSheets is the error for a workbook whose sheet list is empty: damage in the data,
// not a mistake in how it is asked for, since every workbook Excel writes has a sheet.
var ErrNoSheets = errors.New("the workbook lists no sheets: its xl/workbook.xml is damaged or empty")

func (b *Book) selectSheets() ([]int, error) {
	if len(b.opts.Sheets) == 0 {
		for i, s := range b.Sheets {
			if s.Kind == "worksheet" && s.Visibility == "visible" {
				return []int{i}, nil
			}
		}
		return nil, errors.New("the workbook has no visible worksheet")
	}
	return SelectSheets(b.Sheets, b.opts.Sheets, b.opts.IncludeHidden)
}

// SelectSheets resolves --sheet patterns against a workbook's sheets, as apply and
// inspect read them: each is a sheet name (exact, else ignoring case, as Excel
// compares them; a hidden sheet named is chosen), a 1-based index, or a glob matching
// the visible worksheets (hidden ones too with includeHidden). It returns the sheets
// chosen, in the order the patterns choose them, each once. Its errors wrap
// ErrSheetSelection and list the sheets there are.
func SelectSheets(sheets []SheetInfo, patterns []string, includeHidden bool) ([]int, error) {
	if len(sheets) == 0 {
		return nil, ErrNoSheets
	}
	var out []int
	seen := map[int]bool{}
	add := func(i int) {
		if !seen[i] {
			seen[i] = true
			out = append(out, i)
		}
	}
	for _, want := range patterns {
		if i := sheetByName(sheets, want); i >= 0 {
			add(i)
			continue
		}
		if n, err := strconv.Atoi(want); err == nil {
			if n < 1 || n > len(sheets) {
				return nil, selectionError("no sheet number %d: the workbook has %d sheets (%s)", n, len(sheets), SheetList(sheets))
			}
			add(n - 1)
			continue
		}
		if strings.ContainsAny(want, "*?[") {
			if _, err := path.Match(want, ""); err != nil {
				return nil, selectionError("bad sheet pattern %q: %v", want, err)
			}
			matched := false
			for i, s := range sheets {
				if ok, _ := path.Match(want, s.Name); ok && s.Kind == "worksheet" && (s.Visibility == "visible" || includeHidden) {
					add(i)
					matched = true
				}
			}
			if !matched {
				return nil, selectionError("no worksheet matches %q; sheets: %s", want, SheetList(sheets))
			}
			continue
		}
		return nil, selectionError("no sheet named %q; sheets: %s", want, SheetList(sheets))
	}
	return out, nil
}

type sheetSelectionError struct{ msg string }

func (e *sheetSelectionError) Error() string        { return e.msg }
func (e *sheetSelectionError) Is(target error) bool { return target == ErrSheetSelection }

func selectionError(format string, args ...any) error {
	return &sheetSelectionError{fmt.Sprintf(format, args...)}
}

// sheetByName finds a sheet by exact name, else case-insensitively (as Excel
// compares sheet names).
func sheetByName(sheets []SheetInfo, name string) int {
	for i, s := range sheets {
		if s.Name == name {
			return i
		}
	}
	for i, s := range sheets {
		if strings.EqualFold(s.Name, name) {
			return i
		}
	}
	return -1
}

// SheetList names sheets for a message: quoted, with their kind when not a worksheet
// or their visibility when hidden.
func SheetList(sheets []SheetInfo) string {
	names := make([]string, len(sheets))
	for i, s := range sheets {
		names[i] = strconv.Quote(s.Name)
		if s.Kind != "worksheet" {
			names[i] += " (" + s.Kind + ")"
		} else if s.Visibility != "visible" {
			names[i] += " (" + s.Visibility + ")"
		}
	}
	return strings.Join(names, ", ")
}

// parseRange reads "A1:F500" (also "B2", "A:F", "$A$1:$F$500"). cols reports whether
// the range fixes the columns.
func parseRange(r string) (w window, err error) {
	w = fullWindow
	if r == "" {
		return w, nil
	}
	from, to, found := strings.Cut(strings.ToUpper(strings.ReplaceAll(r, "$", "")), ":")
	if !found {
		to = from
	}
	c1, r1, ok1 := cellRef([]byte(from))
	c2, r2, ok2 := cellRef([]byte(to))
	if !ok1 || !ok2 || c2 < c1 || (r1 == 0) != (r2 == 0) || r2 < r1 {
		return w, fmt.Errorf("bad range %q (want a rectangle such as A1:F500)", r)
	}
	w.firstCol, w.lastCol = c1, c2
	if r1 > 0 {
		w.firstRow, w.lastRow = r1, r2
	}
	return w, nil
}

// prepare reads the header of sheet i and fixes the data window.
func (b *Book) prepare(i int) (*Sheet, error) {
	info := b.Sheets[i]
	s := &Sheet{Name: info.Name, Index: info.Index, book: b, part: b.parts[i]}
	fail := func(err error) (*Sheet, error) {
		var e *Error
		if errors.As(err, &e) {
			return nil, s.locate(e)
		}
		return nil, s.locate(&Error{Col: -1, Err: err})
	}
	if info.Kind != "worksheet" {
		return fail(fmt.Errorf("a %s holds no cells to read", info.Kind))
	}
	win, err := parseRange(b.opts.Range)
	if err != nil {
		return fail(err)
	}
	fixedCols := b.opts.Range != ""
	if b.opts.HeaderRow > maxRows && !b.opts.NoHeader {
		return fail(fmt.Errorf("header row %d is past the last row a sheet can have (%d)", b.opts.HeaderRow, maxRows))
	}
	if b.opts.HeaderRow > 0 && !win.hasRow(b.opts.HeaderRow) && !b.opts.NoHeader {
		return fail(fmt.Errorf("header row %d is outside the range %s", b.opts.HeaderRow, b.opts.Range))
	}
	rc, err := b.openPart(s.part)
	if err != nil {
		return fail(fmt.Errorf("%w (a damaged workbook)", err))
	}
	defer rc.Close()
	sc := newRowScanner(rc, win, b.opts.Limits)
	sc.shared = b.strings
	var row scannedRow
	if b.opts.NoHeader {
		last := -1
		for {
			ok, err := sc.next(&row)
			if err != nil {
				return fail(s.partError(err))
			}
			if !ok || row.num > win.lastRow {
				break
			}
			if win.hasRow(row.num) {
				last = max(last, min(row.lastCol, win.lastCol))
			}
		}
		width := last - win.firstCol + 1
		if fixedCols {
			width = win.lastCol - win.firstCol + 1
		}
		for c := range max(width, 0) {
			s.Header = append(s.Header, ColumnName(win.firstCol+c))
		}
		s.win = window{firstRow: win.firstRow, lastRow: win.lastRow, firstCol: win.firstCol, lastCol: win.firstCol + len(s.Header) - 1}
	} else {
		found, holdsValue := false, false
		for {
			ok, err := sc.next(&row)
			if err != nil {
				return fail(s.partError(err))
			}
			holdsValue = holdsValue || ok && win.hasRow(row.num) && row.content
			if !ok || row.num > win.lastRow || (b.opts.HeaderRow > 0 && row.num > b.opts.HeaderRow) {
				break
			}
			if b.opts.HeaderRow > 0 && row.num == b.opts.HeaderRow || b.opts.HeaderRow == 0 && win.hasRow(row.num) && row.content {
				found = true
				break
			}
		}
		s.HeaderRow = b.opts.HeaderRow
		if found {
			s.HeaderRow = row.num
			names, err := s.headerNames(row, win, fixedCols)
			if err != nil {
				return fail(err)
			}
			s.Header = names
		}
		if len(s.Header) == 0 && b.opts.HeaderRow > 0 && !fixedCols {
			for !holdsValue { // the rest of the sheet: a sheet holding no value reads as nothing
				ok, err := sc.next(&row)
				if err != nil {
					return fail(err)
				}
				if !ok || row.num > win.lastRow {
					break
				}
				holdsValue = win.hasRow(row.num) && row.content
			}
			if holdsValue {
				return fail(fmt.Errorf("header row %d is empty; choose another header row, or read without a header", b.opts.HeaderRow))
			}
		}
		if !found && fixedCols {
			for c := win.firstCol; c <= win.lastCol; c++ {
				s.Header = append(s.Header, ColumnName(c))
			}
		}
		if s.HeaderRow == 0 {
			s.HeaderRow = win.firstRow // an empty sheet: nothing follows
		}
		s.win = window{firstRow: s.HeaderRow + 1, lastRow: win.lastRow, firstCol: win.firstCol, lastCol: win.firstCol + len(s.Header) - 1}
	}
	s.schema = table.StringSchema(s.Header)
	return s, nil
}

// partError names the sheet's part in an error about the part as a whole.
func (s *Sheet) partError(err error) error {
	if errors.Is(err, errNoSheetData) {
		return fmt.Errorf("part %s %w", s.part, err)
	}
	return err
}

// headerNames decodes the header row: an empty cell is named by its column letter,
// a repeated name gets _2, _3, ... Without a fixed range, columns end at the last
// named one.
func (s *Sheet) headerNames(row scannedRow, win window, fixedCols bool) ([]string, error) {
	d := s.NewDecoder()
	t, next, err := scanTag(row.raw, 0)
	if err != nil {
		return nil, &Error{Row: row.num, Col: -1, Err: err}
	}
	if t.kind == tagStart {
		if _, err := d.decodeRow(row.raw, next, row.num); err != nil {
			return nil, err
		}
	}
	values := map[int]string{}
	last := -1
	for _, c := range d.cells {
		if win.hasCol(c.col) {
			values[c.col] = string(d.val[c.start:c.end])
			last = max(last, c.col)
		}
	}
	if fixedCols {
		last = win.lastCol
	}
	var names []string
	used := map[string]bool{}
	for c := win.firstCol; c <= last; c++ {
		name := values[c]
		if name == "" {
			name = ColumnName(c)
		}
		if used[name] {
			for k := 2; ; k++ {
				if n := name + "_" + strconv.Itoa(k); !used[n] {
					name = n
					break
				}
			}
		}
		used[name] = true
		names = append(names, name)
	}
	return names, nil
}

// openPart streams a part of the workbook. Parts are read from the book's one file at
// their offsets, so splits of different sheets run at once.
func (b *Book) openPart(part string) (io.ReadCloser, error) { return b.pkg.open(part) }

// dataBase is the Excel row just before the first data row: row numbers minus it
// are data row numbers.
func (s *Sheet) dataBase() int { return s.win.firstRow - 1 }

// locate completes an error with the file and sheet.
func (s *Sheet) locate(e *Error) *Error {
	e.File, e.Sheet = s.book.Path, s.Name
	return e
}

// maxBlockBytes bounds a block whatever its row count, so wide rows keep memory flat.
const maxBlockBytes = 16 << 20

// Split streams the sheet's XML (through its own file handle) and emits its data rows
// in order as raw blocks of about chunkRows rows. Rows up to the header row, rows
// outside Options.Range and rows holding no value are left out; the decoder restores
// the empty rows between the others. emit owns each block.
func (s *Sheet) Split(ctx context.Context, chunkRows int, emit func(block []byte) error) error {
	if chunkRows <= 0 {
		chunkRows = 10000
	}
	if len(s.Header) == 0 {
		return nil
	}
	if err := s.book.use(); err != nil {
		return s.locate(&Error{Col: -1, Err: err})
	}
	defer s.book.done()
	rc, err := s.book.openPart(s.part)
	if err != nil {
		return s.locate(&Error{Col: -1, Err: err})
	}
	return s.split(ctx, rc, chunkRows, emit)
}

// split cuts the sheet XML read from rc into blocks, and closes rc.
func (s *Sheet) split(ctx context.Context, rc io.ReadCloser, chunkRows int, emit func(block []byte) error) error {
	defer rc.Close()
	sc := newRowScanner(rc, s.win, s.book.opts.Limits)
	sc.shared = s.book.strings
	defer s.record(sc)
	base := s.dataBase()
	block := startBlock(nil, base)
	blockBase, rows := base, 0
	var row scannedRow
	for {
		ok, err := sc.next(&row)
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return s.locate(e)
			}
			return s.locate(&Error{Col: -1, Err: err})
		}
		if !ok || row.num > s.win.lastRow {
			break
		}
		if row.num <= base || !row.content {
			continue
		}
		if rows > 0 && (row.num-blockBase > chunkRows || len(block)+len(row.raw) > maxBlockBytes) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := emit(block); err != nil {
				return err
			}
			blockBase = base
			block = startBlock(make([]byte, 0, cap(block)), base)
			rows = 0
		}
		if !row.hasR {
			block = fmt.Appendf(block, "<?r %d?>", row.num)
		}
		block = append(block, row.raw...)
		base = row.num
		rows++
	}
	if rows > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		return emit(block)
	}
	return nil
}

func startBlock(dst []byte, base int) []byte { return fmt.Appendf(dst, "<?b %d?>", base) }

// record keeps the first finding of each kind across splits.
func (s *Sheet) record(sc *rowScanner) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := func(have *cellPos, got cellPos) {
		if got.row > 0 && (have.row == 0 || got.row < have.row || got.row == have.row && got.col < have.col) {
			*have = got
		}
	}
	keep(&s.findings.formula, sc.formula)
	keep(&s.findings.formulaNoValue, sc.formulaNoValue)
	keep(&s.findings.beyondRight, sc.beyondRight)
}

// Warnings lists what the sheet's reading left out or could not know, one line each,
// once Split has run: the empty sheets Selected left out (on the first sheet kept),
// formulas whose values may never have been calculated (a workbook saved with
// fullCalcOnLoad), else formulas without a cached value (read as empty), and values
// to the right of the last header column (dropped).
func (s *Sheet) Warnings() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := append([]string(nil), s.notes...)
	if p := s.findings.formula; p.row > 0 && s.book.uncalculated {
		w = append(w, fmt.Sprintf("%s: sheet %q: formula values may never have been calculated (first: %s%d): the workbook was saved to be recalculated on opening (fullCalcOnLoad, as xlsxwriter and openpyxl save it), so formulas read as saved, often 0 or empty; open and save it in Excel or LibreOffice to calculate them",
			s.book.Path, s.Name, ColumnName(p.col), p.row))
	} else if p := s.findings.formulaNoValue; p.row > 0 {
		w = append(w, fmt.Sprintf("%s: sheet %q: formula cells without a cached value read as empty (first: %s%d); the file was saved without calculating them",
			s.book.Path, s.Name, ColumnName(p.col), p.row))
	}
	// With --range the user chose the columns: what lies outside is not news.
	if p := s.findings.beyondRight; p.row > 0 && s.book.opts.Range == "" {
		w = append(w, fmt.Sprintf("%s: sheet %q: values right of the last header column %s are dropped (first: %s%d); use --no-header or --range to read them",
			s.book.Path, s.Name, ColumnName(s.win.lastCol), ColumnName(p.col), p.row))
	}
	return w
}

// Size is the size of the sheet's XML, inflated, as the workbook's zip directory gives
// it: a measure of the sheet known without reading it (--shard shares sheets out by it).
func (s *Sheet) Size() int64 {
	s.book.mu.Lock()
	defer s.book.mu.Unlock()
	if zf, ok := s.book.pkg.parts[partKey(s.part)]; ok {
		return int64(zf.UncompressedSize64)
	}
	return 0
}
