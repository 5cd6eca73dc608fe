package expr

import (
	"sort"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
)

// Type is the static type of an expression.
type Type uint8

// Types of expressions. TypeText is the type of a column's cells: text that reads as a
// number, date or bool where an operator or function needs one; TypeString is text
// that is only text (a literal, a string function's result).
const (
	TypeNull Type = iota
	TypeInt
	TypeFloat
	TypeBool
	TypeString
	TypeDate
	TypeTimestamp
	TypeText
)

var typeNames = [...]string{"null", "int", "float", "bool", "string", "date", "datetime", "text"}

func (t Type) String() string { return typeNames[t] }

func (t Type) isNumber() bool  { return t == TypeInt || t == TypeFloat }
func (t Type) isStringy() bool { return t == TypeString || t == TypeText }

// Per-row state in vec.mask. An error row is also a null row for every consumer that
// does not look at errors, so the two bits OR together naturally.
const (
	maskNull byte = 1
	maskErr  byte = 2
)

// cellErr is a row-level error carried with a vector until the row is reported.
type cellErr struct {
	row     int32
	column  string // the column whose value was bad, or "" for the assigned column
	value   string
	message string
}

// vec is one expression's values over one chunk: a value slice for its type and a mask.
// Buffers are owned by the Evaluator and reused across chunks.
type vec struct {
	n      int
	masked bool   // false: every row holds a value and mask is not read
	mask   []byte // when masked: per row 0, maskNull or maskErr|...
	i64    []int64
	f64    []float64
	b      []bool
	s      []string
	errs   []cellErr // rows with maskErr, by ascending row
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n, n+n/4)
	}
	return s[:n]
}

// reset prepares v to hold n values of type t, all valid.
func (v *vec) reset(t Type, n int) {
	v.n, v.masked, v.errs = n, false, v.errs[:0]
	switch t {
	case TypeInt, TypeDate, TypeTimestamp:
		v.i64 = grow(v.i64, n)
	case TypeFloat:
		v.f64 = grow(v.f64, n)
	case TypeBool:
		v.b = grow(v.b, n)
	case TypeString, TypeText:
		v.s = grow(v.s, n)
	}
}

// useMask makes the mask readable, all rows valid, unless it already is.
func (v *vec) useMask() {
	if v.masked {
		return
	}
	v.mask = grow(v.mask, v.n)
	clear(v.mask)
	v.masked = true
}

// maskNulls marks null the rows of v whose rows of col, an input column, are null: row
// pick[i] for row i (nil pick: row i).
func (v *vec) maskNulls(col arrow.Array, pick []int32) {
	if col.NullN() == 0 {
		return
	}
	v.useMask()
	for i := range v.mask {
		r := i
		if pick != nil {
			r = int(pick[i])
		}
		if col.IsNull(r) {
			v.mask[i] = maskNull
		}
	}
}

func (v *vec) setNull(i int) {
	v.useMask()
	v.mask[i] |= maskNull
}

func (v *vec) valid(i int) bool { return !v.masked || v.mask[i] == 0 }

func (v *vec) isErr(i int) bool { return v.masked && v.mask[i]&maskErr != 0 }

// fail marks row i as an error; errors are raised in row order by kernels, but merges
// may interleave, so fail keeps errs sorted.
func (v *vec) fail(i int, column, value, message string) {
	v.useMask()
	if v.mask[i]&maskErr != 0 {
		return
	}
	v.mask[i] |= maskErr
	e := cellErr{row: int32(i), column: column, value: value, message: message}
	if k := len(v.errs); k == 0 || v.errs[k-1].row < e.row {
		v.errs = append(v.errs, e)
		return
	}
	at := sort.Search(len(v.errs), func(k int) bool { return v.errs[k].row >= e.row })
	v.errs = append(v.errs, cellErr{})
	copy(v.errs[at+1:], v.errs[at:])
	v.errs[at] = e
}

// errAt returns the error recorded for row i.
func (v *vec) errAt(i int) cellErr {
	at := sort.Search(len(v.errs), func(k int) bool { return int(v.errs[k].row) >= i })
	if at < len(v.errs) && int(v.errs[at].row) == i {
		return v.errs[at]
	}
	return cellErr{row: int32(i), message: "internal error: error without a message"}
}

// combineMasks sets out's mask to the union of the inputs' masks and carries their
// errors; the first input's error wins on a row where several failed.
func combineMasks(out *vec, in []*vec) {
	any := false
	for _, a := range in {
		if a.masked {
			any = true
			break
		}
	}
	if !any {
		return
	}
	out.useMask()
	m := out.mask[:out.n]
	errs := 0
	for _, a := range in {
		if !a.masked {
			continue
		}
		am := a.mask[:len(m)]
		for i := range m {
			m[i] |= am[i]
		}
		errs += len(a.errs)
	}
	if errs == 0 {
		return
	}
	for _, a := range in {
		for _, e := range a.errs {
			if !out.hasErrAt(int(e.row)) {
				out.insertErr(e)
			}
		}
	}
}

func (v *vec) hasErrAt(i int) bool {
	at := sort.Search(len(v.errs), func(k int) bool { return int(v.errs[k].row) >= i })
	return at < len(v.errs) && int(v.errs[at].row) == i
}

func (v *vec) insertErr(e cellErr) {
	at := sort.Search(len(v.errs), func(k int) bool { return v.errs[k].row >= e.row })
	v.errs = append(v.errs, cellErr{})
	copy(v.errs[at+1:], v.errs[at:])
	v.errs[at] = e
}

// gather keeps rows pick of v, a vector of type t, in place: row k becomes old row
// pick[k]. pick ascends, so no row is overwritten before it is read.
func (v *vec) gather(t Type, pick []int32) {
	switch t {
	case TypeInt, TypeDate, TypeTimestamp:
		v.i64 = gatherInPlace(v.i64, pick)
	case TypeFloat:
		v.f64 = gatherInPlace(v.f64, pick)
	case TypeBool:
		v.b = gatherInPlace(v.b, pick)
	case TypeString, TypeText:
		v.s = gatherInPlace(v.s, pick)
	}
	if v.masked {
		v.mask = gatherInPlace(v.mask, pick)
	}
	kept, k := v.errs[:0], 0
	for _, e := range v.errs {
		for k < len(pick) && pick[k] < e.row {
			k++
		}
		if k < len(pick) && pick[k] == e.row {
			e.row = int32(k)
			kept = append(kept, e)
		}
	}
	v.errs = kept
	v.n = len(pick)
}

func gatherInPlace[T any](s []T, pick []int32) []T {
	for k, r := range pick {
		s[k] = s[r]
	}
	return s[:len(pick)]
}

// copyRow copies row j of src (value and state) into row i of v; v must have src's type
// buffers sized. Used by selecting nodes (?:, ??, coalesce), which are not hot paths.
func (v *vec) copyRow(t Type, i int, src *vec, j int) {
	if src.masked && src.mask[j] != 0 {
		v.useMask()
		v.mask[i] = src.mask[j]
		if src.mask[j]&maskErr != 0 {
			e := src.errAt(j)
			e.row = int32(i)
			v.insertErr(e)
		}
		return
	}
	if v.masked {
		v.mask[i] = 0
	}
	switch t {
	case TypeInt, TypeDate, TypeTimestamp:
		v.i64[i] = src.i64[j]
	case TypeFloat:
		v.f64[i] = src.f64[j]
	case TypeBool:
		v.b[i] = src.b[j]
	case TypeString, TypeText:
		v.s[i] = src.s[j]
	}
}

// arena holds the bytes of computed strings for one chunk; strings in vecs point into
// it and die with the chunk (outputs copy them into fresh Arrow buffers).
type arena struct{ buf []byte }

// keep returns the bytes appended since start as a string without copying them again.
func (a *arena) keep(start int) string {
	if len(a.buf) == start {
		return ""
	}
	return unsafe.String(&a.buf[start], len(a.buf)-start)
}
