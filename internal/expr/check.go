package expr

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ptransform/ptransform/internal/table"
)

// OnError says what happens to a row whose expression fails (a bad number, division by
// zero, ...).
type OnError uint8

const (
	OnErrorFail OnError = iota // Apply returns the first *RowError
	OnErrorSkip                // the row is dropped and the error reported
	OnErrorNull                // the value becomes null and the error reported
)

// Options configure Compile.
type Options struct {
	OnError OnError
	// Now is the instant now() and today() return for the whole run; zero means the
	// time of Compile. today() is Now's date in Now's location.
	Now time.Time
	// Params are the --param values, referenced as $NAME (params.go).
	Params map[string]string
	// Getenv looks up env("NAME"); nil for os.LookupEnv.
	Getenv func(name string) (string, bool)
	// InputTypes are the static types of the input columns that an earlier stage
	// computed (an aggregate's int or date, --having's input), by column; nil, TypeText
	// or TypeString for a column of cells. A typed column is checked as its type (a
	// caret at `n > "a"` for an int n) and read as it (Evaluator.loadTyped).
	InputTypes []Type
}

type opKind uint8

const (
	opConst    opKind = iota // konst broadcast
	opInput                  // input column col, as text
	opAssigned               // result of assignment col
	opRowNum                 // _row
	opFile                   // _file
	opSheet                  // _sheet
	opStrict                 // kernel over args; null or error in any arg gives null or error
	opAnd
	opOr
	opCond     // args: cond, then, else
	opCoalesce // first non-null arg
	opIsNull
	opIn     // args[0] is the x == element comparisons, OR-ed
	opConcat // concat(): nulls read as ""
)

// node is a typed, resolved expression. Nodes are shared where they compute the same
// thing (a column read as a number), so one chunk evaluates each once.
type node struct {
	op     opKind
	typ    Type
	pos    int
	src    string // the flag text it came from, for messages
	args   []*node
	slot   int
	kname  string // kernel name, for Explain
	kernel kernel
	col    int    // opInput: input index; opAssigned: assignment index
	name   string // column name for opInput/opAssigned and conversion errors
	konst  *vec   // opConst: one row
	re     *regexp.Regexp
	unit   dateUnit
	layout []layoutItem
	digits int // round() digits when constant
	set    *constSet
	// typedInput marks the conversion that reads a typed input column as its type
	// (Options.InputTypes): messages name it as the column.
	typedInput bool
}

// kernel computes out's values from args. For opStrict nodes out's mask already holds
// the union of the args' masks; a kernel may add nulls and errors, and must neither
// fail nor panic on rows that are already null or errors (their values are garbage).
type kernel func(ev *Evaluator, n *node, args []*vec, out *vec)

// Program is a compiled set of assignments and filters.
type Program struct {
	opts    Options
	input   []string
	outCols []string
	outFrom []int // per output column: -1-k for assignment k's result, else input index
	// What an Evaluator builds: outCols/outFrom, or the projection of them that Project
	// asked for.
	buildNames []string
	buildFrom  []int
	assigns    []compiledAssign
	wheres     []compiledWhere
	// whereFirst: the filters read no assigned column, so they run before the
	// assignments, which are computed only for the rows they keep (Evaluator.Apply).
	whereFirst bool
	slots      int
}

type compiledAssign struct {
	target string
	src    string
	root   *node
}

type compiledWhere struct {
	src  string
	root *node
}

type checker struct {
	input    []string
	assigned []compiledAssign
	opts     Options
	src      string
	flag     string
	memo     map[memoKey]*node
	slots    int
	// What foldEval reuses from one folded node to the next.
	foldEv      *Evaluator
	foldArgs    []node
	foldArgPtrs []*node
}

type memoKey struct {
	op   string
	arg  *node
	col  int
	kind opKind
}

// Compile parses the assignments (each `NAME = EXPR`, several per text separated by
// ';') and filters, resolves column names against the input header and type-checks
// them. Every error it returns is about the expressions, before any data is read.
func Compile(assignments, wheres []string, columns []string, opts Options) (*Program, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	c := &checker{input: columns, opts: opts, memo: map[memoKey]*node{}}
	p := &Program{opts: opts, input: columns}
	p.outCols = append([]string(nil), columns...)
	for i := range columns {
		p.outFrom = append(p.outFrom, i)
	}
	for _, text := range assignments {
		items, err := parseAssignments(text)
		if err != nil {
			return nil, err
		}
		c.src, c.flag = text, "--expr"
		for _, a := range items {
			root, err := c.check(a.x)
			if err != nil {
				return nil, err
			}
			if root.typ == TypeNull {
				root = c.konst(TypeString, nullVec(TypeString), root.pos)
			}
			// A target names a column as a reference does: PRICE = PRICE * 2 replaces
			// price; a name no column matches makes a new one.
			target, err := matchName(a.target, p.outCols)
			if err != nil {
				return nil, fmt.Errorf("--expr %s = …: %w; write the column's exact name", a.target, err)
			}
			if target == "" {
				target = a.target
			}
			k := len(c.assigned)
			c.assigned = append(c.assigned, compiledAssign{target: target, src: text, root: root})
			if i := indexOf(p.outCols, target); i >= 0 {
				p.outFrom[i] = -1 - k
			} else {
				p.outCols = append(p.outCols, a.target)
				p.outFrom = append(p.outFrom, -1-k)
			}
		}
	}
	for _, text := range wheres {
		x, err := parseWhere(text)
		if err != nil {
			return nil, err
		}
		c.src, c.flag = text, "--where"
		root, err := c.check(x)
		if err != nil {
			return nil, err
		}
		if root.typ != TypeBool && root.typ != TypeNull && root.typ != TypeText {
			return nil, c.errAt(x.pos, "a filter needs a true/false condition, got %s", describe(root))
		}
		if root, err = c.coerce(root, TypeBool); err != nil {
			return nil, err
		}
		p.wheres = append(p.wheres, compiledWhere{src: text, root: root})
	}
	p.assigns = c.assigned
	p.whereFirst = len(p.assigns) > 0 && len(p.wheres) > 0 && !p.wheresReadAssigned()
	p.renumber()
	p.buildNames, p.buildFrom = p.outCols, p.outFrom
	return p, nil
}

// wheresReadAssigned reports whether a filter reads a column an assignment computes.
func (p *Program) wheresReadAssigned() bool {
	reads := false
	for _, w := range p.wheres {
		walkNodes(w.root, func(n *node) { reads = reads || n.op == opAssigned })
	}
	return reads
}

// matchName finds the column a name means among names: the name itself, else the one
// name equal to it ignoring letter case and surrounding spaces. It returns "" when no
// name matches, and an error when several do.
func matchName(name string, names []string) (string, error) {
	// names may hold a name twice (an input column and its assignment): one column.
	distinct := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			distinct = append(distinct, n)
		}
	}
	i, err := table.FindColumn(name, distinct)
	if i < 0 {
		return "", err
	}
	return distinct[i], nil
}

// renumber gives the nodes the program uses consecutive slots. Folding and collapseSets
// leave many registered nodes behind, and each slot is a vector in every evaluator.
func (p *Program) renumber() {
	var stack []*node
	for _, a := range p.assigns {
		stack = append(stack, a.root)
	}
	for _, w := range p.wheres {
		stack = append(stack, w.root)
	}
	seen := map[*node]bool{}
	p.slots = 0
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[n] {
			continue
		}
		seen[n] = true
		n.slot = p.slots
		p.slots++
		stack = append(stack, n.args...)
	}
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func (c *checker) errAt(pos int, format string, args ...any) error {
	return &CompileError{Flag: c.flag, Source: c.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// add registers a new node (after its args) and gives it a scratch slot.
func (c *checker) add(n *node) *node {
	n.src = c.src
	n.slot = c.slots
	c.slots++
	return n
}

func (c *checker) konst(t Type, v *vec, pos int) *node {
	return c.add(&node{op: opConst, typ: t, pos: pos, konst: v})
}

// shared returns the node memoized under key, or registers make()'s.
func (c *checker) shared(key memoKey, make func() *node) *node {
	if n, ok := c.memo[key]; ok {
		return n
	}
	n := c.add(make())
	c.memo[key] = n
	return n
}

func (c *checker) check(a *ast) (*node, error) {
	switch a.kind {
	case aNumber:
		if i, err := strconv.ParseInt(a.text, 10, 64); err == nil {
			return c.konst(TypeInt, intVec(i), a.pos), nil
		}
		f, err := strconv.ParseFloat(a.text, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) || err != nil && (f > 1 || f < -1) {
			return nil, c.errAt(a.pos, "number %s is out of range", a.text)
		}
		return c.konst(TypeFloat, floatVec(f), a.pos), nil
	case aString:
		return c.konst(TypeString, stringVec(a.text), a.pos), nil
	case aBool:
		return c.konst(TypeBool, boolVec(a.text == "true"), a.pos), nil
	case aNull:
		return c.konst(TypeNull, nullVec(TypeNull), a.pos), nil
	case aColumn:
		return c.column(a)
	case aParam:
		return c.param(a)
	case aList:
		return nil, c.errAt(a.pos, "a [list] may only follow in")
	case aUnary:
		x, err := c.check(a.args[0])
		if err != nil {
			return nil, err
		}
		return c.unary(a, x)
	case aBinary:
		return c.binaryChain(a)
	case aCond:
		args, err := c.checkAll(a.args)
		if err != nil {
			return nil, err
		}
		return c.cond(a.pos, args[0], args[1], args[2], a.args)
	case aCall:
		return c.call(a)
	}
	return nil, c.errAt(a.pos, "internal error: unknown syntax")
}

func (c *checker) checkAll(list []*ast) ([]*node, error) {
	out := make([]*node, len(list))
	for i, a := range list {
		n, err := c.check(a)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

// column resolves a name: row context names first (unless back-quoted), then among the
// input header and the assigned names, exactly, else ignoring case and surrounding
// spaces when that match is unique; an assigned name means its latest assignment.
func (c *checker) column(a *ast) (*node, error) {
	name := a.text
	if !a.quoted {
		switch name {
		case "_row":
			return c.shared(memoKey{kind: opRowNum}, func() *node { return &node{op: opRowNum, typ: TypeInt, pos: a.pos} }), nil
		case "_file":
			return c.shared(memoKey{kind: opFile}, func() *node { return &node{op: opFile, typ: TypeString, pos: a.pos} }), nil
		case "_sheet":
			return c.shared(memoKey{kind: opSheet}, func() *node { return &node{op: opSheet, typ: TypeString, pos: a.pos} }), nil
		}
	}
	match, err := matchName(name, c.knownNames())
	if err != nil {
		return nil, err
	}
	if match == "" {
		return nil, unknownColumn(name, c.knownNames(), a.pos)
	}
	for k := len(c.assigned) - 1; k >= 0; k-- {
		if c.assigned[k].target == match {
			return c.assignedRef(k, a.pos), nil
		}
	}
	idx := indexOf(c.input, match)
	if j := indexOf(c.input[idx+1:], match); j >= 0 {
		return nil, fmt.Errorf("column %q appears more than once in the header", match)
	}
	in := c.shared(memoKey{kind: opInput, col: idx}, func() *node {
		return &node{op: opInput, typ: TypeText, pos: a.pos, col: idx, name: c.input[idx]}
	})
	if idx < len(c.opts.InputTypes) {
		if t := c.opts.InputTypes[idx]; t != TypeText && t != TypeString && t != TypeNull {
			typed, err := c.coerce(in, t) // its values have that type: read them as it
			if err == nil {
				typed.typedInput = true
			}
			return typed, err
		}
	}
	return in, nil
}

func (c *checker) assignedRef(k, pos int) *node {
	t := c.assigned[k].root.typ
	if t == TypeString {
		t = TypeText // a column's strings are cells, whichever step made them
	}
	return c.shared(memoKey{kind: opAssigned, col: k}, func() *node {
		return &node{op: opAssigned, typ: t, pos: pos, col: k, name: c.assigned[k].target}
	})
}

func (c *checker) knownNames() []string {
	names := append([]string(nil), c.input...)
	for _, a := range c.assigned {
		names = append(names, a.target)
	}
	return names
}

// unknownColumn is exactly `unknown column "qyt" (did you mean "qty"?)`: no caret, since
// the name is the whole story; pos says where the name is, for a caller that gives
// carets to its flag's errors anyway (--having).
func unknownColumn(name string, known []string, pos int) error {
	return &UnknownColumnError{Pos: pos, err: table.UnknownColumnError(name, known)}
}

// UnknownColumnError is a name no column has, at byte Pos of the flag's text.
type UnknownColumnError struct {
	Pos int
	err error
}

func (e *UnknownColumnError) Error() string { return e.err.Error() }

// coerce converts n to type want where the language allows it implicitly: text cells
// to anything, int to float, date to datetime, null to anything.
func (c *checker) coerce(n *node, want Type) (*node, error) {
	if n.typ == want || want == TypeString && n.typ == TypeText || want == TypeText && n.typ == TypeString {
		return n, nil
	}
	if n.typ == TypeNull {
		return c.konst(want, nullVec(want), n.pos), nil
	}
	conv, ok := conversions[convKey{n.typ, want}]
	if !ok {
		return nil, c.errAt(n.pos, "%s cannot be used as %s%s", describe(n), want, conversionHint(n.typ, want))
	}
	make := func() *node {
		return &node{op: opStrict, typ: want, pos: n.pos, args: []*node{n}, kname: conv.name, kernel: conv.fn, name: n.name}
	}
	if n.op == opConst {
		return c.fold(make()) // nothing to share: it becomes a constant
	}
	return c.fold(c.shared(memoKey{op: conv.name, arg: n}, make))
}

func describe(n *node) string {
	switch {
	case n.op == opInput, n.op == opAssigned, n.typedInput:
		return fmt.Sprintf("column %q (%s)", n.name, n.typ)
	case n.op == opConst:
		return "a " + n.typ.String() + " literal"
	}
	return "a " + n.typ.String() + " value"
}

func conversionHint(from, to Type) string {
	switch {
	case from == TypeString && to.isNumber():
		return "; convert with number(x) or float(x)"
	case from == TypeString && (to == TypeDate || to == TypeTimestamp):
		return "; convert with date(x) or datetime(x)"
	case from == TypeString && to == TypeBool:
		return "; convert with bool(x)"
	case to == TypeString:
		return "; convert with str(x)"
	case from == TypeFloat && to == TypeInt:
		return "; convert with int(x) or round(x)"
	}
	return ""
}

// fold evaluates a node whose args are all constants at compile time, so literals cost
// nothing per row and constant errors (1/0, a bad date literal) are reported here.
func (c *checker) fold(n *node) (*node, error) {
	if n.op == opConst || n.op == opInput || n.op == opAssigned || n.op == opRowNum || n.op == opFile || n.op == opSheet {
		return n, nil
	}
	for _, a := range n.args {
		if a.op != opConst {
			return n, nil
		}
	}
	v := c.foldEval(n)
	if v.isErr(0) {
		e := v.errAt(0)
		msg := e.message
		if e.value != "" {
			msg = fmt.Sprintf("%s: %s", table.QuoteValue(e.value), e.message)
		}
		return nil, c.errAt(n.pos, "%s", msg)
	}
	k := &vec{}
	k.reset(n.typ, 1)
	k.copyRow(n.typ, 0, v, 0)
	if k.s != nil {
		k.s[0] = strings.Clone(k.s[0]) // it may point into the fold evaluator's arena
	}
	return c.konst(n.typ, k, n.pos), nil
}

// foldEval evaluates n, whose args are all constants, over one row. It runs a copy of
// n whose args are copies renumbered into slots 0..len(args), in the checker's one fold
// evaluator: an evaluator sized to the whole program per folded node made compiling
// quadratic in its length.
func (c *checker) foldEval(n *node) *vec {
	slots := len(n.args) + 1
	if c.foldEv == nil || len(c.foldEv.vecs) < slots {
		c.foldEv = (&Program{slots: max(slots, 8), opts: c.opts}).NewEvaluator()
	}
	ev := c.foldEv
	ev.cur++
	ev.rows = 1
	ev.arena.buf = ev.arena.buf[:0]
	c.foldArgs = c.foldArgs[:0]
	for i, a := range n.args {
		k := *a
		k.slot = i
		c.foldArgs = append(c.foldArgs, k)
		ev.konstN[i] = 0 // the slot's broadcast is another constant's
	}
	m := *n
	m.slot = len(n.args)
	m.args = c.foldArgPtrs[:0]
	for i := range c.foldArgs {
		m.args = append(m.args, &c.foldArgs[i])
	}
	c.foldArgPtrs = m.args
	return ev.eval(&m)
}

func (c *checker) strict(pos int, t Type, name string, fn kernel, args ...*node) (*node, error) {
	return c.fold(c.add(&node{op: opStrict, typ: t, pos: pos, args: args, kname: name, kernel: fn}))
}

func (c *checker) unary(a *ast, x *node) (*node, error) {
	switch a.text {
	case "not":
		x, err := c.coerce(x, TypeBool)
		if err != nil {
			return nil, err
		}
		return c.strict(a.pos, TypeBool, "not", kNot, x)
	case "+", "-":
		if x.typ == TypeText || x.typ == TypeNull {
			var err error
			if x, err = c.coerce(x, TypeFloat); err != nil {
				return nil, err
			}
		}
		switch x.typ {
		case TypeInt:
			if a.text == "+" {
				return x, nil
			}
			return c.strict(a.pos, TypeInt, "neg_int", kNegInt, x)
		case TypeFloat:
			if a.text == "+" {
				return x, nil
			}
			return c.strict(a.pos, TypeFloat, "neg_float", kNegFloat, x)
		}
		return nil, c.errAt(a.pos, "unary %s needs a number, got %s", a.text, describe(x))
	}
	return nil, c.errAt(a.pos, "internal error: unknown operator %s", a.text)
}

// binaryChain checks a binary operator and the left-deep chain of them under it
// (a + b + c + ...) bottom up in a loop: generated expressions have thousands of terms,
// and recursing down the chain made the stack as deep as the text is long.
func (c *checker) binaryChain(a *ast) (*node, error) {
	var spine []*ast
	for x := a; x.kind == aBinary && x.text != "in"; x = x.args[0] {
		spine = append(spine, x)
	}
	if len(spine) == 0 {
		return c.in(a)
	}
	l, err := c.check(spine[len(spine)-1].args[0])
	if err != nil {
		return nil, err
	}
	for k := len(spine) - 1; k >= 0; k-- {
		r, err := c.check(spine[k].args[1])
		if err != nil {
			return nil, err
		}
		if l, err = c.binary(spine[k], l, r); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// binary checks operator a over its checked operands l and r.
func (c *checker) binary(a *ast, l, r *node) (*node, error) {
	var err error
	switch a.text {
	case "and", "or":
		if l, err = c.coerceFor(l, TypeBool, a.text); err != nil {
			return nil, err
		}
		if r, err = c.coerceFor(r, TypeBool, a.text); err != nil {
			return nil, err
		}
		op := opAnd
		if a.text == "or" {
			op = opOr
		}
		return c.fold(c.add(&node{op: op, typ: TypeBool, pos: a.pos, args: []*node{l, r}}))
	case "??":
		return c.coalesce(a.pos, []*node{l, r}, a.args)
	case "~":
		if l, err = c.toString(l); err != nil {
			return nil, err
		}
		if r, err = c.toString(r); err != nil {
			return nil, err
		}
		return c.strict(a.pos, TypeString, "concat", kConcat2, l, r)
	case "+", "-", "*", "/", "%", "**":
		return c.arith(a, l, r)
	}
	return c.compare(a.pos, a.text, l, r)
}

func (c *checker) coerceFor(n *node, want Type, op string) (*node, error) {
	if n.typ != TypeText && n.typ != TypeNull && n.typ != want {
		if _, ok := conversions[convKey{n.typ, want}]; !ok {
			return nil, c.errAt(n.pos, "%s needs %s operands, got %s", op, want, describe(n))
		}
	}
	return c.coerce(n, want)
}

// numeric makes a number of a text cell (as float, the type a text number reads as).
func (c *checker) numeric(n *node, op string) (*node, error) {
	switch n.typ {
	case TypeInt, TypeFloat:
		return n, nil
	case TypeText, TypeNull:
		return c.coerce(n, TypeFloat)
	case TypeString:
		if op == "+" {
			return nil, c.errAt(n.pos, "+ does not join strings; use ~ or concat(): a ~ b")
		}
		return nil, c.errAt(n.pos, "%s needs numbers, got %s; convert with number(x)", op, describe(n))
	}
	return nil, c.errAt(n.pos, "%s needs numbers, got %s", op, describe(n))
}

func (c *checker) arith(a *ast, l, r *node) (*node, error) {
	var err error
	if l, err = c.numeric(l, a.text); err != nil {
		return nil, err
	}
	if r, err = c.numeric(r, a.text); err != nil {
		return nil, err
	}
	t := TypeInt
	if l.typ == TypeFloat || r.typ == TypeFloat || a.text == "/" || a.text == "**" {
		t = TypeFloat
	}
	if l, err = c.coerce(l, t); err != nil {
		return nil, err
	}
	if r, err = c.coerce(r, t); err != nil {
		return nil, err
	}
	k := binaryKernels[binKey{a.text, t}]
	return c.strict(a.pos, t, k.name, k.fn, l, r)
}

// compareTypes are the types the two sides of a comparison are read as. Two texts stay
// text: compareText orders them per value (as numbers, dates, or text). A text cell
// against a number, date or bool is read as one: as a number it is a float, and against
// a date it is a datetime, so a cell with a time of day compares with the date's
// midnight. A date against a datetime is that midnight too. An int against a float is
// compared exactly, keeping each its type, unless the int is a constant a float holds
// exactly, which then compares as a float at no cost.
func (c *checker) compareTypes(pos int, l, r *node) (Type, Type, error) {
	lt, rt := l.typ, r.typ
	switch {
	case lt == TypeNull || rt == TypeNull:
		return TypeNull, TypeNull, nil
	case lt.isStringy() && rt.isStringy():
		return TypeString, TypeString, nil
	case lt == TypeText:
		lt = cellReadBeside(rt)
	case rt == TypeText:
		rt = cellReadBeside(lt)
	}
	switch {
	case lt == rt:
		return lt, rt, nil
	case lt.isNumber() && rt.isNumber():
		if isExactFloat(l) {
			lt = TypeFloat
		}
		if isExactFloat(r) {
			rt = TypeFloat
		}
		return lt, rt, nil
	case (lt == TypeDate || lt == TypeTimestamp) && (rt == TypeDate || rt == TypeTimestamp):
		return TypeTimestamp, TypeTimestamp, nil
	}
	return 0, 0, c.errAt(pos, "cannot compare %s with %s%s", describe(l), describe(r), conversionHint(TypeString, lt))
}

// cellReadBeside is the type a text cell is read as beside a value of type t.
func cellReadBeside(t Type) Type {
	switch t {
	case TypeInt:
		return TypeFloat
	case TypeDate:
		return TypeTimestamp
	}
	return t
}

// isExactFloat reports whether n is an int constant that a float64 holds exactly.
func isExactFloat(n *node) bool {
	if n.op != opConst || n.typ != TypeInt || !n.konst.valid(0) {
		return false
	}
	i := n.konst.i64[0]
	return i >= -1<<53 && i <= 1<<53
}

func (c *checker) compare(pos int, op string, l, r *node) (*node, error) {
	lt, rt, err := c.compareTypes(pos, l, r)
	if err != nil {
		return nil, err
	}
	if lt == TypeNull {
		return c.konst(TypeBool, nullVec(TypeBool), pos), nil
	}
	if l, err = c.coerce(l, lt); err != nil {
		return nil, err
	}
	if r, err = c.coerce(r, rt); err != nil {
		return nil, err
	}
	k, ok := compareKernels[cmpKey{op, storageOf(lt), storageOf(rt)}]
	if !ok {
		return nil, c.errAt(pos, "cannot order %s values with %s", lt, op)
	}
	return c.strict(pos, TypeBool, k.name, k.fn, l, r)
}

// in is x == e1 or x == e2 ...: x is one shared node, so it is evaluated once.
func (c *checker) in(a *ast) (*node, error) {
	x, err := c.check(a.args[0])
	if err != nil {
		return nil, err
	}
	list := a.args[1]
	if list.kind != aList {
		return nil, c.errAt(list.pos, "in needs a [list]")
	}
	n := &node{op: opIn, typ: TypeBool, pos: a.pos}
	for _, e := range list.args {
		en, err := c.check(e)
		if err != nil {
			return nil, err
		}
		eq, err := c.compare(e.pos, "==", x, en)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, eq)
	}
	if len(n.args) == 0 {
		return c.konst(TypeBool, boolVec(false), a.pos), nil
	}
	n.args = c.collapseSets(n.args)
	return c.fold(c.add(n))
}

// unify is the type of a value that is one of several branches.
func (c *checker) unify(nodes []*node, asts []*ast) (Type, error) {
	t := TypeNull
	for i, n := range nodes {
		u := n.typ
		switch {
		case u == TypeNull || u == t:
		case t == TypeNull:
			t = u
		case t.isStringy() && u.isStringy():
			t = TypeText
		case t == TypeText || u == TypeText:
			// A cell beside a typed branch reads as that type; as a number it is a float.
			if t == TypeText {
				t = u
			}
			if t == TypeInt {
				t = TypeFloat
			}
		case t.isNumber() && u.isNumber():
			t = TypeFloat
		case (t == TypeDate || t == TypeTimestamp) && (u == TypeDate || u == TypeTimestamp):
			t = TypeTimestamp
		default:
			return 0, c.errAt(asts[i].pos, "this is %s but an earlier branch is %s", describe(n), t)
		}
	}
	return t, nil
}

func (c *checker) cond(pos int, cond, a, b *node, asts []*ast) (*node, error) {
	cond, err := c.coerceFor(cond, TypeBool, "the condition of ?:")
	if err != nil {
		return nil, err
	}
	t, err := c.unify([]*node{a, b}, asts[1:])
	if err != nil {
		return nil, err
	}
	if t == TypeNull {
		return a, nil
	}
	if a, err = c.coerce(a, t); err != nil {
		return nil, err
	}
	if b, err = c.coerce(b, t); err != nil {
		return nil, err
	}
	return c.fold(c.add(&node{op: opCond, typ: t, pos: pos, args: []*node{cond, a, b}}))
}

func (c *checker) coalesce(pos int, args []*node, asts []*ast) (*node, error) {
	t, err := c.unify(args, asts)
	if err != nil {
		return nil, err
	}
	if t == TypeNull {
		return args[0], nil
	}
	for i := range args {
		if args[i], err = c.coerce(args[i], t); err != nil {
			return nil, err
		}
	}
	return c.fold(c.add(&node{op: opCoalesce, typ: t, pos: pos, args: args}))
}

// toString formats any value as text, as the writers would.
func (c *checker) toString(n *node) (*node, error) {
	if n.typ.isStringy() {
		return n, nil
	}
	if n.typ == TypeNull {
		return c.konst(TypeString, nullVec(TypeString), n.pos), nil
	}
	k := formatKernels[n.typ]
	return c.fold(c.shared(memoKey{op: k.name, arg: n}, func() *node {
		return &node{op: opStrict, typ: TypeString, pos: n.pos, args: []*node{n}, kname: k.name, kernel: k.fn}
	}))
}

func storageOf(t Type) Type {
	switch t {
	case TypeDate, TypeTimestamp:
		return TypeInt
	case TypeText:
		return TypeString
	}
	return t
}

// constant-vector constructors

func intVec(i int64) *vec     { return &vec{n: 1, i64: []int64{i}} }
func floatVec(f float64) *vec { return &vec{n: 1, f64: []float64{f}} }
func boolVec(b bool) *vec     { return &vec{n: 1, b: []bool{b}} }
func stringVec(s string) *vec { return &vec{n: 1, s: []string{s}} }
func nullVec(t Type) *vec {
	v := &vec{}
	v.reset(t, 1)
	v.setNull(0)
	return v
}
