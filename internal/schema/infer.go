package schema

import (
	"fmt"
	"strings"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/valuetype"
)

// Infer is the type of a text column from a sample of its values (nulls left out), by
// the one inference of ptransform (valuetype), with three rules of its own so that no
// value changes its text on the way to a typed output:
//
//   - integers beyond int64 (9223372036854775808), and among floats integers that a
//     float64 cannot hold exactly (9007199254740993, beyond 2^53: ParseFloat refuses
//     them), make the column a string, never a rounded float;
//   - numbers written with an exponent and no point (1e5) among integers, with no
//     number written with a point, make the column a string: that is an id column,
//     not a measurement;
//   - H:MM:SS values are a time of day when every one is below 24:00:00, else a
//     duration.
//
// Values with leading zeros (00123) and anything else that is not a plain number, bool,
// ISO date or datetime (+33 1 23) already read as text in valuetype.
func Infer(values []string) Type {
	// One classification per value (the sample is the serial step before the first
	// worker): a value of text decides the column at once, and a number column's
	// values are not classified a second time for its rules.
	typ := ""
	integer := make([]bool, len(values))
	for i, v := range values {
		kind := valuetype.Of(v)
		if typ = valuetype.Unify(typ, kind); typ == valuetype.Text {
			return String // text absorbs every other type (valuetype.Unify)
		}
		integer[i] = kind == valuetype.Integer
	}
	switch typ {
	case valuetype.Bool:
		return Bool
	case valuetype.Integer:
		return Int
	case valuetype.Number:
		integers, exponents, points := false, false, false
		for i, v := range values {
			// valuetype.Of trims what TrimSpace does from a blank value or a number.
			v = strings.TrimSpace(v)
			switch {
			case integer[i]:
				if _, ok := ParseFloat(v); !ok {
					return String // beyond 2^53, no float holds it: never a rounded float
				}
				integers = true
			case !strings.ContainsAny(v, ".eE"):
				return String // an integer beyond int64, or a blank value
			case strings.Contains(v, "."):
				points = true
			default:
				exponents = true
			}
		}
		if integers && exponents && !points {
			return String
		}
		return Float
	case valuetype.Date:
		return Date
	case valuetype.Datetime:
		return Datetime
	case valuetype.Time:
		for _, v := range values {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if _, ok := parseClock(v, true); !ok {
				return Duration
			}
		}
		return Time
	}
	return String
}

// FromExpr is the output type of an expression's static type: text stays a string.
func FromExpr(t expr.Type) Type {
	switch t {
	case expr.TypeInt:
		return Int
	case expr.TypeFloat:
		return Float
	case expr.TypeBool:
		return Bool
	case expr.TypeDate:
		return Date
	case expr.TypeTimestamp:
		return Datetime
	}
	return String
}

// Expr is the expression type of t's values, FromExpr's inverse: TypeText (cells read
// as text) for a string, time or duration, which the language has no type for.
func (t Type) Expr() expr.Type {
	switch t {
	case Int:
		return expr.TypeInt
	case Float:
		return expr.TypeFloat
	case Bool:
		return expr.TypeBool
	case Date:
		return expr.TypeDate
	case Datetime:
		return expr.TypeTimestamp
	}
	return expr.TypeText
}

// Override is one column of --schema.
type Override struct {
	Column string
	Type   Type
}

// ParseOverrides reads --schema 'col:type,...'. A column name may hold ':' (the type
// follows the last one) but not ','.
func ParseOverrides(spec string) ([]Override, error) {
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	var out []Override
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		k := strings.LastIndexByte(item, ':')
		if k < 0 {
			return nil, fmt.Errorf("--schema %q: %q has no type: write column:type, e.g. id:string", spec, item)
		}
		name := strings.TrimSpace(item[:k])
		t, err := ParseType(item[k+1:])
		if err != nil {
			return nil, fmt.Errorf("--schema %q: column %q: %w", spec, name, err)
		}
		if seen[name] {
			return nil, fmt.Errorf("--schema %q: column %q is given twice", spec, name)
		}
		seen[name] = true
		out = append(out, Override{Column: name, Type: t})
	}
	return out, nil
}

// Apply sets the overrides' types on s, refusing a column s does not have.
func (s Schema) Apply(overrides []Override) error {
	names := make([]string, len(s))
	for i, c := range s {
		names[i] = c.Name
	}
	for _, o := range overrides {
		j, err := table.FindColumn(o.Column, names)
		if err == nil && j < 0 {
			err = table.UnknownColumnError(o.Column, names)
		}
		if err != nil {
			return fmt.Errorf("--schema: %w", err)
		}
		s[j].Type, s[j].Inferred = o.Type, false
	}
	return nil
}

// String is the schema as --schema spells it: "id:int,name:string".
func (s Schema) String() string {
	parts := make([]string, len(s))
	for i, c := range s {
		parts[i] = c.Name + ":" + c.Type.String()
	}
	return strings.Join(parts, ",")
}
