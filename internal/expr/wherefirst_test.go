package expr

import (
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// A filter that reads no assigned column runs first; the assignments see only the rows
// it keeps, with their own row numbers, and a vector the filter computed (b read as a
// number) is gathered for them with its errors.
func TestWhereFirstComputesKeptRowsOnly(t *testing.T) {
	cols := []string{"a", "b"}
	rows := [][]string{{"6", "3"}, {"5", "0"}, {"7", "x"}, {"8", "2"}, {"1", "0"}}
	for _, tc := range []struct {
		name        string
		exprs       []string
		where       string
		mode        OnError
		whereFirst  bool
		r, n        []string // the kept rows' r and n
		errLines    []int64
		errExprs    []string
		failsAtLine int64 // OnErrorFail: the line of the error, 0 for none
	}{
		{name: "guard", exprs: []string{"r = a / b; n = _row"}, where: "b != 0 and a != \"7\"", mode: OnErrorFail,
			whereFirst: true, r: []string{"2", "4"}, n: []string{"1", "4"}},
		// Row 3's b is not a number: the filter's or lets it through, the assignment
		// fails on it (the gathered vector keeps the error, renumbered).
		{name: "gathered error", exprs: []string{"r = a / b; n = _row"}, where: "b != 0 or a == \"7\"", mode: OnErrorSkip,
			whereFirst: true, r: []string{"2", "4"}, n: []string{"1", "4"}, errLines: []int64{4}, errExprs: []string{"--expr r"}},
		{name: "gathered error fails", exprs: []string{"r = a / b"}, where: "b != 0 or a == \"7\"", mode: OnErrorFail,
			whereFirst: true, failsAtLine: 4},
		{name: "keeps none", exprs: []string{"r = a / b; n = _row"}, where: "b == 99", mode: OnErrorSkip, whereFirst: true,
			errLines: []int64{4}, errExprs: []string{"--where b == 99"}},
		// The filter reads r: the assignment runs over every row and fails on row 2.
		{name: "reads assigned", exprs: []string{"r = a / b"}, where: "r > 2", mode: OnErrorFail, failsAtLine: 3},
		{name: "reads assigned, null", exprs: []string{"r = b * 1; n = _row"}, where: "r > 2", mode: OnErrorNull,
			r: []string{"3"}, n: []string{"1"}, errLines: []int64{4}, errExprs: []string{"--expr r"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.exprs, []string{tc.where}, cols, Options{OnError: tc.mode})
			if err != nil {
				t.Fatal(err)
			}
			if p.whereFirst != tc.whereFirst {
				t.Fatalf("whereFirst %v, want %v", p.whereFirst, tc.whereFirst)
			}
			ev := p.NewEvaluator()
			for rep := 0; rep < 2; rep++ { // the second run reuses the scratch vectors
				out, rowErrs, err := ev.Apply(makeChunk(cols, rows))
				if tc.failsAtLine != 0 {
					re, ok := err.(*RowError)
					if !ok || re.Line != tc.failsAtLine {
						t.Fatalf("want a row error at line %d, got %v", tc.failsAtLine, err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if got := columnTexts(t, out, "r"); !slices.Equal(got, tc.r) {
					t.Errorf("r = %q, want %q", got, tc.r)
				}
				if got := columnTexts(t, out, "n"); !slices.Equal(got, tc.n) {
					t.Errorf("n = %q, want %q", got, tc.n)
				}
				var lines []int64
				var exprs []string
				for _, e := range rowErrs {
					lines, exprs = append(lines, e.Line), append(exprs, e.Expr)
				}
				if !slices.Equal(lines, tc.errLines) || !slices.Equal(exprs, tc.errExprs) {
					t.Errorf("errors %v, want lines %v from %q", rowErrs, tc.errLines, tc.errExprs)
				}
				ev.Recycle()
			}
		})
	}
}

// takeStrings copies short values a word at a time: values of every length up to past
// the word, at the end of the data and in a sliced array, come out whole, in columns
// with a null (the empty value) and without (its own loop).
func TestTakeStringsLengths(t *testing.T) {
	var withNull, noNulls [][]string
	for n := 0; n <= 3*shortCopy; n++ {
		row := []string{strings.Repeat(string(rune('a'+n%26)), n)}
		withNull = append(withNull, row)
		if n > 0 {
			noNulls = append(noNulls, row)
		}
	}
	var arrays []arrow.Array
	for _, rows := range [][][]string{withNull, noNulls} {
		col := makeChunk([]string{"s"}, rows).Batch.Column(0)
		arrays = append(arrays, col, array.NewSlice(col, 3, int64(len(rows))))
	}
	if arrays[2].NullN() != 0 || arrays[0].NullN() == 0 {
		t.Fatal("the test's columns do not have the nulls it means")
	}
	for _, a := range arrays {
		var sel []int32
		for i := 0; i < a.Len(); i += 1 + i%3 {
			sel = append(sel, int32(i))
		}
		if last := int32(a.Len() - 1); sel[len(sel)-1] != last {
			sel = append(sel, last) // the last value ends the data
		}
		var o outBufs
		got := takeStrings(&o, a.(*array.String), sel, nil).(*array.String)
		for k, i := range sel {
			want := a.(*array.String).Value(int(i))
			if got.IsNull(k) != a.IsNull(int(i)) || got.Value(k) != want {
				t.Fatalf("row %d (input %d): got %q, want %q", k, i, got.Value(k), want)
			}
		}
	}
}
