package lookup

import (
	"fmt"
	"math"
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
type refColumn struct {
	typ   expr.Type
	valid []uint64 // a bit per row, set for a value
	data  []byte   // text: the values back to back
	ends  []int64  // text: per row, the end of its value in data
	words []uint64 // int, float, bool, date, datetime: per row, the value's bits
}

// Bytes of memory per row and per added value besides their text, as documented in
// docs/lookups.md: a row's place (source and line) for messages, and per added column
// a text end and a word once typed.
const (
	bytesPerRow   = 12
	bytesPerValue = 8 + 8
)

// load reads the reference once: the key columns keys and the added columns adds
// (indexes in Header), and what to do with a duplicate key. Its errors name the file,
// and the sheet and rows where they can.
func (r *Reference) load(keys []int, adds []int, dup Dup) (*loaded, error) {
	r.once.Do(func() { r.loaded, r.err = r.readAll(keys, adds, dup) })
	return r.loaded, r.err
}

// position is where a reference row is, for messages.
type position struct {
	source int32 // index in sources
	line   int64
}

func (r *Reference) readAll(keys []int, adds []int, dup Dup) (*loaded, error) {
	l := &loaded{table: newKeyTable(), columns: make([]refColumn, len(adds))}
	var sources []table.Source
	var positions []position
	var key []byte
	readers := make([]keyColumn, len(keys))
	appenders := make([]table.Appender, len(adds))
	err := r.read(func(c *table.Chunk) error {
		if len(sources) == 0 || sources[len(sources)-1] != c.Source {
			sources = append(sources, c.Source)
		}
		src := int32(len(sources) - 1)
		for k, j := range keys {
			var err error
			if readers[k], err = newKeyColumn(c.Batch.Column(j)); err != nil {
				return err
			}
		}
		for k, j := range adds {
			var err error
			if appenders[k], err = table.NewAppender(c.Batch.Column(j)); err != nil {
				return err
			}
		}
		n := c.NumRows()
		for i := range n {
			row := int32(l.rows)
			positions = append(positions, position{src, lineOf(c, i)})
			for k, j := range adds {
				l.columns[k].add(c.Batch.Column(j), appenders[k], i, l.rows)
			}
			l.rows++
			key = key[:0]
			ok := true
			for _, kc := range readers {
				if key, ok = kc(key, i); !ok {
					break
				}
			}
			if !ok {
				continue // a null key matches nothing: the row is never found
			}
			found := l.table.insert(key, row)
			if found == nil {
				continue
			}
			switch dup {
			case DupLast:
				*found = row
			case DupError:
				first := positions[*found]
				return fmt.Errorf("--lookup %s: the key %s is on two rows, %s and %s: give --lookup-dup first or last to keep one of them",
					r.Spec.Path, r.describeKey(keys, c, i), where(sources[first.source], first.line), where(c.Source, lineOf(c, i)))
			}
		}
		l.bytes = l.table.bytesUsed() + int64(l.rows)*bytesPerRow
		for k := range l.columns {
			l.bytes += int64(len(l.columns[k].data)) + int64(l.rows)*bytesPerValue
		}
		if l.bytes > r.limit {
			return fmt.Errorf("--lookup %s: the reference takes more than %s of memory once loaded (the limit, --memory); raise --memory, or keep fewer columns with --lookup-select", r.Spec.Path, sizeText(r.limit))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	l.table.finish()
	for k := range l.columns {
		l.columns[k].decideType(l.rows)
		if l.columns[k].typ == expr.TypeText {
			l.columns[k].data = append(l.columns[k].data, make([]byte, 16)...) // see gather
		}
	}
	return l, nil
}

// lineOf is the line (CSV) or row (sheet) of row i of c, as a user finds it.
func lineOf(c *table.Chunk, i int) int64 {
	if c.Lines != nil {
		return c.Lines[i]
	}
	return c.Row0 + int64(i)
}

// where names a row of a reference for a message.
func where(src table.Source, line int64) string {
	if src.Sheet != "" {
		return fmt.Sprintf("sheet %q row %d", src.Sheet, line)
	}
	return fmt.Sprintf("line %d", line)
}

// describeKey writes row i's key columns as name=value for a message.
func (r *Reference) describeKey(keys []int, c *table.Chunk, i int) string {
	parts := make([]string, len(keys))
	for k, j := range keys {
		app, err := table.NewAppender(c.Batch.Column(j))
		text := ""
		if err == nil {
			text = string(app(nil, i))
		}
		parts[k] = r.Header[j] + "=" + table.QuoteValue(text)
	}
	return strings.Join(parts, ", ")
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
	rc.ends = append(rc.ends, int64(len(rc.data)))
}

func (rc *refColumn) isValid(row int) bool { return rc.valid[row/64]&(1<<(row%64)) != 0 }

func (rc *refColumn) text(row int) string {
	start := int64(0)
	if row > 0 {
		start = rc.ends[row-1]
	}
	return string(rc.data[start:rc.ends[row]])
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
		words := make([]uint64, rows)
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
			words[row] = w
		}
		if fits {
			rc.typ, rc.words, rc.data, rc.ends = c.typ, words, nil, nil
			return
		}
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
