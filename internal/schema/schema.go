// Package schema is the typed shape of a typed output (xlsx, Parquet, JSON Lines): one
// type per column, decided before the first row is written and kept for the whole
// output.
//
// Writers of typed formats receive chunks whose columns already have the Arrow type of
// their schema type (ArrowType), so that each writer formats values and never decides
// types itself:
//
//	String   arrow.BinaryTypes.String
//	Int      arrow.PrimitiveTypes.Int64
//	Float    arrow.PrimitiveTypes.Float64
//	Bool     arrow.FixedWidthTypes.Boolean
//	Date     arrow.FixedWidthTypes.Date32                 days since 1970-01-01
//	Datetime arrow.FixedWidthTypes.Timestamp_us           no zone
//	Time     arrow.FixedWidthTypes.Time64us               time of day
//	Duration arrow.FixedWidthTypes.Duration_us            elapsed time, may exceed a day
//
// A null is an empty cell in every format. A column marked Text may instead hold the
// text its values were read from (see Column.Text).
package schema

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// Type is the type of an output column.
type Type uint8

const (
	String Type = iota
	Int
	Float
	Bool
	Date
	Datetime
	Time
	Duration
)

// names are the spellings of --schema, in Type order.
var names = [...]string{"string", "int", "float", "bool", "date", "datetime", "time", "duration"}

func (t Type) String() string { return names[t] }

// ParseType reads a type as --schema spells it.
func ParseType(s string) (Type, error) {
	for i, n := range names {
		if strings.EqualFold(strings.TrimSpace(s), n) {
			return Type(i), nil
		}
	}
	return 0, fmt.Errorf("unknown type %q (want %s)", s, strings.Join(names[:], ", "))
}

// ArrowType is the Arrow type of the columns a writer receives for t.
func (t Type) ArrowType() arrow.DataType {
	switch t {
	case Int:
		return arrow.PrimitiveTypes.Int64
	case Float:
		return arrow.PrimitiveTypes.Float64
	case Bool:
		return arrow.FixedWidthTypes.Boolean
	case Date:
		return arrow.FixedWidthTypes.Date32
	case Datetime:
		return arrow.FixedWidthTypes.Timestamp_us
	case Time:
		return arrow.FixedWidthTypes.Time64us
	case Duration:
		return arrow.FixedWidthTypes.Duration_us
	}
	return arrow.BinaryTypes.String
}

// Column is one output column.
type Column struct {
	Name string
	Type Type
	// Text lets Conform keep an int, float, bool or date column that was read as text as
	// that very text (a string array) when every value of the chunk reads as Type,
	// unchanged, for a writer that writes such values as text (JSON Lines) and would only
	// format them again.
	Text bool
	// Unchecked, with Text, lets Conform keep such a column as its text without looking
	// at the values: the writer checks each one with TextReadsAs as it writes it (one
	// pass over the text, not two) and has the chunk conformed again by Checked() when
	// one does not read as Type.
	Unchecked bool
	// Inferred is set when Type was inferred from a sample of the input's values (Infer),
	// not given by --schema: a later value the inference reads as text does not fit the
	// column, as it would have made it a string had it been sampled. Of the values
	// Conform reads as numbers, that is a number with a leading zero (00123: a code).
	Inferred bool
}

// Checked is s without Unchecked columns: the schema that conforms a chunk whose text
// a writer found not to read as its column's type.
func (s Schema) Checked() Schema {
	checked := slices.Clone(s)
	for i := range checked {
		checked[i].Unchecked = false
	}
	return checked
}

// Schema is the columns of one output, in order.
type Schema []Column

// Arrow is the Arrow schema of the chunks a writer of s receives: every field nullable.
func (s Schema) Arrow() *arrow.Schema {
	fields := make([]arrow.Field, len(s))
	for i, c := range s {
		fields[i] = arrow.Field{Name: c.Name, Type: c.Type.ArrowType(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
