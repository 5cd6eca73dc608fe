package schema

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/valuetype"
)

// FuzzTextFastPaths holds the shape tests that stand for a parse to the parse, for any
// text (one value a line):
//   - TextReadsAs (isShortInt, isShortDecimal, isISODate, "true"/"false" first) says yes
//     exactly when the value has no spaces to trim and ParseInt, ParseFloat, ParseBool or
//     ParseDate reads it: what a column kept as text (Column.Text) relies on;
//   - shortInt and shortDecimal read the value ParseInt and strconv.ParseFloat read, to
//     the bit (the sign of zero included);
//   - conformWholeText gives the values, nulls and errors of the row reader's way.
func FuzzTextFastPaths(f *testing.F) {
	for _, seed := range []string{
		"0\n-0\n00\n007\n+1\n-\n.\n5.\n.5\n-.5\n1e5\n 12\n12 \n-0.000\n0.0",
		"999999999999999999\n-999999999999999999\n1000000000000000000\n9223372036854775807\n-9223372036854775808\n9223372036854775808",
		"123456789012345\n1234567890123456\n0.123456789012345\n9007199254740993\n1e308\n1e309\n-1e-320\n0x10\nNaN\nInf",
		"2024-02-29\n2023-02-29\n0000-01-01\n9999-12-31\n2024-03-01T10:00\ntrue\nFALSE\n true",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data string) {
		values := strings.Split(data, "\n")
		if len(values) > 64 {
			values = values[:64]
		}
		for _, v := range values {
			checkTextFastPaths(t, v)
		}
		b := array.NewStringBuilder(memory.DefaultAllocator)
		defer b.Release()
		for i, v := range values {
			if i%5 == 4 {
				b.AppendNull()
			}
			b.Append(v)
		}
		col := b.NewArray()
		defer col.Release()
		checkWholeTextAsRowReader(t, col)
	})
}

// valueBits is a conformed value as text, a float's bits included (array.Equal takes
// -0 for 0).
func valueBits(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "null"
	}
	if fl, ok := a.(*array.Float64); ok {
		return fmt.Sprintf("%v (%016x)", fl.Value(i), math.Float64bits(fl.Value(i)))
	}
	return a.ValueStr(i)
}

func checkTextFastPaths(t *testing.T, v string) {
	t.Helper()
	untrimmed := v != "" && strings.TrimSpace(v) == v
	n, intOK := ParseInt(v)
	fl, floatOK := ParseFloat(v)
	_, boolOK := ParseBool(v)
	_, dateOK := ParseDate(v)
	for _, c := range []struct {
		typ   Type
		reads bool
	}{{Int, intOK}, {Float, floatOK}, {Bool, boolOK}, {Date, dateOK}} {
		// A number with a leading zero is left to conformColumn, which knows the column.
		code := (c.typ == Int || c.typ == Float) && valuetype.LeadingZero(v)
		if got := TextReadsAs([]byte(v), c.typ); got != (untrimmed && c.reads && !code) {
			t.Fatalf("TextReadsAs(%q, %s) = %v; parsed %v", v, c.typ, got, c.reads)
		}
	}
	if isShortInt([]byte(v)) {
		x, ok := shortInt([]byte(v))
		if !ok || !intOK || x != n {
			t.Fatalf("isShortInt(%q): shortInt %d %v, ParseInt %d %v", v, x, ok, n, intOK)
		}
	}
	if x, ok := shortInt([]byte(v)); ok != isShortInt([]byte(v)) || ok && x != n {
		t.Fatalf("shortInt(%q) = %d %v; isShortInt %v, ParseInt %d", v, x, ok, isShortInt([]byte(v)), n)
	}
	x, ok := shortDecimal([]byte(v))
	if ok != isShortDecimal([]byte(v)) {
		t.Fatalf("shortDecimal(%q) ok %v, isShortDecimal %v", v, ok, isShortDecimal([]byte(v)))
	}
	if ok {
		want, err := strconv.ParseFloat(v, 64)
		if err != nil && !strings.HasSuffix(v, ".") && !strings.HasPrefix(strings.TrimPrefix(v, "-"), ".") {
			t.Fatalf("shortDecimal(%q) reads %v, strconv: %v", v, x, err)
		}
		if err == nil && math.Float64bits(x) != math.Float64bits(want) {
			t.Fatalf("shortDecimal(%q) = %v (%016x), strconv %v (%016x)", v, x, math.Float64bits(x), want, math.Float64bits(want))
		}
		if !floatOK || math.Float64bits(fl) != math.Float64bits(x) {
			t.Fatalf("shortDecimal(%q) = %v, ParseFloat %v %v", v, x, fl, floatOK)
		}
	}
}
