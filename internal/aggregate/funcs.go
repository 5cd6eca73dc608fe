package aggregate

import (
	"errors"

	"github.com/ptransform/ptransform/internal/expr"
)

// family names the kernels that fold an aggregate's argument in; a kernel is chosen
// once per chunk column from the family and the column's shape (kernels).
type family uint8

const (
	famCountRows family = iota
	famCountValid
	famSum     // sum, mean
	famMoments // variance, stddev
	famSorted  // median, quantile
	famSketch  // approx_quantile
	famExtreme // min, max
	famPick    // first, last
	famMode
	famDistinct
	famStringAgg
	famBool // any, all
)

// aggFunc is one aggregate of --agg.
type aggFunc struct {
	name             string
	minArgs, maxArgs int
	usage            string
	literal          string // what the second argument is: "q" or "sep"
	// check returns the result's static type and the kernel family for an argument of
	// static type arg, or what the aggregate needs instead.
	check  func(arg expr.Type) (expr.Type, family, error)
	newAcc func(a *compiledAgg) accumulator
}

var errNeedsNumbers = errors.New("needs numbers")

func numbers(result func(arg expr.Type) expr.Type, fam family) func(expr.Type) (expr.Type, family, error) {
	return func(arg expr.Type) (expr.Type, family, error) {
		switch arg {
		case expr.TypeInt, expr.TypeFloat, expr.TypeText, expr.TypeNull:
			return result(arg), fam, nil
		}
		return 0, 0, errNeedsNumbers
	}
}

func always(t expr.Type) func(expr.Type) expr.Type { return func(expr.Type) expr.Type { return t } }

// sumType: ints sum to an int, anything else to a float (text cells that are all
// integers still give exact integers, see sumAcc.build; and an int column when a sample
// says the cells are integers, CompileCells).
func sumType(arg expr.Type) expr.Type {
	if arg == expr.TypeInt {
		return expr.TypeInt
	}
	return expr.TypeFloat
}

func anyValue(fam family) func(expr.Type) (expr.Type, family, error) {
	return func(arg expr.Type) (expr.Type, family, error) {
		if arg == expr.TypeNull {
			return expr.TypeString, fam, nil
		}
		return arg, fam, nil
	}
}

func fixed(t expr.Type, fam family) func(expr.Type) (expr.Type, family, error) {
	return func(expr.Type) (expr.Type, family, error) { return t, fam, nil }
}

func bools(arg expr.Type) (expr.Type, family, error) {
	switch arg {
	case expr.TypeBool, expr.TypeText, expr.TypeNull:
		return expr.TypeBool, famBool, nil
	}
	return 0, 0, errors.New("needs true/false values")
}

// aggFuncs is every aggregate, by name.
var aggFuncs = map[string]*aggFunc{
	"count": {name: "count", maxArgs: 1, usage: "no argument (rows) or one (its non-null values)",
		check:  func(arg expr.Type) (expr.Type, family, error) { return expr.TypeInt, famCountValid, nil },
		newAcc: newCountAcc},
	"count_distinct": {name: "count_distinct", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: fixed(expr.TypeInt, famDistinct), newAcc: newDistinctAcc},
	"sum": {name: "sum", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: numbers(sumType, famSum), newAcc: newSumAcc},
	"mean": {name: "mean", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: numbers(always(expr.TypeFloat), famSum), newAcc: newSumAcc},
	"min": {name: "min", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: anyValue(famExtreme), newAcc: newExtremeAcc},
	"max": {name: "max", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: anyValue(famExtreme), newAcc: newExtremeAcc},
	"first": {name: "first", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: anyValue(famPick), newAcc: newPickAcc},
	"last": {name: "last", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: anyValue(famPick), newAcc: newPickAcc},
	"mode": {name: "mode", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: anyValue(famMode), newAcc: newModeAcc},
	"variance": {name: "variance", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: numbers(always(expr.TypeFloat), famMoments), newAcc: newMomentsAcc},
	"stddev": {name: "stddev", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: numbers(always(expr.TypeFloat), famMoments), newAcc: newMomentsAcc},
	"median": {name: "median", minArgs: 1, maxArgs: 1, usage: "one argument",
		check: numbers(always(expr.TypeFloat), famSorted), newAcc: newSortedAcc},
	"quantile": {name: "quantile", minArgs: 2, maxArgs: 2, literal: "q", usage: "a value and a literal q between 0 and 1: quantile(x, 0.9)",
		check: numbers(always(expr.TypeFloat), famSorted), newAcc: newSortedAcc},
	"approx_quantile": {name: "approx_quantile", minArgs: 2, maxArgs: 2, literal: "q", usage: "a value and a literal q between 0 and 1: approx_quantile(x, 0.9)",
		check: numbers(always(expr.TypeFloat), famSketch), newAcc: newSketchAcc},
	"string_agg": {name: "string_agg", minArgs: 2, maxArgs: 2, literal: "sep", usage: `a value and a literal separator: string_agg(x, ", ")`,
		check: fixed(expr.TypeString, famStringAgg), newAcc: newStringAggAcc},
	"any": {name: "any", minArgs: 1, maxArgs: 1, usage: "one true/false argument",
		check: bools, newAcc: newBoolAcc},
	"all": {name: "all", minArgs: 1, maxArgs: 1, usage: "one true/false argument",
		check: bools, newAcc: newBoolAcc},
}
