package aggregate

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/expr"
)

// keySpec is one --group-by item: a column, or NAME=EXPR.
type keySpec struct {
	name  string
	named bool      // NAME=EXPR
	expr  expr.Part // the expression's text and where it starts in the flag's text
}

// aggSpec is one --agg item: NAME = FUNC(ARG[, ARG]).
type aggSpec struct {
	name  string
	fn    string
	fnPos int         // of fn in src
	args  []expr.Part // the arguments' texts, trimmed, at their places in src
	src   string      // the whole --agg text, for messages
}

func errAt(flag, src string, pos int, format string, args ...any) error {
	return &expr.CompileError{Flag: flag, Source: src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// trimPart trims spaces around p, keeping Pos on its first byte.
func trimPart(p expr.Part) expr.Part {
	lead := len(p.Text) - len(strings.TrimLeftFunc(p.Text, unicode.IsSpace))
	return expr.Part{Text: strings.TrimRightFunc(p.Text[lead:], unicode.IsSpace), Pos: p.Pos + lead}
}

// leadingName reads the column name that p starts with, bare (price, _file) or
// `back-quoted`; n is its length in p.Text, 0 when p does not start with a name.
func leadingName(text string) (name string, n int, quoted bool) {
	if strings.HasPrefix(text, "`") {
		end := strings.IndexByte(text[1:], '`')
		if end <= 0 {
			return "", 0, false
		}
		return text[1 : 1+end], end + 2, true
	}
	for n < len(text) {
		r, w := utf8.DecodeRuneInString(text[n:])
		if !(r == '_' || unicode.IsLetter(r) || n > 0 && unicode.IsDigit(r)) {
			break
		}
		n += w
	}
	return text[:n], n, false
}

// assignmentSplit finds the `=` of NAME = REST at the start of p: the name, and REST at
// its place; ok is false when p does not start that way.
func assignmentSplit(p expr.Part) (name string, rest expr.Part, ok bool) {
	name, n, _ := leadingName(p.Text)
	if n == 0 {
		return "", expr.Part{}, false
	}
	after := strings.TrimLeftFunc(p.Text[n:], unicode.IsSpace)
	if !strings.HasPrefix(after, "=") || strings.HasPrefix(after, "==") {
		return "", expr.Part{}, false
	}
	at := len(p.Text) - len(after) + 1
	return name, trimPart(expr.Part{Text: p.Text[at:], Pos: p.Pos + at}), true
}

// parseGroupBy reads --group-by: comma-separated items outside brackets and strings,
// each a column name or NAME=EXPR.
func parseGroupBy(src string) ([]keySpec, error) {
	if strings.TrimSpace(src) == "" {
		return nil, nil
	}
	parts, err := expr.SplitTopLevel("--group-by", src, ',')
	if err != nil {
		return nil, err
	}
	var keys []keySpec
	for _, p := range parts {
		p = trimPart(p)
		if p.Text == "" {
			return nil, errAt("--group-by", src, p.Pos, "expected a column or NAME=EXPR")
		}
		if name, rest, ok := assignmentSplit(p); ok {
			if rest.Text == "" {
				return nil, errAt("--group-by", src, rest.Pos, "expected an expression after %q", name+"=")
			}
			keys = append(keys, keySpec{name: name, named: true, expr: rest})
			continue
		}
		name, n, _ := leadingName(p.Text)
		if n != len(p.Text) {
			return nil, errAt("--group-by", src, p.Pos, "a computed key needs a name: NAME=%s", p.Text)
		}
		keys = append(keys, keySpec{name: name, expr: p})
	}
	return keys, nil
}

// parseAggs reads one --agg text: `NAME = FUNC(ARGS)` items separated by ';'.
func parseAggs(src string) ([]aggSpec, error) {
	items, err := expr.SplitTopLevel("--agg", src, ';')
	if err != nil {
		return nil, err
	}
	var out []aggSpec
	for k, it := range items {
		it = trimPart(it)
		if it.Text == "" {
			if k == len(items)-1 && k > 0 {
				continue // a trailing ';'
			}
			return nil, errAt("--agg", src, it.Pos, "expected NAME = FUNC(ARG)")
		}
		name, call, ok := assignmentSplit(it)
		if !ok {
			return nil, errAt("--agg", src, it.Pos, "expected NAME = FUNC(ARG), as in total = sum(price)")
		}
		fn, n, quoted := leadingName(call.Text)
		if n == 0 || quoted {
			return nil, errAt("--agg", src, call.Pos, "expected an aggregate function such as sum(x) or count()")
		}
		rest := strings.TrimLeftFunc(call.Text[n:], unicode.IsSpace)
		open := len(call.Text) - len(rest)
		if !strings.HasPrefix(rest, "(") {
			return nil, errAt("--agg", src, call.Pos, "expected an aggregate such as sum(%s) or count()", call.Text)
		}
		// The items are balanced (SplitTopLevel checked), so the call is FUNC(BODY)
		// exactly when the text ends with ')' and BODY is balanced on its own.
		closePos := -1
		if strings.HasSuffix(call.Text, ")") {
			closePos = len(call.Text) - 1
		}
		var args []expr.Part
		if closePos > open {
			args, err = expr.SplitTopLevel("--agg", call.Text[open+1:closePos], ',')
		}
		if closePos <= open || err != nil {
			return nil, errAt("--agg", src, call.Pos+open,
				"%s(...) must be the whole aggregate; compute inside it, as in sum(a * b)", fn)
		}
		a := aggSpec{name: name, fn: fn, fnPos: call.Pos, src: src}
		body := expr.Part{Text: call.Text[open+1 : closePos], Pos: call.Pos + open + 1}
		if strings.TrimSpace(body.Text) != "" {
			for _, arg := range args {
				arg = trimPart(expr.Part{Text: arg.Text, Pos: body.Pos + arg.Pos})
				if arg.Text == "" {
					return nil, errAt("--agg", src, arg.Pos, "expected an argument")
				}
				a.args = append(a.args, arg)
			}
		}
		out = append(out, a)
	}
	return out, nil
}
