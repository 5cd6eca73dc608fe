package aggregate

import (
	"encoding/csv"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/duckdbtest"
)

// duckCases pairs each aggregate with DuckDB's SQL for it. Order-dependent ones take
// ORDER BY i, the row number, which is input order.
var duckCases = []struct{ agg, sql string }{
	{"n = count()", "count(*)"},
	{"nx = count(x)", "count(x)"},
	{"cd = count_distinct(t)", "count(DISTINCT t)"},
	{"sx = sum(x)", "sum(x)"},
	{"sf = sum(f)", "sum(f)"},
	{"mf = mean(f)", "avg(f)"},
	{"mx = mean(x)", "avg(x)"},
	{"lo = min(f)", "min(f)"},
	{"hi = max(t)", "max(t)"},
	{"dlo = min(d)", "min(d)::VARCHAR"},
	{"dhi = max(date(d))", "max(d)::VARCHAR"},
	{"fi = first(t)", "first(t ORDER BY i)"},
	{"la = last(f)", "last(f ORDER BY i)"},
	{"sd = stddev(f)", "stddev_samp(f)"},
	{"va = variance(x)", "var_samp(x)"},
	{"me = median(f)", "median(f)"},
	{"q = quantile(x, 0.9)", "quantile_cont(x, 0.9)"},
	{"sa = string_agg(t, '|')", "string_agg(t, '|' ORDER BY i)"},
	{"an = any(b)", "bool_or(b)"},
	{"al = all(b)", "bool_and(b)"},
	{"sp = sum(f * 2 + x)", "sum(f * 2 + x)"},
	{"mi = max(min(x * 3, 7))", "max(CASE WHEN x IS NOT NULL THEN least(x * 3, 7) END)"}, // the scalar min inside; null in, null out
}

// writeDuckCSV writes random rows with nulls, unicode keys, dates and bools.
func writeDuckCSV(t *testing.T, r *rand.Rand, n int) (string, []string, [][]string) {
	keys := []string{"EU", "US", "日本", "Ünïcode", "", "a,b", "e\u0301", "quote\"d"}
	words := []string{"apple", "Banana", "cherry", "δέλτα", "zebra", "Äpfel"}
	header := []string{"i", "k", "x", "f", "d", "b", "t"}
	rows := make([][]string, n)
	cell := func(s string) string {
		if r.IntN(8) == 0 {
			return ""
		}
		return s
	}
	for i := range rows {
		rows[i] = []string{
			strconv.Itoa(i),
			keys[r.IntN(len(keys))],
			cell(strconv.FormatInt(r.Int64N(2_000_000)-1_000_000, 10)),
			cell(strconv.FormatFloat(r.Float64()*1e4, 'f', r.IntN(7), 64)),
			cell(fmt.Sprintf("%04d-%02d-%02d", 1990+r.IntN(40), 1+r.IntN(12), 1+r.IntN(28))),
			cell([]string{"true", "false"}[r.IntN(2)]),
			cell(words[r.IntN(len(words))]),
		}
	}
	// A group whose values are all null: every aggregate of nothing.
	rows = append(rows, []string{strconv.Itoa(n), "only nulls", "", "", "", "", ""})
	path := filepath.Join(t.TempDir(), "data.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, header, rows
}

func TestAgainstDuckDB(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	path, header, rows := writeDuckCSV(t, r, 4000)
	var aggs, sqls []string
	for _, c := range duckCases {
		aggs = append(aggs, c.agg)
		sqls = append(sqls, c.sql)
	}
	st := mustCompile(t, "k", []string{strings.Join(aggs, "; ")}, header)
	got, err := run(t, st, header, rows, 333, 3)
	if err != nil {
		t.Fatal(err)
	}
	_, duck := duckdbtest.Query(t, path, "SELECT k, "+strings.Join(sqls, ", ")+" FROM t GROUP BY k ORDER BY min(i)")
	if len(duck) != len(got)-1 {
		t.Fatalf("%d groups, DuckDB %d", len(got)-1, len(duck))
	}
	for g, drow := range duck {
		row := got[g+1]
		for j, dv := range drow {
			name := got[0][j]
			if !sameValue(row[j], dv) {
				t.Errorf("group %q, %s: %q, DuckDB %v", row[0], name, row[j], dv)
			}
		}
	}
	// Float sums are exactly rounded: equal to the exact sum rounded once.
	exact := map[string]*big.Float{}
	for _, row := range rows {
		if row[3] == "" {
			continue
		}
		f, _ := strconv.ParseFloat(row[3], 64)
		if exact[row[1]] == nil {
			exact[row[1]] = new(big.Float).SetPrec(2000)
		}
		exact[row[1]].Add(exact[row[1]], big.NewFloat(f))
	}
	if got[0][5] != "sf" {
		t.Fatalf("column 5 is %s, not sf", got[0][5])
	}
	for _, row := range got[1:] {
		key := row[0]
		if key == "∅" {
			key = ""
		}
		if exact[key] == nil {
			continue
		}
		want, _ := exact[key].Float64()
		if g, _ := strconv.ParseFloat(row[5], 64); g != want { // sf
			t.Errorf("group %q: sum(f) %v, exactly rounded %v", key, g, want)
		}
	}
}

// sameValue compares our text cell with DuckDB's JSON value: nulls alike, numbers to
// 1e-12 relative (exactly for integers), anything else as text.
func sameValue(ours string, duck any) bool {
	if duck == nil {
		return ours == "∅"
	}
	ds := fmt.Sprint(duck)
	if ours == ds {
		return true
	}
	a, errA := strconv.ParseFloat(ours, 64)
	b, errB := strconv.ParseFloat(ds, 64)
	if errA != nil || errB != nil {
		return false
	}
	return a == b || math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b))
}

// Several keys, computed ones, one int key alone (the null group among them), against
// DuckDB's GROUP BY of the same.
func TestAgainstDuckDBKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 1))
	path, header, rows := writeDuckCSV(t, r, 3000)
	for _, c := range []struct{ ours, duck string }{
		{"k, b, y = year(d)", "k, b, year(d)"},
		{"y = year(d)", "year(d)"},
		{"t", "t"},
	} {
		st := mustCompile(t, c.ours, []string{"n = count(); s = sum(x); m = mean(f); hi = max(t)"}, header)
		got, err := run(t, st, header, rows, 101, 2)
		if err != nil {
			t.Fatal(err)
		}
		_, duck := duckdbtest.Query(t, path, "SELECT "+c.duck+", count(*), sum(x), avg(f), max(t) FROM t GROUP BY "+c.duck+" ORDER BY min(i)")
		if len(duck) != len(got)-1 {
			t.Fatalf("group by %s: %d groups, DuckDB %d", c.ours, len(got)-1, len(duck))
		}
		for g, drow := range duck {
			for j, dv := range drow {
				if !sameValue(got[g+1][j], dv) {
					t.Errorf("group by %s: group %v, %s: %q, DuckDB %v", c.ours, got[g+1], got[0][j], got[g+1][j], dv)
				}
			}
		}
	}
}
