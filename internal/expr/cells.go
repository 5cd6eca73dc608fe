package expr

import "strconv"

// What other packages read from text cells the way expressions do, so that an aggregate
// such as sum(price) reads a cell exactly as price * 1 would.

// ReadNumber reads a text cell as a number, as an operator needing one does: null is true
// for a blank cell (spaces only), ok is false for text that is not a number.
func ReadNumber(s string) (f float64, null, ok bool) {
	f, st := parseNumber(s)
	return f, st == parsedBlank, st == parsedOK
}

// ReadBool reads a text cell as true or false (any letter case).
func ReadBool(s string) (b, null, ok bool) {
	b, st := parseBool(s)
	return b, st == parsedBlank, st == parsedOK
}

// ReadDatetime reads a text cell as an ISO date or datetime, in microseconds.
func ReadDatetime(s string) (micros int64, null, ok bool) {
	m, st, _ := parseISODatetime(s)
	return m, st == parsedBlank, st == parsedOK
}

// Part is a piece of a flag's text that starts at byte Pos of it.
type Part struct {
	Text string
	Pos  int
}

// SplitTopLevel cuts src at each sep (',' or ';') that is outside strings, `names` and
// brackets, as the language's lexer reads them, so `f(a, "x;y")` stays whole. The errors
// (an unterminated string, an unbalanced bracket) are CompileErrors under flag.
func SplitTopLevel(flag, src string, sep byte) ([]Part, error) {
	l := &lexer{src: src, flag: flag}
	var parts []Part
	var open []token
	start := 0
	for {
		tok, err := l.next()
		if err != nil {
			return nil, err
		}
		if tok.kind == tEOF {
			break
		}
		if tok.kind != tOp {
			continue
		}
		switch tok.text {
		case "(", "[":
			open = append(open, tok)
		case ")", "]":
			want := map[string]string{")": "(", "]": "["}[tok.text]
			if len(open) == 0 || open[len(open)-1].text != want {
				return nil, l.errAt(tok.pos, "unbalanced %q", tok.text)
			}
			open = open[:len(open)-1]
		case string(sep):
			if len(open) == 0 {
				parts = append(parts, Part{Text: src[start:tok.pos], Pos: start})
				start = tok.pos + 1
			}
		}
	}
	if len(open) > 0 {
		return nil, l.errAt(open[len(open)-1].pos, "%q is not closed", open[len(open)-1].text)
	}
	return append(parts, Part{Text: src[start:], Pos: start}), nil
}

// Literal reads src (spaces around it allowed) as one string or number literal of the
// language, with its escapes: a string or a float64, and ok false for anything else.
func Literal(src string) (value any, ok bool) {
	l := &lexer{src: src}
	tok, err := l.next()
	if err != nil {
		return nil, false
	}
	if end, err := l.next(); err != nil || end.kind != tEOF {
		return nil, false
	}
	switch tok.kind {
	case tString:
		return tok.text, true
	case tNumber:
		f, err := strconv.ParseFloat(tok.text, 64)
		return f, err == nil
	}
	return nil, false
}
