package aggregate

import (
	"fmt"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// physKind is how a column's values are held while a chunk is folded in: every
// kernel works on one of three flat shapes.
type physKind uint8

const (
	physInt   physKind = iota // int64: ints, dates (days), datetimes (µs), bools (0/1)
	physFloat                 // float64
	physStr                   // text: offsets into bytes
)

var physNames = [...]string{"int", "float", "text"}

// physOf is the shape a value of static type t is kept in.
func physOf(t expr.Type) physKind {
	switch t {
	case expr.TypeInt, expr.TypeDate, expr.TypeTimestamp, expr.TypeBool:
		return physInt
	case expr.TypeFloat:
		return physFloat
	}
	return physStr
}

// view is one chunk column in its shape, read without copying where Arrow's buffers
// already are that shape.
type view struct {
	phys  physKind
	n     int
	valid []byte // Arrow validity bitmap, nil when no value is null
	off   int    // the array's offset, for valid
	i64   []int64
	f64   []float64
	offs  []int32
	data  []byte
}

func (v *view) isValid(i int) bool {
	return v.valid == nil || bitutil.BitIsSet(v.valid, v.off+i)
}

// str returns row i's text without copying: valid while the chunk is.
func (v *view) str(i int) string {
	lo, hi := v.offs[i], v.offs[i+1]
	if hi == lo {
		return ""
	}
	return unsafe.String(&v.data[lo], hi-lo)
}

// viewScratch holds the buffers a conversion to a view needs, reused across chunks.
type viewScratch struct {
	i64  []int64
	offs []int32
	data []byte
}

// natural views col in the shape of its own Arrow type: strings as text, dates, times
// and bools as ints.
func natural(col arrow.Array, sc *viewScratch) (view, error) {
	v := view{n: col.Len(), off: col.Data().Offset()}
	if col.NullN() > 0 {
		v.valid = col.NullBitmapBytes()
	}
	switch a := col.(type) {
	case *array.String:
		v.phys = physStr
		offs := a.ValueOffsets()
		base := offs[0]
		if base != 0 {
			sc.offs = grow(sc.offs, len(offs))
			for i, o := range offs {
				sc.offs[i] = o - base
			}
			offs = sc.offs
		}
		v.offs, v.data = offs, a.ValueBytes()
	case *array.Int64:
		v.phys, v.i64 = physInt, a.Int64Values()
	case *array.Float64:
		v.phys, v.f64 = physFloat, a.Float64Values()
	case *array.Date32:
		v.phys = physInt
		sc.i64 = grow(sc.i64, v.n)
		for i, d := range a.Date32Values() {
			sc.i64[i] = int64(d)
		}
		v.i64 = sc.i64
	case *array.Timestamp:
		v.phys = physInt
		sc.i64 = grow(sc.i64, v.n)
		for i, t := range a.TimestampValues() {
			sc.i64[i] = int64(t)
		}
		v.i64 = sc.i64
	case *array.Boolean:
		v.phys = physInt
		sc.i64 = grow(sc.i64, v.n)
		for i := range v.n {
			sc.i64[i] = 0
			if a.Value(i) {
				sc.i64[i] = 1
			}
		}
		v.i64 = sc.i64
	case *array.Null:
		v.phys = physStr
		v.valid = make([]byte, bitutil.BytesForBits(int64(v.n)))
		sc.offs = grow(sc.offs, v.n+1)
		clear(sc.offs)
		v.offs = sc.offs
	default:
		return view{}, fmt.Errorf("internal error: cannot aggregate a column of type %s", col.DataType())
	}
	return v, nil
}

// asText views col as text, formatting typed values the way the writers do: a text
// column that an earlier stage or an Excel sheet made typed still groups and compares
// by its text.
func asText(col arrow.Array, sc *viewScratch) (view, error) {
	if _, ok := col.(*array.String); ok {
		return natural(col, sc)
	}
	app, err := table.NewAppender(col)
	if err != nil {
		return view{}, err
	}
	n := col.Len()
	v := view{phys: physStr, n: n, off: col.Data().Offset()}
	if col.NullN() > 0 {
		v.valid = col.NullBitmapBytes()
	}
	sc.offs = grow(sc.offs, n+1)
	sc.data = sc.data[:0]
	sc.offs[0] = 0
	for i := range n {
		sc.data = app(sc.data, i)
		sc.offs[i+1] = int32(len(sc.data))
	}
	v.offs, v.data = sc.offs, sc.data
	return v, nil
}

// viewAs views col in shape want: text as text (asText), else col's natural shape,
// which for an expression's column is its static type's.
func viewAs(col arrow.Array, want physKind, sc *viewScratch) (view, error) {
	if want == physStr {
		return asText(col, sc)
	}
	v, err := natural(col, sc)
	if err == nil && v.phys == physInt && want == physFloat {
		return view{}, fmt.Errorf("internal error: an int column where a float one was compiled")
	}
	return v, err
}

// extend lengthens s to n elements, the new ones fill.
func extend[T any](s []T, n int, fill T) []T {
	if len(s) >= n {
		return s
	}
	if cap(s) < n {
		// Doubling: grown chunk by chunk, a million groups are copied twice, not 20 times.
		t := make([]T, len(s), max(n, 2*cap(s)))
		copy(t, s)
		s = t
	}
	old := len(s)
	s = s[:n]
	for i := old; i < n; i++ {
		s[i] = fill
	}
	return s
}

// pageBits sets the size of a page of per-group state: 4096 groups.
const pageBits = 12

// paged is per-group state, one T per group id, grown a page at a time: a million
// groups are never copied to a doubled array, leave no garbage behind and fault in only
// the pages they use. The fill of new groups is the one given to grow.
type paged[T any] struct {
	pages [][]T
	n     int
}

// grow makes room for group ids below n, the new ones fill. The first page starts
// small and doubles up to a full page, so that a few groups take little memory.
func (p *paged[T]) grow(n int, fill T) {
	const size = 1 << pageBits
	if len(p.pages) <= 1 {
		var first []T
		if len(p.pages) == 1 {
			first = p.pages[0]
		}
		if len(first) < min(n, size) {
			p.pages = append(p.pages[:0], refill(first, min(size, max(16, 2*len(first), n)), fill))
		}
	}
	for len(p.pages)<<pageBits < n {
		p.pages = append(p.pages, refill(nil, size, fill))
	}
	p.n = max(p.n, n)
}

// refill returns a page of size elements: old's, then fill.
func refill[T any](old []T, size int, fill T) []T {
	page := make([]T, size)
	prefaultLarge(page)
	copy(page, old)
	if isZero(&fill) {
		return page // made zero: a second pass over a fresh page costs as much again
	}
	for i := len(old); i < size; i++ {
		page[i] = fill
	}
	return page
}

// prefaultLarge populates the pages of a fresh array of state before its first write
// (prefault), when it spans a few OS pages or more: below, a call costs what the faults
// it saves do.
func prefaultLarge[T any](s []T) {
	const prefaultMin = 16 << 10
	if bytes := len(s) * int(unsafe.Sizeof(*new(T))); bytes >= prefaultMin {
		prefault(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), bytes))
	}
}

// isZero reports whether *v is T's zero value, all of its bytes zero.
func isZero[T any](v *T) bool {
	for _, b := range unsafe.Slice((*byte)(unsafe.Pointer(v)), unsafe.Sizeof(*v)) {
		if b != 0 {
			return false
		}
	}
	return true
}

// at returns group g's state.
func (p *paged[T]) at(g int32) *T { return &p.pages[g>>pageBits][g&(1<<pageBits-1)] }

// len is how many groups have a state.
func (p *paged[T]) len() int { return p.n }

// made says whether grow was called with some groups.
func (p *paged[T]) made() bool { return p.pages != nil }

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}
