package expr

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// compareParseNumber compares parseNumber with strconv.ParseFloat on s, which is the
// reference wherever IsDecimal accepts s.
func compareParseNumber(t *testing.T, s string) {
	t.Helper()
	// The fast paths that parseInput calls on their own must read what they accept
	// as strconv does.
	for name, fast := range map[string]func(string) (float64, bool){"parsePlainDecimal": parsePlainDecimal, "shortDecimal": shortDecimal} {
		if f, ok := fast(s); ok {
			want, err := strconv.ParseFloat(s, 64)
			if err != nil || math.Float64bits(f) != math.Float64bits(want) {
				t.Fatalf("%s(%q) = %v, strconv %v (%v)", name, s, f, want, err)
			}
		}
	}
	got, st := parseNumber(s)
	trimmed := trimSpaces(s)
	switch {
	case trimmed == "":
		if st != parsedBlank {
			t.Fatalf("parseNumber(%q): status %d, want blank", s, st)
		}
		return
	case !IsDecimal(trimmed):
		if st != parsedBad {
			t.Fatalf("parseNumber(%q) = %v, want an error", s, got)
		}
		return
	}
	want, err := strconv.ParseFloat(trimmed, 64)
	if err != nil || math.IsInf(want, 0) {
		if st != parsedBad {
			t.Fatalf("parseNumber(%q) = %v, want an error", s, got)
		}
		return
	}
	if st != parsedOK || math.Float64bits(got) != math.Float64bits(want) {
		t.Fatalf("parseNumber(%q) = %v (status %d), want %v", s, got, st, want)
	}
}

func TestParseNumber(t *testing.T) {
	for _, s := range []string{
		// The fast path's shapes: 8 to 16 bytes, the point anywhere or nowhere.
		"12345678", "123456789012345", "1234567890123456", "9007199254740993",
		"819.867505", "-2634758.6336", "+0.4674159401", ".1234567", "1234567.",
		"0.00000001", "00000000", "-0.000000", "123456789.012345", "12345678.9012345",
		"999999999999999.", ".999999999999999", "1.23456789012345", "0.30000000000000004",
		// Not for the fast path, or not numbers at all.
		"1234.567.8", "12345e10", "1234567e", "1,234.567", "12345678x", "x12345678",
		"1234567/", "1234567:", "12 345678", " 819.867505 ", "--12345678", "", "   ",
		"1e400", "0x1234567", "NaN", "Infinity", "12345678\xff", "1234567\x00",
		// The short fast path: up to 7 bytes.
		".", "5.", ".5", "12.5", "1.2.3", "0000007", "-12.5", "1e5", "12 ", "9999999",
	} {
		compareParseNumber(t, s)
	}
	// Every length and point position of random digits, and random bytes spliced in.
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789.-+e /:\x00\xb0"
	for range 200000 {
		n := 1 + rng.IntN(18)
		var b strings.Builder
		for range n {
			b.WriteByte('0' + byte(rng.IntN(10)))
		}
		s := []byte(b.String())
		switch rng.IntN(3) {
		case 0:
			s[rng.IntN(n)] = '.'
		case 1:
			s[rng.IntN(n)] = alphabet[rng.IntN(len(alphabet))]
		}
		compareParseNumber(t, string(s))
	}
}

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{"819.867505", "-2634758.6336", "12345678", "1.5e3", "1234567.", " 12 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { compareParseNumber(t, s) })
}

func BenchmarkParsePlainDecimal(b *testing.B) {
	values := make([]string, 4096)
	for i := range values {
		values[i] = strconv.FormatFloat(float64(i*7919%1000000007)/1e6, 'f', 6, 64)
	}
	out := make([]float64, len(values))
	for b.Loop() {
		for i, s := range values {
			out[i], _ = parsePlainDecimal(s)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(values)), "ns/value")
}

// int(x) reads text exactly: integers to the last digit, decimals truncated toward
// zero from their digits, and an error past the int64 range.
func TestParseIntText(t *testing.T) {
	for s, want := range map[string]string{
		"42": "42", " -7 ": "-7", "+5": "5", "3.9": "3", "-3.9": "-3", "-0.5": "0", ".5": "0", "5.": "5",
		"9007199254740993": "9007199254740993", "9007199254740993.5": "9007199254740993",
		"-9007199254740993.999": "-9007199254740993", "1.5e3": "1500", "12345e-2": "123", "1e18": "1000000000000000000",
		"9223372036854775807": "9223372036854775807", "-9223372036854775808": "-9223372036854775808",
		"9223372036854775807.9": "9223372036854775807", "-9223372036854775808.9": "-9223372036854775808",
		"0.000e999999999999": "0", "1e-999999999999": "0", "000123.4500": "123", "0.09223372036854775808e20": "!",
		"9223372036854775808": "!", "-9223372036854775809": "!", "1e19": "!", "1e999999999999": "!", "92233720368547758070e-1": "9223372036854775807",
		"-0": "0", "007": "7", "-007": "-7", "123456789012345678": "123456789012345678", "-1234567890123456789": "-1234567890123456789",
		"abc": "?", "1e": "?", "-": "?", "0x10": "?", "1_000": "?", "NaN": "?",
	} {
		v, st, msg := parseIntText(s)
		got := strconv.FormatInt(v, 10)
		switch {
		case st == parsedBad && msg == msgIntRange:
			got = "!"
		case st != parsedOK:
			got = "?"
		}
		if got != want {
			t.Errorf("parseIntText(%q) = %s (%v %q), want %s", s, got, st, msg, want)
		}
	}
}

// PlainIntegerPart reads exactly the text ReadPlainNumber reads, and the value it
// reads is between the integer part and the next integer.
func checkPlainIntegerPart(t *testing.T, v string) {
	n, ok := PlainIntegerPart(v)
	f, want := ReadPlainNumber(v)
	if ok != want || ok && (f < float64(n) || f > float64(n+1)) {
		t.Fatalf("PlainIntegerPart(%q) = %d, %v; ReadPlainNumber: %v, %v", v, n, ok, f, want)
	}
	// And it is exactly the number the digits before the '.' spell.
	if whole, _, _ := strings.Cut(v, "."); ok {
		if w, err := strconv.ParseInt(whole, 10, 64); err != nil || w != n {
			t.Fatalf("PlainIntegerPart(%q) = %d, want %s", v, n, whole)
		}
	}
}

func TestPlainIntegerPart(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, v := range []string{"", "12345678", "123456789012345", "1234567890123456", "12345678.", "123456789.1",
		".1234567", "1234.5678", "1234.56.8", "0000000.0000001", "99999999.9999999", "1234567-", "-1234.5678", "1 234.5678"} {
		checkPlainIntegerPart(t, v)
	}
	for range 100000 {
		b := make([]byte, rng.IntN(18))
		for k := range b {
			b[k] = "0123456789.9-e x"[rng.IntN(16)]
		}
		checkPlainIntegerPart(t, string(b))
	}
}

func FuzzPlainIntegerPart(f *testing.F) {
	f.Add("990.804810")
	f.Fuzz(checkPlainIntegerPart)
}
