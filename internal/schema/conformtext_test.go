package schema

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
)

// The whole-column way (conformWholeText) gives the values, nulls and errors of the row
// reader's (conformFixed, which rows selected by --on-error skip still take), on tricky
// and random text, nulls and a slice of the column.
func TestWholeTextAsTheRowReader(t *testing.T) {
	tricky := []string{"", " ", "0", "-0", "00123", "-", ".", "5.", ".5", "-.5", "+1", " 12", "12 ", "\t7\u00a0",
		"999999999999999999", "-999999999999999999", "1000000000000000000", "9223372036854775807",
		"9223372036854775808", "-9223372036854775808", "123456789012345", "1234567890123456", "1.2.3", "1e5",
		"NaN", "0x10", "٣", "2024-03-01", "2024-02-30", "0001-01-01", " 2024-03-01", "2024-3-01", "2024-03-01T10:00",
		"990.804810", "-7184765.4777", "0.2991177475", "0.000000000000001", "9007199254740993",
		"true", "false", "TRUE", "False", " true", "false ", "yes", "1", "truex",
		"0000-01-01", "2024-02-29", "2023-02-29", "1900-02-29", "2000-02-29", "9999-12-31", "2024-13-01",
		"2024-00-10", "2024-01-00", "2024-01-32", "2024-01-3x", "2024/01/30", "1969-12-31",
		"00123", "-007", "+0123", "00", "0", "-0", "0.5", "00.5", "-01.25", "0e5", "00e5", " 0123 "}
	rng := rand.New(rand.NewPCG(3, 4))
	values := append([]string(nil), tricky...)
	for range 5000 {
		values = append(values, randomDecimal(rng), fmt.Sprintf("%04d-%02d-%02d", rng.IntN(10000), rng.IntN(14), rng.IntN(33)))
	}
	b := array.NewStringBuilder(memory.DefaultAllocator)
	for i, v := range values {
		if i%7 == 3 {
			b.AppendNull()
		}
		b.Append(v)
	}
	full := b.NewArray()
	defer full.Release()
	slice := array.NewSlice(full, 5, int64(full.Len()-2))
	defer slice.Release()
	for _, col := range []arrow.Array{full, slice} {
		checkWholeTextAsRowReader(t, col)
	}
}

// checkWholeTextAsRowReader checks that conformColumn's way for a whole text column
// (conformWholeText) gives the values and errors of the row reader's, bit for bit, for
// every column kind.
func checkWholeTextAsRowReader(t *testing.T, col arrow.Array) {
	t.Helper()
	all := make([]int32, col.Len())
	for i := range all {
		all[i] = int32(i)
	}
	for _, c := range columnsOfEveryKind() {
		var gotBad, wantBad []string
		got, err := conformColumn(col, c, nil, nil, func(row int, v string) { gotBad = append(gotBad, fmt.Sprint(row, v)) })
		if err != nil {
			t.Fatal(err)
		}
		want, err := conformColumn(col, c, all, nil, func(row int, v string) { wantBad = append(wantBad, fmt.Sprint(row, v)) })
		if err != nil {
			t.Fatal(err)
		}
		for i := range got.Len() {
			if g, w := valueBits(got, i), valueBits(want, i); g != w {
				t.Errorf("%s (inferred %v) of %q: %s, the row reader %s", c.Type, c.Inferred, col.ValueStr(i), g, w)
			}
		}
		if fmt.Sprint(gotBad) != fmt.Sprint(wantBad) {
			t.Errorf("%s (inferred %v): errors %v, the row reader's %v", c.Type, c.Inferred, gotBad, wantBad)
		}
		got.Release()
		want.Release()
	}
}

// The int, float, date and bool columns ConformWith reads from whole text columns take their
// memory from the allocator given, and give it all back once the batch is released.
func TestConformWithGivesTheMemoryBack(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	for _, typ := range []Type{Int, Float, Date, Bool} {
		v := map[Type]string{Int: "12", Float: "12", Date: "2024-03-01", Bool: "true"}[typ]
		s := Schema{{Name: "v", Type: typ}}
		out, _, err := s.ConformWith(textChunk(str(v), nil, str("x"), str(v)), expr.OnErrorNull, mem)
		if err != nil {
			t.Fatal(err)
		}
		if mem.CurrentAlloc() == 0 {
			t.Errorf("%s: no memory taken from the allocator", typ)
		}
		if got := out.Batch.Column(0).ValueStr(0); got != v {
			t.Errorf("%s: first value %s", typ, got)
		}
		out.Batch.Release()
		if n := mem.CurrentAlloc(); n != 0 {
			t.Errorf("%s: %d bytes not given back", typ, n)
		}
	}
}

// columnsOfEveryKind are the columns conformColumn reads text as, each type given by
// --schema and inferred from a sample.
func columnsOfEveryKind() []Column {
	var cols []Column
	for _, typ := range []Type{Int, Float, Date, Bool} {
		cols = append(cols, Column{Type: typ}, Column{Type: typ, Inferred: true})
	}
	return cols
}
