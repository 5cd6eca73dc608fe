package lookup

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Stage is the --lookup stage: each lookup in turn, in the order of the --lookup flags,
// a later one seeing the columns an earlier one added. It is streaming: every worker
// probes the same loaded tables, which are only read.
type Stage struct {
	joins   []*join
	inputs  int
	columns []transforms.Column
}

// join is one compiled lookup.
type join struct {
	path   string
	how    How
	inputs int // the columns of the chunks it receives
	// Per key: the input column it is, or -1 for a key expression, computed by program
	// as its built column computed[k].
	keyCols  []int
	computed []int
	program  *expr.Program
	ref      *loaded
	added    []string // the names of the columns it adds (none for an anti lookup)
}

// Compile checks every lookup against the columns of the chunks the stage receives
// and the references' headers (keys, --lookup-select, name clashes), then loads the
// references. Its errors are mistakes in the flags, but for the reading of a
// reference (whose errors are the reader's).
func Compile(refs []*Reference, columns []string, opts expr.Options) (*Stage, error) {
	s := &Stage{inputs: len(columns)}
	for j := range columns {
		s.columns = append(s.columns, transforms.Column{Name: columns[j], From: j})
	}
	names := columns
	for _, ref := range refs {
		j, added, err := compileJoin(ref, names, opts)
		if err != nil {
			return nil, err
		}
		s.joins = append(s.joins, j)
		for k, name := range added {
			s.columns = append(s.columns, transforms.Column{Name: name, From: -1, Type: j.ref.columns[k].typ})
		}
		names = append(names[:len(names):len(names)], added...)
	}
	return s, nil
}

func compileJoin(ref *Reference, names []string, opts expr.Options) (*join, []string, error) {
	spec := ref.Spec
	j := &join{path: spec.Path, how: spec.How, inputs: len(names)}
	pairs, err := expr.SplitTopLevel("--on", spec.On, ',')
	if err != nil {
		return nil, nil, err
	}
	var rightKeys []int
	var texts []string
	var parts []expr.Part
	for _, p := range pairs {
		sides, err := expr.SplitTopLevel("--on", p.Text, '=')
		if err != nil {
			return nil, nil, err
		}
		left, right := sides[0], sides[len(sides)-1]
		if len(sides) > 2 || strings.TrimSpace(left.Text) == "" || strings.TrimSpace(right.Text) == "" {
			return nil, nil, fmt.Errorf("--on %q: expected LEFT=RIGHT pairs separated by commas (the input's key, the reference's column), or KEY when both name it alike", spec.On)
		}
		rightName := plainName(right.Text)
		r, err := table.FindColumn(rightName, ref.Header)
		switch {
		case err != nil:
			return nil, nil, fmt.Errorf("--on: %s: %w", spec.Path, err)
		case r < 0:
			return nil, nil, fmt.Errorf("--on: %s: %w", spec.Path, table.UnknownColumnError(rightName, ref.Header))
		}
		rightKeys = append(rightKeys, r)
		leftName := plainName(left.Text)
		l, err := table.FindColumn(leftName, names)
		switch {
		case err != nil:
			return nil, nil, fmt.Errorf("--on: the input: %w", err)
		case l >= 0:
			j.keyCols = append(j.keyCols, l)
			j.computed = append(j.computed, -1)
			continue
		case isName(leftName):
			return nil, nil, fmt.Errorf("--on: the input: %w", table.UnknownColumnError(leftName, names))
		}
		j.keyCols = append(j.keyCols, -1)
		j.computed = append(j.computed, len(texts))
		texts = append(texts, "`"+hiddenKey(len(texts))+"` = "+left.Text)
		parts = append(parts, expr.Part{Text: left.Text, Pos: p.Pos + left.Pos})
	}
	if len(texts) > 0 {
		// A key that cannot be computed (int("abc")) matches nothing, whatever
		// --on-error says: skipping the row there would misalign the keys.
		keyOpts := opts
		if keyOpts.OnError == expr.OnErrorSkip {
			keyOpts.OnError = expr.OnErrorNull
		}
		prog, err := expr.Compile(texts, nil, names, keyOpts)
		if err != nil {
			return nil, nil, movedError(err, texts, names, keyOpts, spec.On, parts)
		}
		pick := make([]int, len(texts))
		for k := range pick {
			pick[k] = len(names) + k
		}
		j.program = prog.Project(pick, prog.Columns()[len(names):])
	}

	adds, err := addedColumns(spec, ref.Header, rightKeys)
	if err != nil {
		return nil, nil, err
	}
	added := make([]string, len(adds))
	taken := map[string]string{}
	for _, n := range names {
		taken[n] = "the input"
	}
	for k, c := range adds {
		added[k] = spec.Prefix + ref.Header[c]
		if by, ok := taken[added[k]]; ok {
			return nil, nil, fmt.Errorf("--lookup %s: its column %q would be added as %q, a column %s already has: give a --prefix (as --prefix %s) or leave it out with --lookup-select",
				spec.Path, ref.Header[c], added[k], by, suggestPrefix(spec.Path))
		}
		taken[added[k]] = "the --lookup " + spec.Path
	}
	if j.ref, err = ref.load(rightKeys, adds, spec.Dup); err != nil {
		return nil, nil, err
	}
	j.added = added
	return j, added, nil
}

// addedColumns are the reference columns a lookup adds: --lookup-select's, else every
// one but the right keys (their values are the input's keys); none for an anti lookup.
func addedColumns(spec Spec, header []string, rightKeys []int) ([]int, error) {
	if spec.How == HowAnti {
		return nil, nil
	}
	if spec.Select == nil {
		var adds []int
		for c := range header {
			if !contains(rightKeys, c) {
				adds = append(adds, c)
			}
		}
		return adds, nil
	}
	adds := make([]int, 0, len(spec.Select))
	for _, name := range spec.Select {
		c, err := table.FindColumn(name, header)
		if err != nil {
			return nil, fmt.Errorf("--lookup-select: %s: %w", spec.Path, err)
		}
		if c < 0 {
			return nil, fmt.Errorf("--lookup-select: %s: %w", spec.Path, table.UnknownColumnError(name, header))
		}
		if contains(adds, c) {
			return nil, fmt.Errorf("--lookup-select: %s: the column %q is named twice", spec.Path, header[c])
		}
		adds = append(adds, c)
	}
	return adds, nil
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// suggestPrefix proposes a prefix from a reference's file name: products.xlsx → products_.
func suggestPrefix(path string) string {
	base := path[strings.LastIndexAny(path, `/\`)+1:]
	if dot := strings.IndexByte(base, '.'); dot > 0 {
		base = base[:dot]
	}
	if !isName(base) {
		return "ref_"
	}
	return base + "_"
}

// plainName is a side of --on as a column name: without surrounding spaces, and
// without the backquotes that quote a name holding spaces or symbols.
func plainName(text string) string {
	text = strings.TrimSpace(text)
	if len(text) >= 2 && text[0] == '`' && text[len(text)-1] == '`' {
		return text[1 : len(text)-1]
	}
	return text
}

// isName reports whether text is written as a column name rather than an expression.
func isName(text string) bool {
	for i, r := range text {
		if !(unicode.IsLetter(r) || r == '_' || i > 0 && unicode.IsDigit(r)) {
			return false
		}
	}
	return text != ""
}

func hiddenKey(k int) string { return fmt.Sprintf("\x00key%d", k) }

// movedError moves a key expression's compile error back to the --on text it came from.
func movedError(err error, texts, names []string, opts expr.Options, on string, parts []expr.Part) error {
	for k, t := range texts {
		_, kerr := expr.Compile([]string{t}, nil, names, opts)
		var ce *expr.CompileError
		if kerr == nil {
			continue
		}
		if errors.As(kerr, &ce) && ce.Source == t {
			moved := *ce
			offset := parts[k].Pos - len("`"+hiddenKey(k)+"` = ")
			moved.Flag, moved.Source, moved.Pos = "--on", on, max(ce.Pos+offset, 0)
			return &moved
		}
		return fmt.Errorf("--on: %w", kerr)
	}
	return err
}

// Columns implements transforms.Stage: the input's columns, then each lookup's.
func (s *Stage) Columns() []transforms.Column { return s.columns }

// Reads implements transforms.Reader: the input columns that keys read.
func (s *Stage) Reads() []bool {
	reads := make([]bool, s.inputs)
	for _, j := range s.joins {
		for _, c := range j.keyCols {
			if c >= 0 && c < s.inputs {
				reads[c] = true
			}
		}
		if j.program != nil {
			for c, r := range j.program.Reads() {
				if r && c < s.inputs {
					reads[c] = true
				}
			}
		}
	}
	return reads
}

// Explain describes each lookup for --explain.
func (s *Stage) Explain() string {
	var b strings.Builder
	for _, j := range s.joins {
		how := [...]string{"left", "inner", "anti"}[j.how]
		fmt.Fprintf(&b, "%s lookup in %s: %d rows, %d keys\n", how, j.path, j.ref.rows, j.ref.table.len())
	}
	return b.String()
}

// NewWorker implements transforms.Streaming.
func (s *Stage) NewWorker() transforms.StreamWorker {
	w := &worker{s: s, evs: make([]*expr.Evaluator, len(s.joins))}
	for k, j := range s.joins {
		if j.program != nil {
			w.evs[k] = j.program.NewEvaluator()
		}
	}
	return w
}

// worker is one worker's instance: scratch buffers for keys and row numbers.
type worker struct {
	s     *Stage
	evs   []*expr.Evaluator
	key   []byte
	words []uint64 // probeText's integer keys
	idx   []int32
	sel   []int32
	arena arena
}

func (w *worker) Recycle() {
	w.arena.recycle()
	for _, ev := range w.evs {
		if ev != nil {
			ev.Recycle()
		}
	}
}

func (w *worker) Apply(c *table.Chunk) (*table.Chunk, []expr.RowError, error) {
	w.arena.forget() // not recycled since the last chunk: kept
	var rowErrs []expr.RowError
	for k, j := range w.s.joins {
		keys := make([]arrow.Array, len(j.keyCols))
		if ev := w.evs[k]; ev != nil {
			computed, errs, err := ev.Apply(c)
			if err != nil {
				return nil, nil, err
			}
			rowErrs = append(rowErrs, errs...)
			for i, b := range j.computed {
				if b >= 0 {
					keys[i] = computed.Batch.Column(b)
				}
			}
		}
		for i, col := range j.keyCols {
			if col >= 0 {
				keys[i] = c.Batch.Column(col)
			}
		}
		out, err := w.join(j, c, keys)
		if err != nil {
			return nil, nil, err
		}
		c = out
	}
	return c, rowErrs, nil
}

// join finds each row's reference row and builds the chunk the lookup makes of c.
func (w *worker) join(j *join, c *table.Chunk, keys []arrow.Array) (*table.Chunk, error) {
	n := c.NumRows()
	idx, err := w.probe(j, keys, n)
	if err != nil {
		return nil, err
	}
	var sel []int32 // nil: every row
	if j.how != HowLeft {
		kept := w.sel[:0]
		for i, r := range idx {
			if (r >= 0) == (j.how == HowInner) {
				kept = append(kept, int32(i))
			}
		}
		w.sel = kept
		if len(kept) < n { // else the chunk's columns as they are
			sel = kept
			if sel == nil {
				sel = []int32{}
			}
			matched := idx[:0]
			for _, i := range sel {
				matched = append(matched, idx[i])
			}
			idx = matched
		}
	}
	return buildChunk(&w.arena, c, sel, j.ref.columns[:len(j.added)], j.added, idx, j.inputs)
}

// probe returns, per row of the chunk, the reference row its key finds, or -1.
func (w *worker) probe(j *join, keys []arrow.Array, n int) ([]int32, error) {
	if cap(w.idx) < n {
		w.idx = make([]int32, n)
	}
	if s, ok := keys[0].(*array.String); ok && len(keys) == 1 {
		return w.probeText(j.ref.table, s, w.idx[:n]), nil
	}
	readers := make([]keyColumn, len(keys))
	for k, col := range keys {
		var err error
		if readers[k], err = newKeyColumn(col); err != nil {
			return nil, err
		}
	}
	idx := w.idx[:n]
	t := j.ref.table
	key := w.key
	for i := range n {
		key = key[:0]
		ok := true
		for _, read := range readers {
			if key, ok = read(key, i); !ok {
				break
			}
		}
		idx[i] = -1
		if ok {
			idx[i] = t.find(key)
		}
	}
	w.key = key
	return idx, nil
}

// probeText is probe for one key column of text, the usual id read from a CSV: its
// plain integers are read first, then found in one tight loop, whose loads of the table
// (which stays in no core's cache) the processor overlaps, where finding each row as it
// is read left one load in flight at a time. Other values take appendTextKey's way.
func (w *worker) probeText(t *keyTable, col *array.String, idx []int32) []int32 {
	const pending = -2 // a plain integer, in w.words, not yet found
	words := w.words[:0]
	if cap(words) < len(idx) {
		words = make([]uint64, len(idx))
	}
	words = words[:len(idx)]
	key := w.key
	for i := range idx {
		if col.IsNull(i) {
			idx[i] = -1
			continue
		}
		v := col.Value(i)
		if n, ok := plainInt(v); ok {
			words[i], idx[i] = uint64(n), pending
			continue
		}
		var ok bool
		idx[i] = -1
		if key, ok = appendTextKey(key[:0], v); ok {
			idx[i] = t.find(key)
		}
	}
	w.key, w.words = key, words
	if d := &t.words; d.sequential {
		for i, k := range words {
			if idx[i] == pending {
				idx[i] = -1
				if k -= d.base; k < d.span {
					idx[i] = d.row0 + int32(k)
				}
			}
		}
		return idx
	}
	if d := &t.words; d.dense != nil {
		for i, k := range words {
			if idx[i] == pending {
				idx[i] = -1
				if k -= d.base; k < uint64(len(d.dense)) {
					idx[i] = d.dense[k]
				}
			}
		}
		return idx
	}
	for i, k := range words {
		if idx[i] == pending {
			idx[i] = t.words.find(k)
		}
	}
	return idx
}
