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

var sprintf = fmt.Sprintf

// Stage is the group-by and aggregation barrier stage (transforms.Barrier).
type Stage struct {
	program *expr.Program // the keys, then each aggregate's argument, as built columns
	keys    []compiledKey
	aggs    []compiledAgg
	columns []transforms.Column
	hash    hasher
	onError expr.OnError
}

type compiledKey struct {
	name string
	typ  expr.Type // static type
	phys physKind
}

// compiledAgg is one aggregate of --agg, checked.
type compiledAgg struct {
	name    string
	fn      *aggFunc
	col     int       // its argument's built column, or -1 for count()
	argType expr.Type // the argument's static type
	argName string    // the argument when it is a plain column, for data errors
	family  family    // which kernels consume its argument
	result  expr.Type
	q       float64 // quantile, approx_quantile
	sep     string  // string_agg
	hash    hasher  // the stage's
}

// hidden is the name of the k-th column the stage computes: no header holds a NUL.
func hidden(k int) string { return fmt.Sprintf("\x00%d", k) }

// Compile checks --group-by and the --agg texts against the columns of the chunks the
// stage consumes and returns the stage. Every error is a usage error, before any data.
func Compile(groupBy string, aggs []string, names []string, opts expr.Options) (*Stage, error) {
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
	st := &Stage{hash: hasher{maphash.MakeSeed()}, onError: opts.OnError}

	// One program computes every key and argument: each is an assignment to a hidden
	// column, and the errors are moved back to the flag text they came from.
	type origin struct {
		flag, src string
		offset    int // where the expression starts in src
	}
	var texts []string
	var origins []origin
	prefixLen := func(k int) int { return len("`" + hidden(k) + "` = ") }
	addExpr := func(p expr.Part, flag, src string) int {
		k := len(texts)
		texts = append(texts, "`"+hidden(k)+"` = "+p.Text)
		origins = append(origins, origin{flag, src, p.Pos})
		return k
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
		from := -1
		name := k.name
		if k.expr.Text == k.name || k.expr.Text == "`"+k.name+"`" {
			// A plain column key passes the column on; _file, _sheet and _row are computed.
			if k.name != "_file" && k.name != "_sheet" && k.name != "_row" || strings.HasPrefix(k.expr.Text, "`") {
				i, err := table.FindColumn(k.name, names)
				if err != nil {
					return nil, fmt.Errorf("--group-by: %w", err)
				}
				if i < 0 {
					return nil, fmt.Errorf("--group-by: %w", table.UnknownColumnError(k.name, names))
				}
				from, name = i, names[i]
			}
		}
		if err := claim(name, "--group-by"); err != nil {
			return nil, err
		}
		addExpr(k.expr, "--group-by", groupBy)
		st.keys = append(st.keys, compiledKey{name: name})
		st.columns = append(st.columns, transforms.Column{Name: name, From: from})
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
		if len(s.args) < fn.minArgs || len(s.args) > fn.maxArgs {
			return nil, errAt("--agg", s.src, s.fnPos, "%s takes %s", fn.name, fn.usage)
		}
		if err := claim(s.name, "--agg"); err != nil {
			return nil, err
		}
		a := compiledAgg{name: s.name, fn: fn, col: -1, hash: st.hash, q: 0.5}
		if len(s.args) > 0 {
			a.col = addExpr(s.args[0], "--agg", s.src)
			if name, n, _ := leadingName(s.args[0].Text); n == len(s.args[0].Text) {
				if i, _ := table.FindColumn(name, names); i >= 0 {
					a.argName = names[i]
				}
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

	prog, err := expr.Compile(texts, nil, names, opts)
	if err != nil {
		// Which text failed: each compiles on its own, none reads another's column.
		for k, t := range texts {
			_, err := expr.Compile([]string{t}, nil, names, opts)
			if err == nil {
				continue
			}
			o := origins[k]
			var ce *expr.CompileError
			if errors.As(err, &ce) && ce.Source == t {
				moved := *ce
				moved.Flag, moved.Source, moved.Pos = o.flag, o.src, max(ce.Pos-prefixLen(k), 0)+o.offset
				return nil, &moved
			}
			return nil, fmt.Errorf("%s: %w", o.flag, err)
		}
		return nil, err
	}
	pick := make([]int, len(texts))
	for k := range pick {
		pick[k] = len(names) + k
	}
	st.program = prog.Project(pick, prog.Columns()[len(names):])
	types := st.program.BuiltTypes()
	for k := range st.keys {
		st.keys[k].typ = types[k]
		st.keys[k].phys = physOf(types[k])
		st.columns[k].Type = types[k]
	}
	for j := range st.aggs {
		a := &st.aggs[j]
		if a.col >= 0 {
			a.argType = types[a.col]
		}
		res, fam, err := a.fn.check(a.argType)
		if a.col < 0 {
			res, fam, err = expr.TypeInt, famCountRows, nil
		}
		if err != nil {
			s := specs[j]
			return nil, errAt("--agg", s.src, s.args[0].Pos, "%s(x) %s, got %s", a.fn.name, err, describeType(a.argType))
		}
		a.result, a.family = res, fam
		st.columns = append(st.columns, transforms.Column{Name: a.name, From: -1, Type: res})
	}
	return st, nil
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

// Columns are the keys, then the aggregates, named as given.
func (s *Stage) Columns() []transforms.Column {
	return append([]transforms.Column(nil), s.columns...)
}
