package aggregate

import (
	"errors"
	"fmt"
	"hash/maphash"
	"sort"
	"strings"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Stage is the group-by and aggregation barrier stage (transforms.Barrier).
type Stage struct {
	program *expr.Program // the keys, then each aggregate's argument, as built columns
	keys    []compiledKey
	aggs    []compiledAgg
	// states are the aggregates whose state a partial keeps: sum and mean, variance
	// and stddev, of one argument share theirs.
	states  []*compiledAgg
	columns []transforms.Column
	inputs  int // columns of the chunks consumed
	keyMode keyMode
	hash    hasher
	onError expr.OnError
	// built names each column the program builds by the flag and output column it
	// computes, for row errors: "--agg revenue".
	built []string
}

// colRef is where a key or argument is read from: a column of the consumed chunk as
// it is (a plain column reference: no evaluation, no copy), or a column the program
// builds. Both are -1 for count().
type colRef struct{ input, built int }

type compiledKey struct {
	col  colRef
	name string
	typ  expr.Type // static type
	phys physKind
}

// compiledAgg is one aggregate of --agg, checked.
type compiledAgg struct {
	name    string
	fn      *aggFunc
	col     colRef    // its argument
	state   int       // its state among the stage's (aggregates may share one)
	argType expr.Type // the argument's static type
	argName string    // the argument when it is a plain column, for data errors
	family  family    // which kernels consume its argument
	result  expr.Type
	q       float64 // quantile, approx_quantile
	sep     string  // string_agg
	hash    hasher  // the stage's
	// textExtremes, on the aggregate whose state min and max of one text column share:
	// bit 0 min is asked, bit 1 max.
	textExtremes uint8
}

// hidden is the name of the k-th column the stage computes: no header holds a NUL.
func hidden(k int) string { return fmt.Sprintf("\x00%d", k) }

// Compile checks --group-by and the --agg texts against the columns of the chunks the
// stage consumes and returns the stage. Every error is a usage error, before any data.
func Compile(groupBy string, aggs []string, names []string, opts expr.Options) (*Stage, error) {
	return CompileTyped(groupBy, aggs, names, nil, opts)
}

// CompileTyped is Compile for chunks whose columns have static types: inputTypes[j] is
// column j's (expr.TypeText for input cells), as an earlier stage computed it, so that
// max(total) of a float column is a float column of the output, not text. nil means
// every column is text.
func CompileTyped(groupBy string, aggs []string, names []string, inputTypes []expr.Type, opts expr.Options) (*Stage, error) {
	return CompileCells(groupBy, aggs, names, inputTypes, nil, opts)
}

// CompileCells is CompileTyped knowing what the text cells of the input columns hold:
// cellTypes[j] is the type inferred from a sample of column j's cells (expr.TypeInt for
// a column of integers; expr.TypeText, or nil, when unknown). sum(x) of a column of
// integer cells is then an int column, as sum(int(x)) is. The aggregates that return
// one of their argument's values (min, max, first, last, mode) of a plain column pass
// that column's values on (transforms.Column.From), so a typed output gives them the
// column's own type, as it does a --group-by key.
func CompileCells(groupBy string, aggs []string, names []string, inputTypes, cellTypes []expr.Type, opts expr.Options) (*Stage, error) {
	keys, err := parseGroupBy(groupBy)
	if err != nil {
		return nil, err
	}
	var specs []aggSpec
	for _, text := range aggs {
		items, err := parseAggs(text)
		if err != nil {
			return nil, err
		}
		specs = append(specs, items...)
	}
	if len(specs) == 0 && len(keys) == 0 {
		return nil, errors.New("--agg: no aggregate given; write --agg 'NAME = FUNC(EXPR)', as in --agg 'n = count()'")
	}
	st := &Stage{hash: hasher{maphash.MakeSeed()}, onError: opts.OnError, inputs: len(names)}

	// One program computes every key and argument: each is an assignment to a hidden
	// column, and the errors are moved back to the flag text they came from.
	type origin struct {
		flag, src string
		offset    int // where the expression starts in src
	}
	var texts []string
	var origins []origin
	// ref reads a plain column reference from the chunk; anything else is computed.
	ref := func(p expr.Part, flag, src string) (colRef, error) {
		if name, n, quoted := leadingName(p.Text); n == len(p.Text) && (quoted || !rowContext[name]) {
			i, err := table.FindColumn(name, names)
			if err != nil {
				return colRef{}, fmt.Errorf("%s: %w", flag, err)
			}
			if i < 0 {
				return colRef{}, fmt.Errorf("%s: %w", flag, table.UnknownColumnError(name, names))
			}
			return colRef{input: i, built: -1}, nil
		}
		k := len(texts)
		texts = append(texts, "`"+hidden(k)+"` = "+p.Text)
		st.built = append(st.built, flag)
		origins = append(origins, origin{flag, src, p.Pos})
		return colRef{input: -1, built: k}, nil
	}
	seen := map[string]string{}
	claim := func(name, flag string) error {
		if prev, ok := seen[strings.ToLower(name)]; ok {
			return fmt.Errorf("%s: the output column %q is named twice (also by %s); give it another name", flag, name, prev)
		}
		seen[strings.ToLower(name)] = flag
		return nil
	}
	for _, k := range keys {
		col, err := ref(k.expr, "--group-by", groupBy)
		if err != nil {
			return nil, err
		}
		name := k.name
		if col.input >= 0 && !k.named {
			name = names[col.input] // a plain key is named as its column
		}
		if err := claim(name, "--group-by"); err != nil {
			return nil, err
		}
		if col.built >= 0 {
			st.built[col.built] += " " + name
		}
		st.keys = append(st.keys, compiledKey{col: col, name: name})
		st.columns = append(st.columns, transforms.Column{Name: name, From: col.input})
	}
	for _, s := range specs {
		fn, ok := aggFuncs[strings.ToLower(s.fn)]
		if !ok {
			msg := fmt.Sprintf("unknown aggregate %s", s.fn)
			if near := table.Suggest(s.fn, aggNames()); near != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			} else {
				msg += "; the aggregates are " + strings.Join(aggNames(), ", ")
			}
			return nil, errAt("--agg", s.src, s.fnPos, "%s", msg)
		}
		if fn.name == "count" && len(s.args) == 1 && s.args[0].Text == "*" {
			s.args = nil // SQL's count(*): the rows
		}
		if len(s.args) < fn.minArgs || len(s.args) > fn.maxArgs {
			return nil, errAt("--agg", s.src, s.fnPos, "%s takes %s", fn.name, fn.usage)
		}
		if err := claim(s.name, "--agg"); err != nil {
			return nil, err
		}
		a := compiledAgg{name: s.name, fn: fn, col: colRef{-1, -1}, hash: st.hash, q: 0.5}
		if len(s.args) > 0 {
			if a.col, err = ref(s.args[0], "--agg", s.src); err != nil {
				return nil, err
			}
			if a.col.input >= 0 {
				a.argName = names[a.col.input]
			} else {
				st.built[a.col.built] += " " + a.name
			}
		}
		if len(s.args) == 2 {
			lit, ok := expr.Literal(s.args[1].Text)
			switch v := lit.(type) {
			case float64:
				if fn.literal != "q" || !ok || v < 0 || v > 1 {
					return nil, errAt("--agg", s.src, s.args[1].Pos, "%s takes %s", fn.name, fn.usage)
				}
				a.q = v
			case string:
				if fn.literal != "sep" {
					return nil, errAt("--agg", s.src, s.args[1].Pos, "%s takes %s", fn.name, fn.usage)
				}
				a.sep = v
			default:
				return nil, errAt("--agg", s.src, s.args[1].Pos, "%s takes %s: a literal here", fn.name, fn.usage)
			}
		}
		st.aggs = append(st.aggs, a)
	}

	// A row error in a key or argument nulls the value under --on-error skip too: the
	// row still counts where it can (count()), and rows stay aligned with the chunk's.
	progOpts := opts
	if progOpts.OnError == expr.OnErrorSkip {
		progOpts.OnError = expr.OnErrorNull
	}
	var types []expr.Type
	if len(texts) > 0 {
		prog, err := expr.Compile(texts, nil, names, progOpts)
		if err != nil {
			return nil, movedError(err, texts, names, progOpts, func(k int) (string, string, int) {
				return origins[k].flag, origins[k].src, origins[k].offset - len("`"+hidden(k)+"` = ")
			})
		}
		pick := make([]int, len(texts))
		for k := range pick {
			pick[k] = len(names) + k
		}
		st.program = prog.Project(pick, prog.Columns()[len(names):])
		types = st.program.BuiltTypes()
	}
	typeOf := func(c colRef) expr.Type {
		if c.built >= 0 {
			return types[c.built]
		}
		if t := inputType(inputTypes, c.input); t != expr.TypeText && t != expr.TypeNull {
			return t // computed by an earlier stage: arrays of that type
		}
		return expr.TypeText // a column of the chunk: text, or typed values read as cells
	}
	for k := range st.keys {
		t := typeOf(st.keys[k].col)
		st.keys[k].typ = t
		st.keys[k].phys = physOf(t)
		st.columns[k].Type = t
	}
	st.keyMode = modeOf(st.keys)
	shared := map[string]int{}
	for j := range st.aggs {
		a := &st.aggs[j]
		a.argType = typeOf(a.col)
		res, fam, err := a.fn.check(a.argType)
		if a.col.input < 0 && a.col.built < 0 {
			res, fam, err = expr.TypeInt, famCountRows, nil
		}
		if err != nil {
			s := specs[j]
			return nil, errAt("--agg", s.src, s.args[0].Pos, "%s(x) %s, got %s", a.fn.name, err, describeType(a.argType))
		}
		if fam == famSum && a.argType == expr.TypeText && inputType(cellTypes, a.col.input) == expr.TypeInt {
			res, _, _ = a.fn.check(expr.TypeInt) // integer cells: sum's int, mean's float
		}
		a.result, a.family = res, fam
		key := fmt.Sprint(a.family, a.col)
		textExtreme := fam == famExtreme && a.argType == expr.TypeText
		if fam != famSum && fam != famMoments && fam != famCountValid && !textExtreme {
			key += fmt.Sprint(" ", j) // a state of its own
		}
		if k, ok := shared[key]; ok {
			a.state = k
		} else {
			a.state = len(st.states)
			shared[key] = a.state
			st.states = append(st.states, a)
		}
		if textExtreme {
			st.states[a.state].textExtremes |= 1 << b2i(a.fn.name == "max")
		}
		from := -1
		if fam == famExtreme || fam == famPick || fam == famMode {
			from = a.col.input // one of the column's values, or -1 for a computed argument
		}
		st.columns = append(st.columns, transforms.Column{Name: a.name, From: from, Type: res})
	}
	return st, nil
}

// inputType is column j's static type in types; TypeText when types is nil or j is
// no column (count()).
func inputType(types []expr.Type, j int) expr.Type {
	if types == nil || j < 0 {
		return expr.TypeText
	}
	return types[j]
}

// rowContext are the names that mean the row's place, not a column, unless quoted.
var rowContext = map[string]bool{"_row": true, "_file": true, "_sheet": true}

// movedError finds which of texts failed to compile and moves a caret error to the flag
// text it came from; at(k) is text k's flag, that flag's text, and the offset to add.
func movedError(err error, texts, names []string, opts expr.Options, at func(k int) (string, string, int)) error {
	for k, t := range texts {
		_, err := expr.Compile([]string{t}, nil, names, opts)
		if err == nil {
			continue
		}
		flag, src, offset := at(k)
		var ce *expr.CompileError
		if errors.As(err, &ce) && ce.Source == t {
			moved := *ce
			moved.Flag, moved.Source, moved.Pos = flag, src, max(ce.Pos+offset, 0)
			return &moved
		}
		return fmt.Errorf("%s: %w", flag, err)
	}
	return err
}

func describeType(t expr.Type) string {
	if t == expr.TypeText {
		return "a column's text"
	}
	return "a " + t.String() + " value"
}

func aggNames() []string {
	names := make([]string, 0, len(aggFuncs))
	for n := range aggFuncs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Reads reports, per column of the chunks the stage consumes, whether the stage reads
// it: a reader may leave the others undecoded (csvfmt.Decoder.SkipColumns).
func (s *Stage) Reads() []bool {
	reads := make([]bool, s.inputs)
	if s.program != nil {
		copy(reads, s.program.Reads())
	}
	for _, k := range s.keys {
		if k.col.input >= 0 {
			reads[k.col.input] = true
		}
	}
	for _, a := range s.aggs {
		if a.col.input >= 0 {
			reads[a.col.input] = true
		}
	}
	return reads
}

// ReadsNumbers reports whether a key or an argument reads `_row` (transforms.Numbered).
// Otherwise a partial reads a chunk's row and line numbers only to name the rows of its
// errors, and orders rows by their chunk's seq: the runner may number its chunks late.
func (s *Stage) ReadsNumbers() bool {
	return s.program != nil && s.program.ReadsRowNumber()
}

// Columns are the keys, then the aggregates, named as given.
func (s *Stage) Columns() []transforms.Column {
	return append([]transforms.Column(nil), s.columns...)
}
