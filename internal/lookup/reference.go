package lookup

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// Reference is one --lookup file, opened: its header is known, its rows are read once,
// when the stage is compiled (Load), whatever number of workers then probe them.
type Reference struct {
	Spec   Spec
	Header []string
	read   ReadFunc
	limit  int64 // the most memory the loaded table may take (--memory)

	once   sync.Once
	loaded *loaded
	err    error
}

// ReadFunc reads a reference's rows, as the run's inputs are read (the same formats,
// decoders and row numbers): it calls take on each chunk as decoded, on any goroutine,
// and the chunk's buffers may serve another chunk once take returns; it calls keep with
// what take made of each chunk, in input order, on one goroutine. The first error of
// either ends the reading and is its error. The columns reads does not mark (one per
// column of the header) are not read: their values may be left empty.
type ReadFunc func(reads []bool, take func(*table.Chunk) (any, error), keep func(any) error) error

// NewReference describes a reference file whose header is known and whose rows read
// reads; a table of it that would take more than limit bytes is refused.
func NewReference(spec Spec, header []string, limit int64, read ReadFunc) *Reference {
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
// value reads as one type and writes back as the same text (finishColumn), else text.
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
	cells  []uint64
	stride int
	at     int
	long   map[int32][2]int64
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

// readAll reads and builds the reference (load.go).
func (r *Reference) readAll(keys []int, adds []int, dup Dup) (*loaded, error) {
	ld := newLoader(r, keys, adds)
	reads := make([]bool, len(r.Header))
	for _, j := range append(keys[:len(keys):len(keys)], adds...) {
		reads[j] = true
	}
	err := r.read(reads, ld.take, ld.keep)
	ld.scratch.release()
	if err != nil {
		ld.mem.release()
		return nil, err
	}
	l, err := ld.build(dup)
	if err != nil {
		ld.mem.release()
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

// where names a row of a reference for a message.
func where(src table.Source, line int64) string {
	if src.Sheet != "" {
		return fmt.Sprintf("sheet %q row %d", src.Sheet, line)
	}
	return fmt.Sprintf("line %d", line)
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

// text is row's value of a text column, valid while the column is.
func (rc *refColumn) text(row int) string {
	start, end := rc.span(int32(row))
	return unsafe.String(unsafe.SliceData(rc.data[start:]), end-start)
}

// typedReadings are the types an added column may take (finishColumn), in order: how a value reads as one and how the
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
