package aggregate

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// randomRows makes rows of (k, s, x, f, d, b, t): a key with unicode and null values,
// a second key, ints (some near the int64 edge over 2^53), decimals, dates, bools
// and words, each column with nulls.
func randomRows(r *rand.Rand, n int) ([]string, [][]string) {
	keys := []string{"EU", "US", "日本", "Ünïcode", "", "a,b", "e\u0301"}
	words := []string{"apple", "Banana", "cherry", "10", "9", "2024-01-05", "δ", ""}
	rows := make([][]string, n)
	for i := range rows {
		cell := func(s string) string {
			if r.IntN(10) == 0 {
				return ""
			}
			return s
		}
		big := int64(0) // some ints over 2^53, few enough that no sum passes int64
		if r.IntN(32) == 0 {
			big = 1 << 55
		}
		rows[i] = []string{
			keys[r.IntN(len(keys))],
			cell(strconv.Itoa(r.IntN(3))),
			cell(strconv.FormatInt(r.Int64N(2000)-1000+big, 10)),
			cell(strconv.FormatFloat((r.Float64()-0.3)*1e4, 'f', r.IntN(7), 64)),
			cell(fmt.Sprintf("20%02d-%02d-%02d", r.IntN(30), 1+r.IntN(12), 1+r.IntN(28))),
			cell([]string{"true", "false", "TRUE"}[r.IntN(3)]),
			cell(words[r.IntN(len(words))]),
		}
	}
	return []string{"k", "s", "x", "f", "d", "b", "t"}, rows
}

var allAggs = "n = count(); nx = count(x); cd = count_distinct(t); sx = sum(x); sf = sum(f); " +
	"mf = mean(f); mx = mean(x); lo = min(f); hi = max(t); dlo = min(date(d)); dhi = max(d); " +
	"fi = first(t); la = last(f); sd = stddev(f); va = variance(x); me = median(f); " +
	"q = quantile(x, 0.9); aq = approx_quantile(f, 0.25); mo = mode(t); sa = string_agg(t, '|'); " +
	"an = any(b); al = all(b); sp = sum(f * 2 + x)"

// The output never depends on how rows are cut into chunks nor over how many partials
// they are spread, nor on whether the chunks reach the partials in input order (Finish
// then merges the partials' orders of first rows) or out of it (Finish sorts).
func TestDeterministicOverSplits(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	header, rows := randomRows(r, 3000)
	for _, groupBy := range []string{"k", "k, s", "", "m = lower(k) ~ s", "w = int(s)", "w = round(float(f) / 1000)", "w = date(d)"} {
		st := mustCompile(t, groupBy, []string{allAggs}, header)
		want, err := run(t, st, header, rows, len(rows), 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, parts := range []int{1, 2, 8} {
			for _, chunk := range []int{1, 7, 1000} {
				if parts == 1 && chunk == len(rows) {
					continue
				}
				for _, how := range []handing{lastFirst, inOrder, firstLast} {
					got, err := runHanded(t, st, header, rows, chunk, parts, how)
					if err != nil {
						t.Fatal(err)
					}
					if format(got) != format(want) {
						t.Fatalf("group by %q, %d partials, chunks of %d rows, handed %d:\n%s\nwant (one chunk):\n%s", groupBy, parts, chunk, how, format(got), format(want))
					}
				}
			}
		}
	}
}

// Finish builds the parts of a large output side by side: over 100k groups (four
// parts and more), every group's row is its own and comes in order of first appearance,
// the same for any split.
func TestManyGroupsInOrder(t *testing.T) {
	const groups = 100_003
	var rows [][]string
	for i := range 3 * groups {
		k := (i * 7919) % groups // first appearances in a shuffled order
		rows = append(rows, []string{strconv.Itoa(k), strconv.Itoa(i % 3), strconv.FormatFloat(float64(k)/8, 'f', -1, 64)})
	}
	st := mustCompile(t, "k", []string{"n = count(); s = sum(x); hi = max(f); m = mode(x); q = median(x)"}, []string{"k", "x", "f"})
	var first string
	for _, split := range [][3]int{{4096, 1, int(lastFirst)}, {5000, 3, int(lastFirst)}, {5000, 3, int(inOrder)}, {5000, 2, int(firstLast)}} {
		out, err := runHanded(t, st, []string{"k", "x", "f"}, rows, split[0], split[1], handing(split[2]))
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != groups+1 {
			t.Fatalf("%d rows, want %d groups", len(out)-1, groups)
		}
		for i, row := range out[1:] {
			k, _ := strconv.Atoi(row[0])
			want := []string{strconv.Itoa((i * 7919) % groups), "3", "3", strconv.FormatFloat(float64(k)/8, 'f', -1, 64), strconv.Itoa(i % 3), "1"}
			if strings.Join(row, ",") != strings.Join(want, ",") {
				t.Fatalf("split %v, row %d: %v, want %v", split, i, row, want)
			}
		}
		if got := format(out); first == "" {
			first = got
		} else if got != first {
			t.Fatalf("split %v: the output differs", split)
		}
	}
}
