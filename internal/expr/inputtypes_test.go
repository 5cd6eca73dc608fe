package expr

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/table"
)

// Input columns of static types (Options.InputTypes: --having over aggregated columns)
// are checked as those types, with the carets a computed column gets, and read as them.
func TestInputTypes(t *testing.T) {
	names := []string{"k", "n", "m"}
	types := []Type{TypeText, TypeInt, TypeDate}
	for src, want := range map[string]string{
		`n > "a"`:          `cannot compare column "n" (int) with a string literal`,
		`upper(n) == "3"`:  `upper needs text for argument 1, got column "n" (int)`,
		`m > "2023-06-01"`: `cannot compare column "m" (date) with a string literal`,
	} {
		_, err := Compile(nil, []string{src}, names, Options{InputTypes: types})
		var ce *CompileError
		if !errors.As(err, &ce) || !strings.Contains(ce.Msg, want) {
			t.Errorf("%s: error %v, want %q with a caret", src, err, want)
		}
		if _, err := Compile(nil, []string{src}, names, Options{}); err != nil {
			t.Errorf("%s as cells: %v", src, err) // text cells compare with anything
		}
	}
	ints := array.NewInt64Builder(memory.DefaultAllocator)
	ints.AppendValues([]int64{1, 3}, nil)
	dates := array.NewDate32Builder(memory.DefaultAllocator)
	dates.AppendValues([]arrow.Date32{19000, 19600}, nil)
	keys := array.NewStringBuilder(memory.DefaultAllocator)
	keys.AppendValues([]string{"a", "b"}, nil)
	fields := []arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}, {Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "m", Type: arrow.FixedWidthTypes.Date32}}
	c := &table.Chunk{Batch: array.NewRecordBatch(arrow.NewSchema(fields, nil), []arrow.Array{keys.NewArray(), ints.NewArray(), dates.NewArray()}, 2), Row0: 1}
	p, err := Compile(nil, []string{`n > 1 and m > date("2023-06-01")`}, names, Options{InputTypes: types})
	if err != nil {
		t.Fatal(err)
	}
	out, _, err := p.NewEvaluator().Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(columnTexts(t, out, "k"), ","); got != "b" {
		t.Errorf("kept %s, want b", got)
	}
	// A name no column has says where it is, for --having's caret.
	_, err = Compile(nil, []string{"n > 1 and qty > 3"}, names, Options{InputTypes: types})
	var unknown *UnknownColumnError
	if !errors.As(err, &unknown) || unknown.Pos != 10 || err.Error() != `unknown column "qty"` {
		t.Errorf("error %v", err)
	}
}
