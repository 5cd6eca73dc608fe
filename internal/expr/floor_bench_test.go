package expr

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/benchdata"
	"github.com/ptransform/ptransform/internal/table"
)

// BenchmarkDeriveFloor times, per row of the `make bench` data, the work that
// `-e 'total = a * b'` cannot avoid, with nothing around it: read a ("819.867505") and
// b ("573") from their text, multiply, write the product's shortest round-trip text.
// No decoding, no columns, no row copies. Compare it with apply's BenchmarkRunIdentity:
// derive at 85% of identity's throughput leaves it 0.176 × identity's time per row for
// everything it adds, this included (docs/performance.md, "The expression bars").
//
// "ptransform" uses the fast paths the evaluator takes (parseInput, table.AppendFloat);
// "strconv" the standard library's ParseFloat and shortest AppendFloat, for scale.
func BenchmarkDeriveFloor(b *testing.B) {
	var csv bytes.Buffer
	if err := benchdata.Write(&csv, 1<<16); err != nil {
		b.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")[1:]
	as, bs := make([]string, len(lines)), make([]string, len(lines))
	for i, line := range lines {
		f := strings.SplitN(line, ",", 4) // id,a,b,...: the first fields are never quoted
		as[i], bs[i] = f[1], f[2]
	}
	perRow := func(b *testing.B) {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(as)), "ns/row")
	}
	out := make([]byte, 0, 32*len(as))
	// a has 8 to 10 bytes and b 1 to 4: the fast paths parseInput takes for them.
	// Filtered, as in -w 'b > 500' -e 'total = a * b': both are parsed on every row
	// (the assignment runs before the filter), the product written for the rows kept.
	ours := func(filtered bool) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				out = out[:0]
				for i := range as {
					x, okA := parsePlainDecimal(as[i])
					y, okB := shortDecimal(bs[i])
					if !okA || !okB {
						b.Fatalf("%q or %q left the fast paths", as[i], bs[i])
					}
					if !filtered || y > 500 {
						out = append(table.AppendFloat(out, x*y), '\n')
					}
				}
			}
			perRow(b)
		}
	}
	b.Run("ptransform", ours(false))
	b.Run("ptransform-filter", ours(true))
	b.Run("strconv", func(b *testing.B) {
		for b.Loop() {
			out = out[:0]
			for i := range as {
				x, errA := strconv.ParseFloat(as[i], 64)
				y, errB := strconv.ParseFloat(bs[i], 64)
				if errA != nil || errB != nil {
					b.Fatal(errA, errB)
				}
				out = append(strconv.AppendFloat(out, x*y, 'f', -1, 64), '\n')
			}
		}
		perRow(b)
	})
}
