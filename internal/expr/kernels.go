package expr

import (
	"cmp"
	"math"
	"strconv"

	"github.com/ptransform/ptransform/internal/table"
)

// Kernels are chosen once per (operator, operand type) at Compile from the explicit
// tables below, never by a type switch per row. Arithmetic and comparison kernels run
// over whole slices, ignoring the mask (values under a null are garbage but harmless),
// and look for rare conditions (overflow, zero divisors) with a branch-free flag first.

type namedKernel struct {
	name string
	fn   kernel
}

// binKey picks a kernel for an operator whose operands were coerced to one type.
type binKey struct {
	op string
	t  Type
}

var binaryKernels = map[binKey]namedKernel{
	{"+", TypeInt}:    {"add_int", kAddInt},
	{"-", TypeInt}:    {"sub_int", kSubInt},
	{"*", TypeInt}:    {"mul_int", kMulInt},
	{"%", TypeInt}:    {"mod_int", kModInt},
	{"+", TypeFloat}:  {"add_float", kAddFloat},
	{"-", TypeFloat}:  {"sub_float", kSubFloat},
	{"*", TypeFloat}:  {"mul_float", kMulFloat},
	{"/", TypeFloat}:  {"div_float", kDivFloat},
	{"%", TypeFloat}:  {"mod_float", kModFloat},
	{"**", TypeFloat}: {"pow_float", kPowFloat},
}

// cmpKey picks a comparison kernel by operator and the storage types of its two sides
// after the checker's coercions: dates and datetimes compare as int64, and TypeString
// stands for any text, which compares by compareText.
type cmpKey struct {
	op   string
	l, r Type
}

// compareKernels holds every comparison the language has, one entry per (operator, left
// type, right type). An int beside a float compares exactly (int_float kernels), not
// through a rounding conversion; the checker gives these only an int that a float cannot
// hold exactly, so the typed float paths stay float against float.
var compareKernels = map[cmpKey]namedKernel{
	{"==", TypeInt, TypeInt}:       {"eq_int", i64Compare(eq[int64])},
	{"!=", TypeInt, TypeInt}:       {"ne_int", i64Compare(ne[int64])},
	{"<", TypeInt, TypeInt}:        {"lt_int", i64Compare(lt[int64])},
	{"<=", TypeInt, TypeInt}:       {"le_int", i64Compare(le[int64])},
	{">", TypeInt, TypeInt}:        {"gt_int", i64Compare(gt[int64])},
	{">=", TypeInt, TypeInt}:       {"ge_int", i64Compare(ge[int64])},
	{"==", TypeFloat, TypeFloat}:   {"eq_float", f64Compare(eq[float64])},
	{"!=", TypeFloat, TypeFloat}:   {"ne_float", f64Compare(ne[float64])},
	{"<", TypeFloat, TypeFloat}:    {"lt_float", f64Compare(lt[float64])},
	{"<=", TypeFloat, TypeFloat}:   {"le_float", f64Compare(le[float64])},
	{">", TypeFloat, TypeFloat}:    {"gt_float", f64Compare(gt[float64])},
	{">=", TypeFloat, TypeFloat}:   {"ge_float", f64Compare(ge[float64])},
	{"==", TypeInt, TypeFloat}:     {"eq_int_float", intFloatCompare(relEq)},
	{"!=", TypeInt, TypeFloat}:     {"ne_int_float", intFloatCompare(relNe)},
	{"<", TypeInt, TypeFloat}:      {"lt_int_float", intFloatCompare(relLt)},
	{"<=", TypeInt, TypeFloat}:     {"le_int_float", intFloatCompare(relLe)},
	{">", TypeInt, TypeFloat}:      {"gt_int_float", intFloatCompare(relGt)},
	{">=", TypeInt, TypeFloat}:     {"ge_int_float", intFloatCompare(relGe)},
	{"==", TypeFloat, TypeInt}:     {"eq_float_int", floatIntCompare(relEq)},
	{"!=", TypeFloat, TypeInt}:     {"ne_float_int", floatIntCompare(relNe)},
	{"<", TypeFloat, TypeInt}:      {"lt_float_int", floatIntCompare(relLt)},
	{"<=", TypeFloat, TypeInt}:     {"le_float_int", floatIntCompare(relLe)},
	{">", TypeFloat, TypeInt}:      {"gt_float_int", floatIntCompare(relGt)},
	{">=", TypeFloat, TypeInt}:     {"ge_float_int", floatIntCompare(relGe)},
	{"==", TypeString, TypeString}: {"eq_text", textEquality(true)},
	{"!=", TypeString, TypeString}: {"ne_text", textEquality(false)},
	{"<", TypeString, TypeString}:  {"lt_text", textCompare(relLt)},
	{"<=", TypeString, TypeString}: {"le_text", textCompare(relLe)},
	{">", TypeString, TypeString}:  {"gt_text", textCompare(relGt)},
	{">=", TypeString, TypeString}: {"ge_text", textCompare(relGe)},
	{"==", TypeBool, TypeBool}:     {"eq_bool", kEqBool},
	{"!=", TypeBool, TypeBool}:     {"ne_bool", kNeBool},
}

type convKey struct{ from, to Type }

// conversions are the implicit ones: a text cell read as what the context needs, and
// the widening int → float, date → datetime.
var conversions = map[convKey]namedKernel{
	{TypeText, TypeFloat}:     {"number_from_text", kTextToFloat},
	{TypeText, TypeInt}:       {"int_from_text", kTextToInt},
	{TypeText, TypeBool}:      {"bool_from_text", kTextToBool},
	{TypeText, TypeDate}:      {"date_from_text", kTextToDate},
	{TypeText, TypeTimestamp}: {"datetime_from_text", kTextToTimestamp},
	{TypeInt, TypeFloat}:      {"float_from_int", kIntToFloat},
	{TypeDate, TypeTimestamp}: {"datetime_from_date", kDateToTimestamp},
}

// formatKernels write a value as the text a writer would, for ~, str() and concat().
var formatKernels = map[Type]namedKernel{
	TypeInt:       {"str_int", formatEach(func(dst []byte, v *vec, i int) []byte { return strconv.AppendInt(dst, v.i64[i], 10) })},
	TypeFloat:     {"str_float", formatEach(func(dst []byte, v *vec, i int) []byte { return table.AppendFloat(dst, v.f64[i]) })},
	TypeBool:      {"str_bool", formatEach(func(dst []byte, v *vec, i int) []byte { return strconv.AppendBool(dst, v.b[i]) })},
	TypeDate:      {"str_date", formatEach(func(dst []byte, v *vec, i int) []byte { return appendDate(dst, v.i64[i]) })},
	TypeTimestamp: {"str_datetime", formatEach(func(dst []byte, v *vec, i int) []byte { return table.AppendTimestamp(dst, v.i64[i]) })},
}

func formatEach(f func(dst []byte, v *vec, i int) []byte) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		a := args[0]
		for i := range out.s {
			if out.valid(i) {
				start := len(ev.arena.buf)
				ev.arena.buf = f(ev.arena.buf, a, i)
				out.s[i] = ev.arena.keep(start)
			}
		}
	}
}

// --- integer arithmetic: exact, or an "integer overflow" error for the row ---

const msgOverflow = "integer overflow (use float(x) for large values)"

func kAddInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].i64, args[1].i64[:len(args[0].i64)], out.i64[:len(args[0].i64)]
	var ov int64
	for i := range r {
		s := a[i] + b[i]
		ov |= (s ^ a[i]) & (s ^ b[i])
		r[i] = s
	}
	if ov < 0 {
		for i := range r {
			if (r[i]^a[i])&(r[i]^b[i]) < 0 && out.valid(i) {
				out.fail(i, "", "", msgOverflow)
			}
		}
	}
}

func kSubInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].i64, args[1].i64[:len(args[0].i64)], out.i64[:len(args[0].i64)]
	var ov int64
	for i := range r {
		s := a[i] - b[i]
		ov |= (a[i] ^ b[i]) & (s ^ a[i])
		r[i] = s
	}
	if ov < 0 {
		for i := range r {
			if (a[i]^b[i])&(r[i]^a[i]) < 0 && out.valid(i) {
				out.fail(i, "", "", msgOverflow)
			}
		}
	}
}

func kMulInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].i64, args[1].i64[:len(args[0].i64)], out.i64[:len(args[0].i64)]
	// Products of operands within ±2^31 cannot overflow; only rows outside that range
	// get the exact (division) check.
	var big uint64
	for i := range r {
		r[i] = a[i] * b[i]
		big |= uint64(a[i]+1<<31) | uint64(b[i]+1<<31)
	}
	if big>>32 != 0 {
		for i := range r {
			if x, y := a[i], b[i]; x != 0 && (r[i]/x != y || x == -1 && y == math.MinInt64) && out.valid(i) {
				out.fail(i, "", "", msgOverflow)
			}
		}
	}
}

func kModInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].i64, args[1].i64[:len(args[0].i64)], out.i64[:len(args[0].i64)]
	for i := range r {
		if b[i] == 0 {
			if out.valid(i) {
				out.fail(i, "", "", "division by zero")
			}
			continue
		}
		r[i] = a[i] % b[i]
	}
}

func kNegInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, r := args[0].i64, out.i64[:len(args[0].i64)]
	for i := range r {
		if a[i] == math.MinInt64 && out.valid(i) {
			out.fail(i, "", "", msgOverflow)
		}
		r[i] = -a[i]
	}
}

// --- float arithmetic: a result that is infinite (or NaN) is an error for the row ---
//
// Writers could not write Inf or NaN in a form any reader of ours reads back, so a
// float beyond ±1.8e308 fails like a division by zero instead. The kernels gather the
// exponents of their results branch-free (finiteBits) and look at rows only when one
// is all ones.

const (
	msgFloatRange = "float overflow: the result is beyond ±1.8e308"
	msgNaN        = "the result is not a number (NaN)"
)

// finiteBits is a float's exponent plus one in bit 52: bit 63 of it, or of any OR of
// such values, is set when the exponent is all ones (an infinity or a NaN).
func finiteBits(f float64) uint64 { return math.Float64bits(f)&0x7ff0000000000000 + 1<<52 }

// failNonFinite marks the rows of out whose result r is infinite or NaN as errors.
func failNonFinite(out *vec, r []float64) {
	for i, f := range r {
		if out.valid(i) {
			switch {
			case math.IsNaN(f):
				out.fail(i, "", "", msgNaN)
			case math.IsInf(f, 0):
				out.fail(i, "", "", msgFloatRange)
			}
		}
	}
}

func kAddFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].f64, args[1].f64[:len(args[0].f64)], out.f64[:len(args[0].f64)]
	var bad uint64
	for i := range r {
		r[i] = a[i] + b[i]
		bad |= finiteBits(r[i])
	}
	if bad>>63 != 0 {
		failNonFinite(out, r)
	}
}

func kSubFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].f64, args[1].f64[:len(args[0].f64)], out.f64[:len(args[0].f64)]
	var bad uint64
	for i := range r {
		r[i] = a[i] - b[i]
		bad |= finiteBits(r[i])
	}
	if bad>>63 != 0 {
		failNonFinite(out, r)
	}
}

func kMulFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].f64, args[1].f64[:len(args[0].f64)], out.f64[:len(args[0].f64)]
	var bad uint64
	for i := range r {
		r[i] = a[i] * b[i]
		bad |= finiteBits(r[i])
	}
	if bad>>63 != 0 {
		failNonFinite(out, r)
	}
}

func kDivFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].f64, args[1].f64[:len(args[0].f64)], out.f64[:len(args[0].f64)]
	zero := false
	var bad uint64
	for i := range r {
		zero = zero || b[i] == 0
		r[i] = a[i] / b[i]
		bad |= finiteBits(r[i])
	}
	if zero {
		for i := range r {
			if b[i] == 0 && out.valid(i) {
				out.fail(i, "", "", "division by zero")
			}
		}
	}
	if bad>>63 != 0 {
		failNonFinite(out, r)
	}
}

func kModFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].f64, args[1].f64[:len(args[0].f64)], out.f64[:len(args[0].f64)]
	for i := range r {
		if b[i] == 0 {
			if out.valid(i) {
				out.fail(i, "", "", "division by zero")
			}
			continue
		}
		r[i] = math.Mod(a[i], b[i])
	}
}

func kPowFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].f64, args[1].f64[:len(args[0].f64)], out.f64[:len(args[0].f64)]
	for i := range r {
		r[i] = pow(a[i], b[i])
		if !out.valid(i) {
			continue
		}
		switch {
		case math.IsNaN(r[i]):
			out.fail(i, "", "", "power has no real result")
		case math.IsInf(r[i], 0) && a[i] == 0:
			out.fail(i, "", "", msgZeroPower)
		case math.IsInf(r[i], 0):
			out.fail(i, "", "", msgFloatRange)
		}
	}
}

// msgZeroPower is 0 ** y for a negative y: 1 / 0 ** -y.
const msgZeroPower = "division by zero (0 to a negative power)"

func kNegFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, r := args[0].f64, out.f64[:len(args[0].f64)]
	for i := range r {
		r[i] = -a[i]
	}
}

// --- comparisons ---

func eq[T cmp.Ordered](a, b []T, r []bool) {
	b, r = b[:len(a)], r[:len(a)]
	for i := range a {
		r[i] = a[i] == b[i]
	}
}

func ne[T cmp.Ordered](a, b []T, r []bool) {
	b, r = b[:len(a)], r[:len(a)]
	for i := range a {
		r[i] = a[i] != b[i]
	}
}

func lt[T cmp.Ordered](a, b []T, r []bool) {
	b, r = b[:len(a)], r[:len(a)]
	for i := range a {
		r[i] = a[i] < b[i]
	}
}

func le[T cmp.Ordered](a, b []T, r []bool) {
	b, r = b[:len(a)], r[:len(a)]
	for i := range a {
		r[i] = a[i] <= b[i]
	}
}

func gt[T cmp.Ordered](a, b []T, r []bool) {
	b, r = b[:len(a)], r[:len(a)]
	for i := range a {
		r[i] = a[i] > b[i]
	}
}

func ge[T cmp.Ordered](a, b []T, r []bool) {
	b, r = b[:len(a)], r[:len(a)]
	for i := range a {
		r[i] = a[i] >= b[i]
	}
}

func i64Compare(f func(a, b []int64, r []bool)) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) { f(args[0].i64, args[1].i64, out.b) }
}

func f64Compare(f func(a, b []float64, r []bool)) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) { f(args[0].f64, args[1].f64, out.b) }
}

// relation is an operator's answer per ordering: index 0 for less, 1 for equal, 2 for
// greater, 3 for unordered (a NaN), so a kernel that computes an ordering per row looks
// its result up instead of branching on the operator.
type relation [4]bool

var (
	relEq = relation{false, true, false, false}
	relNe = relation{true, false, true, true}
	relLt = relation{true, false, false, false}
	relLe = relation{true, true, false, false}
	relGt = relation{false, false, true, false}
	relGe = relation{false, true, true, false}
)

const unordered = 2 // an ordering: -1, 0, 1, or unordered

func intFloatCompare(rel relation) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		a, b, r := args[0].i64, args[1].f64[:len(args[0].i64)], out.b[:len(args[0].i64)]
		for i := range r {
			r[i] = rel[compareIntFloat(a[i], b[i])+1]
		}
	}
}

func floatIntCompare(rel relation) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		a, b, r := args[0].f64, args[1].i64[:len(args[0].f64)], out.b[:len(args[0].f64)]
		for i := range r {
			c := compareIntFloat(b[i], a[i])
			if c != unordered {
				c = -c
			}
			r[i] = rel[c+1]
		}
	}
}

// compareIntFloat orders i and f exactly: 9007199254740993 is more than
// 9007199254740992.0, though converting it to a float would make them equal.
func compareIntFloat(i int64, f float64) int {
	// Rounding to a float keeps order, so a float(i) other than f decides; equal, f is a
	// whole number and compares as an integer unless it is 2^63, beyond every int64.
	switch g := float64(i); {
	case g < f:
		return -1
	case g > f:
		return 1
	case g != f:
		return unordered
	case f >= 1<<63:
		return -1
	}
	return cmp.Compare(i, int64(f))
}

func textCompare(rel relation) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		a, b, r := args[0].s, args[1].s[:len(args[0].s)], out.b[:len(args[0].s)]
		for i := range r {
			r[i] = rel[compareText(a[i], b[i])+1]
		}
	}
}

// textEquality is textCompare for == (want true) and != (want false), with text that
// differs as text and cannot be a number or a date decided without compareText.
func textEquality(want bool) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		a, b, r := args[0].s, args[1].s[:len(args[0].s)], out.b[:len(args[0].s)]
		for i := range r {
			x, y := a[i], b[i]
			switch {
			case x == y:
				r[i] = want
			case !mayReadAsValue(x) || !mayReadAsValue(y):
				r[i] = !want
			default:
				r[i] = (compareText(x, y) == 0) == want
			}
		}
	}
}

func kEqBool(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].b, args[1].b[:len(args[0].b)], out.b[:len(args[0].b)]
	for i := range r {
		r[i] = a[i] == b[i]
	}
}

func kNeBool(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b, r := args[0].b, args[1].b[:len(args[0].b)], out.b[:len(args[0].b)]
	for i := range r {
		r[i] = a[i] != b[i]
	}
}

func kNot(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, r := args[0].b, out.b[:len(args[0].b)]
	for i := range r {
		r[i] = !a[i]
	}
}

// --- conversions ---

func kTextToFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	s := args[0].s
	for i := range out.f64 {
		if out.valid(i) {
			parseFloatCell(n, out, i, s[i])
		}
	}
}

// parseFloatCell sets row i of out to the number s, null when s is blank.
func parseFloatCell(n *node, out *vec, i int, s string) {
	f, st := parseNumber(s)
	setNumber(out, i, f, st, n.name, s)
}

// setNumber stores in row i of out what parsing value as a number gave: the number f,
// a null for blank text, or an error naming the column value came from.
func setNumber(out *vec, i int, f float64, st parseStatus, column, value string) {
	switch st {
	case parsedOK:
		out.f64[i] = f
	case parsedBlank:
		out.setNull(i)
	default:
		out.fail(i, column, value, "not a number")
	}
}

func kTextToInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	s, r := args[0].s, out.i64
	for i := range r {
		if !out.valid(i) {
			continue
		}
		v, st, msg := parseIntText(s[i])
		switch st {
		case parsedOK:
			r[i] = v
		case parsedBlank:
			out.setNull(i)
		default:
			out.fail(i, n.name, s[i], msg)
		}
	}
}

// kTextToWhole reads cells where an integer is needed (a position, a count): integer
// text, or a number with no fraction (2.0, 1e3); 2.50 is an error, never truncated.
func kTextToWhole(ev *Evaluator, n *node, args []*vec, out *vec) {
	s, r := args[0].s, out.i64
	for i := range r {
		if !out.valid(i) {
			continue
		}
		if v, ok := parseWholeText(s[i]); ok {
			r[i] = v
			continue
		}
		f, st := parseNumber(s[i])
		switch {
		case st == parsedBlank:
			out.setNull(i)
		case st != parsedOK:
			out.fail(i, n.name, s[i], "not a number")
		case f != math.Trunc(f):
			out.fail(i, n.name, s[i], "not a whole number (an integer is needed here: int(x) truncates, int(round(x)) rounds)")
		default:
			v, st, msg := floatToInt(f)
			if st != parsedOK {
				out.fail(i, n.name, s[i], msg)
			}
			r[i] = v
		}
	}
}

func kTextToBool(ev *Evaluator, n *node, args []*vec, out *vec) {
	s, r := args[0].s, out.b
	for i := range r {
		if !out.valid(i) {
			continue
		}
		v, st := parseBool(s[i])
		switch st {
		case parsedOK:
			r[i] = v
		case parsedBlank:
			out.setNull(i)
		default:
			out.fail(i, n.name, s[i], "not a boolean (want true or false)")
		}
	}
}

func kTextToDate(ev *Evaluator, n *node, args []*vec, out *vec) {
	s, r := args[0].s, out.i64
	for i := range r {
		if !out.valid(i) {
			continue
		}
		v, st, msg := parseISODate(s[i])
		switch st {
		case parsedOK:
			r[i] = v
		case parsedBlank:
			out.setNull(i)
		default:
			out.fail(i, n.name, s[i], msg)
		}
	}
}

func kTextToTimestamp(ev *Evaluator, n *node, args []*vec, out *vec) {
	s, r := args[0].s, out.i64
	for i := range r {
		if !out.valid(i) {
			continue
		}
		v, st, msg := parseISODatetime(s[i])
		switch st {
		case parsedOK:
			r[i] = v
		case parsedBlank:
			out.setNull(i)
		default:
			out.fail(i, n.name, s[i], msg)
		}
	}
}

func kIntToFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, r := args[0].i64, out.f64[:len(args[0].i64)]
	for i := range r {
		r[i] = float64(a[i])
	}
}

func kDateToTimestamp(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, r := args[0].i64, out.i64[:len(args[0].i64)]
	for i := range r {
		r[i] = a[i] * microsPerDay
	}
}

func kConcat2(ev *Evaluator, n *node, args []*vec, out *vec) {
	a, b := args[0].s, args[1].s
	for i := range out.s {
		if out.valid(i) {
			start := len(ev.arena.buf)
			ev.arena.buf = append(append(ev.arena.buf, a[i]...), b[i]...)
			out.s[i] = ev.arena.keep(start)
		}
	}
}
