package aggregate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// decimalTexts are cells min and max meet: canonical decimals of every sign, scale and
// length up to the 15-digit limit, zeros of both signs, and text that is not canonical
// (numbers written otherwise, dates, words).
func decimalTexts(r *rand.Rand, n int) []string {
	texts := []string{"0", "-0", "0.0", "-0.00", "1", "1.0", "1.00", "-1", "-1.0", "10", "9.999", "0.5", "0.50",
		"123456789012345", "-123456789012345", "12345678901234.5", "0.00000000000001", "999999999999999",
		"1234567890123456", "00", "05", "5.", ".5", "-.5", "+1", " 12", "1e3", "1000", "1E3", "-", "1.2.3",
		"2024-01-05", "2024-01-05T10:00:00", "apple", "Banana", "δ", "0x10", "1_000", "NaN", "-7184765.4777"}
	for range n {
		digits := 1 + r.IntN(15)
		scale := r.IntN(digits + 1)
		m := r.Int64N(int64(math.Pow10(digits)))
		s := strconv.FormatFloat(float64(m)/math.Pow10(scale), 'f', scale, 64)
		if r.IntN(2) == 0 {
			s = "-" + s
		}
		texts = append(texts, s)
	}
	return texts
}

// A canonical decimal's typed form is its text's: the value textKeyOf reads, the text
// given back, and the order textBefore gives, ties included.
func TestDecimalTypedFormMatchesText(t *testing.T) {
	texts := decimalTexts(rand.New(rand.NewPCG(11, 3)), 3000)
	for _, s := range texts {
		f, tag, ok := readDecimal(s)
		if !ok {
			continue
		}
		if k := textKeyOf(s); k.class != 0 || k.num != f {
			t.Fatalf("%q: read as %v, textKeyOf says %+v", s, f, k)
		}
		if back := string(appendDecimal(nil, f, tag)); back != s {
			t.Fatalf("%q formatted back as %q", s, back)
		}
	}
	acc := &textExtreme{}
	for _, a := range texts {
		fa, ta, okA := readDecimal(a)
		for _, b := range texts[:300] {
			fb, tb, okB := readDecimal(b)
			if !okA || !okB {
				continue
			}
			if got, want := acc.wins(fa, fb, ta, tb), textBefore(textKeyOf(a), a, textKeyOf(b), b); got != want {
				t.Fatalf("%q before %q: %v, textBefore says %v", a, b, got, want)
			}
		}
	}
	for _, s := range []string{"00", "05", "5.", ".5", "-.5", "+1", " 12", "1e3", "1234567890123456", "-", "1.2.3", "2024-01-05"} {
		if _, _, ok := readDecimal(s); ok {
			t.Errorf("%q taken as a canonical decimal", s)
		}
	}
}

// min and max of text cells, typed or not, give the cell textBefore puts first or last,
// as it was written, over any split into chunks and partials (typed and text states
// merged both ways).
func TestTextExtremesMatchTextOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	texts := decimalTexts(r, 200)
	for round := range 40 {
		var rows [][]string
		want := map[string][2]string{}
		groups := 1 + r.IntN(6)
		mostlyDecimal := round%2 == 0
		for range 1 + r.IntN(300) {
			x := texts[r.IntN(len(texts))]
			if mostlyDecimal && r.IntN(20) != 0 {
				x = texts[40+r.IntN(len(texts)-40)]
			}
			if r.IntN(15) == 0 {
				x = ""
			}
			k := fmt.Sprint("k", r.IntN(groups))
			rows = append(rows, []string{k, x})
			w, seen := want[k]
			if !seen {
				w = [2]string{"∅", "∅"}
			}
			if x != "" {
				if w[0] == "∅" || textBefore(textKeyOf(x), x, textKeyOf(w[0]), w[0]) {
					w[0] = x
				}
				if w[1] == "∅" || textBefore(textKeyOf(w[1]), w[1], textKeyOf(x), x) {
					w[1] = x
				}
			}
			want[k] = w
		}
		st := mustCompile(t, "k", []string{"lo = min(x); hi = max(x)"}, []string{"k", "x"})
		for _, split := range [][2]int{{1000, 1}, {7, 3}, {1, 4}} {
			out, err := run(t, st, []string{"k", "x"}, rows, split[0], split[1])
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range out[1:] {
				if w := want[row[0]]; row[1] != w[0] || row[2] != w[1] {
					t.Fatalf("round %d, split %v, group %s: min %q max %q, want %q %q\n%s",
						round, split, row[0], row[1], row[2], w[0], w[1], strings.Join(strings.Fields(fmt.Sprint(rows)), " "))
				}
			}
		}
	}
}

// BenchmarkReadDecimal reads cells like the benchmark file's c column.
func BenchmarkReadDecimal(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	cells := make([]string, 4096)
	for i := range cells {
		cells[i] = strconv.FormatFloat((r.Float64()-0.5)*2e7, 'f', 4, 64)
	}
	var sum float64
	for b.Loop() {
		for _, s := range cells {
			f, _, _ := readDecimal(s)
			sum += f
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(cells)), "ns/cell")
}

// readDecimal takes exactly the canonical decimals of at most 15 digits, with their
// value (strconv's) and tag, whichever of its two readers takes the text: long texts
// (8 bytes and more) with a '.' anywhere, leading zeros and stray bytes included.
func TestReadDecimalTakesCanonicalDecimals(t *testing.T) {
	canonical := regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?$`)
	texts := []string{"1234567.", ".1234567", "-.1234567", "01234567.5", "00000000", "-1234567.",
		"1234567.89012345", "12345678.9012345", "123456789.012345", "0.12345678", "00.123456",
		"-0.0000000", "12345678901234.5", "1234567890123456", "123456789012345.", "1234 5678",
		"1234567.8.9", "9999999999999999", "-999999999999999", "99999999.9999999"}
	r := rand.New(rand.NewPCG(3, 9))
	for range 20000 {
		b := []byte(strconv.FormatInt(r.Int64N(1e16), 10))
		for range r.IntN(3) { // a '.', a zero or a stray byte somewhere
			b[r.IntN(len(b))] = ".0.x"[r.IntN(4)]
		}
		if r.IntN(2) == 0 {
			b = append([]byte{'-'}, b...)
		}
		texts = append(texts, string(b[:min(len(b), 1+r.IntN(17))]))
	}
	for _, s := range texts {
		f, tag, ok := readDecimal(s)
		digits, _ := strings.CutPrefix(s, "-")
		intPart, frac, dotted := strings.Cut(digits, ".")
		want := canonical.MatchString(s) && len(digits) <= 16 && len(intPart)+len(frac) <= 15
		if ok != want {
			t.Fatalf("%q: taken %v, want %v", s, ok, want)
		}
		if !ok {
			continue
		}
		if wantF, _ := strconv.ParseFloat(s, 64); f != wantF || math.Signbit(f) != math.Signbit(wantF) {
			t.Fatalf("%q: read as %v, strconv says %v", s, f, wantF)
		}
		if !dotted {
			frac = ""
		}
		if wantTag := decimalTag(s[0] == '-', len(frac)); tag != wantTag {
			t.Fatalf("%q: tag %d, want %d", s, tag, wantTag)
		}
		if back := string(appendDecimal([]byte("x"), f, tag)); back != "x"+s {
			t.Fatalf("%q formatted back as %q", s, back[1:])
		}
	}
}
