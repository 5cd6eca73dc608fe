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
	parse := func(s string) float64 {
		var f float64
		var ok bool
		if len(s) >= 8 {
			f, ok = parsePlainDecimal(s)
		} else {
			f, ok = shortDecimal(s)
		}
		if !ok {
			b.Fatalf("%q left the fast paths", s)
		}
		return f
	}
	for _, impl := range []struct {
		name   string
		parse  func(string) float64
		format func([]byte, float64) []byte
	}{
		{"ptransform", parse, table.AppendFloat},
		{"strconv", func(s string) float64 {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				b.Fatal(err)
			}
			return f
		}, func(dst []byte, f float64) []byte { return strconv.AppendFloat(dst, f, 'f', -1, 64) }},
	} {
		b.Run(impl.name, func(b *testing.B) {
			out := make([]byte, 0, 32*len(as))
			for b.Loop() {
				out = out[:0]
				for i := range as {
					out = impl.format(out, impl.parse(as[i])*impl.parse(bs[i]))
					out = append(out, '\n')
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(as)), "ns/row")
		})
	}
}
