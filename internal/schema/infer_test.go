package schema

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/valuetype"
)

// inferTwoPasses is Infer as it was before it classified each value once: the column's
// type by valuetype.Infer, then a number column's values classified again.
func inferTwoPasses(values []string) Type {
	switch valuetype.Infer(values) {
	case valuetype.Bool:
		return Bool
	case valuetype.Integer:
		return Int
	case valuetype.Number:
		integers, exponents, points := false, false, false
		for _, v := range values {
			v = strings.TrimSpace(v)
			switch {
			case valuetype.Of(v) == valuetype.Integer:
				if _, ok := ParseFloat(v); !ok {
					return String
				}
				integers = true
			case !strings.ContainsAny(v, ".eE"):
				return String
			case strings.Contains(v, "."):
				points = true
			default:
				exponents = true
			}
		}
		if integers && exponents && !points {
			return String
		}
		return Float
	case valuetype.Date:
		return Date
	case valuetype.Datetime:
		return Datetime
	case valuetype.Time:
		for _, v := range values {
			if v = strings.TrimSpace(v); v == "" {
				continue
			}
			if _, ok := parseClock(v, true); !ok {
				return Duration
			}
		}
		return Time
	}
	return String
}

// Infer decides every column as the two passes did: random samples drawn from groups
// of values of one kind (so that typed columns come out), with blanks, spaces of every
// sort around values, and a value of another group now and then.
func TestInferAsTwoPasses(t *testing.T) {
	groups := [][]string{
		{"1", "-3", "+7", "0", "22", "9007199254740993", "9007199254740992", "9223372036854775807", "9223372036854775808", "00123", "-0"},
		{"2.5", "1e5", "1E3", "2.5e3", ".5", "5.", "-0.0", "1.5", "1e400", "NaN", "inf", "9007199254740993.0"},
		{"true", "FALSE", "True", "yes"},
		{"2024-03-01", "2024-03-02T10:00", "2024-02-30", "2024-03-01 10:00:00", "0001-01-01"},
		{"13:45:00", "0:00:01", "36:00:00", "-1:00:00", "24:00:00", "1:2:3"},
		{"", " ", "\t", "\v", "\u00a0", "x", "+33 1 23"},
	}
	pads := []string{"", "", "", " ", "\t", "\r\n", "\v", "\u00a0", "\u0085"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 300_000 {
		group := groups[rng.IntN(len(groups))]
		values := make([]string, rng.IntN(6))
		for i := range values {
			g := group
			if rng.IntN(8) == 0 {
				g = groups[rng.IntN(len(groups))]
			}
			values[i] = pads[rng.IntN(len(pads))] + g[rng.IntN(len(g))] + pads[rng.IntN(len(pads))]
		}
		if got, want := Infer(values), inferTwoPasses(values); got != want {
			t.Fatalf("Infer(%q) = %s, the two passes %s", values, got, want)
		}
	}
}

// BenchmarkInfer is the inference of the benchmark data's ten columns, 1,000 values
// each, as the schema sample hands them over.
func BenchmarkInfer(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	columns := make([][]string, 10)
	for i := range 1000 {
		row := []string{
			strconv.Itoa(i + 1), strconv.FormatFloat(rng.Float64()*1000, 'f', 6, 64), strconv.Itoa(rng.IntN(1001)), "cat", "some name",
			"2014-11-09", []string{"true", "false"}[rng.IntN(2)], strconv.FormatFloat((rng.Float64()-0.5)*2e7, 'f', 4, 64), strconv.Itoa(rng.IntN(1e9) * 10), strconv.FormatFloat(rng.Float64(), 'f', 10, 64),
		}
		for j, v := range row {
			columns[j] = append(columns[j], v)
		}
	}
	for b.Loop() {
		for _, values := range columns {
			Infer(values)
		}
	}
}
