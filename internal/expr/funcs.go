package expr

import (
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/table"
	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// funcDef type-checks one call: it coerces the arguments and picks the kernel.
type funcDef struct {
	min, max int // argument counts; max < 0: any number
	check    func(c *checker, call *ast, args []*node) (*node, error)
}

// functions is the whole function library, by name.
var functions = map[string]funcDef{
	"if":       {3, 3, checkIf},
	"coalesce": {1, -1, func(c *checker, a *ast, args []*node) (*node, error) { return c.coalesce(a.pos, args, a.args) }},
	"is_null":  {1, 1, checkIsNull},

	"upper":      {1, 1, strFunc("upper", strMap(appendUpper))},
	"lower":      {1, 1, strFunc("lower", strMap(appendLower))},
	"trim":       {1, 2, trimFunc("trim", strings.TrimSpace, strings.Trim)},
	"ltrim":      {1, 2, trimFunc("ltrim", func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }, strings.TrimLeft)},
	"rtrim":      {1, 2, trimFunc("rtrim", func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }, strings.TrimRight)},
	"len":        {1, 1, checkLen},
	"substr":     {2, 3, checkSubstr},
	"replace":    {3, 3, checkReplace},
	"contains":   {2, 2, strPredicate("contains", strings.Contains)},
	"startswith": {2, 2, strPredicate("startswith", strings.HasPrefix)},
	"endswith":   {2, 2, strPredicate("endswith", strings.HasSuffix)},
	"split_part": {3, 3, checkSplitPart},
	"pad_left":   {2, 3, padFunc("pad_left", true)},
	"pad_right":  {2, 3, padFunc("pad_right", false)},
	"concat":     {1, -1, checkConcat},

	"matches":       {2, 2, checkMatches},
	"regex_replace": {3, 3, checkRegexReplace},
	"regex_extract": {2, 3, checkRegexExtract},

	"abs":   {1, 1, checkAbs},
	"round": {1, 2, checkRound},
	"floor": {1, 1, floatFunc("floor", math.Floor)},
	"ceil":  {1, 1, floatFunc("ceil", math.Ceil)},
	"sqrt":  {1, 1, checkSqrt},
	"pow":   {2, 2, checkPow},
	"min":   {1, -1, minMax("min", -1)},
	"max":   {1, -1, minMax("max", 1)},

	"int":    {1, 1, checkInt},
	"float":  {1, 1, checkFloat},
	"str":    {1, 1, func(c *checker, a *ast, args []*node) (*node, error) { return c.toString(args[0]) }},
	"bool":   {1, 1, checkBool},
	"number": {1, 1, checkNumber},

	"date":        {1, 2, checkDate(TypeDate)},
	"datetime":    {1, 2, checkDate(TypeTimestamp)},
	"year":        {1, 1, datePart("year", func(m int64) int64 { return int64(civil(m).Year()) })},
	"month":       {1, 1, datePart("month", func(m int64) int64 { return int64(civil(m).Month()) })},
	"day":         {1, 1, datePart("day", func(m int64) int64 { return int64(civil(m).Day()) })},
	"hour":        {1, 1, datePart("hour", func(m int64) int64 { return floorMod(m, microsPerDay) / 3600e6 })},
	"minute":      {1, 1, datePart("minute", func(m int64) int64 { return floorMod(m, 3600e6) / 60e6 })},
	"second":      {1, 1, datePart("second", func(m int64) int64 { return floorMod(m, 60e6) / 1e6 })},
	"weekday":     {1, 1, datePart("weekday", func(m int64) int64 { return (floorMod(floorDiv(m, microsPerDay)+3, 7)) + 1 })},
	"date_add":    {3, 3, checkDateAdd},
	"date_diff":   {3, 3, checkDateDiff},
	"format_date": {2, 2, checkFormatDate},
	"today":       {0, 0, checkToday},
	"now":         {0, 0, checkNow},

	"env": {1, 2, checkEnv},
}

// otherNames are what other languages call some of our functions, too far from ours
// for Suggest's edit distance to find them.
var otherNames = map[string]string{
	"length": "len", "strlen": "len", "char_length": "len",
	"ifnull": "coalesce, or the ?? operator", "nvl": "coalesce, or the ?? operator",
	"ucase": "upper", "lcase": "lower", "regexp_like": "matches",
	"strptime": "date or datetime with a layout", "strftime": "format_date", "to_char": "str or format_date",
}

func (c *checker) call(a *ast) (*node, error) {
	def, ok := functions[a.text]
	if !ok && IsAggregate(a.text) {
		return nil, c.errAt(a.pos, "%s is an aggregate: use it in --agg (a row's expression sees one row)", a.text)
	}
	if !ok {
		names := make([]string, 0, len(functions))
		for name := range functions {
			names = append(names, name)
		}
		sort.Strings(names)
		if ours, ok := otherNames[strings.ToLower(a.text)]; ok {
			return nil, c.errAt(a.pos, "unknown function %s (did you mean %s?)", a.text, ours)
		}
		if best := table.Suggest(a.text, names); best != "" {
			return nil, c.errAt(a.pos, "unknown function %s (did you mean %s?)", a.text, best)
		}
		return nil, c.errAt(a.pos, "unknown function %s", a.text)
	}
	if len(a.args) < def.min || def.max >= 0 && len(a.args) > def.max {
		want := ""
		switch {
		case def.max < 0:
			want = "at least " + itoa(def.min)
		case def.min == def.max:
			want = itoa(def.min)
		default:
			want = itoa(def.min) + " or " + itoa(def.max)
		}
		return nil, c.errAt(a.pos, "%s takes %s arguments, got %d", a.text, want, len(a.args))
	}
	args, err := c.checkAll(a.args)
	if err != nil {
		return nil, err
	}
	return def.check(c, a, args)
}

func itoa(i int) string { return string(appendPadded(nil, i, 1)) }

// arg coerces argument k of a call to t, naming the function when it cannot.
func (c *checker) arg(call *ast, args []*node, k int, t Type) (*node, error) {
	n := args[k]
	if t == TypeString && !n.typ.isStringy() && n.typ != TypeNull {
		return nil, c.errAt(n.pos, "%s needs text for argument %d, got %s; convert with str(x)", call.text, k+1, describe(n))
	}
	if t == TypeInt && n.typ == TypeFloat {
		return nil, c.errAt(n.pos, "%s needs an integer for argument %d, got %s; convert with int(x)", call.text, k+1, describe(n))
	}
	if (t == TypeInt || t == TypeFloat) && n.typ == TypeString {
		return nil, c.errAt(n.pos, "%s needs a number for argument %d, got %s; convert with number(x)", call.text, k+1, describe(n))
	}
	if t == TypeInt && n.typ == TypeText {
		// Where an integer is needed a cell must hold one: 2.50 is an error, not 2, as
		// the literal 2.5 is (int(x) truncates on purpose).
		return c.shared(memoKey{op: "whole_from_text", arg: n}, func() *node {
			return &node{op: opStrict, typ: TypeInt, pos: n.pos, args: []*node{n}, kname: "whole_from_text", kernel: kTextToWhole, name: n.name}
		}), nil
	}
	return c.coerce(n, t)
}

// args converts the first len(types) arguments of call, argument k to types[k], as arg.
func (c *checker) args(call *ast, args []*node, types ...Type) ([]*node, error) {
	ns := make([]*node, len(types))
	for k, t := range types {
		var err error
		if ns[k], err = c.arg(call, args, k, t); err != nil {
			return nil, err
		}
	}
	return ns, nil
}

// constString is a constant text argument (a regex, a layout, a unit).
func (c *checker) constString(call *ast, args []*node, k int, what string) (string, error) {
	n := args[k]
	if n.op != opConst || !n.typ.isStringy() || !n.konst.valid(0) {
		return "", c.errAt(n.pos, "%s needs a constant string as its %s", call.text, what)
	}
	return n.konst.s[0], nil
}

func (c *checker) addFold(n *node) (*node, error) { return c.fold(c.add(n)) }

func checkIf(c *checker, a *ast, args []*node) (*node, error) {
	return c.cond(a.pos, args[0], args[1], args[2], a.args)
}

func checkIsNull(c *checker, a *ast, args []*node) (*node, error) {
	return c.addFold(&node{op: opIsNull, typ: TypeBool, pos: a.pos, args: args[:1]})
}

// --- strings ---

func strMap(f func(dst []byte, s string) []byte) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		s := args[0].s
		for i := range out.s {
			if out.valid(i) {
				start := len(ev.arena.buf)
				ev.arena.buf = f(ev.arena.buf, s[i])
				out.s[i] = ev.arena.keep(start)
			}
		}
	}
}

func strFunc(name string, k kernel) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		s, err := c.arg(a, args, 0, TypeString)
		if err != nil {
			return nil, err
		}
		return c.strict(a.pos, TypeString, name, k, s)
	}
}

func appendUpper(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, fullCase(s, strings.ToUpper, &upperCasers)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return append(dst, fullCase(s, strings.ToLower, &lowerCasers)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Casers apply Unicode's full case mapping (SpecialCasing: ß → SS, a final Σ → ς); a
// Caser keeps state, so each worker takes its own from the pool.
var (
	upperCasers = sync.Pool{New: func() any { c := cases.Upper(language.Und); return &c }}
	lowerCasers = sync.Pool{New: func() any { c := cases.Lower(language.Und); return &c }}
)

// fullCase changes the case of s as Unicode's full mapping does. The strings package
// maps one rune to one rune, which is the full mapping except for a few letters; those
// take the slower Caser (about 7 times the cost per string).
func fullCase(s string, simple func(string) string, casers *sync.Pool) string {
	if !needsFullCase(s) {
		return simple(s)
	}
	c := casers.Get().(*cases.Caser)
	defer casers.Put(c)
	return c.String(s)
}

// needsFullCase reports whether s holds a letter whose case mapping is not one rune
// for one rune, or depends on its neighbours: ß, dotted İ, ŉ, ǰ, Greek sigma and
// letters with diacritics or iota subscript, Armenian և, ẖ–ẚ, Latin and Armenian
// ligatures.
func needsFullCase(s string) bool {
	for _, r := range s {
		switch {
		case r < 0xDF:
		case r == 0xDF, r == 0x130, r == 0x149, r == 0x1F0, r == 0x390, r == 0x3B0, r == 0x3A3, r == 0x587,
			r >= 0x1E96 && r <= 0x1E9A, r >= 0x1F00 && r <= 0x1FFF, r >= 0xFB00 && r <= 0xFB17:
			return true
		}
	}
	return false
}

// trimFunc: trim(s) removes white space; trim(s, chars) removes any of chars.
func trimFunc(name string, spaces func(string) string, cut func(s, cutset string) string) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		s, err := c.arg(a, args, 0, TypeString)
		if err != nil {
			return nil, err
		}
		if len(args) == 1 {
			return c.strict(a.pos, TypeString, name, func(ev *Evaluator, n *node, args []*vec, out *vec) {
				in := args[0].s
				for i := range out.s {
					if out.valid(i) {
						out.s[i] = spaces(in[i])
					}
				}
			}, s)
		}
		set, err := c.arg(a, args, 1, TypeString)
		if err != nil {
			return nil, err
		}
		return c.strict(a.pos, TypeString, name+"_chars", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in, chars := args[0].s, args[1].s
			for i := range out.s {
				if out.valid(i) {
					out.s[i] = cut(in[i], chars[i])
				}
			}
		}, s, set)
	}
}

func checkLen(c *checker, a *ast, args []*node) (*node, error) {
	s, err := c.arg(a, args, 0, TypeString)
	if err != nil {
		return nil, err
	}
	return c.strict(a.pos, TypeInt, "len", func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in := args[0].s
		for i := range out.i64 {
			out.i64[i] = int64(utf8.RuneCountInString(in[i]))
		}
	}, s)
}

// substrRange is the byte range of characters [start, start+length) of s, 1-based;
// a negative start counts from the end; length < 0 means to the end.
func substrRange(s string, start, length int64) string {
	if start < 0 {
		start += int64(utf8.RuneCountInString(s)) + 1
		if start < 1 {
			if length >= 0 {
				length += start - 1
				if length < 0 {
					return ""
				}
			}
			start = 1
		}
	}
	if start == 0 {
		start = 1
		if length > 0 {
			length--
		}
	}
	lo, k := len(s), int64(1)
	for i := range s {
		if k == start {
			lo = i
			break
		}
		k++
	}
	if length < 0 {
		return s[lo:]
	}
	hi := len(s)
	k = 0
	for i := range s[lo:] {
		if k == length {
			hi = lo + i
			break
		}
		k++
	}
	return s[lo:hi]
}

func checkSubstr(c *checker, a *ast, args []*node) (*node, error) {
	s, err := c.arg(a, args, 0, TypeString)
	if err != nil {
		return nil, err
	}
	start, err := c.arg(a, args, 1, TypeInt)
	if err != nil {
		return nil, err
	}
	if len(args) == 2 {
		return c.strict(a.pos, TypeString, "substr", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in, st := args[0].s, args[1].i64
			for i := range out.s {
				if out.valid(i) {
					out.s[i] = substrRange(in[i], st[i], -1)
				}
			}
		}, s, start)
	}
	length, err := c.arg(a, args, 2, TypeInt)
	if err != nil {
		return nil, err
	}
	return c.strict(a.pos, TypeString, "substr", func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in, st, ln := args[0].s, args[1].i64, args[2].i64
		for i := range out.s {
			if out.valid(i) {
				if ln[i] < 0 {
					out.fail(i, "", itoa(int(ln[i])), "substr length is negative")
					continue
				}
				out.s[i] = substrRange(in[i], st[i], ln[i])
			}
		}
	}, s, start, length)
}

func checkReplace(c *checker, a *ast, args []*node) (*node, error) {
	ns, err := c.args(a, args, TypeString, TypeString, TypeString)
	if err != nil {
		return nil, err
	}
	return c.strict(a.pos, TypeString, "replace", func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in, old, repl := args[0].s, args[1].s, args[2].s
		for i := range out.s {
			if !out.valid(i) {
				continue
			}
			s, o := in[i], old[i]
			if o == "" || !strings.Contains(s, o) {
				out.s[i] = s
				continue
			}
			start := len(ev.arena.buf)
			for {
				k := strings.Index(s, o)
				if k < 0 {
					break
				}
				ev.arena.buf = append(append(ev.arena.buf, s[:k]...), repl[i]...)
				s = s[k+len(o):]
			}
			ev.arena.buf = append(ev.arena.buf, s...)
			out.s[i] = ev.arena.keep(start)
		}
	}, ns...)
}

func strPredicate(name string, f func(s, sub string) bool) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		ns, err := c.args(a, args, TypeString, TypeString)
		if err != nil {
			return nil, err
		}
		return c.strict(a.pos, TypeBool, name, func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in, x := args[0].s, args[1].s
			for i := range out.b {
				out.b[i] = f(in[i], x[i])
			}
		}, ns...)
	}
}

// split_part(s, sep, k): the k-th field (1-based; negative counts from the end), ""
// past the last.
func checkSplitPart(c *checker, a *ast, args []*node) (*node, error) {
	ns, err := c.args(a, args, TypeString, TypeString, TypeInt)
	if err != nil {
		return nil, err
	}
	return c.strict(a.pos, TypeString, "split_part", func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in, seps, ks := args[0].s, args[1].s, args[2].i64
		for i := range out.s {
			if !out.valid(i) {
				continue
			}
			if seps[i] == "" {
				out.fail(i, "", "", "split_part separator is empty")
				continue
			}
			if ks[i] == 0 {
				out.fail(i, "", "", "split_part field number 0 (fields count from 1)")
				continue
			}
			out.s[i] = splitPart(in[i], seps[i], ks[i])
		}
	}, ns...)
}

func splitPart(s, sep string, k int64) string {
	if k < 0 {
		k += int64(strings.Count(s, sep)) + 2
		if k < 1 {
			return ""
		}
	}
	for ; k > 1; k-- {
		at := strings.Index(s, sep)
		if at < 0 {
			return ""
		}
		s = s[at+len(sep):]
	}
	if at := strings.Index(s, sep); at >= 0 {
		return s[:at]
	}
	return s
}

func padFunc(name string, left bool) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		ns, err := c.args(a, args, TypeString, TypeInt)
		if err != nil {
			return nil, err
		}
		pad := c.konst(TypeString, stringVec(" "), a.pos)
		if len(args) == 3 {
			if pad, err = c.arg(a, args, 2, TypeString); err != nil {
				return nil, err
			}
		}
		return c.strict(a.pos, TypeString, name, func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in, ws, pads := args[0].s, args[1].i64, args[2].s
			for i := range out.s {
				if !out.valid(i) {
					continue
				}
				s := in[i]
				missing := ws[i] - int64(utf8.RuneCountInString(s))
				if missing <= 0 {
					out.s[i] = s
					continue
				}
				if pads[i] == "" || ws[i] > 1<<20 {
					out.fail(i, "", "", name+" needs a non-empty pad and a width up to 1048576")
					continue
				}
				start := len(ev.arena.buf)
				if !left {
					ev.arena.buf = append(ev.arena.buf, s...)
				}
				for missing > 0 {
					for _, r := range pads[i] {
						if missing == 0 {
							break
						}
						ev.arena.buf = utf8.AppendRune(ev.arena.buf, r)
						missing--
					}
				}
				if left {
					ev.arena.buf = append(ev.arena.buf, s...)
				}
				out.s[i] = ev.arena.keep(start)
			}
		}, ns[0], ns[1], pad)
	}
}

func checkConcat(c *checker, a *ast, args []*node) (*node, error) {
	n := &node{op: opConcat, typ: TypeString, pos: a.pos}
	for _, x := range args {
		s, err := c.toString(x)
		if err != nil {
			return nil, err
		}
		n.args = append(n.args, s)
	}
	return c.addFold(n)
}

// --- regular expressions (RE2 syntax, compiled once at Compile) ---

func (c *checker) regex(a *ast, args []*node, k int) (*regexp.Regexp, error) {
	src, err := c.constString(a, args, k, "regular expression")
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(src)
	if err != nil {
		return nil, c.errAt(args[k].pos, "bad regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	return re, nil
}

func checkMatches(c *checker, a *ast, args []*node) (*node, error) {
	s, err := c.arg(a, args, 0, TypeString)
	if err != nil {
		return nil, err
	}
	re, err := c.regex(a, args, 1)
	if err != nil {
		return nil, err
	}
	return c.addFold(&node{op: opStrict, typ: TypeBool, pos: a.pos, args: []*node{s}, re: re, kname: "matches",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].s
			for i := range out.b {
				if out.valid(i) {
					out.b[i] = n.re.MatchString(in[i])
				}
			}
		}})
}

func checkRegexReplace(c *checker, a *ast, args []*node) (*node, error) {
	s, err := c.arg(a, args, 0, TypeString)
	if err != nil {
		return nil, err
	}
	re, err := c.regex(a, args, 1)
	if err != nil {
		return nil, err
	}
	repl, err := c.arg(a, args, 2, TypeString)
	if err != nil {
		return nil, err
	}
	if repl.op == opConst && repl.konst.valid(0) {
		for _, name := range templateGroups(goTemplate(nil, repl.konst.s[0])) {
			if k, err := strconv.Atoi(name); err == nil && k <= re.NumSubexp() || re.SubexpIndex(name) >= 0 {
				continue
			}
			return nil, c.errAt(repl.pos, "the regular expression has no group %q: write ${1}x for group 1 followed by x, $$ for a $", name)
		}
	}
	return c.addFold(&node{op: opStrict, typ: TypeString, pos: a.pos, args: []*node{s, repl}, re: re, kname: "regex_replace",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in, r := args[0].s, args[1].s
			var last, tmpl string // the template of the last row, rewritten
			var buf []byte
			for i := range out.s {
				if !out.valid(i) {
					continue
				}
				if r[i] != last {
					last = r[i]
					buf = goTemplate(buf[:0], last)
					tmpl = string(buf)
				}
				out.s[i] = n.re.ReplaceAllString(in[i], tmpl)
			}
		}})
}

// goTemplate appends to dst the replacement template t rewritten for Go's Expand, which
// reads the longest run of letters, digits and _ after a $ as a group name: `$1x` would
// be the group named "1x", which never exists, and insert nothing. Here `$` and digits
// are that group's number, then the text goes on (as in JavaScript, Perl or .NET):
// `$1x` becomes `${1}x`. $$, ${name} and $name are Expand's.
func goTemplate(dst []byte, t string) []byte {
	for i := 0; i < len(t); i++ {
		if t[i] != '$' || i+1 == len(t) {
			dst = append(dst, t[i])
			continue
		}
		switch c := t[i+1]; {
		case c == '$':
			dst = append(dst, "$$"...)
			i++
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(t) && t[j] >= '0' && t[j] <= '9' {
				j++
			}
			dst = append(append(append(dst, "${"...), t[i+1:j]...), '}')
			i = j - 1
		default:
			dst = append(dst, '$')
		}
	}
	return dst
}

// templateGroups lists the group names and numbers an Expand template refers to.
func templateGroups(t []byte) []string {
	isName := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	var names []string
	for i := 0; i+1 < len(t); i++ {
		if t[i] != '$' {
			continue
		}
		switch {
		case t[i+1] == '$':
			i++
		case t[i+1] == '{':
			end := i + 2
			for end < len(t) && isName(t[end]) {
				end++
			}
			if end < len(t) && t[end] == '}' && end > i+2 {
				names = append(names, string(t[i+2:end]))
				i = end
			}
		default:
			end := i + 1
			for end < len(t) && isName(t[end]) {
				end++
			}
			if end > i+1 {
				names = append(names, string(t[i+1:end]))
				i = end - 1
			}
		}
	}
	return names
}

// regex_extract(s, re[, group]): the group's text of the first match (group 1 when the
// expression has groups, else the whole match); null when nothing matches.
func checkRegexExtract(c *checker, a *ast, args []*node) (*node, error) {
	s, err := c.arg(a, args, 0, TypeString)
	if err != nil {
		return nil, err
	}
	re, err := c.regex(a, args, 1)
	if err != nil {
		return nil, err
	}
	group := min(1, re.NumSubexp())
	if len(args) == 3 {
		g := args[2]
		if g.op != opConst || g.typ != TypeInt {
			return nil, c.errAt(g.pos, "regex_extract needs a constant group number")
		}
		if group = int(g.konst.i64[0]); group < 0 || group > re.NumSubexp() {
			return nil, c.errAt(g.pos, "the expression has no group %d", group)
		}
	}
	return c.addFold(&node{op: opStrict, typ: TypeString, pos: a.pos, args: []*node{s}, re: re, digits: group, kname: "regex_extract",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].s
			for i := range out.s {
				if !out.valid(i) {
					continue
				}
				m := n.re.FindStringSubmatchIndex(in[i])
				if m == nil || m[2*n.digits] < 0 {
					out.setNull(i)
					continue
				}
				out.s[i] = in[i][m[2*n.digits]:m[2*n.digits+1]]
			}
		}})
}

// --- numbers ---

func (c *checker) number(a *ast, args []*node, k int) (*node, error) {
	n := args[k]
	switch n.typ {
	case TypeInt, TypeFloat:
		return n, nil
	case TypeText, TypeNull:
		return c.coerce(n, TypeFloat)
	}
	return c.arg(a, args, k, TypeFloat)
}

func checkAbs(c *checker, a *ast, args []*node) (*node, error) {
	x, err := c.number(a, args, 0)
	if err != nil {
		return nil, err
	}
	if x.typ == TypeInt {
		return c.strict(a.pos, TypeInt, "abs_int", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].i64
			for i := range out.i64 {
				v := in[i]
				if v == math.MinInt64 && out.valid(i) {
					out.fail(i, "", "", msgOverflow)
				}
				if v < 0 {
					v = -v
				}
				out.i64[i] = v
			}
		}, x)
	}
	return c.strict(a.pos, TypeFloat, "abs_float", floatMap(math.Abs), x)
}

func floatMap(f func(float64) float64) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in := args[0].f64
		for i := range out.f64 {
			out.f64[i] = f(in[i])
		}
	}
}

// floatFunc is floor/ceil: an int stays as it is, a float is rounded as a float.
func floatFunc(name string, f func(float64) float64) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		x, err := c.number(a, args, 0)
		if err != nil || x.typ == TypeInt {
			return x, err
		}
		return c.strict(a.pos, TypeFloat, name, floatMap(f), x)
	}
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// round(x[, digits]): half away from zero at `digits` decimals (0 to 15, or negative
// for tens, hundreds...). An int stays an int.
func checkRound(c *checker, a *ast, args []*node) (*node, error) {
	x, err := c.number(a, args, 0)
	if err != nil {
		return nil, err
	}
	digits := 0
	if len(args) == 2 {
		d := args[1]
		if d.op != opConst || d.typ != TypeInt || d.konst.i64[0] < -15 || d.konst.i64[0] > 15 {
			return nil, c.errAt(d.pos, "round needs a constant number of digits from -15 to 15")
		}
		digits = int(d.konst.i64[0])
	}
	if x.typ == TypeInt {
		if digits >= 0 {
			return x, nil
		}
		return c.addFold(&node{op: opStrict, typ: TypeInt, pos: a.pos, args: []*node{x}, digits: digits, kname: "round_int",
			kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
				p := int64(pow10[-n.digits])
				in := args[0].i64
				for i := range out.i64 {
					v, r := in[i]/p*p, in[i]%p
					switch {
					case r >= p/2 && v > math.MaxInt64-p, -r >= p/2 && v < math.MinInt64+p:
						if out.valid(i) {
							out.fail(i, "", "", msgOverflow)
						}
					case r >= p/2:
						v += p
					case -r >= p/2:
						v -= p
					}
					out.i64[i] = v
				}
			}})
	}
	return c.addFold(&node{op: opStrict, typ: TypeFloat, pos: a.pos, args: []*node{x}, digits: digits, kname: "round_float",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].f64
			for i := range out.f64 {
				out.f64[i] = roundDecimal(in[i], n.digits)
				if math.IsInf(out.f64[i], 0) && out.valid(i) {
					out.fail(i, "", "", msgFloatRange)
				}
			}
		}})
}

// roundDecimal rounds x half away from zero at `digits` decimals (negative: to tens,
// hundreds, ...) as the decimal number x reads: its shortest representation, the digits
// the user wrote or sees. 1.005 is stored as 1.00499999999999989..., yet rounds to 1.01
// as Excel, and Python's Decimal(str(x)) with ROUND_HALF_UP, round it. Values far from a
// tie at that digit, nearly all, take the float path, which the error of x·10^digits
// cannot mislead there; those near one are rounded in decimal.
func roundDecimal(x float64, digits int) float64 {
	if digits == 0 {
		return math.Round(x) // a tie at 0 decimals is exactly k.5 in binary too
	}
	p := pow10[abs(digits)]
	y := x * p
	if digits < 0 {
		y = x / p
	}
	ay := math.Abs(y)
	// y is within two ulps of the decimal value times 10^digits: a tie is not in reach
	// where the fraction is farther from 0.5 than 2^-48·|y|.
	if ay < 1<<50 && math.Abs(ay-math.Floor(ay)-0.5) > ay*0x1p-48 {
		if digits < 0 {
			return math.Round(y) * p
		}
		return math.Round(y) / p
	}
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return x
	}
	return roundShortest(x, digits)
}

// roundShortest is roundDecimal in decimal: the digits of x's shortest representation,
// cut after the place 10^-digits, plus one there when the first digit cut is 5 or more.
func roundShortest(x float64, digits int) float64 {
	var buf [32]byte
	b := strconv.AppendFloat(buf[:0], math.Abs(x), 'e', -1, 64) // d.ddde±x
	mant, expText, _ := strings.Cut(string(b), "e")
	exp, _ := strconv.Atoi(expText)
	ds := strings.Replace(mant, ".", "", 1) // the value is 0.ds × 10^(exp+1)
	keep := exp + 1 + digits                // digits of ds up to the place 10^-digits
	if keep >= len(ds) {
		return x // nothing to cut
	}
	var k uint64
	for _, c := range ds[:max(keep, 0)] {
		k = k*10 + uint64(c-'0')
	}
	if keep >= 0 && ds[keep] >= '5' {
		k++
	}
	r, _ := strconv.ParseFloat(strconv.FormatUint(k, 10)+"e"+strconv.Itoa(-digits), 64)
	return math.Copysign(r, x)
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func checkSqrt(c *checker, a *ast, args []*node) (*node, error) {
	x, err := c.number(a, args, 0)
	if err != nil {
		return nil, err
	}
	if x, err = c.coerce(x, TypeFloat); err != nil {
		return nil, err
	}
	return c.strict(a.pos, TypeFloat, "sqrt", func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in := args[0].f64
		for i := range out.f64 {
			if in[i] < 0 && out.valid(i) {
				out.fail(i, "", "", "square root of a negative number")
			}
			out.f64[i] = math.Sqrt(in[i])
		}
	}, x)
}

func checkPow(c *checker, a *ast, args []*node) (*node, error) {
	var xs [2]*node
	for k := range xs {
		x, err := c.number(a, args, k)
		if err != nil {
			return nil, err
		}
		if xs[k], err = c.coerce(x, TypeFloat); err != nil {
			return nil, err
		}
	}
	return c.strict(a.pos, TypeFloat, "pow_float", kPowFloat, xs[0], xs[1])
}

// minMax: the smallest (sign -1) or largest of its arguments, compared as the type they
// unify to; null if any is null. Texts are ordered as comparisons order them
// (compareText: as numbers where both read as numbers, ...), and the result is the
// winning text as written.
func minMax(name string, sign int) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		t, err := c.unify(args, a.args)
		if err != nil {
			return nil, err
		}
		if t == TypeBool || t == TypeNull {
			return nil, c.errAt(a.pos, "%s needs numbers, text or dates", name)
		}
		for k := range args {
			if args[k], err = c.coerce(args[k], t); err != nil {
				return nil, err
			}
		}
		var k kernel
		kind := storageOf(t).String()
		switch storageOf(t) {
		case TypeInt:
			k = extremum(func(v *vec) []int64 { return v.i64 }, sign)
		case TypeFloat:
			k = extremum(func(v *vec) []float64 { return v.f64 }, sign)
		default:
			k, kind = textExtremum(sign), "text"
		}
		return c.strict(a.pos, t, name+"_"+kind, k, args...)
	}
}

func extremum[T int64 | float64](get func(*vec) []T, sign int) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		r := get(out)
		copy(r, get(args[0]))
		for _, a := range args[1:] {
			x := get(a)[:len(r)]
			for i := range r {
				if sign < 0 && x[i] < r[i] || sign > 0 && x[i] > r[i] {
					r[i] = x[i]
				}
			}
		}
	}
}

func textExtremum(sign int) kernel {
	return func(ev *Evaluator, n *node, args []*vec, out *vec) {
		r := out.s
		copy(r, args[0].s)
		for _, a := range args[1:] {
			x := a.s[:len(r)]
			for i := range r {
				if compareText(x[i], r[i])*sign > 0 {
					r[i] = x[i]
				}
			}
		}
	}
}

// --- conversions ---

func checkInt(c *checker, a *ast, args []*node) (*node, error) {
	x := args[0]
	switch x.typ {
	case TypeInt:
		return x, nil
	case TypeText, TypeString, TypeNull:
		return c.coerce(withType(c, x), TypeInt)
	case TypeFloat:
		return c.strict(a.pos, TypeInt, "int_from_float", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].f64
			for i := range out.i64 {
				if !out.valid(i) {
					continue
				}
				v, st, msg := floatToInt(in[i])
				if st != parsedOK {
					out.fail(i, "", "", msg)
				}
				out.i64[i] = v
			}
		}, x)
	case TypeBool:
		return c.strict(a.pos, TypeInt, "int_from_bool", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			for i, b := range args[0].b[:len(out.i64)] {
				out.i64[i] = 0
				if b {
					out.i64[i] = 1
				}
			}
		}, x)
	}
	return nil, c.errAt(x.pos, "int cannot convert %s", describe(x))
}

// withType lets an explicit conversion read a string (not only a cell) as text.
func withType(c *checker, x *node) *node {
	if x.typ != TypeString {
		return x
	}
	if x.op == opConst {
		return c.konst(TypeText, x.konst, x.pos)
	}
	return c.shared(memoKey{op: "as_text", arg: x}, func() *node {
		return &node{op: opStrict, typ: TypeText, pos: x.pos, args: []*node{x}, kname: "as_text", name: x.name,
			kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) { copy(out.s, args[0].s) }}
	})
}

func checkFloat(c *checker, a *ast, args []*node) (*node, error) {
	x := args[0]
	switch x.typ {
	case TypeFloat:
		return x, nil
	case TypeInt, TypeText, TypeString, TypeNull:
		return c.coerce(withType(c, x), TypeFloat)
	case TypeBool:
		return c.strict(a.pos, TypeFloat, "float_from_bool", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			for i, b := range args[0].b[:len(out.f64)] {
				out.f64[i] = 0
				if b {
					out.f64[i] = 1
				}
			}
		}, x)
	}
	return nil, c.errAt(x.pos, "float cannot convert %s", describe(x))
}

func checkBool(c *checker, a *ast, args []*node) (*node, error) {
	x := args[0]
	switch x.typ {
	case TypeBool:
		return x, nil
	case TypeText, TypeString, TypeNull:
		return c.coerce(withType(c, x), TypeBool)
	case TypeInt:
		return c.strict(a.pos, TypeBool, "bool_from_int", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			for i, v := range args[0].i64[:len(out.b)] {
				out.b[i] = v != 0
			}
		}, x)
	case TypeFloat:
		return c.strict(a.pos, TypeBool, "bool_from_float", func(ev *Evaluator, n *node, args []*vec, out *vec) {
			for i, v := range args[0].f64[:len(out.b)] {
				out.b[i] = v != 0
			}
		}, x)
	}
	return nil, c.errAt(x.pos, "bool cannot convert %s", describe(x))
}

func checkNumber(c *checker, a *ast, args []*node) (*node, error) {
	x := args[0]
	if x.typ.isNumber() {
		return c.coerce(x, TypeFloat)
	}
	s, err := c.arg(a, args, 0, TypeString)
	if err != nil {
		return nil, err
	}
	return c.strict(a.pos, TypeFloat, "number", func(ev *Evaluator, n *node, args []*vec, out *vec) {
		in := args[0].s
		for i := range out.f64 {
			if !out.valid(i) {
				continue
			}
			f, st := parseNumberLoose(in[i])
			setNumber(out, i, f, st, n.args[0].name, in[i])
		}
	}, s)
}

// --- dates ---

// checkDate is date(x[, layout]) and datetime(x[, layout]).
func checkDate(want Type) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		x := args[0]
		if len(args) == 1 {
			switch {
			case x.typ == TypeTimestamp && want == TypeDate:
				return c.strict(a.pos, TypeDate, "date_from_datetime", func(ev *Evaluator, n *node, args []*vec, out *vec) {
					for i, m := range args[0].i64[:len(out.i64)] {
						out.i64[i] = floorDiv(m, microsPerDay)
					}
				}, x)
			case x.typ.isStringy() && want == TypeDate:
				// Explicitly asked for a date, a datetime's text gives its day.
				return c.strict(a.pos, TypeDate, "date_of_text", kDateOfText, withType(c, x))
			case x.typ.isStringy():
				return c.coerce(withType(c, x), want)
			}
			if x.typ == TypeInt || x.typ == TypeFloat || x.typ == TypeBool {
				return nil, c.errAt(x.pos, "%s cannot convert %s", a.text, describe(x))
			}
			return c.coerce(x, want)
		}
		s, err := c.arg(a, args, 0, TypeString)
		if err != nil {
			return nil, err
		}
		src, err := c.constString(a, args, 1, "layout")
		if err != nil {
			return nil, err
		}
		items, err := compileLayout(src)
		if err != nil {
			return nil, c.errAt(args[1].pos, "%s", err)
		}
		return c.addFold(&node{op: opStrict, typ: want, pos: a.pos, args: []*node{s}, layout: items, kname: a.text + "_layout", name: s.name,
			kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
				in := args[0].s
				for i := range out.i64 {
					if !out.valid(i) {
						continue
					}
					m, st := parseLayout(n.layout, in[i])
					switch {
					case st == parsedBlank:
						out.setNull(i)
					case st != parsedOK:
						out.fail(i, n.name, in[i], "does not match the layout")
					case n.typ == TypeDate:
						out.i64[i] = floorDiv(m, microsPerDay)
					default:
						out.i64[i] = m
					}
				}
			}})
	}
}

// kDateOfText is date(x) of text: the day of an ISO date or datetime.
func kDateOfText(ev *Evaluator, n *node, args []*vec, out *vec) {
	in := args[0].s
	for i := range out.i64 {
		if !out.valid(i) {
			continue
		}
		m, st, _ := parseISODatetime(in[i])
		switch st {
		case parsedOK:
			out.i64[i] = floorDiv(m, microsPerDay)
		case parsedBlank:
			out.setNull(i)
		default:
			out.fail(i, n.args[0].name, in[i], msgDate)
		}
	}
}

// datetimeArg reads a date-like argument as a datetime: dates at midnight, cells as
// ISO dates or datetimes.
func (c *checker) datetimeArg(a *ast, args []*node, k int) (*node, error) {
	x := args[k]
	switch x.typ {
	case TypeDate, TypeTimestamp, TypeText, TypeNull:
		return c.coerce(x, TypeTimestamp)
	case TypeString:
		return c.coerce(withType(c, x), TypeTimestamp)
	}
	return nil, c.errAt(x.pos, "%s needs a date for argument %d, got %s", a.text, k+1, describe(x))
}

func datePart(name string, f func(micros int64) int64) func(c *checker, a *ast, args []*node) (*node, error) {
	return func(c *checker, a *ast, args []*node) (*node, error) {
		x, err := c.datetimeArg(a, args, 0)
		if err != nil {
			return nil, err
		}
		return c.strict(a.pos, TypeInt, name, func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].i64
			for i := range out.i64 {
				if out.valid(i) {
					out.i64[i] = f(in[i])
				}
			}
		}, x)
	}
}

func (c *checker) unit(a *ast, args []*node, k int) (dateUnit, error) {
	s, err := c.constString(a, args, k, "unit")
	if err != nil {
		return 0, err
	}
	u, ok := unitNames[strings.ToLower(s)]
	if !ok {
		return 0, c.errAt(args[k].pos, "unknown unit %q: use year, month, week, day, hour, minute or second", s)
	}
	return u, nil
}

// date_add(d, n, unit): a date stays a date for day, week, month and year; anything
// else (or a time unit) gives a datetime. A text cell's kind is known only per value, so
// with those units a text gives text: a date's text for a date, a datetime's for a
// datetime.
func checkDateAdd(c *checker, a *ast, args []*node) (*node, error) {
	u, err := c.unit(a, args, 2)
	if err != nil {
		return nil, err
	}
	x := args[0]
	if x.typ == TypeString {
		x = withType(c, x)
	}
	if x.typ != TypeNull && x.typ != TypeText && x.typ != TypeDate && x.typ != TypeTimestamp {
		return nil, c.errAt(x.pos, "date_add needs a date, got %s", describe(x))
	}
	n, err := c.arg(a, args, 1, TypeInt)
	if err != nil {
		return nil, err
	}
	if x.typ == TypeText && !u.isTime() {
		return c.addFold(&node{op: opStrict, typ: TypeText, pos: a.pos, args: []*node{x, n}, unit: u, kname: "date_add_text", name: x.name,
			kernel: kDateAddText})
	}
	t := TypeTimestamp
	if !u.isTime() && x.typ == TypeDate {
		t = TypeDate
	}
	if x, err = c.coerce(x, t); err != nil {
		return nil, err
	}
	return c.addFold(&node{op: opStrict, typ: t, pos: a.pos, args: []*node{x, n}, unit: u, kname: "date_add",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in, k := args[0].i64, args[1].i64
			for i := range out.i64 {
				if !out.valid(i) {
					continue
				}
				m := in[i]
				if n.typ == TypeDate {
					m *= microsPerDay
				}
				r, ok := dateAdd(m, k[i], n.unit)
				if !ok {
					out.fail(i, "", "", msgDateRange)
					continue
				}
				if n.typ == TypeDate {
					r = floorDiv(r, microsPerDay)
				}
				out.i64[i] = r
			}
		}})
}

const msgDateRange = "date out of range (years 1 to 9999)"

// kDateAddText is date_add of a text cell by days or longer: each value is read as an
// ISO date or datetime and written back as the same kind.
func kDateAddText(ev *Evaluator, n *node, args []*vec, out *vec) {
	in, k := args[0].s, args[1].i64
	for i := range out.s {
		if !out.valid(i) {
			continue
		}
		m, st, msg := parseISODatetime(in[i])
		switch st {
		case parsedBlank:
			out.setNull(i)
			continue
		case parsedBad:
			out.fail(i, n.name, in[i], msg)
			continue
		}
		r, ok := dateAdd(m, k[i], n.unit)
		if !ok {
			out.fail(i, "", "", msgDateRange)
			continue
		}
		start := len(ev.arena.buf)
		if len(trimSpaces(in[i])) == len("2024-01-31") {
			ev.arena.buf = appendDate(ev.arena.buf, floorDiv(r, microsPerDay))
		} else {
			ev.arena.buf = table.AppendTimestamp(ev.arena.buf, r)
		}
		out.s[i] = ev.arena.keep(start)
	}
}

func checkDateDiff(c *checker, a *ast, args []*node) (*node, error) {
	u, err := c.unit(a, args, 2)
	if err != nil {
		return nil, err
	}
	x, err := c.datetimeArg(a, args, 0)
	if err != nil {
		return nil, err
	}
	y, err := c.datetimeArg(a, args, 1)
	if err != nil {
		return nil, err
	}
	return c.addFold(&node{op: opStrict, typ: TypeInt, pos: a.pos, args: []*node{x, y}, unit: u, kname: "date_diff",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			p, q := args[0].i64, args[1].i64
			for i := range out.i64 {
				if out.valid(i) {
					out.i64[i] = dateDiff(p[i], q[i], n.unit)
				}
			}
		}})
}

func checkFormatDate(c *checker, a *ast, args []*node) (*node, error) {
	x, err := c.datetimeArg(a, args, 0)
	if err != nil {
		return nil, err
	}
	src, err := c.constString(a, args, 1, "layout")
	if err != nil {
		return nil, err
	}
	items, err := compileLayout(src)
	if err != nil {
		return nil, c.errAt(args[1].pos, "%s", err)
	}
	return c.addFold(&node{op: opStrict, typ: TypeString, pos: a.pos, args: []*node{x}, layout: items, kname: "format_date",
		kernel: func(ev *Evaluator, n *node, args []*vec, out *vec) {
			in := args[0].i64
			for i := range out.s {
				if out.valid(i) {
					start := len(ev.arena.buf)
					ev.arena.buf = formatLayout(ev.arena.buf, n.layout, in[i])
					out.s[i] = ev.arena.keep(start)
				}
			}
		}})
}

func checkToday(c *checker, a *ast, args []*node) (*node, error) {
	return c.konst(TypeDate, intVec(floorDiv(wallMicros(c.opts.Now), microsPerDay)), a.pos), nil
}

func checkNow(c *checker, a *ast, args []*node) (*node, error) {
	return c.konst(TypeTimestamp, intVec(wallMicros(c.opts.Now)), a.pos), nil
}
