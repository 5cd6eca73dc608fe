package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/ptransform/ptransform/internal/duckdbtest"
)

// TestModeAgainstDuckDB: mode is the most frequent non-null value, a tie going to the
// value seen first in input order, as DuckDB counts them per group (its own mode()
// leaves ties unspecified, so the query says the rule).
func TestModeAgainstDuckDB(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 3))
	path, header, rows := writeDuckCSV(t, r, 3000)
	st := mustCompile(t, "k", []string{"mt = mode(t); mb = mode(b); md = mode(d)"}, header)
	got, err := run(t, st, header, rows, 257, 3)
	if err != nil {
		t.Fatal(err)
	}
	modeOf := func(col string) string {
		return fmt.Sprintf(`(SELECT v FROM (SELECT %[1]s::VARCHAR AS v, count(*) AS n, min(i) AS first FROM t AS u
			WHERE u.k IS NOT DISTINCT FROM g.k AND %[1]s IS NOT NULL GROUP BY %[1]s) ORDER BY n DESC, first LIMIT 1)`, col)
	}
	_, duck := duckdbtest.Query(t, path, fmt.Sprintf(
		"SELECT g.k, %s, %s, %s FROM (SELECT k, min(i) AS first FROM t GROUP BY k) AS g ORDER BY g.first",
		modeOf("t"), modeOf("b"), modeOf("d")))
	if len(duck) != len(got)-1 {
		t.Fatalf("%d groups, DuckDB %d", len(got)-1, len(duck))
	}
	for g, drow := range duck {
		for j, dv := range drow {
			if ours := got[g+1][j]; !sameValue(ours, dv) {
				t.Errorf("group %q, %s: %q, DuckDB %v", got[g+1][0], got[0][j], ours, dv)
			}
		}
	}
}

// TestApproxQuantileAgainstDuckDB: approx_quantile is within its documented 0.5%
// (sketchAlpha) of DuckDB's exact quantile_cont, per group, for values of one sign.
func TestApproxQuantileAgainstDuckDB(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 4))
	path, header, rows := writeDuckCSV(t, r, 6000)
	qs := []float64{0, 0.1, 0.5, 0.9, 0.99, 1}
	var aggs, sqls string
	for i, q := range qs {
		s := strconv.FormatFloat(q, 'f', -1, 64)
		aggs += fmt.Sprintf("a%d = approx_quantile(f, %s); ", i, s)
		sqls += fmt.Sprintf(", quantile_cont(f, %s)", s)
	}
	st := mustCompile(t, "k", []string{aggs}, header)
	got, err := run(t, st, header, rows, 500, 3)
	if err != nil {
		t.Fatal(err)
	}
	_, duck := duckdbtest.Query(t, path, "SELECT k"+sqls+" FROM t GROUP BY k ORDER BY min(i)")
	if len(duck) != len(got)-1 {
		t.Fatalf("%d groups, DuckDB %d", len(got)-1, len(duck))
	}
	for g, drow := range duck {
		for j, dv := range drow[1:] {
			ours := got[g+1][j+1]
			if dv == nil {
				if ours != "∅" {
					t.Errorf("group %q, q %v: %q, DuckDB null", got[g+1][0], qs[j], ours)
				}
				continue
			}
			a, errA := strconv.ParseFloat(ours, 64)
			e, errE := strconv.ParseFloat(fmt.Sprint(dv), 64)
			if errA != nil || errE != nil || math.Abs(a-e) > sketchAlpha*math.Abs(e) {
				t.Errorf("group %q, q %v: %q, DuckDB %v: beyond %v relative", got[g+1][0], qs[j], ours, dv, sketchAlpha)
			}
		}
	}
}
