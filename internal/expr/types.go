package expr

// BuiltTypes returns, per column an evaluator builds (as Passes), the static type of an
// assigned column's values, or TypeText for a column passed on unchanged: what a typed
// output takes as the column's type before any value is computed.
func (p *Program) BuiltTypes() []Type {
	types := make([]Type, len(p.buildFrom))
	for k, from := range p.buildFrom {
		types[k] = TypeText
		if from < 0 {
			types[k] = p.assigns[-1-from].root.typ
		}
	}
	return types
}

// BuiltNames returns the names of the columns an evaluator builds (as Passes).
func (p *Program) BuiltNames() []string { return append([]string(nil), p.buildNames...) }
