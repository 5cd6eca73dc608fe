package expr

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/table"
)

// Parameters (`--param region=North`, referenced as `$region`) and environment variables
// (`env("REGION")`) let a script hand values to expressions without building the
// expression text by shell quoting. Both are constants of the whole run, looked up once
// at Compile: a parameter that was not given or a variable that is not set is a
// compile error with a caret, before any data is read.
//
// Their values are text like a cell's: read as a number, date or boolean where an
// operator or function needs one (`qty > $min`), compared by the rule two cells compare
// by, and null when empty.

// ParseParam splits one `--param NAME=VALUE` flag. NAME is an identifier as a bare
// column name is (letters, digits, _, not starting with a digit); VALUE is the rest of
// the text after the first '=', spaces and all.
func ParseParam(flag string) (name, value string, err error) {
	name, value, ok := strings.Cut(flag, "=")
	if !ok {
		return "", "", fmt.Errorf("--param %q: want NAME=VALUE", flag)
	}
	if !isIdentifier(name) {
		return "", "", fmt.Errorf("--param %q: the name %q must be letters, digits and _, not starting with a digit (it is written $NAME in expressions)", flag, name)
	}
	return name, value, nil
}

func isIdentifier(s string) bool {
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// param lexes `$NAME` at l.pos.
func (l *lexer) param() (token, error) {
	start := l.pos
	l.pos++
	for l.pos < len(l.src) {
		r, w := utf8.DecodeRuneInString(l.src[l.pos:])
		if r != '_' && !unicode.IsLetter(r) && (l.pos == start+1 || !unicode.IsDigit(r)) {
			break
		}
		l.pos += w
	}
	if l.pos == start+1 {
		return token{}, l.errAt(start, "$ must be followed by a parameter name, as in $region (given with --param region=VALUE)")
	}
	return token{kind: tParam, pos: start, text: l.src[start+1 : l.pos]}, nil
}

// param resolves `$NAME` to its --param value.
func (c *checker) param(a *ast) (*node, error) {
	value, ok := c.opts.Params[a.text]
	if !ok {
		hint := fmt.Sprintf("give it with --param %s=VALUE", a.text)
		names := make([]string, 0, len(c.opts.Params))
		for name := range c.opts.Params {
			names = append(names, name)
		}
		sort.Strings(names)
		if best := table.Suggest(a.text, names); best != "" {
			hint = fmt.Sprintf("did you mean $%s? %s", best, hint)
		}
		return nil, c.errAt(a.pos, "unknown parameter $%s (%s)", a.text, hint)
	}
	return c.textConst(value, a.pos), nil
}

// textConst is a constant that reads like a cell holding value: null when empty.
func (c *checker) textConst(value string, pos int) *node {
	if value == "" {
		return c.konst(TypeText, nullVec(TypeText), pos)
	}
	return c.konst(TypeText, stringVec(value), pos)
}

// checkEnv is env("NAME") and env("NAME", DEFAULT): the variable's value, looked up
// once; DEFAULT when it is not set, else a compile error.
func checkEnv(c *checker, a *ast, args []*node) (*node, error) {
	for k, x := range args {
		if x.op != opConst || !x.typ.isStringy() {
			return nil, c.errAt(x.pos, "env needs a text literal for argument %d, as in env(\"REGION\")", k+1)
		}
	}
	name := args[0].konst.s[0]
	lookup := c.opts.Getenv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	value, ok := lookup(name)
	switch {
	case ok:
	case len(args) == 2:
		value = args[1].konst.s[0]
	default:
		return nil, c.errAt(args[0].pos, "environment variable %s is not set (set it, or give a default: env(%q, \"VALUE\"))", name, name)
	}
	return c.textConst(value, a.pos), nil
}
