package lookup

import (
	"fmt"
	"strings"
)

// How is what a lookup does with the rows of the input: --how.
type How uint8

const (
	HowLeft  How = iota // every row, the reference's columns null where no key matches
	HowInner            // only the rows whose key matches
	HowAnti             // only the rows whose key matches nothing, with no column added
)

// Dup is what a duplicate key in the reference means: --lookup-dup.
type Dup uint8

const (
	DupError Dup = iota // an error naming both rows
	DupFirst            // the first row of the key (in file order) is the one found
	DupLast             // the last one is
)

// Spec is one --lookup and the flags that belong to it.
type Spec struct {
	Path   string
	Sheet  string // --lookup-sheet; "" for the first visible worksheet
	On     string // --on, as given
	Prefix string
	Select []string // --lookup-select; nil for every column but the right keys
	How    How
	Dup    Dup
}

// Flags are the lookup flags as given, each value in the order given.
type Flags struct {
	Paths, Sheets, Ons, Prefixes, Selects, Hows, Dups []string
}

// Specs pairs the per-lookup flags with the --lookup files. Each is given once, when
// it holds for every lookup, or once per --lookup, the i-th value for the i-th file
// (an empty value being the flag's default); any other count is ambiguous and an error.
// --prefix and --lookup-select are refused for an anti lookup, which adds no column,
// unless given once for several lookups (then they hold for the others).
func Specs(f Flags) ([]Spec, error) {
	n := len(f.Paths)
	flags := []struct {
		name   string
		values []string
	}{{"--on", f.Ons}, {"--lookup-sheet", f.Sheets}, {"--prefix", f.Prefixes}, {"--lookup-select", f.Selects}, {"--how", f.Hows}, {"--lookup-dup", f.Dups}}
	for _, fl := range flags {
		switch {
		case len(fl.values) > 0 && n == 0:
			return nil, fmt.Errorf("%s is a flag of --lookup PATH, which is not given", fl.name)
		case len(fl.values) > 1 && len(fl.values) != n:
			return nil, fmt.Errorf("%s is given %d times for %d --lookup files: give it once (for every lookup) or once per --lookup, in the same order", fl.name, len(fl.values), n)
		}
	}
	value := func(values []string, i int) (v string, shared bool) {
		switch len(values) {
		case 0:
			return "", false
		case 1:
			return values[0], n > 1
		}
		return values[i], false
	}
	specs := make([]Spec, n)
	for i, path := range f.Paths {
		s := Spec{Path: path}
		if s.On, _ = value(f.Ons, i); strings.TrimSpace(s.On) == "" {
			return nil, fmt.Errorf("--lookup %s needs --on LEFT=RIGHT, the input's key and the reference's (--on KEY when both name it alike)", path)
		}
		s.Sheet, _ = value(f.Sheets, i)
		how, _ := value(f.Hows, i)
		switch strings.ToLower(strings.TrimSpace(how)) {
		case "", "left":
		case "inner":
			s.How = HowInner
		case "anti":
			s.How = HowAnti
		default:
			return nil, fmt.Errorf("--how must be left, inner or anti, got %q", how)
		}
		dup, _ := value(f.Dups, i)
		switch strings.ToLower(strings.TrimSpace(dup)) {
		case "":
		case "first":
			s.Dup = DupFirst
		case "last":
			s.Dup = DupLast
		default:
			return nil, fmt.Errorf("--lookup-dup must be first or last, got %q (without it a duplicate key is an error)", dup)
		}
		prefix, sharedPrefix := value(f.Prefixes, i)
		sel, sharedSelect := value(f.Selects, i)
		if s.How == HowAnti {
			if prefix != "" && !sharedPrefix || sel != "" && !sharedSelect {
				return nil, fmt.Errorf("--lookup %s: --how anti keeps the rows that match nothing and adds no column: --prefix and --lookup-select do not apply", path)
			}
			prefix, sel = "", ""
		}
		s.Prefix = prefix
		for _, name := range strings.Split(sel, ",") {
			if name = strings.TrimSpace(name); name != "" {
				s.Select = append(s.Select, name)
			}
		}
		specs[i] = s
	}
	return specs, nil
}
