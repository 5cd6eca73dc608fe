package expr

import (
	"fmt"
	"strings"

	"github.com/ptransform/ptransform/internal/table"
)

// Explain describes the compiled plan: the output columns with their types, then each
// assignment and filter as a tree of kernels with the type each produces.
func (p *Program) Explain() string {
	var b strings.Builder
	b.WriteString("output columns:\n")
	w := 0
	for _, name := range p.outCols {
		w = max(w, len(name))
	}
	for j, name := range p.outCols {
		from := p.outFrom[j]
		if from >= 0 {
			fmt.Fprintf(&b, "  %-*s  text      input column %d\n", w, name, from+1)
			continue
		}
		a := p.assigns[-1-from]
		how := "new"
		if j < len(p.input) {
			how = "replaces input column " + itoa(j+1)
		}
		fmt.Fprintf(&b, "  %-*s  %-8s  %s, from --expr %s\n", w, name, outputType(a.root.typ), how, strings.TrimSpace(a.src))
	}
	assigns := func() {
		for _, a := range p.assigns {
			fmt.Fprintf(&b, "--expr %s = …\n", a.target)
			explainNode(&b, p, a.root, 1)
		}
	}
	wheres := func() {
		for _, wh := range p.wheres {
			fmt.Fprintf(&b, "--where %s\n", strings.TrimSpace(wh.src))
			explainNode(&b, p, wh.root, 1)
		}
	}
	if p.whereFirst {
		b.WriteString("filters first (they read no assigned column), then the assignments over the rows they keep:\n")
		wheres()
		assigns()
	} else {
		assigns()
		wheres()
	}
	fmt.Fprintf(&b, "on error: %s\n", [...]string{"fail", "skip", "null"}[p.opts.OnError])
	return b.String()
}

// outputType is how a result column is stored: text stays text.
func outputType(t Type) string {
	if t == TypeText {
		return "string"
	}
	return t.String()
}

func explainNode(b *strings.Builder, p *Program, n *node, depth int) {
	indent := strings.Repeat("  ", depth)
	var what string
	switch n.op {
	case opConst:
		what = "constant " + constText(n)
	case opInput:
		what = fmt.Sprintf("column %q", n.name)
	case opAssigned:
		what = fmt.Sprintf("column %q (assigned above)", n.name)
	case opRowNum:
		what = "_row"
	case opFile:
		what = "_file"
	case opSheet:
		what = "_sheet"
	case opStrict:
		what = n.kname + comparisonNote(n)
		if n.re != nil {
			what += " /" + n.re.String() + "/"
		}
		if n.set != nil {
			what += " (" + itoa(n.set.len()) + " distinct)"
		}
	case opAnd:
		what = "and"
	case opOr:
		what = "or"
	case opCond:
		what = "if"
	case opCoalesce:
		what = "coalesce"
	case opIsNull:
		what = "is_null"
	case opIn:
		what = "in (any of)"
	case opConcat:
		what = "concat"
	}
	fmt.Fprintf(b, "%s%-8s %s\n", indent, n.typ, what)
	for _, a := range n.args {
		explainNode(b, p, a, depth+1)
	}
}

// comparisonNote says how a comparison reads its operands where its kernel name alone
// would not tell.
func comparisonNote(n *node) string {
	if n.typ != TypeBool || len(n.args) != 2 {
		return ""
	}
	switch {
	case strings.HasSuffix(n.kname, "_text"):
		return " (per row: as numbers if both read as numbers, else as datetimes if both read as dates, else as text)"
	case strings.HasSuffix(n.kname, "_int_float"), strings.HasSuffix(n.kname, "_float_int"):
		return " (exact)"
	}
	return ""
}

func constText(n *node) string {
	v := n.konst
	if !v.valid(0) {
		return "null"
	}
	switch n.typ {
	case TypeString, TypeText:
		return fmt.Sprintf("%q", v.s[0])
	case TypeInt:
		return itoa64(v.i64[0])
	case TypeFloat:
		return string(table.AppendFloat(nil, v.f64[0]))
	case TypeBool:
		return fmt.Sprint(v.b[0])
	case TypeDate:
		return string(appendDate(nil, v.i64[0]))
	case TypeTimestamp:
		return string(table.AppendTimestamp(nil, v.i64[0]))
	}
	return "?"
}

func itoa64(i int64) string { return fmt.Sprint(i) }
