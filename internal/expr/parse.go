package expr

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// The front end is a small hand-written lexer and Pratt parser rather than expr-lang's:
// our language gives backticks to column names (expr-lang reads them as raw strings),
// adds `~` for concatenation and `;`-separated assignments, and rejects `=` where `==` is
// meant; everything else expr-lang would parse (closures, pipes, members) we would have
// to reject again in the checker.

type tokKind uint8

const (
	tEOF tokKind = iota
	tNumber
	tString
	tIdent  // bare identifier
	tQuoted // `back-quoted column name`
	tOp     // operator or punctuation; text in tok.text
	tParam  // $name: a --param, name in tok.text
)

type token struct {
	kind tokKind
	pos  int    // byte offset in the source
	text string // operator text, identifier, decoded string, number literal
}

// CompileError is a syntax or type error at a byte position of one flag's text. Its message
// repeats the text with a caret under the position.
type CompileError struct {
	Flag   string // "--expr" or "--where"
	Source string
	Pos    int
	Msg    string
}

func (e *CompileError) Error() string {
	line, col := e.Source, e.Pos
	// Show only the source line holding the position when the text spans lines.
	if start := strings.LastIndexByte(e.Source[:min(e.Pos, len(e.Source))], '\n'); start >= 0 {
		line, col = e.Source[start+1:], e.Pos-start-1
	}
	if end := strings.IndexByte(line, '\n'); end >= 0 {
		line = line[:end]
	}
	col = min(col, len(line))
	return fmt.Sprintf("%s: %s\n  %s\n  %s^", e.Flag, e.Msg, line, caretPad(line[:col]))
}

// caretPad is blank space as wide on a terminal as text, so that a caret after it
// stands under the next character: a tab stays a tab, a wide (CJK) character takes two
// columns, a combining mark none.
func caretPad(text string) string {
	var b strings.Builder
	for _, r := range text {
		switch {
		case r == '\t':
			b.WriteByte('\t')
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(r):
			b.WriteString("  ")
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func isWide(r rune) bool {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return true
	}
	return false
}

type lexer struct {
	src  string
	flag string
	pos  int
}

func (l *lexer) errAt(pos int, format string, args ...any) *CompileError {
	return &CompileError{Flag: l.flag, Source: l.src, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// twoCharOps are tried before the one-character operators they start with.
var twoCharOps = []string{"**", "==", "!=", "<=", ">=", "&&", "||", "??"}

const oneCharOps = "+-*/%~<>!?:()[],;="

func (l *lexer) next() (token, error) {
	src := l.src
	for l.pos < len(src) {
		r, w := utf8.DecodeRuneInString(src[l.pos:])
		if !unicode.IsSpace(r) {
			break
		}
		l.pos += w
	}
	start := l.pos
	if start >= len(src) {
		return token{kind: tEOF, pos: start}, nil
	}
	c := src[start]
	switch {
	case c >= '0' && c <= '9' || c == '.' && start+1 < len(src) && src[start+1] >= '0' && src[start+1] <= '9':
		return l.number()
	case c == '"' || c == '\'':
		return l.str(c)
	case c == '$':
		return l.param()
	case c == '`':
		end := strings.IndexByte(src[start+1:], '`')
		if end < 0 {
			return token{}, l.errAt(start, "unterminated `column name`")
		}
		if end == 0 {
			return token{}, l.errAt(start, "empty `column name`")
		}
		l.pos = start + 1 + end + 1
		return token{kind: tQuoted, pos: start, text: src[start+1 : start+1+end]}, nil
	}
	if r, _ := utf8.DecodeRuneInString(src[start:]); r == '_' || unicode.IsLetter(r) {
		for l.pos < len(src) {
			r, w := utf8.DecodeRuneInString(src[l.pos:])
			if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			l.pos += w
		}
		return token{kind: tIdent, pos: start, text: src[start:l.pos]}, nil
	}
	for _, op := range twoCharOps {
		if strings.HasPrefix(src[start:], op) {
			l.pos += 2
			return token{kind: tOp, pos: start, text: op}, nil
		}
	}
	if strings.IndexByte(oneCharOps, c) >= 0 {
		l.pos++
		return token{kind: tOp, pos: start, text: src[start : start+1]}, nil
	}
	r, _ := utf8.DecodeRuneInString(src[start:])
	return token{}, l.errAt(start, "unexpected character %q", r)
}

func (l *lexer) number() (token, error) {
	src, start := l.src, l.pos
	i := start
	digits := func() {
		for i < len(src) && src[i] >= '0' && src[i] <= '9' {
			i++
		}
	}
	digits()
	if i < len(src) && src[i] == '.' {
		i++
		digits()
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		j := i + 1
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		if j < len(src) && src[j] >= '0' && src[j] <= '9' {
			i = j
			digits()
		} else {
			return token{}, l.errAt(i, "malformed number: exponent without digits")
		}
	}
	if i < len(src) {
		if r, _ := utf8.DecodeRuneInString(src[i:]); r == '_' || unicode.IsLetter(r) || r == '.' {
			return token{}, l.errAt(i, "malformed number")
		}
	}
	l.pos = i
	return token{kind: tNumber, pos: start, text: src[start:i]}, nil
}

// str decodes a quoted string: backslash escapes \n \t \r \\ \' \" \uXXXX, and the
// quote character written twice, as in SQL and CSV.
func (l *lexer) str(quote byte) (token, error) {
	src, start := l.src, l.pos
	var b strings.Builder
	i := start + 1
	for {
		if i >= len(src) {
			return token{}, l.errAt(start, "unterminated string")
		}
		c := src[i]
		switch {
		case c == quote:
			if i+1 < len(src) && src[i+1] == quote {
				b.WriteByte(quote)
				i += 2
				continue
			}
			l.pos = i + 1
			return token{kind: tString, pos: start, text: b.String()}, nil
		case c == '\\':
			if i+1 >= len(src) {
				return token{}, l.errAt(i, "unterminated string")
			}
			switch e := src[i+1]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '0':
				b.WriteByte(0)
			case '\\', '\'', '"', '`':
				b.WriteByte(e)
			case 'u':
				r, n, err := l.unicodeEscape(i)
				if err != nil {
					return token{}, err
				}
				b.WriteRune(r)
				i += n
				continue
			default:
				return token{}, l.errAt(i, "unknown escape \\%c", e)
			}
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// unicodeEscape decodes the \uXXXX at src[i:], and the \uXXXX after it when the first is
// the high half of a UTF-16 surrogate pair (\ud83d\ude00 is U+1F600), as in JSON and
// JavaScript. It returns the character and the bytes read. Half a pair is an error: no
// character is written that way.
func (l *lexer) unicodeEscape(i int) (rune, int, error) {
	hex4 := func(at int) (rune, bool) {
		if at+6 > len(l.src) || l.src[at] != '\\' || l.src[at+1] != 'u' {
			return 0, false
		}
		v, err := strconv.ParseUint(l.src[at+2:at+6], 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex4(i)
	if !ok {
		return 0, 0, l.errAt(i, `\u needs 4 hex digits`)
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0, l.errAt(i, `\u%04x is the second half of a surrogate pair, without a first: write a character above U+FFFF as a pair such as \ud83d\ude00`, r)
	case r >= 0xD800 && r <= 0xDBFF:
		lo, ok := hex4(i + 6)
		if !ok || lo < 0xDC00 || lo > 0xDFFF {
			return 0, 0, l.errAt(i, `\u%04x is the first half of a surrogate pair and needs its second, \udc00 to \udfff, right after it`, r)
		}
		return utf16.DecodeRune(r, lo), 12, nil
	}
	return r, 6, nil
}

// AST ------------------------------------------------------------------------------

type astKind uint8

const (
	aNumber astKind = iota
	aString
	aBool
	aNull
	aColumn // name in text; quoted columns too
	aUnary  // op in text, one arg
	aBinary // op in text, two args
	aCond   // c ? a : b
	aCall   // name in text, args
	aList   // [a, b, ...], only as right side of in
	aParam  // $name, name in text
)

type ast struct {
	kind   astKind
	pos    int
	text   string
	quoted bool // a `column`: never row context or keyword
	args   []*ast
}

// parser is a Pratt parser over one flag's text.
type parser struct {
	lex   lexer
	tok   token
	peek  *token
	depth int // parseExpr calls under way: the nesting of parentheses, operands, lists
}

// maxNesting bounds how deeply an expression nests, so that no text can exhaust the stack
// of the recursive descent (and of the checking and evaluation that recurse over the
// tree). Chains of left-associative operators (1 + 1 + ...) do not nest.
const maxNesting = 100_000

func newParser(flag, src string) (*parser, error) {
	p := &parser{lex: lexer{src: src, flag: flag}}
	return p, p.advance()
}

func (p *parser) advance() error {
	if p.peek != nil {
		p.tok, p.peek = *p.peek, nil
		return nil
	}
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) peekTok() (token, error) {
	if p.peek == nil {
		t, err := p.lex.next()
		if err != nil {
			return token{}, err
		}
		p.peek = &t
	}
	return *p.peek, nil
}

func (p *parser) is(op string) bool { return p.tok.kind == tOp && p.tok.text == op }

func (p *parser) isWord(w string) bool { return p.tok.kind == tIdent && p.tok.text == w }

func (p *parser) expect(op string) error {
	if !p.is(op) {
		return p.unexpected("expected %q", op)
	}
	return p.advance()
}

func (p *parser) unexpected(format string, args ...any) error {
	what := "end of expression"
	switch p.tok.kind {
	case tEOF:
	case tString:
		what = "string " + strconv.Quote(p.tok.text)
	case tQuoted:
		what = "`" + p.tok.text + "`"
	case tParam:
		what = "$" + p.tok.text
	default:
		what = strconv.Quote(p.tok.text)
	}
	return p.lex.errAt(p.tok.pos, "%s, found %s", fmt.Sprintf(format, args...), what)
}

// Binding powers, loosest first. Prefix not/! sits below comparisons as in Python, so
// `not a == b` is `not (a == b)`.
const (
	bpCond = 1 + iota
	bpCoalesce
	bpOr
	bpAnd
	bpNot
	bpCompare
	bpConcat
	bpAdd
	bpMul
	bpUnary
	bpPow
)

func infixPower(t token) (op string, bp int) {
	switch t.kind {
	case tOp:
		switch t.text {
		case "?":
			return "?", bpCond
		case "??":
			return "??", bpCoalesce
		case "||":
			return "or", bpOr
		case "&&":
			return "and", bpAnd
		case "==", "!=", "<", "<=", ">", ">=":
			return t.text, bpCompare
		case "~":
			return "~", bpConcat
		case "+", "-":
			return t.text, bpAdd
		case "*", "/", "%":
			return t.text, bpMul
		case "**":
			return "**", bpPow
		}
	case tIdent:
		switch t.text {
		case "or":
			return "or", bpOr
		case "and":
			return "and", bpAnd
		case "in", "not":
			return "in", bpCompare
		}
	}
	return "", 0
}

// parseExpr parses an expression whose operators bind tighter than minBP.
func (p *parser) parseExpr(minBP int) (*ast, error) {
	if p.depth++; p.depth > maxNesting {
		return nil, p.lex.errAt(p.tok.pos, "the expression nests more than %d levels deep", maxNesting)
	}
	defer func() { p.depth-- }()
	left, err := p.parsePrefix()
	if err != nil {
		return nil, err
	}
	for {
		op, bp := infixPower(p.tok)
		if bp <= minBP {
			return left, nil
		}
		pos := p.tok.pos
		switch op {
		case "?":
			if err := p.advance(); err != nil {
				return nil, err
			}
			a, err := p.parseExpr(bpCond - 1)
			if err != nil {
				return nil, err
			}
			if err := p.expect(":"); err != nil {
				return nil, err
			}
			b, err := p.parseExpr(bpCond - 1)
			if err != nil {
				return nil, err
			}
			left = &ast{kind: aCond, pos: pos, args: []*ast{left, a, b}}
			continue
		case "in":
			negate := p.isWord("not")
			if negate {
				if err := p.advance(); err != nil {
					return nil, err
				}
				if !p.isWord("in") {
					return nil, p.unexpected(`expected "in" after "not"`)
				}
			}
			if err := p.advance(); err != nil {
				return nil, err
			}
			if !p.is("[") {
				return nil, p.unexpected(`expected "[" after "in"`)
			}
			list, err := p.parsePrefix()
			if err != nil {
				return nil, err
			}
			left = &ast{kind: aBinary, pos: pos, text: "in", args: []*ast{left, list}}
			if negate {
				left = &ast{kind: aUnary, pos: pos, text: "not", args: []*ast{left}}
			}
		default:
			if err := p.advance(); err != nil {
				return nil, err
			}
			rbp := bp
			switch op {
			case "??":
				rbp = bp - 1 // right-associative
			case "**":
				rbp = bpUnary - 1 // right-associative, and 2 ** -1 may carry a sign
			}
			right, err := p.parseExpr(rbp)
			if err != nil {
				return nil, err
			}
			left = &ast{kind: aBinary, pos: pos, text: op, args: []*ast{left, right}}
		}
		if bp == bpCompare {
			if _, next := infixPower(p.tok); next == bpCompare {
				return nil, p.lex.errAt(p.tok.pos, "comparisons cannot be chained; use and: a < b and b < c")
			}
		}
	}
}

func (p *parser) parsePrefix() (*ast, error) {
	t := p.tok
	switch t.kind {
	case tEOF:
		return nil, p.unexpected("expected a value")
	case tNumber:
		return &ast{kind: aNumber, pos: t.pos, text: t.text}, p.advance()
	case tString:
		return &ast{kind: aString, pos: t.pos, text: t.text}, p.advance()
	case tQuoted:
		return &ast{kind: aColumn, pos: t.pos, text: t.text, quoted: true}, p.advance()
	case tParam:
		return &ast{kind: aParam, pos: t.pos, text: t.text}, p.advance()
	case tIdent:
		switch t.text {
		case "true", "false":
			return &ast{kind: aBool, pos: t.pos, text: t.text}, p.advance()
		case "null":
			return &ast{kind: aNull, pos: t.pos}, p.advance()
		case "not":
			return p.parseUnary(t.pos, "not", bpNot)
		case "and", "or", "in":
			return nil, p.unexpected("expected a value (write `%s` for a column of that name)", t.text)
		}
		next, err := p.peekTok()
		if err != nil {
			return nil, err
		}
		if next.kind == tOp && next.text == "(" {
			return p.parseCall()
		}
		return &ast{kind: aColumn, pos: t.pos, text: t.text}, p.advance()
	}
	switch t.text {
	case "(":
		if err := p.advance(); err != nil {
			return nil, err
		}
		x, err := p.parseExpr(0)
		if err != nil {
			return nil, err
		}
		return x, p.expect(")")
	case "-", "+":
		return p.parseUnary(t.pos, t.text, bpUnary)
	case "!":
		return p.parseUnary(t.pos, "not", bpNot)
	case "[":
		if err := p.advance(); err != nil {
			return nil, err
		}
		items, err := p.parseItems("]")
		return &ast{kind: aList, pos: t.pos, args: items}, err
	}
	return nil, p.unexpected("expected a value")
}

// parseUnary parses the operand of the prefix operator op at pos, binding as bp.
func (p *parser) parseUnary(pos int, op string, bp int) (*ast, error) {
	if err := p.advance(); err != nil {
		return nil, err
	}
	x, err := p.parseExpr(bp)
	if err != nil {
		return nil, err
	}
	return &ast{kind: aUnary, pos: pos, text: op, args: []*ast{x}}, nil
}

// parseItems parses comma-separated expressions up to close, and close.
func (p *parser) parseItems(close string) ([]*ast, error) {
	var items []*ast
	for !p.is(close) {
		x, err := p.parseExpr(0)
		if err != nil {
			return nil, err
		}
		items = append(items, x)
		if !p.is(",") {
			break
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
	}
	return items, p.expect(close)
}

func (p *parser) parseCall() (*ast, error) {
	call := &ast{kind: aCall, pos: p.tok.pos, text: p.tok.text}
	if err := p.advance(); err != nil { // name
		return nil, err
	}
	if err := p.advance(); err != nil { // (
		return nil, err
	}
	var err error
	call.args, err = p.parseItems(")")
	return call, err
}

// end checks the whole text was consumed; a lone `=` gets a hint, since users write
// `qty = 0` in --where meaning `qty == 0`.
func (p *parser) end() error {
	if p.tok.kind == tEOF {
		return nil
	}
	if p.is("=") {
		return p.lex.errAt(p.tok.pos, `unexpected "="; compare with ==`)
	}
	return p.unexpected("expected an operator or end of expression")
}

// parseWhere parses one --where text.
func parseWhere(src string) (*ast, error) {
	p, err := newParser("--where", src)
	if err != nil {
		return nil, err
	}
	x, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	return x, p.end()
}

type assignment struct {
	target    string
	targetPos int
	src       string // the whole flag text, for messages
	x         *ast
}

// parseAssignments parses one --expr text: `NAME = EXPR` items separated by ';'.
func parseAssignments(src string) ([]assignment, error) {
	p, err := newParser("--expr", src)
	if err != nil {
		return nil, err
	}
	var out []assignment
	for {
		if p.tok.kind == tEOF && len(out) > 0 {
			return out, nil
		}
		if p.tok.kind != tIdent && p.tok.kind != tQuoted {
			return nil, p.unexpected("expected NAME = EXPR")
		}
		a := assignment{target: p.tok.text, targetPos: p.tok.pos, src: src}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if !p.is("=") {
			return nil, p.unexpected(`expected "=" after the column name`)
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		if a.x, err = p.parseExpr(0); err != nil {
			return nil, err
		}
		out = append(out, a)
		if p.is(";") {
			if err := p.advance(); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.end(); err != nil {
			return nil, err
		}
		return out, nil
	}
}
