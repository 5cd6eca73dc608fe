package aggregate

import (
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/ptransform/ptransform/internal/table"
)

// min(x) and max(x) of text cells, in textOrder (textKey, textBefore).
//
// Most text columns that min and max read hold decimals, and the result is the cell's
// text as it was. A group whose kept value is a canonical decimal (readDecimal: an
// optional '-', an integer part without leading zeros, an optional fraction, at most 15
// digits) keeps it typed: its float64 and a tag of one byte that gives back its text
// (the sign and the number of fraction digits) and decides ties. Only a group whose
// kept value is other text (a word, a date, "1e3", " 12") keeps the text and its key,
// in arrays made at the first such group. Typed, a group takes 9 bytes and a row is
// compared without copying or parsing the kept value.
//
// Typed order is textOrder's: with at most 15 digits, distinct decimals are distinct
// floats in the same order, and the float is the one expr.ReadNumber reads (float64(m)
// / 10^scale, both exact, one rounding). Equal values differ only in the sign of a zero
// and in trailing fraction zeros, where the bytes put "-0" before "0" and "1" before
// "1.0" before "1.00" (a prefix first): the tag's order.
//
// min and max of one column share the state (Compile), each a side of it, so that a
// cell is read once for both.
type textExtremeAcc struct {
	sides []*textExtreme
}

// textExtreme is the min or the max of a text column.
type textExtreme struct {
	max bool
	num paged[float64] // typed: the kept decimal's value
	tag paged[uint8]   // tagNone, a decimal's tag (decimalTag) or tagText
	// Made at the first group that keeps text.
	str    paged[string]
	keys   paged[textKey]
	groups int
}

const (
	tagNone = 0    // no value yet: the result is null
	tagText = 0xff // the kept value is str and keys
)

// decimalTag is the tag of a decimal with scale fraction digits: 1 + 16·(not negative)
// + scale, so that of two equal values the one whose text comes first has the smaller tag.
func decimalTag(negative bool, scale int) uint8 {
	t := uint8(1 + scale)
	if !negative {
		t += 16
	}
	return t
}

// decimalPow10[k] is 10^k, exact as a float64.
var decimalPow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// readDecimal reads s when it is a canonical decimal of at most 15 digits: its value and
// its tag.
func readDecimal(s string) (float64, uint8, bool) {
	digits := s
	negative := len(s) > 0 && s[0] == '-'
	if negative {
		digits = s[1:]
	}
	n := len(digits)
	if n == 0 || n > 16 {
		return 0, 0, false
	}
	var m uint64
	i := 0
	for ; i < n; i++ {
		c := digits[i] - '0'
		if c > 9 {
			break
		}
		m = m*10 + uint64(c)
	}
	intLen, scale := i, 0
	if i < n { // a fraction: ".digits", at least one
		if digits[i] != '.' || i == 0 || i == n-1 {
			return 0, 0, false
		}
		for i++; i < n; i++ {
			c := digits[i] - '0'
			if c > 9 {
				return 0, 0, false
			}
			m = m*10 + uint64(c)
		}
		scale = n - intLen - 1
	} else if n > 15 {
		return 0, 0, false
	}
	if digits[0] == '0' && intLen > 1 {
		return 0, 0, false
	}
	f := float64(m) / decimalPow10[scale]
	if negative {
		f = -f
	}
	return f, decimalTag(negative, scale), true
}

// appendDecimal appends the text of the decimal (f, tag) as readDecimal read it.
func appendDecimal(dst []byte, f float64, tag uint8) []byte {
	scale := (tag - 1) & 15
	if (tag-1)&16 == 0 {
		dst = append(dst, '-')
	}
	// |f - ±m/10^scale| is at most half an ulp of f, m·2^-53 for m < 10^15 < 2^50: f
	// scaled back is within 1/4 of m, and rounds to it.
	m := uint64(math.Round(math.Abs(f) * decimalPow10[scale]))
	if scale == 0 {
		return strconv.AppendUint(dst, m, 10)
	}
	unit := uint64(decimalPow10[scale])
	dst = append(strconv.AppendUint(dst, m/unit, 10), '.')
	// The fraction with its leading zeros: unit + m%unit has one digit more, a 1.
	at := len(dst)
	dst = strconv.AppendUint(dst, unit+m%unit, 10)
	return append(dst[:at], dst[at+1:]...)
}

func newTextExtremeAcc(a *compiledAgg) *textExtremeAcc {
	acc := &textExtremeAcc{}
	for _, max := range []bool{false, true} {
		if a.textExtremes&(1<<b2i(max)) != 0 {
			acc.sides = append(acc.sides, &textExtreme{max: max})
		}
	}
	return acc
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (acc *textExtremeAcc) grow(groups int) {
	for _, e := range acc.sides {
		e.grow(groups)
	}
}

func (acc *textExtremeAcc) side(max bool) *textExtreme {
	for _, e := range acc.sides {
		if e.max == max {
			return e
		}
	}
	return nil
}

func (e *textExtreme) grow(groups int) {
	e.groups = groups
	e.num.grow(groups, 0)
	e.tag.grow(groups, tagNone)
	if e.str.made() {
		e.makeText()
	}
}

func (e *textExtreme) makeText() {
	e.str.grow(e.groups, "")
	e.keys.grow(e.groups, textKey{})
}

// wins reports whether the value a replaces the kept b: for max when b comes before a.
func (e *textExtreme) wins(a, b float64, ta, tb uint8) bool {
	if e.max {
		a, b, ta, tb = b, a, tb, ta
	}
	if a != b {
		return a < b
	}
	return ta < tb
}

// winsText is wins for values with their text keys.
func (e *textExtreme) winsText(ka textKey, a string, kb textKey, b string) bool {
	if e.max {
		return textBefore(kb, b, ka, a)
	}
	return textBefore(ka, a, kb, b)
}

// kept returns group g's value as text with its key (typed: formatted, a new string).
func (e *textExtreme) kept(g int32) (textKey, string) {
	if *e.tag.at(g) == tagText {
		return *e.keys.at(g), *e.str.at(g)
	}
	f := *e.num.at(g)
	return textKey{class: 0, num: f}, string(appendDecimal(nil, f, *e.tag.at(g)))
}

func (e *textExtreme) keepDecimal(g int32, f float64, tag uint8) {
	*e.num.at(g), *e.tag.at(g) = f, tag
	if e.str.made() {
		*e.str.at(g) = "" // a text kept before is not referenced any more
	}
}

func (e *textExtreme) keepText(g int32, k textKey, s string) {
	if !e.str.made() {
		e.makeText()
	}
	*e.str.at(g), *e.keys.at(g), *e.tag.at(g) = s, k, tagText
}

func extremeTexts(acc *textExtremeAcc, in *input) error {
	v := &in.v
	for i, g := range in.gids[:v.n] {
		if !v.isValid(i) {
			continue
		}
		x := v.str(i)
		f, xt, decimal := readDecimal(x)
		for _, e := range acc.sides {
			e.offer(g, x, f, xt, decimal)
		}
	}
	return nil
}

// offer keeps x (read by readDecimal as f, xt, decimal) as group g's value when it wins.
func (e *textExtreme) offer(g int32, x string, f float64, xt uint8, decimal bool) {
	tag := e.tag.at(g)
	switch {
	case decimal && *tag == tagNone:
		e.keepDecimal(g, f, xt)
	case decimal && *tag != tagText:
		if e.wins(f, *e.num.at(g), xt, *tag) {
			*e.num.at(g), *tag = f, xt
		}
	case *tag == tagNone:
		e.keepText(g, textKeyOf(x), strings.Clone(x))
	default: // text on one side at least
		kx := textKey{class: 0, num: f}
		if !decimal {
			kx = textKeyOf(x)
		}
		kc, cur := e.kept(g)
		switch {
		case !e.winsText(kx, x, kc, cur):
		case decimal:
			e.keepDecimal(g, f, xt)
		default:
			e.keepText(g, kx, strings.Clone(x))
		}
	}
}

func (acc *textExtremeAcc) merge(o accumulator, into []int32) error {
	for k, e := range acc.sides {
		e.merge(o.(*textExtremeAcc).sides[k], into)
	}
	return nil
}

func (acc *textExtremeAcc) build(a *compiledAgg, order []int32, _ func(int32) string) (arrow.Array, error) {
	return acc.side(a.fn.name == "max").build(order), nil
}

func (e *textExtreme) merge(oe *textExtreme, into []int32) {
	for g := range int32(oe.tag.len()) {
		t, ot := into[g], *oe.tag.at(g)
		tag := *e.tag.at(t)
		switch {
		case ot == tagNone:
		case ot != tagText && tag == tagNone:
			e.keepDecimal(t, *oe.num.at(g), ot)
		case ot != tagText && tag != tagText:
			if e.wins(*oe.num.at(g), *e.num.at(t), ot, tag) {
				*e.num.at(t), *e.tag.at(t) = *oe.num.at(g), ot
			}
		case tag == tagNone:
			e.keepText(t, *oe.keys.at(g), *oe.str.at(g))
		default:
			ko, other := oe.kept(g)
			kc, cur := e.kept(t)
			switch {
			case !e.winsText(ko, other, kc, cur):
			case ot != tagText:
				e.keepDecimal(t, *oe.num.at(g), ot)
			default:
				e.keepText(t, ko, other)
			}
		}
	}
}

// maxDecimalText is the longest text of a typed decimal: a sign, 15 digits, a point
// and a leading zero ("-0.12345678901234").
const maxDecimalText = 18

// build writes the results of groups order straight into one string array's buffers,
// sized once: through Arrow's builder, the values' buffer doubled (copied and zeroed
// again) about twenty times for a million groups.
func (e *textExtreme) build(order []int32) arrow.Array {
	size, nulls := 0, 0
	for _, g := range order {
		switch tag := *e.tag.at(g); tag {
		case tagNone:
			nulls++
		case tagText:
			size += len(*e.str.at(g))
		default:
			size += maxDecimalText
		}
	}
	data := make([]byte, 0, size)
	offsets := make([]int32, len(order)+1)
	var valid []byte
	if nulls > 0 {
		valid = make([]byte, (len(order)+7)/8)
	}
	for i, g := range order {
		switch tag := *e.tag.at(g); tag {
		case tagNone:
		case tagText:
			data = append(data, *e.str.at(g)...)
		default:
			data = appendDecimal(data, *e.num.at(g), tag)
		}
		if valid != nil && *e.tag.at(g) != tagNone {
			valid[i/8] |= 1 << (i % 8)
		}
		offsets[i+1] = int32(len(data))
	}
	return table.StringColumn(data, offsets, valid, nulls)
}
