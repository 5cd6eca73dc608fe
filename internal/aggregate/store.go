package aggregate

import (
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
)

// store keeps one value per group in the shape of a static type: the result of min,
// max, first and last.
type store struct {
	typ  expr.Type
	phys physKind
	i64  paged[int64]
	f64  paged[float64]
	str  paged[string]
	null paged[bool] // the value is null, or none was kept yet
}

func newStore(t expr.Type) store { return store{typ: t, phys: physOf(t)} }

func (s *store) grow(groups int) {
	s.null.grow(groups, true)
	switch s.phys {
	case physInt:
		s.i64.grow(groups, 0)
	case physFloat:
		s.f64.grow(groups, 0)
	default:
		s.str.grow(groups, "")
	}
}

// set keeps row i of v (its shape is s's) as group g's value; text is copied.
func (s *store) set(g int32, v *view, i int) {
	if !v.isValid(i) {
		*s.null.at(g) = true
		return
	}
	*s.null.at(g) = false
	switch s.phys {
	case physInt:
		*s.i64.at(g) = v.i64[i]
	case physFloat:
		*s.f64.at(g) = v.f64[i]
	default:
		*s.str.at(g) = strings.Clone(v.str(i))
	}
}

func (s *store) copyFrom(g int32, o *store, og int32) {
	*s.null.at(g) = *o.null.at(og)
	switch s.phys {
	case physInt:
		*s.i64.at(g) = *o.i64.at(og)
	case physFloat:
		*s.f64.at(g) = *o.f64.at(og)
	default:
		*s.str.at(g) = *o.str.at(og)
	}
}

func (s *store) build(order []int32) arrow.Array {
	b := newBuilder(s.typ)
	defer b.Release()
	b.Reserve(len(order))
	for _, g := range order {
		switch {
		case *s.null.at(g):
			b.AppendNull()
		case s.phys == physInt:
			appendInt(b, s.typ, *s.i64.at(g))
		case s.phys == physFloat:
			b.(*array.Float64Builder).Append(*s.f64.at(g))
		default:
			b.(*array.StringBuilder).Append(*s.str.at(g))
		}
	}
	return b.NewArray()
}

// floatBefore is the total order min and max use: -Inf … -0 < +0 … +Inf < NaN.
func floatBefore(a, b float64) bool {
	switch {
	case a != a:
		return false
	case b != b:
		return true
	case a == b:
		return math.Signbit(a) && !math.Signbit(b)
	}
	return a < b
}

// textOrder is the order min and max give text cells: numbers first, by value, then
// dates and datetimes, by time, then other text, byte by byte; equal values by their
// bytes ("1" before "1.0"). It agrees with the comparison of the language (compareText)
// on a column of numbers, of dates or of words, and unlike it is a total order, so a
// mixed column's result does not depend on the order the values meet.
type textKey struct {
	class uint8 // 0 number, 1 date, 2 other text
	num   float64
	time  int64
}

func textKeyOf(s string) textKey {
	if len(s) > 0 && s[0] <= '9' {
		if f, _, ok := expr.ReadNumber(s); ok {
			return textKey{class: 0, num: f}
		}
		if t, _, ok := expr.ReadDatetime(s); ok {
			return textKey{class: 1, time: t}
		}
	}
	return textKey{class: 2}
}

// textBefore reports whether a (key ka) comes before b (key kb).
func textBefore(ka textKey, a string, kb textKey, b string) bool {
	if ka.class != kb.class {
		return ka.class < kb.class
	}
	switch ka.class {
	case 0:
		if ka.num != kb.num {
			return ka.num < kb.num
		}
	case 1:
		if ka.time != kb.time {
			return ka.time < kb.time
		}
	}
	return a < b
}
