package expr

// x in [c1, c2, ...] over constants is one set lookup per row instead of a comparison
// per element: generated filters list thousands of ids, and each comparison would be a
// vector and a pass over every chunk.

// constSet holds the constants of one collapsed list, in the storage of the type they
// are compared as.
type constSet struct {
	i64 map[int64]struct{}
	f64 map[float64]struct{} // == semantics: 0 and -0 are one key, and no NaN is a value
	s   map[string]struct{}
	// For text compared by eq_text's rule (as numbers, else as dates, else as text), the
	// constants that read as numbers, by value, with their text (integers beyond 2^53
	// are told apart by it), and those that read as datetimes.
	textNumbers map[float64][]string
	textDates   map[int64]struct{}
}

func (s *constSet) len() int { return len(s.i64) + len(s.f64) + len(s.s) }

// addText adds a constant compared with eq_text: by its text, and by the number or the
// datetime it reads as.
func (s *constSet) addText(c string) {
	if s.s == nil {
		s.s = map[string]struct{}{}
		s.textNumbers = map[float64][]string{}
		s.textDates = map[int64]struct{}{}
	}
	s.s[c] = struct{}{}
	if !mayReadAsValue(c) {
		return
	}
	if f, st := parseNumber(c); st == parsedOK {
		s.textNumbers[f] = append(s.textNumbers[f], c)
	} else if d, st, _ := parseISODatetime(c); st == parsedOK {
		s.textDates[d] = struct{}{}
	}
}

// hasText reports whether x equals one of the constants by eq_text's rule
// (textEquality), which compareText decides pair by pair.
func (s *constSet) hasText(x string) bool {
	if _, ok := s.s[x]; ok {
		return true
	}
	if !mayReadAsValue(x) {
		return false
	}
	if f, st := parseNumber(x); st == parsedOK {
		for _, c := range s.textNumbers[f] {
			if compareNumberTexts(x, f, c, f) == 0 {
				return true
			}
		}
		return false
	}
	if d, st, _ := parseISODatetime(x); st == parsedOK {
		_, ok := s.textDates[d]
		return ok
	}
	return false
}

// setKernels are the equality kernels (by name) whose comparisons against a constant
// collapse into a set lookup: each compares values of one storage type by identity.
var setKernels = map[string]namedKernel{
	"eq_int":   {"in_set_int", kInSetInt},
	"eq_float": {"in_set_float", kInSetFloat},
	"eq_text":  {"in_set_text", kInSetText},
}

// collapseSets replaces the comparisons x == constant among the elements of an in list
// that share their kernel and their x (one node, as in() builds them), two or more, by
// one set lookup, placed where the first of them was; other elements stay as they are.
// The result is the same: the elements are or-ed, the comparisons of one group fail
// only where x fails, and so the first error of the list is still the first.
func (c *checker) collapseSets(elems []*node) []*node {
	type groupKey struct {
		x     *node
		kname string
	}
	keyOf := func(e *node) (groupKey, bool) {
		_, ok := setKernels[e.kname]
		ok = ok && e.op == opStrict && len(e.args) == 2 && e.args[0].op != opConst && e.args[1].op == opConst && e.args[1].konst.valid(0)
		if !ok {
			return groupKey{}, false
		}
		return groupKey{e.args[0], e.kname}, true
	}
	sizes := map[groupKey]int{}
	for _, e := range elems {
		if key, ok := keyOf(e); ok {
			sizes[key]++
		}
	}
	groups := map[groupKey]*node{}
	out := elems[:0]
	for _, e := range elems {
		key, ok := keyOf(e)
		if !ok || sizes[key] < 2 {
			out = append(out, e)
			continue
		}
		sk := setKernels[e.kname]
		n := groups[key]
		if n == nil {
			n = c.add(&node{op: opStrict, typ: TypeBool, pos: e.pos, args: e.args[:1], kname: sk.name, kernel: sk.fn, set: &constSet{}})
			groups[key] = n
			out = append(out, n)
		}
		k := e.args[1].konst
		switch sk.name {
		case "in_set_int":
			if n.set.i64 == nil {
				n.set.i64 = map[int64]struct{}{}
			}
			n.set.i64[k.i64[0]] = struct{}{}
		case "in_set_float":
			if n.set.f64 == nil {
				n.set.f64 = map[float64]struct{}{}
			}
			n.set.f64[k.f64[0]] = struct{}{}
		default:
			n.set.addText(k.s[0])
		}
	}
	return out
}

func kInSetInt(ev *Evaluator, n *node, args []*vec, out *vec) {
	x, r, set := args[0].i64, out.b, n.set.i64
	for i := range r {
		_, r[i] = set[x[i]]
	}
}

func kInSetFloat(ev *Evaluator, n *node, args []*vec, out *vec) {
	x, r, set := args[0].f64, out.b, n.set.f64
	for i := range r {
		_, r[i] = set[x[i]]
	}
}

func kInSetText(ev *Evaluator, n *node, args []*vec, out *vec) {
	x, r := args[0].s, out.b
	for i := range r {
		r[i] = n.set.hasText(x[i])
	}
}
