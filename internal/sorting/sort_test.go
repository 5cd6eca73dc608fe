package sorting

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestSortOrder(t *testing.T) {
	cases := []struct {
		name  string
		keys  string
		limit int64
		cells []string // column a; column id numbers the rows
		want  string   // column a after the stage
	}{
		{"numbers as numbers", "a", -1, []string{"10", "9", "-2", "1e3", "0.5", "+3"}, "-2 0.5 +3 9 10 1e3"},
		{"descending", "-a", -1, []string{"10", "9", "-2", "1e3", "0.5"}, "1e3 10 9 0.5 -2"},
		{"nulls last ascending", "a", -1, []string{null, "2", null, "1"}, "1 2 ∅ ∅"},
		{"nulls last descending", "-a", -1, []string{null, "2", null, "1"}, "2 1 ∅ ∅"},
		{"dates as instants", "a", -1, []string{"2024-03-01T12:00", "2024-03-01", "2023-12-31 23:59:59", "2024-03-01T11:00:00+00:00"}, "2023-12-31 23:59:59 2024-03-01 2024-03-01T11:00:00+00:00 2024-03-01T12:00"},
		{"offsets convert to UTC", "a", -1, []string{"2024-03-01T12:00+02:00", "2024-03-01T11:00Z"}, "2024-03-01T12:00+02:00 2024-03-01T11:00Z"},
		{"mixed: numbers, dates, text", "a", -1, []string{"b", "2024-01-01", "10", "A", "9", "2023-01-01", "", "x1"}, "9 10 2023-01-01 2024-01-01  A b x1"},
		{"text by bytes, unicode", "a", -1, []string{"é", "e", "z", "É", "ß", "Z"}, "Z e z É ß é"},
		{"ties keep input order", "a", -1, []string{"1", "1.0", "01", " 1", "1e0"}, "1 1.0 01  1 1e0"},
		{"ties keep input order descending", "-a", -1, []string{"x", "y", "x", "y"}, "y y x x"},
		{"integers beyond 2^53 exactly", "a", -1, []string{"9007199254740993", "9007199254740992", "9007199254740993.0", "9223372036854775807", "9223372036854775808"}, "9007199254740992 9007199254740993.0 9007199254740993 9223372036854775807 9223372036854775808"},
		{"negative zero is zero", "a", -1, []string{"0", "-0", "-0.0", "0.0"}, "0 -0 -0.0 0.0"},
		{"NaN is text in a text column", "a", -1, []string{"NaN", "1", "Inf"}, "1 Inf NaN"},
		{"nul bytes in text", "a", -1, []string{"a\x00b", "a", "a\x00", "a\x01"}, "a a\x00 a\x00b a\x01"},
		{"top-N", "-a", 3, []string{"5", "1", "9", "7", null, "9", "3"}, "9 9 7"},
		{"top-N with nulls", "a", 4, []string{null, "2", null, "1"}, "1 2 ∅ ∅"},
		{"limit zero", "a", 0, []string{"c", "a", "b"}, ""},
		{"limit beyond the rows", "a", 10, []string{"c", "a", "b"}, "a b c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows := make([][]string, len(tc.cells))
			for i, c := range tc.cells {
				rows[i] = []string{c, string(rune('A' + i))}
			}
			b := textBatch([]string{"a", "id"}, rows)
			for _, partials := range []int{1, 2, 3} {
				s, err := Compile(tc.keys, tc.limit, []string{"a", "id"}, Options{})
				if err != nil {
					t.Fatal(err)
				}
				var cuts []int
				for i := 1; i < len(rows); i += 2 {
					cuts = append(cuts, i)
				}
				got := column(feed(t, s, b, cuts, partials, rand.New(rand.NewPCG(1, uint64(partials)))), 0)
				if got != tc.want {
					t.Errorf("partials %d: got %q, want %q", partials, got, tc.want)
				}
			}
		})
	}
}

func TestSortMultiKey(t *testing.T) {
	rows := [][]string{{"b", "1"}, {"a", "2"}, {"b", "3"}, {"a", "1"}, {null, "0"}, {"a", null}}
	b := textBatch([]string{"g", "v"}, rows)
	s, err := Compile("g, -v", -1, []string{"g", "v"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := feed(t, s, b, []int{2, 3}, 2, nil)
	want := "a/2 a/1 a/∅ b/3 b/1 ∅/0"
	var parts []string
	for _, r := range got {
		parts = append(parts, strings.ReplaceAll(r[0]+"/"+r[1], null, "∅"))
	}
	if strings.Join(parts, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(parts, " "), want)
	}
}

// Typed columns sort by their type and come out with it.
func TestSortTypedColumns(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{3, math.MaxInt64, -5, math.MaxInt64 - 1, 0}, []bool{true, true, true, true, false})
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{math.NaN(), math.Inf(1), -1.5, math.Inf(-1), 2}, nil)
	db := array.NewDate32Builder(mem)
	db.AppendValues([]arrow.Date32{19000, 1, -3, 19000, 20000}, nil)
	tb := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Microsecond})
	tb.AppendValues([]arrow.Timestamp{5, 4, 3, 2, 1}, nil)
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false, true, false, true}, []bool{true, true, false, true, true})
	names := []string{"i", "f", "d", "ts", "b"}
	b := recordBatch(names, []arrow.Array{ib.NewArray(), fb.NewArray(), db.NewArray(), tb.NewArray(), bb.NewArray()})
	for _, tc := range []struct{ keys, col, want string }{
		{"i", "i", "-5 3 9223372036854775806 9223372036854775807 ∅"},
		{"-i", "i", "9223372036854775807 9223372036854775806 3 -5 ∅"},
		{"f", "f", "-Inf -1.5 2 Inf NaN"},
		{"-f", "f", "NaN Inf 2 -1.5 -Inf"},
		{"d,-ts", "ts", "3 4 5 2 1"},
		{"b,i", "b", "false false true true ∅"},
	} {
		s, err := Compile(tc.keys, -1, names, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := feed(t, s, b, []int{2}, 2, nil)
		j := map[string]int{"i": 0, "f": 1, "d": 2, "ts": 3, "b": 4}[tc.col]
		got := strings.ReplaceAll(column(out, j), "1970-01-01T00:00:00.00000", "")
		if got != tc.want {
			t.Errorf("--sort %s: column %s is %q, want %q", tc.keys, tc.col, got, tc.want)
		}
	}
}

// A stage that received no row emits nothing.
func TestSortNoRows(t *testing.T) {
	s, err := Compile("a", -1, []string{"a"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := finish(s, []*partial{s.NewPartial().(*partial), s.NewPartial().(*partial)})
	if err != nil || len(got) != 0 {
		t.Errorf("got %v, %v; want no rows", got, err)
	}
}
