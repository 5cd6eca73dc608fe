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
}

func (s *constSet) len() int { return len(s.i64) + len(s.f64) + len(s.s) }

// setKernels are the equality kernels (by name) whose comparisons against a constant
// collapse into a set lookup: each compares values of one storage type by identity.
var setKernels = map[string]namedKernel{
	"eq_int":    {"in_set_int", kInSetInt},
	"eq_float":  {"in_set_float", kInSetFloat},
	"eq_string": {"in_set_string", kInSetString},
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
			if n.set.s == nil {
				n.set.s = map[string]struct{}{}
			}
			n.set.s[k.s[0]] = struct{}{}
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

func kInSetString(ev *Evaluator, n *node, args []*vec, out *vec) {
	x, r, set := args[0].s, out.b, n.set.s
	for i := range r {
		_, r[i] = set[x[i]]
	}
}
