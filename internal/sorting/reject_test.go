package sorting

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// numberFieldHead is the head of a key that starts with the number field, as far as
// the field goes: the bytes appendNumberKey writes, inverted when descending.
func TestNumberFieldHead(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	values := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(),
		math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1 << 53, -(1 << 53), 1 << 63}
	for range 2000 {
		values = append(values, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(40)-20)), math.Float64frombits(rng.Uint64()))
	}
	for _, f := range values {
		for _, tie := range []int64{0, 1, -1, 1023, -1024} {
			for _, desc := range []bool{false, true} {
				key := appendNumberKey(nil, f, tie)
				if desc {
					for k := range key {
						key[k] = ^key[k]
					}
				}
				want := headOf(append(key, 0xA5, 0x5A, 0x33)) // later fields do not count
				want.lo &= numberFieldLoMask
				if got := numberFieldHead(f, tie, desc); got != want {
					t.Fatalf("numberFieldHead(%v, %d, %v) = %x, want %x", f, tie, desc, got, want)
				}
			}
		}
	}
}

// A top-N over many rows rejects most of them by their first key without encoding it:
// its output is the stable sort's, for numbers that tie on their first key, integers
// beyond 2^53 that share a float, -0 and 0, and first keys of other kinds or null.
func TestTopNRejectionKeepsTheOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	rows := make([][]string, 20000)
	for i := range rows {
		var v string
		switch rng.IntN(12) {
		case 0:
			v = null
		case 1:
			v = "2024-01-0" + strconv.Itoa(1+rng.IntN(9))
		case 2:
			v = []string{"x", "0", "-0", "0.0", " 7", "+7", "1e3"}[rng.IntN(7)]
		case 3:
			v = strconv.Itoa(rng.IntN(20))
		case 4:
			// Plain decimals on either side of an integer: rejects' integer-part bound.
			n := 990 + rng.IntN(10)
			v = []string{strconv.Itoa(n) + ".000000", strconv.Itoa(n-1) + ".99999999999", "0000" + strconv.Itoa(n) + ".5", strconv.Itoa(n) + "0000000"}[rng.IntN(4)]
		default:
			v = strconv.FormatFloat(rng.Float64()*1000, 'f', 6, 64)
		}
		rows[i] = []string{strconv.Itoa(i), v, strconv.Itoa(rng.IntN(3)), "s"}
	}
	// Inputs in increasing order make every row enter a descending top-N.
	sorted := referenceSort(rows, []Key{{Column: 1}}, -1)
	for name, in := range map[string][][]string{"random": rows, "ascending": sorted} {
		b := textBatch(randomNames, in)
		for _, spec := range []string{"n", "-n", "n,-d", "-n,d"} {
			keys, err := ParseKeys(spec, randomNames)
			if err != nil {
				t.Fatal(err)
			}
			for _, limit := range []int64{1, 7, 100, 3000} {
				want := referenceSort(in, keys, int(limit))
				for _, partials := range []int{1, 3} {
					s, err := Compile(spec, limit, randomNames, Options{})
					if err != nil {
						t.Fatal(err)
					}
					got := feed(t, s, b, randomCuts(rng, len(in), 500), partials, rng)
					sameRows(t, fmt.Sprintf("%s rows, --sort %s --limit %d, %d partials", name, spec, limit, partials), got, want)
				}
			}
		}
	}
}

// integerCut is the bound numberFieldAfter gives, integer by integer, for worst rows
// of every kind: numbers (near integers, negative, huge), text, null.
func TestIntegerCut(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var worsts []keyHead
	for _, desc := range []bool{false, true} {
		for _, f := range []float64{0, -1, 0.5, 999.999999, 1000, 1e15, 2e15, -1e300, math.Inf(1), math.NaN(), 5e14 + 0.5} {
			worsts = append(worsts, numberFieldHead(f, 0, desc), numberFieldHead(f, 7, desc))
		}
		for range 50 {
			worsts = append(worsts, numberFieldHead(rng.Float64()*1000, 0, desc), numberFieldHead(float64(rng.IntN(1000)), 0, desc))
		}
	}
	worsts = append(worsts, headOf([]byte{0}), headOf([]byte{0xFF, 0xFF}), headOf([]byte("zz text")))
	for _, worst := range worsts {
		for _, desc := range []bool{false, true} {
			cut := integerCut(worst, desc)
			check := func(n int64) {
				bound := float64(n)
				if desc {
					bound++
				}
				after := numberFieldAfter(numberFieldHead(bound, 0, desc), worst)
				if inCut := desc && n <= cut || !desc && n >= cut; inCut != after {
					t.Fatalf("worst %x, desc %v: cut %d, n %d: after %v", worst, desc, cut, n, after)
				}
			}
			for _, n := range []int64{0, 1, maxIntegerPart, cut - 1, cut, cut + 1} {
				if n >= 0 && n <= maxIntegerPart {
					check(n)
				}
			}
			for range 200 {
				check(rng.Int64N(maxIntegerPart + 1))
			}
		}
	}
}
