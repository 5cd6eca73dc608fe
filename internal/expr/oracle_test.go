package expr

import (
	"cmp"
	"fmt"
	"math"
	stdbig "math/big"
	"math/rand"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/table"
)

// The oracle evaluates a compiled program one row at a time, with scalar values. The
// core operators (arithmetic, comparisons, conversions, logic, selection) have their own
// scalar implementations here; other functions run their kernel over a one-row vector.
// Kernels and oracle must agree on every value, null and error.

type oval struct {
	state byte // 0 value, maskNull, maskErr
	i     int64
	f     float64
	b     bool
	s     string
}

type oracle struct {
	p        *Program
	c        *table.Chunk
	row      int
	assigned []oval
}

func (o *oracle) eval(n *node) oval {
	switch n.op {
	case opConst:
		return fromVec(n.konst, n.typ, 0)
	case opInput:
		col := o.c.Batch.Column(n.col)
		if col.IsNull(o.row) {
			return oval{state: maskNull}
		}
		return oval{s: col.ValueStr(o.row)}
	case opAssigned:
		return o.assigned[n.col]
	case opRowNum:
		return oval{i: o.c.Row0 + int64(o.row)}
	case opFile:
		return oval{s: o.c.Source.File}
	case opSheet:
		return oval{s: o.c.Source.Sheet}
	case opAnd, opOr:
		return kleene(o.eval(n.args[0]), o.eval(n.args[1]), n.op == opOr)
	case opIn:
		r := o.eval(n.args[0])
		for _, a := range n.args[1:] {
			r = kleene(r, o.eval(a), true)
		}
		return r
	case opCond:
		c := o.eval(n.args[0])
		switch {
		case c.state != 0:
			return c
		case c.b:
			return o.eval(n.args[1])
		}
		return o.eval(n.args[2])
	case opCoalesce:
		for _, a := range n.args {
			if v := o.eval(a); v.state != maskNull {
				return v
			}
		}
		return oval{state: maskNull}
	case opIsNull:
		v := o.eval(n.args[0])
		if v.state == maskErr {
			return v
		}
		return oval{b: v.state == maskNull}
	case opConcat:
		var sb strings.Builder
		for _, a := range n.args {
			v := o.eval(a)
			if v.state == maskErr {
				return v
			}
			if v.state == 0 {
				sb.WriteString(v.s)
			}
		}
		return oval{s: sb.String()}
	}
	args := make([]oval, len(n.args))
	for k, a := range n.args {
		args[k] = o.eval(a)
	}
	for _, a := range args {
		if a.state == maskErr {
			return a
		}
	}
	for _, a := range args {
		if a.state != 0 {
			return oval{state: maskNull}
		}
	}
	if f, ok := scalarOps[n.kname]; ok {
		return f(args)
	}
	return o.viaKernel(n, args)
}

func kleene(a, b oval, or bool) oval {
	switch {
	case a.state == 0 && a.b == or, b.state == 0 && b.b == or:
		return oval{b: or}
	case a.state == 0 && b.state == 0:
		return oval{b: !or}
	case a.state == maskErr:
		return a
	case b.state == maskErr:
		return b
	}
	return oval{state: maskNull}
}

func fromVec(v *vec, t Type, i int) oval {
	if !v.valid(i) {
		if v.isErr(i) {
			return oval{state: maskErr}
		}
		return oval{state: maskNull}
	}
	switch t {
	case TypeInt, TypeDate, TypeTimestamp:
		return oval{i: v.i64[i]}
	case TypeFloat:
		return oval{f: v.f64[i]}
	case TypeBool:
		return oval{b: v.b[i]}
	case TypeNull:
		return oval{state: maskNull}
	}
	return oval{s: strings.Clone(v.s[i])}
}

func (o *oracle) viaKernel(n *node, args []oval) oval {
	ev := &Evaluator{}
	vs := make([]*vec, len(args))
	for k, a := range args {
		v := &vec{}
		t := n.args[k].typ
		v.reset(t, 1)
		switch t {
		case TypeInt, TypeDate, TypeTimestamp:
			v.i64[0] = a.i
		case TypeFloat:
			v.f64[0] = a.f
		case TypeBool:
			v.b[0] = a.b
		default:
			v.s[0] = a.s
		}
		vs[k] = v
	}
	out := &vec{}
	out.reset(n.typ, 1)
	n.kernel(ev, n, vs, out)
	return fromVec(out, n.typ, 0)
}

func errVal() oval { return oval{state: maskErr} }

// finite is a float result: an error when it is infinite or NaN.
func finite(f float64) oval {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return errVal()
	}
	return oval{f: f}
}

// scalarOps are the oracle's own versions of the core kernels, by kernel name.
var scalarOps = map[string]func(a []oval) oval{
	"add_int": func(a []oval) oval {
		s := a[0].i + a[1].i
		if (s > a[0].i) != (a[1].i > 0) {
			return errVal()
		}
		return oval{i: s}
	},
	"sub_int": func(a []oval) oval {
		s := a[0].i - a[1].i
		if (s < a[0].i) != (a[1].i > 0) {
			return errVal()
		}
		return oval{i: s}
	},
	"mul_int": func(a []oval) oval {
		p := new(big).mul(a[0].i, a[1].i)
		if !p.ok {
			return errVal()
		}
		return oval{i: p.v}
	},
	"mod_int": func(a []oval) oval {
		if a[1].i == 0 {
			return errVal()
		}
		return oval{i: a[0].i % a[1].i}
	},
	"neg_int": func(a []oval) oval {
		if a[0].i == math.MinInt64 {
			return errVal()
		}
		return oval{i: -a[0].i}
	},
	"add_float": func(a []oval) oval { return finite(a[0].f + a[1].f) },
	"sub_float": func(a []oval) oval { return finite(a[0].f - a[1].f) },
	"mul_float": func(a []oval) oval { return finite(a[0].f * a[1].f) },
	"div_float": func(a []oval) oval {
		if a[1].f == 0 {
			return errVal()
		}
		return finite(a[0].f / a[1].f)
	},
	"mod_float": func(a []oval) oval {
		if a[1].f == 0 {
			return errVal()
		}
		return oval{f: math.Mod(a[0].f, a[1].f)}
	},
	"pow_float": func(a []oval) oval {
		return finite(pow(a[0].f, a[1].f)) // TestPowAccuracy checks pow against math/big
	},
	"neg_float":    func(a []oval) oval { return oval{f: -a[0].f} },
	"not":          func(a []oval) oval { return oval{b: !a[0].b} },
	"eq_int":       func(a []oval) oval { return oval{b: a[0].i == a[1].i} },
	"ne_int":       func(a []oval) oval { return oval{b: a[0].i != a[1].i} },
	"lt_int":       func(a []oval) oval { return oval{b: a[0].i < a[1].i} },
	"le_int":       func(a []oval) oval { return oval{b: a[0].i <= a[1].i} },
	"gt_int":       func(a []oval) oval { return oval{b: a[0].i > a[1].i} },
	"ge_int":       func(a []oval) oval { return oval{b: a[0].i >= a[1].i} },
	"eq_float":     func(a []oval) oval { return oval{b: a[0].f == a[1].f} },
	"ne_float":     func(a []oval) oval { return oval{b: a[0].f != a[1].f} },
	"lt_float":     func(a []oval) oval { return oval{b: a[0].f < a[1].f} },
	"le_float":     func(a []oval) oval { return oval{b: a[0].f <= a[1].f} },
	"gt_float":     func(a []oval) oval { return oval{b: a[0].f > a[1].f} },
	"ge_float":     func(a []oval) oval { return oval{b: a[0].f >= a[1].f} },
	"eq_text":      func(a []oval) oval { return oval{b: oracleTextOrder(a[0].s, a[1].s) == 0} },
	"ne_text":      func(a []oval) oval { return oval{b: oracleTextOrder(a[0].s, a[1].s) != 0} },
	"lt_text":      func(a []oval) oval { return oval{b: oracleTextOrder(a[0].s, a[1].s) < 0} },
	"le_text":      func(a []oval) oval { return oval{b: oracleTextOrder(a[0].s, a[1].s) <= 0} },
	"gt_text":      func(a []oval) oval { return oval{b: oracleTextOrder(a[0].s, a[1].s) > 0} },
	"ge_text":      func(a []oval) oval { return oval{b: oracleTextOrder(a[0].s, a[1].s) >= 0} },
	"eq_int_float": func(a []oval) oval { return oval{b: exactOrder(a[0], true, a[1], false) == 0} },
	"ne_int_float": func(a []oval) oval { return oval{b: exactOrder(a[0], true, a[1], false) != 0} },
	"lt_int_float": func(a []oval) oval { return oval{b: exactOrder(a[0], true, a[1], false) < 0} },
	"le_int_float": func(a []oval) oval { return oval{b: exactOrder(a[0], true, a[1], false) <= 0} },
	"gt_int_float": func(a []oval) oval { return oval{b: exactOrder(a[0], true, a[1], false) > 0} },
	"ge_int_float": func(a []oval) oval { return oval{b: exactOrder(a[0], true, a[1], false) >= 0} },
	"eq_float_int": func(a []oval) oval { return oval{b: exactOrder(a[0], false, a[1], true) == 0} },
	"ne_float_int": func(a []oval) oval { return oval{b: exactOrder(a[0], false, a[1], true) != 0} },
	"lt_float_int": func(a []oval) oval { return oval{b: exactOrder(a[0], false, a[1], true) < 0} },
	"le_float_int": func(a []oval) oval { return oval{b: exactOrder(a[0], false, a[1], true) <= 0} },
	"gt_float_int": func(a []oval) oval { return oval{b: exactOrder(a[0], false, a[1], true) > 0} },
	"ge_float_int": func(a []oval) oval { return oval{b: exactOrder(a[0], false, a[1], true) >= 0} },
	"eq_bool":      func(a []oval) oval { return oval{b: a[0].b == a[1].b} },
	"ne_bool":      func(a []oval) oval { return oval{b: a[0].b != a[1].b} },
	"number_from_text": func(a []oval) oval {
		s := strings.TrimSpace(a[0].s)
		if s == "" {
			return oval{state: maskNull}
		}
		if strings.ContainsAny(s, "xXnNiI_") { // strconv would take hex, NaN, Inf, 1_000
			return errVal()
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errVal()
		}
		return oval{f: f}
	},
	"whole_from_text": func(a []oval) oval {
		s := strings.TrimSpace(a[0].s)
		if s == "" {
			return oval{state: maskNull}
		}
		if strings.ContainsAny(s, "xXnNiI_/") { // big.Rat would take 0x10, 1/2
			return errVal()
		}
		r, ok := new(stdbig.Rat).SetString(s)
		if !ok || !r.IsInt() || !r.Num().IsInt64() {
			return errVal()
		}
		return oval{i: r.Num().Int64()}
	},
	"float_from_int": func(a []oval) oval { return oval{f: float64(a[0].i)} },
	"str_int":        func(a []oval) oval { return oval{s: strconv.FormatInt(a[0].i, 10)} },
	"str_float":      func(a []oval) oval { return oval{s: string(table.AppendFloat(nil, a[0].f))} },
	"str_bool":       func(a []oval) oval { return oval{s: strconv.FormatBool(a[0].b)} },
	"concat":         func(a []oval) oval { return oval{s: a[0].s + a[1].s} },
}

// exactOrder orders two numbers, each an int or a float64, by their exact values.
func exactOrder(a oval, aInt bool, b oval, bInt bool) int {
	exact := func(v oval, isInt bool) *stdbig.Float {
		if isInt {
			return new(stdbig.Float).SetInt64(v.i)
		}
		return stdbig.NewFloat(v.f)
	}
	return exact(a, aInt).Cmp(exact(b, bInt))
}

// oracleTextOrder is the documented order of two texts: as numbers where both read as
// numbers (integers exactly, others as float64), else as datetimes where both read as
// ISO dates or datetimes, else byte by byte.
func oracleTextOrder(a, b string) int {
	number := func(s string) (oval, bool, bool) {
		s = strings.TrimSpace(s)
		if s == "" || strings.ContainsAny(s, "xXnNiI_") {
			return oval{}, false, false
		}
		if i, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64); err == nil && !strings.HasPrefix(s, "+-") {
			return oval{i: i}, true, true
		}
		f, err := strconv.ParseFloat(s, 64)
		return oval{f: f}, false, err == nil
	}
	if x, xInt, ok := number(a); ok {
		if y, yInt, ok := number(b); ok {
			return exactOrder(x, xInt, y, yInt)
		}
	}
	da, sa, _ := parseISODatetime(a)
	db, sb, _ := parseISODatetime(b)
	if sa == parsedOK && sb == parsedOK {
		return cmp.Compare(da, db)
	}
	return strings.Compare(a, b)
}

// big is a checked int64 product.
type big struct {
	v  int64
	ok bool
}

func (*big) mul(x, y int64) big {
	if x == 0 || y == 0 {
		return big{0, true}
	}
	p := x * y
	if p/y != x || (x == -1 && y == math.MinInt64) || (y == -1 && x == math.MinInt64) {
		return big{}
	}
	return big{p, true}
}

func formatOval(v oval, t Type) string {
	if v.state != 0 {
		return "null"
	}
	switch t {
	case TypeInt:
		return strconv.FormatInt(v.i, 10)
	case TypeFloat:
		return string(table.AppendFloat(nil, v.f))
	case TypeBool:
		return strconv.FormatBool(v.b)
	case TypeDate:
		return string(appendDate(nil, v.i))
	case TypeTimestamp:
		return string(table.AppendTimestamp(nil, v.i))
	}
	return v.s
}

// exprGen makes random well-formed-looking expressions over the test columns.
type exprGen struct{ r *rand.Rand }

func (g exprGen) pick(xs ...string) string { return xs[g.r.Intn(len(xs))] }

func (g exprGen) expr(depth int) string {
	if depth <= 0 || g.r.Intn(4) == 0 {
		return g.pick("a", "b", "s", "a", "b", "1", "0", "2.5", "-3", "9223372036854775807", `"x"`, `"7"`, "null", "true", "_row", "d")
	}
	x := func() string { return g.expr(depth - 1) }
	switch g.r.Intn(12) {
	case 0, 1, 2:
		return "(" + x() + " " + g.pick("+", "-", "*", "/", "%", "**", "~") + " " + x() + ")"
	case 3, 4:
		return "(" + x() + " " + g.pick("==", "!=", "<", "<=", ">", ">=") + " " + x() + ")"
	case 5:
		return "(" + x() + " " + g.pick("and", "or", "??") + " " + x() + ")"
	case 6:
		return "(" + x() + " ? " + x() + " : " + x() + ")"
	case 7:
		return g.pick("-", "not ", "!") + x()
	case 8:
		return "(" + x() + " in [" + x() + ", " + x() + "])"
	case 9:
		return g.pick("abs", "round", "upper", "len", "is_null", "int", "float", "str", "bool", "number", "trim", "year") + "(" + x() + ")"
	case 10:
		return g.pick("coalesce", "min", "max", "concat", "contains", "pow") + "(" + x() + ", " + x() + ")"
	}
	return g.pick("if", "substr", "replace", "date_add") + "(" + x() + ", " + x() + ", " + g.pick(x(), `"day"`) + ")"
}

var cellPool = [][]string{
	{"1", "-2", "3.5", "0", "", "abc", "9223372036854775807", " 7 ", "1e3", "-0", "4", "1.0", "9007199254740993"},
	{"2", "0", "", "x", "0.1", "100", "-5", "true", "false", "2.50", "9007199254740992"},
	{"", "hello", "Hé llo", "7", " 12 ", "TRUE", "a,b", "2024-02-29", "Straße"},
	{"2024-01-31", "", "2024-13-01", "2023-12-31T23:59:59", "x", "2024-01-31 00:00", "0000-01-01"},
}

func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	g := exprGen{r}
	cols := []string{"a", "b", "s", "d"}
	compiled, whereFirst := 0, 0
	for iter := 0; iter < 20000 && compiled < 2000; iter++ {
		exprs := []string{"x = " + g.expr(3), "y = " + g.expr(3)}
		if r.Intn(2) == 0 {
			exprs[1] = "y = " + strings.ReplaceAll(g.expr(2), "a", "x") // sees x
		}
		mode := OnError(r.Intn(3))
		var wheres []string
		if r.Intn(3) == 0 {
			wheres = []string{strings.ReplaceAll(g.expr(3), "b", "y")}
		}
		p, err := Compile(exprs, wheres, cols, Options{OnError: mode, Now: fixedNow})
		if err != nil {
			continue
		}
		compiled++
		if p.whereFirst {
			whereFirst++
		}
		rows := make([][]string, 1+r.Intn(40))
		for i := range rows {
			rows[i] = make([]string, len(cols))
			for j := range cols {
				rows[i][j] = cellPool[j][r.Intn(len(cellPool[j]))]
			}
		}
		c := makeChunk(cols, rows)
		ev := p.NewEvaluator()
		// The second run reuses every scratch buffer and, recycled, the first output's
		// memory; the third builds its output in a new slab, the second's not recycled.
		for rep := 0; rep < 3; rep++ {
			checkAgainstOracle(t, p, ev, c, exprs, mode)
			if rep == 0 {
				ev.Recycle()
			}
		}
	}
	if compiled < 500 {
		t.Fatalf("only %d random programs compiled", compiled)
	}
	if whereFirst < 50 {
		t.Fatalf("only %d of %d random programs filter before they assign", whereFirst, compiled)
	}
	t.Logf("%d programs, %d of them filter first", compiled, whereFirst)
}

func checkAgainstOracle(t *testing.T, p *Program, ev *Evaluator, c *table.Chunk, exprs []string, mode OnError) {
	t.Helper()
	out, rowErrs, err := ev.Apply(c)
	// Oracle: row by row.
	type rowResult struct {
		vals    []string
		failed  bool
		dropped bool // by a --where
		first   int  // assignment index of the first failure
	}
	n := c.NumRows()
	want := make([]rowResult, n)
	firstFail := -1
	for i := 0; i < n; i++ {
		o := &oracle{p: p, c: c, row: i}
		want[i].first = -1
		assign := func() {
			for k, a := range p.assigns {
				v := o.eval(a.root)
				if v.state == maskErr {
					if !want[i].failed {
						want[i].failed, want[i].first = true, k
					}
					v = oval{state: maskNull}
				}
				o.assigned = append(o.assigned, v)
				want[i].vals = append(want[i].vals, formatOval(v, a.root.typ))
			}
		}
		filter := func() {
			for _, w := range p.wheres {
				v := o.eval(w.root)
				switch {
				case v.state == maskErr:
					if !want[i].failed {
						want[i].failed = true
					}
					want[i].dropped = true
				case v.state != 0 || !v.b:
					want[i].dropped = true
				}
			}
		}
		// Filters that read no assigned column come first, and a row they drop is
		// never computed.
		if p.whereFirst {
			if filter(); !want[i].dropped {
				assign()
			}
		} else {
			assign()
			filter()
		}
		if want[i].failed && firstFail < 0 {
			firstFail = i
		}
	}
	switch mode {
	case OnErrorFail:
		if firstFail >= 0 {
			re, ok := err.(*RowError)
			if !ok || re.Line != c.Lines[firstFail] {
				t.Fatalf("%q: want a RowError at line %d, got %v", exprs, c.Lines[firstFail], err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q: unexpected error %v", exprs, err)
		}
	default:
		if err != nil {
			t.Fatalf("%q: unexpected error %v", exprs, err)
		}
		failedRows := 0
		for _, w := range want {
			if w.failed {
				failedRows++
			}
		}
		if mode == OnErrorSkip && len(rowErrs) != failedRows {
			t.Fatalf("%q: %d row errors, oracle has %d failing rows: %v", exprs, len(rowErrs), failedRows, rowErrs)
		}
		if mode == OnErrorNull && len(rowErrs) < failedRows {
			t.Fatalf("%q: %d row errors, oracle has %d failing rows", exprs, len(rowErrs), failedRows)
		}
	}
	k := 0
	for i := 0; i < n; i++ {
		if mode == OnErrorSkip && want[i].failed || want[i].dropped {
			continue
		}
		for j, a := range p.assigns {
			got := columnTexts(t, out, a.target)
			if k >= len(got) {
				t.Fatalf("%q: output has %d rows, want more", exprs, len(got))
			}
			if got[k] != want[i].vals[j] && !(want[i].vals[j] == "null" && got[k] == "") {
				t.Fatalf("%q (%v) row %d %s: got %q, oracle %q\nrow: %v", exprs, mode, i, a.target, got[k], want[i].vals[j], rowText(c, i))
			}
		}
		k++
	}
	if k != out.NumRows() {
		t.Fatalf("%q: output has %d rows, want %d", exprs, out.NumRows(), k)
	}
}

func rowText(c *table.Chunk, i int) string {
	var parts []string
	for j := 0; j < int(c.Batch.NumCols()); j++ {
		parts = append(parts, fmt.Sprintf("%q", c.Batch.Column(j).ValueStr(i)))
	}
	return strings.Join(parts, " ")
}
