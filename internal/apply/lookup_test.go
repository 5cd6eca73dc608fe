package apply

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/duckdbtest"
	"github.com/ptransform/ptransform/internal/lookup"
)

// lookupKeys are the keys of the random orders and products: integers, the same
// integers written as floats (7.0 is 7), codes with a leading zero (07 is text), text
// in two letter cases, bools, and keys no product has.
var lookupKeys = []string{"1", "2", "3", "7", "7.0", "07", "12", "12.5", "12.50", "1e1", "10",
	"abc", "ABC", "true", "TRUE", "false", "-3", "x y", "é", "999", "2024-03-01"}

// writeLookupData writes random orders (order_id, product_id, qty) and products (id,
// name, price, pos) with null keys, duplicate and missing keys, and mixed-type keys.
func writeLookupData(t *testing.T, r *rand.Rand, dir string, orders, products int) (string, string) {
	write := func(name string, header []string, rows [][]string) string {
		path := filepath.Join(dir, name)
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.Write(header)
		w.WriteAll(rows)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	key := func() string {
		if r.IntN(10) == 0 {
			return ""
		}
		return lookupKeys[r.IntN(len(lookupKeys)-2)] // the last two: on no product
	}
	var prows, orows [][]string
	for i := range products {
		prows = append(prows, []string{key(), fmt.Sprintf("name %d, \"q\"", i), strconv.FormatFloat(float64(r.IntN(1000))/4, 'f', -1, 64), strconv.Itoa(i)})
	}
	for i := range orders {
		k := lookupKeys[r.IntN(len(lookupKeys))]
		if r.IntN(10) == 0 {
			k = ""
		}
		orows = append(orows, []string{strconv.Itoa(i), k, strconv.Itoa(r.IntN(9))})
	}
	return write("orders.csv", []string{"order_id", "product_id", "qty"}, orows),
		write("products.csv", []string{"id", "name", "price", "pos"}, prows)
}

// duckKey is the lookup's key rule in DuckDB's SQL: a number by its value, a bool by
// its truth, anything else by its text; empty is null (docs/lookups.md, "Keys").
func duckKey(col string) string {
	return fmt.Sprintf(`CASE WHEN %[1]s IS NULL OR trim(%[1]s) = '' THEN NULL
		WHEN regexp_full_match(trim(%[1]s), '[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?|[-+]?0?\.[0-9]+') THEN 'n:' || CAST(CAST(trim(%[1]s) AS DOUBLE) AS VARCHAR)
		WHEN lower(trim(%[1]s)) IN ('true', 'false') THEN 'b:' || lower(trim(%[1]s))
		ELSE 't:' || %[1]s END`, col)
}

// TestLookupDuckDB compares --lookup with DuckDB's LEFT, inner and ANTI joins on random
// data, the duplicate keys resolved by --lookup-dup first and last as ROW_NUMBER over
// the file order does.
func TestLookupDuckDB(t *testing.T) {
	dir := t.TempDir()
	orders, products := writeLookupData(t, rand.New(rand.NewPCG(12, 1)), dir, 3000, 40)
	for _, how := range []struct {
		name string
		how  lookup.How
		sql  string
	}{
		{"left", lookup.HowLeft, "SELECT o.order_id, o.product_id, o.qty, p.name, p.price, p.pos FROM o LEFT JOIN p ON o.k = p.k ORDER BY o.order_id::INT"},
		{"inner", lookup.HowInner, "SELECT o.order_id, o.product_id, o.qty, p.name, p.price, p.pos FROM o JOIN p ON o.k = p.k ORDER BY o.order_id::INT"},
		{"anti", lookup.HowAnti, "SELECT o.order_id, o.product_id, o.qty FROM o ANTI JOIN p ON o.k = p.k ORDER BY o.order_id::INT"},
	} {
		for _, dup := range []struct {
			name  string
			dup   lookup.Dup
			order string
		}{{"first", lookup.DupFirst, "ASC"}, {"last", lookup.DupLast, "DESC"}} {
			t.Run(how.name+"_"+dup.name, func(t *testing.T) {
				query := fmt.Sprintf(`WITH o AS (SELECT *, %s AS k FROM read_csv('%s', all_varchar = true, header = true)),
					ranked AS (SELECT *, %s AS k FROM read_csv('%s', all_varchar = true, header = true)),
					p AS (SELECT * FROM ranked WHERE k IS NOT NULL QUALIFY row_number() OVER (PARTITION BY k ORDER BY pos::INT %s) = 1)
					%s`, duckKey("product_id"), orders, duckKey("id"), products, dup.order, how.sql)
				_, want := duckdbtest.Query(t, orders, query)
				out := filepath.Join(t.TempDir(), "out.csv")
				o := Options{Inputs: []string{orders}, Output: out, Workers: 2, ChunkSize: 1 << 10,
					Lookups: []lookup.Spec{{Path: products, On: "product_id=id", How: how.how, Dup: dup.dup}}}
				if err := Run(context.Background(), o); err != nil {
					t.Fatal(err)
				}
				got := readCSVRows(t, out)
				if len(got) != len(want) {
					t.Fatalf("%d rows, DuckDB %d", len(got), len(want))
				}
				for i := range want {
					for j, v := range want[i] {
						w := ""
						if v != nil {
							w = fmt.Sprint(v)
						}
						if got[i][j] != w {
							t.Fatalf("row %d column %d: %q, DuckDB %q (row %q)", i+1, j+1, got[i][j], w, got[i])
						}
					}
				}
			})
		}
	}
}

// readCSVRows reads a CSV output's rows, its header left out.
func readCSVRows(t *testing.T, path string) [][]string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

// TestLookupDeterministic checks that a lookup's output is the same bytes for any
// workers and chunk size, a left join, an inner join with a key expression and a
// filter after it, and an anti join.
func TestLookupDeterministic(t *testing.T) {
	dir := t.TempDir()
	orders, products := writeLookupData(t, rand.New(rand.NewPCG(3, 4)), dir, 2000, 30)
	for _, tc := range []struct {
		name   string
		spec   lookup.Spec
		wheres []string
	}{
		{"left", lookup.Spec{Path: products, On: "product_id=id", Dup: lookup.DupLast, Prefix: "p_"}, nil},
		{"inner_where", lookup.Spec{Path: products, On: "lower(product_id)=id", Dup: lookup.DupFirst, How: lookup.HowInner}, []string{"qty > 2"}},
		{"anti", lookup.Spec{Path: products, On: "product_id=id", Dup: lookup.DupFirst, How: lookup.HowAnti}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first []byte
			for _, workers := range []int{1, 2, 8} {
				for _, chunk := range []int64{7, 1 << 10, 64 << 20} {
					out := filepath.Join(t.TempDir(), "out.csv")
					o := Options{Inputs: []string{orders}, Output: out, Workers: workers, ChunkSize: chunk,
						Lookups: []lookup.Spec{tc.spec}, Wheres: tc.wheres}
					if err := Run(context.Background(), o); err != nil {
						t.Fatal(err)
					}
					got, err := os.ReadFile(out)
					if err != nil {
						t.Fatal(err)
					}
					if first == nil {
						first = got
						if strings.Count(string(got), "\n") < 100 {
							t.Fatalf("too few rows to tell:\n%s", got)
						}
						continue
					}
					if !bytes.Equal(got, first) {
						t.Fatalf("workers %d, chunk size %d: output differs from workers 1, chunk size 7", workers, chunk)
					}
				}
			}
		})
	}
}
