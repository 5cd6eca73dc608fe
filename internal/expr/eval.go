package expr

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/ptransform/ptransform/internal/table"
)

// RowError is an expression that failed on one row: a value that does not read as
// what the expression needs, a division by zero, and so on.
type RowError struct {
	File, Sheet string
	Line        int64  // the row as the user finds it: CSV line or Excel row number
	Column      string // the column whose value was bad, else the assigned column or "--where"
	Expr        string // which step failed: "--expr TARGET" or "--where TEXT"
	Value       string // the offending text, when there is one
	Message     string
}

// Error reads like the other data errors of ptransform: where first (file, sheet, the
// line or row a user would look up), then what.
//
//	sales.csv: line 4, column "qty": value "abc": not a number
//	book.xlsx, sheet "Q1": row 12, column "price": division by zero
func (e *RowError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ", sheet %q: row %d", e.Sheet, e.Line)
	} else {
		fmt.Fprintf(&b, ": line %d", e.Line)
	}
	fmt.Fprintf(&b, ", column %q: ", e.Column)
	if e.Value != "" {
		fmt.Fprintf(&b, "value %s: ", table.QuoteValue(e.Value))
	}
	b.WriteString(e.Message)
	return b.String()
}

// Evaluator runs a Program over chunks for one worker. It keeps scratch vectors
// between chunks and is not safe for concurrent use.
type Evaluator struct {
	p       *Program
	vecs    []vec    // per node slot
	argBufs [][]*vec // per node slot: its args' vectors
	gen     []uint64 // per node slot: the chunk its vector holds
	konstN  []int    // per node slot: rows a constant was broadcast to
	cur     uint64   // current chunk's generation
	rows    int      // rows in the current chunk
	chunk   *table.Chunk
	arena   arena
	drop    []bool
	sel     []int32
	// pick, when not nil, are the chunk's rows the vectors hold (vector row k is chunk
	// row pick[k]): the rows a --where that runs first kept, the only ones the
	// assignments are computed for. nil: every row, vector row i is chunk row i.
	pick    []int32
	pickBuf []int32
	vecSel  []int32 // the kept rows of pick-compacted vectors, for build
	scratch vec     // for filtering typed input columns
	out     outBufs
}

// Columns are the output columns: the input's, those assigned replaced in place, new
// ones appended in the order first assigned.
func (p *Program) Columns() []string { return append([]string(nil), p.outCols...) }

// Project returns a copy of p whose evaluators build only the output columns pick (indexes
// into Columns), named names: a --select or --drop that follows the program, done where
// it costs nothing. A filtered chunk is made of new arrays, and copying the rows kept of
// columns that the next step would discard is most of a filter's cost.
func (p *Program) Project(pick []int, names []string) *Program {
	q := *p
	q.buildNames = names
	q.buildFrom = make([]int, len(pick))
	for k, j := range pick {
		q.buildFrom[k] = p.outFrom[j]
	}
	return &q
}

// Reads reports, per input column, whether an expression of the program reads it.
func (p *Program) Reads() []bool {
	reads := make([]bool, len(p.input))
	p.visitNodes(func(n *node) {
		if n.op == opInput {
			reads[n.col] = true
		}
	})
	return reads
}

// ReadsRowNumber reports whether an expression of the program reads _row.
func (p *Program) ReadsRowNumber() bool {
	reads := false
	p.visitNodes(func(n *node) { reads = reads || n.op == opRowNum })
	return reads
}

// visitNodes calls visit with every node of the program's expressions.
func (p *Program) visitNodes(visit func(n *node)) {
	for _, a := range p.assigns {
		walkNodes(a.root, visit)
	}
	for _, w := range p.wheres {
		walkNodes(w.root, visit)
	}
}

// walkNodes calls visit with n and every node under it (a shared node once per use).
func walkNodes(n *node, visit func(n *node)) {
	visit(n)
	for _, a := range n.args {
		walkNodes(a, visit)
	}
}

// Passes returns, per column an evaluator builds, the input column it passes on
// unchanged, or -1 for an assigned one.
func (p *Program) Passes() []int {
	passes := make([]int, len(p.buildFrom))
	for k, from := range p.buildFrom {
		passes[k] = max(from, -1)
	}
	return passes
}

// NewEvaluator returns an evaluator with its own scratch buffers; make one per worker.
func (p *Program) NewEvaluator() *Evaluator {
	return &Evaluator{
		p:       p,
		vecs:    make([]vec, p.slots),
		argBufs: make([][]*vec, p.slots),
		gen:     make([]uint64, p.slots),
		konstN:  make([]int, p.slots),
	}
}

func (ev *Evaluator) eval(n *node) *vec {
	if n.op == opAssigned {
		return ev.eval(ev.p.assigns[n.col].root)
	}
	v := &ev.vecs[n.slot]
	if ev.gen[n.slot] == ev.cur {
		return v
	}
	if ev.pick != nil && ev.gen[n.slot] == ev.cur-1 {
		// The filters computed it over every row (a column read as a number, shared
		// with an assignment): keep the rows they kept rather than compute it again.
		v.gather(n.typ, ev.pick)
		ev.gen[n.slot] = ev.cur
		return v
	}
	ev.gen[n.slot] = ev.cur
	rows := ev.rows
	switch n.op {
	case opConst:
		if ev.konstN[n.slot] != rows || v.n != rows {
			broadcast(v, n.typ, n.konst, rows)
			ev.konstN[n.slot] = rows
		}
	case opInput:
		ev.loadText(v, ev.chunk.Batch.Column(n.col), rows, ev.pick)
	case opRowNum:
		v.reset(TypeInt, rows)
		for i := range v.i64 {
			v.i64[i] = ev.chunk.Row0 + int64(ev.row(i))
		}
	case opFile, opSheet:
		s := ev.chunk.Source.File
		if n.op == opSheet {
			s = ev.chunk.Source.Sheet
		}
		broadcast(v, TypeString, stringVec(s), rows)
		ev.konstN[n.slot] = -1 // the next chunk may come from another source
	case opStrict:
		if n.args[0].op == opInput && (ev.loadTyped(v, n) || ev.parseInput(v, n)) {
			break
		}
		args := ev.args(n)
		v.reset(n.typ, rows)
		combineMasks(v, args)
		n.kernel(ev, n, args, v)
	case opAnd, opOr:
		args := ev.args(n)
		logic(v, args[0], args[1], n.op == opOr, rows)
	case opIn:
		args := ev.args(n)
		logic(v, args[0], args[0], true, rows)
		for _, a := range args[1:] {
			logic(v, v, a, true, rows)
		}
	case opCond:
		args := ev.args(n)
		c, a, b := args[0], args[1], args[2]
		v.reset(n.typ, rows)
		for i := 0; i < rows; i++ {
			switch {
			case !c.valid(i):
				v.copyRow(TypeBool, i, c, i)
			case c.b[i]:
				v.copyRow(n.typ, i, a, i)
			default:
				v.copyRow(n.typ, i, b, i)
			}
		}
	case opCoalesce:
		args := ev.args(n)
		v.reset(n.typ, rows)
		for i := 0; i < rows; i++ {
			src := args[len(args)-1]
			for _, a := range args[:len(args)-1] {
				if !a.masked || a.mask[i]&maskErr != 0 || a.mask[i] == 0 {
					src = a
					break
				}
			}
			v.copyRow(n.typ, i, src, i)
		}
	case opIsNull:
		x := ev.args(n)[0]
		v.reset(TypeBool, rows)
		clear(v.b)
		if x.masked {
			for i, m := range x.mask[:rows] {
				v.b[i] = m == maskNull
				if m&maskErr != 0 {
					v.copyRow(TypeBool, i, x, i)
				}
			}
		}
	case opConcat:
		args := ev.args(n)
		v.reset(TypeString, rows)
		for i := 0; i < rows; i++ {
			start := len(ev.arena.buf)
			failed := false
			for _, a := range args {
				if a.isErr(i) {
					v.copyRow(TypeString, i, a, i)
					failed = true
					break
				}
				if a.valid(i) {
					ev.arena.buf = append(ev.arena.buf, a.s[i]...)
				}
			}
			if !failed {
				v.s[i] = ev.arena.keep(start)
			}
		}
	}
	return v
}

func (ev *Evaluator) args(n *node) []*vec {
	buf := ev.argBufs[n.slot]
	if len(buf) != len(n.args) {
		buf = make([]*vec, len(n.args))
		ev.argBufs[n.slot] = buf
	}
	for i, a := range n.args {
		buf[i] = ev.eval(a)
	}
	return buf
}

// logic is Kleene's three-valued and/or: false and anything is false, true or
// anything is true (even an error: it is the short circuit users expect from
// `b != 0 and a / b > 1`); otherwise an error wins over null.
func logic(v, a, b *vec, or bool, rows int) {
	if !a.masked && !b.masked {
		v.reset(TypeBool, rows)
		ab, bb, r := a.b[:rows], b.b[:rows], v.b[:rows]
		if or {
			for i := range r {
				r[i] = ab[i] || bb[i]
			}
		} else {
			for i := range r {
				r[i] = ab[i] && bb[i]
			}
		}
		return
	}
	// v may be a itself (in's accumulation); each row reads a's state before writing it.
	if v != a {
		v.reset(TypeBool, rows)
	}
	for i := 0; i < rows; i++ {
		aOK, bOK := a.valid(i), b.valid(i)
		var aDecides, bDecides bool
		if aOK {
			aDecides = a.b[i] == or
		}
		if bOK {
			bDecides = b.b[i] == or
		}
		switch {
		case aDecides || bDecides:
			if v.masked {
				v.mask[i] = 0
			}
			v.b[i] = or
		case aOK && bOK:
			v.b[i] = !or
		case a.isErr(i):
			if v != a {
				v.copyRow(TypeBool, i, a, i)
			}
		case b.isErr(i):
			v.copyRow(TypeBool, i, b, i)
		default:
			v.useMask()
			v.mask[i] = maskNull
		}
	}
	if v != a {
		return
	}
	// Rows a decided as errors may have been overruled by a later true: drop their errs.
	kept := v.errs[:0]
	for _, e := range v.errs {
		if v.mask[e.row]&maskErr != 0 {
			kept = append(kept, e)
		}
	}
	v.errs = kept
}

func broadcast(v *vec, t Type, k *vec, rows int) {
	v.reset(t, rows)
	if k.masked && k.mask[0] != 0 {
		v.useMask()
		for i := range v.mask {
			v.mask[i] = k.mask[0]
		}
		return
	}
	switch t {
	case TypeInt, TypeDate, TypeTimestamp:
		for i := range v.i64 {
			v.i64[i] = k.i64[0]
		}
	case TypeFloat:
		for i := range v.f64 {
			v.f64[i] = k.f64[0]
		}
	case TypeBool:
		for i := range v.b {
			v.b[i] = k.b[0]
		}
	case TypeString, TypeText:
		for i := range v.s {
			v.s[i] = k.s[0]
		}
	}
}

// loadText views an input column as text: a string column without copying, any other
// (typed input from an earlier stage) formatted as the writers would.
func (ev *Evaluator) loadText(v *vec, col arrow.Array, rows int, pick []int32) {
	v.reset(TypeText, rows)
	v.maskNulls(col, pick)
	if sa, ok := col.(*array.String); ok {
		offs := sa.ValueOffsets()
		data := sa.ValueBytes()
		base := offs[0]
		for i := range v.s {
			r := i
			if pick != nil {
				r = int(pick[i])
			}
			lo, hi := offs[r]-base, offs[r+1]-base
			if hi > lo {
				v.s[i] = unsafe.String(&data[lo], hi-lo)
			} else {
				v.s[i] = ""
			}
		}
		return
	}
	app, err := table.NewAppender(col)
	if err != nil {
		for i := range v.s {
			v.fail(i, "", "", err.Error())
		}
		return
	}
	for i := range v.s {
		r := i
		if pick != nil {
			r = int(pick[i])
		}
		start := len(ev.arena.buf)
		ev.arena.buf = app(ev.arena.buf, r)
		v.s[i] = ev.arena.keep(start)
	}
}

// Apply evaluates the assignments and the filters over one chunk. Filters that read no
// assigned column run first, as SQL's WHERE before its SELECT (Program.whereFirst):
// the assignments are computed only for the rows they keep, so a row they drop cannot
// fail an assignment. Otherwise the assignments run first, over every row. With
// OnErrorFail the first failing row (lowest row of the chunk) is returned as a
// *RowError; otherwise the failing rows are dropped or nulled and all their errors
// returned.
func (ev *Evaluator) Apply(c *table.Chunk) (*table.Chunk, []RowError, error) {
	p := ev.p
	rows := c.NumRows()
	ev.cur++
	ev.rows, ev.chunk, ev.pick = rows, c, nil
	ev.arena.buf = ev.arena.buf[:0]
	ev.out.begin()
	ev.drop = grow(ev.drop, rows)
	clear(ev.drop)
	if int(c.Batch.NumCols()) != len(p.input) {
		return nil, nil, fmt.Errorf("%s: chunk has %d columns, the expressions were compiled for %d", c.Source.File, c.Batch.NumCols(), len(p.input))
	}

	var rowErrs []RowError
	var first *RowError
	firstRow := -1
	report := func(v *vec, column, step string) {
		for _, e := range v.errs {
			i := ev.row(int(e.row))
			if ev.drop[i] {
				continue
			}
			re := ev.rowError(c, i, e, column)
			re.Expr = step
			if p.opts.OnError == OnErrorFail {
				if firstRow < 0 || i < firstRow {
					first, firstRow = &re, i
				}
				continue
			}
			rowErrs = append(rowErrs, re)
			if p.opts.OnError == OnErrorSkip {
				ev.drop[i] = true
			}
		}
		// Later steps see a failed value as null.
		for _, e := range v.errs {
			v.mask[e.row] = maskNull
		}
		v.errs = v.errs[:0]
	}
	assign := func() {
		for _, a := range p.assigns {
			v := ev.eval(a.root)
			if len(v.errs) > 0 {
				report(v, a.target, "--expr "+a.target)
			}
		}
	}
	filter := func() {
		for _, w := range p.wheres {
			v := ev.eval(w.root)
			if len(v.errs) > 0 {
				report(v, "--where", "--where "+strings.TrimSpace(w.src))
			}
			// Without branches on the values: a filter's outcome is as good as random
			// to the branch predictor, whose misses would cost more than the test.
			keep, drop := v.b[:rows], ev.drop[:rows]
			if v.masked {
				mask := v.mask[:rows]
				for i := range drop {
					drop[i] = b2i(drop[i])|b2i(!keep[i])|b2i(mask[i] != 0) != 0
				}
			} else {
				for i := range drop {
					drop[i] = b2i(drop[i])|b2i(!keep[i]) != 0
				}
			}
		}
	}
	if p.whereFirst {
		filter()
		if pick := keptRows(ev.drop[:rows], &ev.pickBuf); len(pick) < rows {
			// The vectors now hold the kept rows only: a new generation, whose eval
			// gathers the kept rows of a vector the filters computed (ev.cur-1).
			ev.cur++
			ev.pick, ev.rows = pick, len(pick)
		}
		assign()
	} else {
		assign()
		filter()
	}
	if first != nil {
		return nil, nil, first
	}

	sel := keptRows(ev.drop[:rows], &ev.sel)
	if len(sel) == rows {
		sel = nil // every row; a chunk that keeps none has an empty, non-nil sel
	}
	vecSel := sel
	if ev.pick != nil {
		// The assigned vectors hold the rows of pick: keep those that no error dropped.
		vecSel = ev.vecSel[:0]
		for k, r := range ev.pick {
			if !ev.drop[r] {
				vecSel = append(vecSel, int32(k))
			}
		}
		ev.vecSel = vecSel
		if len(vecSel) == len(ev.pick) {
			vecSel = nil
		}
	}
	out, err := ev.build(c, sel, vecSel)
	return out, rowErrs, err
}

// keptRows lists the rows that drop does not mark, in buf's storage.
func keptRows(drop []bool, buf *[]int32) []int32 {
	// Every row index is written, and the length advances past the kept ones only.
	sel := grow(*buf, len(drop))
	kept := 0
	for i, d := range drop {
		sel[kept] = int32(i)
		kept += b2i(!d)
	}
	*buf = sel
	return sel[:kept]
}

// Recycle tells the evaluator that nothing references the last chunk Apply returned,
// nor any chunk made from its arrays, any more: its buffers serve the next chunk.
func (ev *Evaluator) Recycle() { ev.out.recycle() }

// rowError describes error e of the chunk's row.
func (ev *Evaluator) rowError(c *table.Chunk, row int, e cellErr, column string) RowError {
	line := c.Row0 + int64(row)
	if row < len(c.Lines) {
		line = c.Lines[row]
	}
	if e.column != "" {
		column = e.column
	}
	return RowError{File: c.Source.File, Sheet: c.Source.Sheet, Line: line, Column: column,
		Value: strings.Clone(e.value), Message: e.message}
}

// build assembles the output chunk: the rows in sel (nil: all rows), the input columns
// not assigned as they were, the assigned ones from their vectors, whose rows vecSel
// selects (nil: all their rows; vectors that hold every row of the chunk take sel).
func (ev *Evaluator) build(c *table.Chunk, sel, vecSel []int32) (*table.Chunk, error) {
	p := ev.p
	n := c.NumRows()
	if sel != nil {
		n = len(sel)
	}
	cols := make([]arrow.Array, len(p.buildFrom))
	fields := make([]arrow.Field, len(p.buildFrom))
	// A filtered chunk whose columns begin with the input's keeps the raw rows of the
	// rows it keeps. When the reader already left values out of plain rows, which it
	// does only for a writer that copies them, the input columns are taken for the
	// other rows only: the writer reads nothing else of them.
	// The raw rows may cover only the first of the input columns (a lookup added the
	// others): those are the ones taken as the raw rows' columns.
	keepRaw := sel != nil && c.Raw != nil && p.passesInput() && c.RawCovers()
	rawCols := 0
	if keepRaw {
		rawCols = len(c.Raw.Columns)
	}
	var plainRows []uint64
	if keepRaw && c.Raw.Sparse != nil {
		plainRows = c.Raw.Plain
	}
	defer func() {
		for _, a := range cols {
			if a != nil {
				a.Release()
			}
		}
	}()
	for j, from := range p.buildFrom {
		var col arrow.Array
		if from >= 0 {
			col = c.Batch.Column(from)
			switch sa, isString := col.(*array.String); {
			case sel == nil:
				col.Retain()
			case isString && j < rawCols && plainRows != nil:
				col = takeStrings(&ev.out, sa, sel, plainRows)
			case isString:
				col = takeStrings(&ev.out, sa, sel, nil)
			default:
				t, err := ev.loadNatural(&ev.scratch, col)
				if err != nil {
					return nil, err
				}
				col = toArrow(&ev.out, &ev.scratch, t, sel, n)
			}
		} else {
			root := p.assigns[-1-from].root
			if root.op == opInput && sel == nil {
				col = c.Batch.Column(root.col)
				col.Retain()
			} else {
				col = toArrow(&ev.out, ev.eval(root), root.typ, vecSel, n)
			}
		}
		cols[j] = col
		fields[j] = arrow.Field{Name: p.buildNames[j], Type: col.DataType(), Nullable: true}
	}
	out := &table.Chunk{Source: c.Source, Row0: c.Row0, Lines: c.Lines}
	if sel == nil && p.passesInput() {
		// The input columns are c's arrays: its raw rows (a lookup's filtered ones,
		// say) still describe them.
		out.Raw = c.Raw
	}
	if sel != nil {
		var lines []int64
		if c.Lines != nil {
			lines = words[int64](&ev.out, len(sel))
		}
		out.Row0, out.Lines = c.NumbersOf(sel, lines)
		if keepRaw {
			out.Raw = c.Raw.Take(cols[:rawCols], sel, plainRows != nil)
		}
	}
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, int64(n))
	return out, nil
}

// passesInput reports whether the columns an evaluator builds begin with the input
// columns, unchanged and in order.
func (p *Program) passesInput() bool {
	if len(p.buildFrom) < len(p.input) {
		return false
	}
	for j := range p.input {
		if p.buildFrom[j] != j {
			return false
		}
	}
	return true
}

// loadTyped reads a typed input column (from an earlier stage) straight into the
// vector of a conversion node, instead of formatting it as text and parsing it back.
func (ev *Evaluator) loadTyped(v *vec, n *node) bool {
	if n.kernel == nil || len(n.args) != 1 {
		return false
	}
	col := ev.chunk.Batch.Column(n.args[0].col)
	switch a := col.(type) {
	case *array.Float64:
		if n.typ != TypeFloat {
			return false
		}
		v.reset(TypeFloat, ev.rows)
		pickInto(v.f64, a.Float64Values(), ev.pick, func(x float64) float64 { return x })
	case *array.Int64:
		switch n.typ {
		case TypeFloat:
			v.reset(TypeFloat, ev.rows)
			pickInto(v.f64, a.Int64Values(), ev.pick, func(x int64) float64 { return float64(x) })
		case TypeInt:
			v.reset(TypeInt, ev.rows)
			pickInto(v.i64, a.Int64Values(), ev.pick, func(x int64) int64 { return x })
		default:
			return false
		}
	case *array.Boolean:
		if n.typ != TypeBool {
			return false
		}
		v.reset(TypeBool, ev.rows)
		for i := range v.b {
			v.b[i] = a.Value(ev.row(i))
		}
	case *array.Date32:
		if n.typ != TypeDate && n.typ != TypeTimestamp {
			return false
		}
		v.reset(n.typ, ev.rows)
		scale := int64(1)
		if n.typ == TypeTimestamp {
			scale = microsPerDay
		}
		pickInto(v.i64, a.Date32Values(), ev.pick, func(d arrow.Date32) int64 { return int64(d) * scale })
	case *array.Timestamp:
		if n.typ != TypeTimestamp || a.DataType().(*arrow.TimestampType).Unit != arrow.Microsecond {
			return false
		}
		v.reset(TypeTimestamp, ev.rows)
		pickInto(v.i64, a.TimestampValues(), ev.pick, func(t arrow.Timestamp) int64 { return int64(t) })
	default:
		return false
	}
	v.maskNulls(col, ev.pick)
	return true
}

// row is the chunk row that row i of the vectors holds.
func (ev *Evaluator) row(i int) int {
	if ev.pick == nil {
		return i
	}
	return int(ev.pick[i])
}

// pickInto sets dst[i] to conv(src[pick[i]]) (src[i] for a nil pick), for every i of dst.
func pickInto[S, D any](dst []D, src []S, pick []int32, conv func(S) D) {
	if pick == nil {
		for i, x := range src[:len(dst)] {
			dst[i] = conv(x)
		}
		return
	}
	for i, r := range pick[:len(dst)] {
		dst[i] = conv(src[r])
	}
}

// parseInput reads a text input column as numbers straight into the vector of its
// number_from_text node: kTextToFloat's work, from the column's bytes, without first
// making a string per cell for an input vector that nothing else may read.
func (ev *Evaluator) parseInput(v *vec, n *node) bool {
	col, ok := ev.chunk.Batch.Column(n.args[0].col).(*array.String)
	if !ok || n.kname != conversions[convKey{TypeText, TypeFloat}].name {
		return false
	}
	v.reset(TypeFloat, ev.rows)
	v.maskNulls(col, ev.pick)
	offs, data := col.ValueOffsets(), col.ValueBytes()
	base := offs[0]
	for i := range v.f64 {
		if !v.valid(i) {
			continue
		}
		r := ev.row(i)
		lo, hi := offs[r]-base, offs[r+1]-base
		var s string
		if hi > lo {
			s = unsafe.String(&data[lo], hi-lo)
		}
		// The fast paths first, without the calls around them: parseNumber would
		// take the same paths after its checks for spaces and a sign.
		var f float64
		var ok bool
		if len(s) >= 8 {
			f, ok = parsePlainDecimal(s)
		} else {
			f, ok = shortDecimal(s)
		}
		if ok {
			v.f64[i] = f
			continue
		}
		parseFloatCell(n, v, i, s)
	}
	return true
}

// b2i is 1 for true, 0 for false: a flag the compiler moves into a register, not a
// branch.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// takeStrings copies rows sel (strictly ascending, as keptRows lists them) of a string
// column into a new one in buffers from o, leaving empty the rows whose bit is set in
// skip (nil: none).
func takeStrings(o *outBufs, a *array.String, sel []int32, skip []uint64) arrow.Array {
	offs, data := a.ValueOffsets(), a.ValueBytes()
	base := offs[0]
	// The values of the rows in sel lie in data between the first's start and the
	// last's end: a bound for the buffer that costs no pass over sel. The slack past
	// it lets a short value be copied as one 16-byte word: most cells (ids, names,
	// codes) are short, and a call to memmove per cell was most of the copy's time.
	size := 0
	if len(sel) > 0 {
		size = int(offs[sel[len(sel)-1]+1] - offs[sel[0]])
	}
	buf := o.bytes(size + shortCopy)
	out := o.int32s(len(sel) + 1)
	out[0] = 0
	if skip == nil && a.NullN() == 0 {
		// The common case in a loop of its own: no test per value but its length.
		pos, ends := 0, out[1:]
		for k := 0; ; k++ {
			if k, pos = takeShort(buf, data, offs, base, sel, ends, k, pos); k == len(sel) {
				return table.StringColumn(buf[:pos], out, nil, 0)
			}
			i := sel[k]
			lo, hi := int(offs[i]-base), int(offs[i+1]-base)
			pos += copy(buf[pos:], data[lo:hi])
			ends[k] = int32(pos)
		}
	}
	pos := 0
	var valid []byte
	nulls := 0
	if a.NullN() > 0 {
		valid = o.bitmap(len(sel))
	}
	for k, i := range sel {
		skipped := skip != nil && skip[i>>6]&(1<<(i&63)) != 0
		if !skipped {
			lo, hi := int(offs[i]-base), int(offs[i+1]-base)
			if hi-lo <= shortCopy && lo+shortCopy <= len(data) {
				*(*[shortCopy]byte)(buf[pos : pos+shortCopy]) = *(*[shortCopy]byte)(data[lo : lo+shortCopy])
			} else {
				copy(buf[pos:], data[lo:hi])
			}
			pos += hi - lo
		}
		out[k+1] = int32(pos)
		if valid != nil {
			if !skipped && a.IsNull(int(i)) {
				nulls++
			} else {
				bitutil.SetBit(valid, k)
			}
		}
	}
	return table.StringColumn(buf[:pos], out, valid, nulls)
}

// takeShort is takeStrings' loop over the values of rows sel[k:] of data (offsets offs,
// less base) that it can copy as one shortCopy-byte word: it copies them to buf from pos
// and their ends to ends, and returns at the first it cannot, or the end, with the pos
// reached. Out of takeStrings, where the call that copies a longer value made the loop
// keep its counters on the stack, storing and reloading them for every value.
func takeShort(buf, data []byte, offs []int32, base int32, sel, ends []int32, k, pos int) (int, int) {
	for ; k < len(sel); k++ {
		i := sel[k]
		lo, hi := int(offs[i]-base), int(offs[i+1]-base)
		if hi-lo > shortCopy || lo+shortCopy > len(data) || pos+shortCopy > len(buf) {
			return k, pos
		}
		*(*[shortCopy]byte)(buf[pos:]) = *(*[shortCopy]byte)(data[lo:])
		pos += hi - lo
		ends[k] = int32(pos)
	}
	return k, pos
}

// shortCopy is the size of the word takeStrings copies a short value with.
const shortCopy = 16

// loadNatural reads an input column into a vector of its own type, to filter it.
func (ev *Evaluator) loadNatural(v *vec, col arrow.Array) (Type, error) {
	rows := col.Len()
	var t Type
	switch a := col.(type) {
	case *array.String:
		ev.loadText(v, col, rows, nil)
		return TypeString, nil
	case *array.Int64:
		t = TypeInt
		v.reset(t, rows)
		copy(v.i64, a.Int64Values())
	case *array.Float64:
		t = TypeFloat
		v.reset(t, rows)
		copy(v.f64, a.Float64Values())
	case *array.Boolean:
		t = TypeBool
		v.reset(t, rows)
		for i := range v.b {
			v.b[i] = a.Value(i)
		}
	case *array.Date32:
		t = TypeDate
		v.reset(t, rows)
		for i, d := range a.Date32Values() {
			v.i64[i] = int64(d)
		}
	case *array.Timestamp:
		t = TypeTimestamp
		v.reset(t, rows)
		for i, d := range a.TimestampValues() {
			v.i64[i] = int64(d)
		}
	case *array.Null:
		t = TypeString
		v.reset(t, rows)
	default:
		return 0, fmt.Errorf("internal error: cannot filter a column of type %s", col.DataType())
	}
	v.maskNulls(col, nil)
	return t, nil
}

// toArrow copies rows sel (nil: all) of v into an Arrow array of type t, in buffers
// from o: the chunk outlives this evaluator's scratch.
func toArrow(o *outBufs, v *vec, t Type, sel []int32, n int) arrow.Array {
	idx := func(k int) int {
		if sel == nil {
			return k
		}
		return int(sel[k])
	}
	var validBuf *memory.Buffer
	nulls := 0
	if v.masked {
		bits := o.bitmap(n)
		for k := 0; k < n; k++ {
			if v.mask[idx(k)] == 0 {
				bitutil.SetBit(bits, k)
			} else {
				nulls++
			}
		}
		if nulls > 0 {
			validBuf = memory.NewBufferBytes(bits)
		}
	}
	var data arrow.ArrayData
	switch t {
	case TypeInt:
		vals := words[int64](o, n)
		for k := range vals {
			vals[k] = v.i64[idx(k)]
		}
		data = array.NewData(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}, nil, nulls, 0)
	case TypeFloat:
		vals := words[float64](o, n)
		for k := range vals {
			vals[k] = v.f64[idx(k)]
		}
		data = array.NewData(arrow.PrimitiveTypes.Float64, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(arrow.Float64Traits.CastToBytes(vals))}, nil, nulls, 0)
	case TypeDate:
		vals := o.int32s(n)
		for k := range vals {
			vals[k] = int32(v.i64[idx(k)])
		}
		data = array.NewData(arrow.FixedWidthTypes.Date32, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(arrow.Int32Traits.CastToBytes(vals))}, nil, nulls, 0)
	case TypeTimestamp:
		vals := words[int64](o, n)
		for k := range vals {
			vals[k] = v.i64[idx(k)]
		}
		data = array.NewData(timestampType, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(arrow.Int64Traits.CastToBytes(vals))}, nil, nulls, 0)
	case TypeBool:
		bits := o.bitmap(n)
		for k := 0; k < n; k++ {
			if v.b[idx(k)] {
				bitutil.SetBit(bits, k)
			}
		}
		data = array.NewData(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validBuf, memory.NewBufferBytes(bits)}, nil, nulls, 0)
	default: // strings and text
		size := 0
		for k := 0; k < n; k++ {
			if i := idx(k); v.valid(i) {
				size += len(v.s[i])
			}
		}
		buf := o.bytes(size)[:0]
		offs := o.int32s(n + 1)
		offs[0] = 0
		for k := 0; k < n; k++ {
			if i := idx(k); v.valid(i) {
				buf = append(buf, v.s[i]...)
			}
			offs[k+1] = int32(len(buf))
		}
		return table.StringColumn(buf, offs, validBits(validBuf), nulls)
	}
	defer data.Release()
	return array.MakeFromData(data)
}

func validBits(b *memory.Buffer) []byte {
	if b == nil {
		return nil
	}
	return b.Bytes()
}

// timestampType is microseconds without a zone, as table's conventions say.
var timestampType = &arrow.TimestampType{Unit: arrow.Microsecond}

func int32ToDate(days int64) arrow.Date32 { return arrow.Date32(days) }
