package lookup

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// Reference is one --lookup file, opened: its header is known, its rows are read once,
// when the stage is compiled (Load), whatever number of workers then probe them.
type Reference struct {
	Spec   Spec
	Header []string
	// read reads the reference's rows in order, as the run's inputs are read (the same
	// formats, decoders and row numbers), giving each chunk to visit, which may keep it.
	read  func(visit func(*table.Chunk) error) error
	limit int64 // the most memory the loaded table may take (--memory)

	once   sync.Once
	loaded *loaded
	err    error
}

// NewReference describes a reference file whose header is known and whose rows read
// reads; a table of it that would take more than limit bytes is refused.
func NewReference(spec Spec, header []string, limit int64, read func(visit func(*table.Chunk) error) error) *Reference {
	return &Reference{Spec: spec, Header: header, read: read, limit: limit}
}

// loaded is a reference in memory: its key table and the columns a lookup adds.
type loaded struct {
	table   *keyTable
	columns []refColumn
	rows    int
	bytes   int64 // what it takes, as counted against the limit
}

// refColumn is one added column of a reference, every row's value: typed when every
// value reads as one type and writes back as the same text (decideType), else text.
//
// A row's values of every added column are one record of cells, next to each other in
// cells (row-major): a probe that found its row then loads one cache line for all its
// added values (and a second for a text value's bytes), where a column each in arrays
// of their own cost a line per column and one more for a text's start and end.
type refColumn struct {
	typ   expr.Type
	valid []uint64 // a bit per row, set for a value
	data  []byte   // text: the values back to back
	// cells are the records of every added column, shared by them: row r's cell of this
	// column is cells[r*stride+at]. A typed value's cell is the value's bits; a text
	// value's is its span in data, packed (textSpan), or longSpan with the span in long.
	cells     []uint64
	stride    int
	at        int
	long      map[int32][2]int64
	spanStart int64 // add's: where the next value starts in data
}

// A text cell holds its value's start in data in its low 40 bits and its length above
// them; a value of 16 MiB or more, or past 1 TiB of text, has the length longSpan and
// its span in the column's long map.
const (
	spanStartBits = 40
	longSpan      = 1<<(64-spanStartBits) - 1
)

// Bytes of memory per row and per added value besides their text, as documented in
// docs/lookups.md: a row's place (source and line) for messages, and per added value
// its cell.
const (
	bytesPerRow   = 12
	bytesPerValue = 8
)

// load reads the reference once: the key columns keys and the added columns adds
// (indexes in Header), and what to do with a duplicate key. Its errors name the file,
// and the sheet and rows where they can.
func (r *Reference) load(keys []int, adds []int, dup Dup) (*loaded, error) {
	r.once.Do(func() { r.loaded, r.err = r.readAll(keys, adds, dup) })
	return r.loaded, r.err
}

// part is one chunk of a reference as read, kept until the reference is built: the
// arrays of its key columns and added columns, and where its rows are, for messages.
type part struct {
	source table.Source
	keys   []arrow.Array
	adds   []arrow.Array
	row0   int64   // as table.Chunk's
	lines  []int64 // as table.Chunk's
	first  int     // the reference row of its first row
	rows   int
}

// line is the line (CSV) or row (sheet) of the part's row i, as a user finds it.
func (p *part) line(i int) int64 {
	if p.lines != nil {
		return p.lines[i]
	}
	return p.row0 + int64(i)
}

// readAll reads the reference, keeping the arrays of its key and added columns, then
// builds its columns and key table once every row is read, each array allocated at its
// size: grown row by row, they touched three times the memory, each fresh page a page
// fault, and the load is the one serial part of a run (0.2 s of 100,000 products).
// While it builds, the columns as read and as built are both held.
func (r *Reference) readAll(keys []int, adds []int, dup Dup) (*loaded, error) {
	var parts []part
	rows := 0
	text := make([]int64, len(adds)) // per added column: the bytes of its text
	var scratch []byte
	err := r.read(func(c *table.Chunk) error {
		p := part{source: c.Source, row0: c.Row0, lines: c.Lines, first: rows, rows: c.NumRows()}
		for _, j := range keys {
			p.keys = append(p.keys, c.Batch.Column(j))
		}
		for k, j := range adds {
			col := c.Batch.Column(j)
			n, err := textBytes(col, &scratch)
			if err != nil {
				return err
			}
			text[k] += n
			p.adds = append(p.adds, col)
		}
		parts = append(parts, p)
		rows += p.rows
		if r.tooLarge(rows, text, 0) {
			return r.limitError()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l, err := r.build(parts, keys, rows, text, dup)
	if err != nil {
		return nil, &LoadError{err}
	}
	return l, nil
}

// LoadError is an error of a reference's rows found once they are read (a duplicate
// key, a reference over the memory limit): the data's, as the reader's errors are, not
// the flags'.
type LoadError struct{ Err error }

func (e *LoadError) Error() string { return e.Err.Error() }
func (e *LoadError) Unwrap() error { return e.Err }

// build makes the loaded reference of the parts read: its added columns (of rows rows,
// text bytes of text) and key table.
func (r *Reference) build(parts []part, keys []int, rows int, text []int64, dup Dup) (*loaded, error) {
	// The key table and the added columns are built at once, on two cores: the load is
	// the serial part of a run, before any worker starts (they share no memory but
	// parts, which the columns' building changes only in its adds).
	type built struct {
		table *keyTable
		err   error
	}
	keyTable := make(chan built, 1)
	go func() {
		t, err := r.buildKeys(parts, keys, rows, dup)
		keyTable <- built{t, err}
	}()
	l, err := buildColumns(parts, rows, text)
	kt := <-keyTable
	switch {
	case err != nil:
		return nil, err
	case kt.err != nil:
		return nil, kt.err
	}
	if l.table, l.bytes = kt.table, kt.table.bytesUsed(); r.tooLarge(rows, text, l.bytes) {
		return nil, r.limitError()
	}
	l.bytes += r.bytesOf(rows, text)
	return l, nil
}

// buildColumns makes the added columns of the parts read (of rows rows, text bytes of
// text), typed where they can be.
func buildColumns(parts []part, rows int, text []int64) (*loaded, error) {
	l := &loaded{columns: make([]refColumn, len(text)), rows: rows}
	cells := make([]uint64, rows*len(text))
	for k := range text {
		rc := &l.columns[k]
		rc.cells, rc.stride, rc.at = cells, len(text), k
		rc.reserve(rows, text[k])
		for pi := range parts {
			p := &parts[pi]
			app, err := table.NewAppender(p.adds[k])
			if err != nil {
				return nil, err
			}
			for i := range p.rows {
				rc.add(p.adds[k], app, i, p.first+i)
			}
			p.adds[k] = nil // built: the garbage collector's
		}
		rc.decideType(rows)
		if rc.typ == expr.TypeText {
			rc.data = append(rc.data, make([]byte, 16)...) // see gather
		}
	}
	return l, nil
}

// bytesOf is what rows rows with added columns of text bytes of text take, but for the
// key table.
func (r *Reference) bytesOf(rows int, text []int64) int64 {
	n := int64(rows) * (bytesPerRow + bytesPerValue*int64(len(text)))
	for _, t := range text {
		n += t
	}
	return n
}

// tooLarge reports whether rows rows with added columns of text bytes of text and a
// key table of keyBytes take more than the limit.
func (r *Reference) tooLarge(rows int, text []int64, keyBytes int64) bool {
	return r.bytesOf(rows, text)+keyBytes > r.limit
}

func (r *Reference) limitError() error {
	return fmt.Errorf("--lookup %s: the reference takes more than %s of memory once loaded (the limit, --memory); raise --memory, or keep fewer columns with --lookup-select", r.Spec.Path, sizeText(r.limit))
}

// textBytes is the length of the text the column's values add to a refColumn.
func textBytes(col arrow.Array, scratch *[]byte) (int64, error) {
	n := int64(0)
	if s, ok := col.(*array.String); ok {
		for i := range s.Len() {
			if s.IsValid(i) {
				n += int64(s.ValueLen(i))
			}
		}
		return n, nil
	}
	app, err := table.NewAppender(col)
	if err != nil {
		return 0, err
	}
	for i := range col.Len() {
		if col.IsValid(i) {
			*scratch = app((*scratch)[:0], i)
			n += int64(len(*scratch))
		}
	}
	return n, nil
}

// buildKeys builds the key table of the parts' rows: a null key matches nothing, and a
// duplicate key is what dup says.
func (r *Reference) buildKeys(parts []part, keys []int, rows int, dup Dup) (*keyTable, error) {
	list := keyList{words: make([]uint64, 0, rows), wordRows: make([]int32, 0, rows)}
	var key []byte
	readers := make([]keyColumn, len(keys))
	for _, p := range parts {
		for k, col := range p.keys {
			var err error
			if readers[k], err = newKeyColumn(col); err != nil {
				return nil, err
			}
		}
		for i := range p.rows {
			key = key[:0]
			ok := true
			for _, kc := range readers {
				if key, ok = kc(key, i); !ok {
					break
				}
			}
			if ok { // else the row is never found
				list.add(key, int32(p.first+i))
			}
		}
	}
	// partOf is the part that holds reference row row.
	partOf := func(row int32) (*part, int) {
		k := sort.Search(len(parts), func(k int) bool { return parts[k].first > int(row) }) - 1
		return &parts[k], int(row) - parts[k].first
	}
	return buildKeyTable(&list, func(found *int32, row int32) error {
		switch dup {
		case DupLast:
			*found = row
		case DupError:
			first, i := partOf(*found)
			second, j := partOf(row)
			return fmt.Errorf("--lookup %s: the key %s is on two rows, %s and %s: give --lookup-dup first or last to keep one of them",
				r.Spec.Path, r.describeKey(keys, second.keys, j), where(first.source, first.line(i)), where(second.source, second.line(j)))
		}
		return nil
	})
}

// where names a row of a reference for a message.
func where(src table.Source, line int64) string {
	if src.Sheet != "" {
		return fmt.Sprintf("sheet %q row %d", src.Sheet, line)
	}
	return fmt.Sprintf("line %d", line)
}

// describeKey writes row i of the key columns cols (keys, in Header) as name=value for
// a message.
func (r *Reference) describeKey(keys []int, cols []arrow.Array, i int) string {
	parts := make([]string, len(keys))
	for k, j := range keys {
		app, err := table.NewAppender(cols[k])
		text := ""
		if err == nil {
			text = string(app(nil, i))
		}
		parts[k] = r.Header[j] + "=" + table.QuoteValue(text)
	}
	return strings.Join(parts, ", ")
}

// reserve makes room for rows rows of text bytes of text in all, so add never grows.
func (rc *refColumn) reserve(rows int, text int64) {
	rc.valid = make([]uint64, 0, (rows+63)/64)
	rc.data = make([]byte, 0, text+16) // and the 16 bytes gather wants past the last value
}

// add appends row i of col as row `row` of the column, as text.
func (rc *refColumn) add(col arrow.Array, app table.Appender, i, row int) {
	if row%64 == 0 {
		rc.valid = append(rc.valid, 0)
	}
	if s, ok := col.(*array.String); ok {
		if s.IsValid(i) {
			rc.data = append(rc.data, s.Value(i)...)
			rc.valid[row/64] |= 1 << (row % 64)
		}
	} else if col.IsValid(i) {
		rc.data = app(rc.data, i)
		rc.valid[row/64] |= 1 << (row % 64)
	}
	end := int64(len(rc.data))
	rc.setSpan(int32(row), rc.spanStart, end)
	rc.spanStart = end
}

// setSpan sets the text cell of row: its value is data[start:end].
func (rc *refColumn) setSpan(row int32, start, end int64) {
	cell := &rc.cells[int(row)*rc.stride+rc.at]
	if n := end - start; n < longSpan && start < 1<<spanStartBits {
		*cell = uint64(start) | uint64(n)<<spanStartBits
		return
	}
	*cell = longSpan << spanStartBits
	if rc.long == nil {
		rc.long = map[int32][2]int64{}
	}
	rc.long[row] = [2]int64{start, end}
}

// span is where row's text is in data.
func (rc *refColumn) span(row int32) (start, end int64) {
	cell := rc.cells[int(row)*rc.stride+rc.at]
	n := int64(cell >> spanStartBits)
	if n == longSpan {
		s := rc.long[row]
		return s[0], s[1]
	}
	start = int64(cell & (1<<spanStartBits - 1))
	return start, start + n
}

// word is row's value of a typed column.
func (rc *refColumn) word(row int32) uint64 { return rc.cells[int(row)*rc.stride+rc.at] }

func (rc *refColumn) isValid(row int) bool { return rc.valid[row/64]&(1<<(row%64)) != 0 }

func (rc *refColumn) text(row int) string {
	start, end := rc.span(int32(row))
	return string(rc.data[start:end])
}

// decideType types the column when every value reads as one type and writes back as
// the same text (so a CSV output holds the reference's text unchanged and a typed one
// gets typed cells): int, float, bool, date or datetime, in that order; else it stays
// text. A column of no value is text.
func (rc *refColumn) decideType(rows int) {
	rc.typ = expr.TypeText
	values := 0
	for row := range rows {
		if rc.isValid(row) {
			values++
		}
	}
	if values == 0 {
		return
	}
	for _, c := range typedReadings {
		fits := true
		var buf []byte
		for row := 0; row < rows && fits; row++ {
			if !rc.isValid(row) {
				continue
			}
			v := rc.text(row)
			var w uint64
			if w, fits = c.read(v); fits {
				buf = c.write(buf[:0], w)
				fits = string(buf) == v
			}
		}
		if !fits {
			continue
		}
		// Every value fits: each cell's span becomes its value (read again: a pass to
		// check and one to fill touch less fresh memory than a column of words aside).
		for row := range rows {
			w := uint64(0)
			if rc.isValid(row) {
				w, _ = c.read(rc.text(row))
			}
			rc.cells[row*rc.stride+rc.at] = w
		}
		rc.typ, rc.data, rc.long = c.typ, nil, nil
		return
	}
}

// typedReadings are the types decideType tries: how a value reads as one and how the
// output writes it back (table's formatting, the one every writer uses).
var typedReadings = []struct {
	typ   expr.Type
	read  func(string) (uint64, bool)
	write func([]byte, uint64) []byte
}{
	{expr.TypeInt,
		func(v string) (uint64, bool) { n, ok := schema.ParseInt(v); return uint64(n), ok },
		func(b []byte, w uint64) []byte { return strconv.AppendInt(b, int64(w), 10) }},
	{expr.TypeFloat,
		func(v string) (uint64, bool) { f, ok := schema.ParseFloat(v); return math.Float64bits(f), ok },
		func(b []byte, w uint64) []byte { return table.AppendFloat(b, math.Float64frombits(w)) }},
	{expr.TypeBool,
		func(v string) (uint64, bool) {
			b, ok := schema.ParseBool(v)
			if b {
				return 1, ok
			}
			return 0, ok
		},
		func(b []byte, w uint64) []byte { return strconv.AppendBool(b, w != 0) }},
	{expr.TypeDate,
		func(v string) (uint64, bool) { d, ok := schema.ParseDate(v); return uint64(d), ok },
		func(b []byte, w uint64) []byte { return table.AppendDate(b, arrow.Date32(int32(w))) }},
	{expr.TypeTimestamp,
		func(v string) (uint64, bool) { m, _, ok := table.ParseISODatetime(v); return uint64(m), ok },
		func(b []byte, w uint64) []byte { return table.AppendTimestamp(b, int64(w)) }},
}

// sizeText writes a byte count in the largest binary unit that holds it whole, as
// --memory is written: 1GiB, 512MiB.
func sizeText(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
