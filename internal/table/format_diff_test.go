package table

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"
)

// appendFloatStrconv is AppendFloat as it was before its fast path, all strconv: the
// contract the fast path must keep byte for byte.
func appendFloatStrconv(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e21 {
		if f == 0 {
			return append(dst, '0')
		}
		if math.Abs(f) < 1<<53 {
			return strconv.AppendInt(dst, int64(f), 10)
		}
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	abs := math.Abs(f)
	if abs >= 1e-6 && abs < 1e21 {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

func checkMatchesStrconv(t *testing.T, f float64) {
	t.Helper()
	got := AppendFloat([]byte("x"), f)
	want := appendFloatStrconv([]byte("x"), f)
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendFloat(%b = %v) = %s, strconv gives %s", math.Float64bits(f), f, got[1:], want[1:])
	}
}

// valuesPerShape keeps the test at a few seconds; the race detector slows it tenfold.
func valuesPerShape() int {
	if raceEnabled || testing.Short() {
		return 30_000
	}
	return 200_000
}

// TestAppendFloatMatchesStrconv compares the fast path with strconv over millions of
// values of the shapes that matter: the benchmark's products, decimals of every length
// and scale (the fast path's hits and its edge at 15-17 digits), values next to powers
// of ten and of two, and random bits (subnormals, huge, NaN), each also negated.
func TestAppendFloatMatchesStrconv(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	n := valuesPerShape()
	shortDecimal := func() float64 {
		digits := r.Uint64N(1<<63) >> r.IntN(64)
		f, _ := strconv.ParseFloat(strconv.FormatUint(digits, 10)+"e"+strconv.Itoa(r.IntN(40)-30), 64)
		return f
	}
	nearPow10 := func() float64 {
		f := math.Pow(10, float64(r.IntN(32)-12))
		for steps := r.IntN(40) - 20; steps != 0; {
			if steps > 0 {
				f, steps = math.Nextafter(f, math.Inf(1)), steps-1
			} else {
				f, steps = math.Nextafter(f, 0), steps+1
			}
		}
		return f
	}
	shapes := []struct {
		name string
		gen  func() float64
	}{
		{"product of 6 decimals and an integer", func() float64 {
			a, _ := strconv.ParseFloat(strconv.FormatFloat(r.Float64()*1000, 'f', 6, 64), 64)
			return a * float64(r.IntN(1001))
		}},
		{"quotient", func() float64 {
			a, _ := strconv.ParseFloat(strconv.FormatFloat(r.Float64()*1000, 'f', r.IntN(7), 64), 64)
			return a / float64(1+r.IntN(1000))
		}},
		{"short decimal", shortDecimal},
		{"sum of short decimals", func() float64 { return shortDecimal() + shortDecimal() }},
		{"uniform", func() float64 { return r.Float64() * math.Pow(10, float64(r.IntN(30)-10)) }},
		{"near a power of ten", nearPow10},
		{"near a power of two", func() float64 {
			f := math.Ldexp(1, r.IntN(120)-60)
			return math.Float64frombits(math.Float64bits(f) + r.Uint64N(64) - 32)
		}},
		{"integer plus a little", func() float64 { return float64(r.IntN(1e6)) + float64(r.IntN(8))/8 + r.Float64()*1e-9 }},
		{"around 2^48..2^53", func() float64 { return math.Ldexp(1+r.Float64(), 47+r.IntN(7)) }},
		{"tiny and subnormal", func() float64 { return math.Ldexp(r.Float64(), -r.IntN(1080)) }},
		{"huge", func() float64 { return math.Ldexp(1+r.Float64(), 60+r.IntN(960)) }},
		{"random bits", func() float64 { return math.Float64frombits(r.Uint64()) }},
		{"every exponent of the fast path", func() float64 { return withExponent(r.IntN(76)-24, r.Uint64()) }},
		{"a decimal of 15 to 18 digits and its neighbours", func() float64 {
			f, _ := strconv.ParseFloat(strconv.FormatUint(1e14+r.Uint64N(1e18-1e14), 10)+"e"+strconv.Itoa(r.IntN(40)-33), 64)
			return stepUlps(f, r.IntN(7)-3)
		}},
		{"near a tie in the rounding to k or k+1 digits", func() float64 {
			e := r.IntN(69) - 20
			shift := uint(52 - e - fractionDigits(e)) // as appendShortDecimal's
			if r.IntN(2) == 0 {
				shift-- // the longer candidate's
			}
			// f·10^j is an integer and a half when mant ≡ 2^(shift-1) mod 2^shift.
			mant := 1<<52 | r.Uint64N(1<<52)&^(1<<shift-1) | 1<<(shift-1)
			return withExponent(e, mant+uint64(r.IntN(5))-2)
		}},
	}
	for _, s := range shapes {
		for range n {
			f := s.gen()
			checkMatchesStrconv(t, f)
			checkMatchesStrconv(t, -f)
		}
	}
	// Every power of two in and around the fast path, and its neighbours: the
	// interval of a power of two is lopsided.
	for e := -24; e <= 53; e++ {
		for steps := -4; steps <= 4; steps++ {
			f := stepUlps(math.Ldexp(1, e), steps)
			checkMatchesStrconv(t, f)
			checkMatchesStrconv(t, -f)
		}
	}
	for _, f := range []float64{1e-6, math.Nextafter(1e-6, 0), math.Nextafter(1e-6, 1), 0.1, 0.7, 1.0 / 3,
		math.Ldexp(1, -20), math.Ldexp(1, 49) - 0.5, math.Ldexp(1, 48) + 0.5, 1e21, math.Nextafter(1e21, 0),
		math.SmallestNonzeroFloat64, math.MaxFloat64, 0.30000000000000004, 9007199254740991.0 / 8,
		0, 1<<53 - 1, 1 << 53, 1<<53 + 2, 1 << 63, 1 << 64, math.Inf(1), math.NaN()} {
		checkMatchesStrconv(t, f)
		checkMatchesStrconv(t, -f)
	}
}

// withExponent returns the float64 with exponent e and the low 52 bits of mant.
func withExponent(e int, mant uint64) float64 {
	return math.Float64frombits(uint64(e+1023)<<52 | mant&(1<<52-1))
}

// stepUlps returns f moved by steps float64s (up when steps > 0).
func stepUlps(f float64, steps int) float64 {
	for ; steps > 0; steps-- {
		f = math.Nextafter(f, math.Inf(1))
	}
	for ; steps < 0; steps++ {
		f = math.Nextafter(f, math.Inf(-1))
	}
	return f
}

// TestAppendFloatFastPathHits guards the speed: decimals like the benchmark's go
// through appendShortDecimal, not strconv, whatever their length.
func TestAppendFloatFastPathHits(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	for _, tt := range []struct {
		f    float64
		fast bool
	}{
		{0.5, true}, {-0.0025, true}, {864.197523, true}, {0.000001, true}, {123456.789012, true},
		{1.0 / 3, true}, {12345678901.25, true}, {tenth + fifth, true}, {0.0625, true},
		{1024 + math.Ldexp(1, -14), false}, // 1024.00006103515625: a tie at 17 digits
		{math.Ldexp(1, 49) + 0.5, false}, {3, false}, {1e-7, false}, {math.NaN(), false},
	} {
		if out, ok := appendShortDecimal(nil, tt.f); ok != tt.fast {
			t.Errorf("appendShortDecimal(%v) = %s, %v", tt.f, out, ok)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	hits := 0
	const n = 10000
	for range n {
		a, _ := strconv.ParseFloat(strconv.FormatFloat(r.Float64()*1000, 'f', 6, 64), 64)
		if _, ok := appendShortDecimal(nil, a*float64(1+r.IntN(1000))); ok {
			hits++
		}
	}
	// Ties at 17 digits are the only products left to strconv.
	if hits < n*999/1000 {
		t.Errorf("fast path took %d of %d products", hits, n)
	}
}

// TestFractionDigitsBound checks fractionDigits against exact arithmetic for every
// exponent appendShortDecimal uses: 10^k < 2^(52-e) < 10^(k+1), and 5^(k+1) is in pow5.
func TestFractionDigitsBound(t *testing.T) {
	for e := -20; e <= 48; e++ {
		k := fractionDigits(e)
		pow2 := new(big.Int).Lsh(big.NewInt(1), uint(52-e))
		lo := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(k)), nil)
		hi := new(big.Int).Mul(lo, big.NewInt(10))
		if k < 1 || k+1 >= len(pow5) || lo.Cmp(pow2) >= 0 || hi.Cmp(pow2) <= 0 {
			t.Errorf("exponent %d: k = %d", e, k)
		}
	}
}

func FuzzAppendFloatMatchesStrconv(f *testing.F) {
	for _, v := range []float64{0.5, 864.197523, -0.0025, 1e-6, 1e21, 0.1 + 0.2, math.Ldexp(1, 48) + 0.5, math.NaN(),
		1024 + math.Ldexp(1, -14), 0.0012345678901234567, -12345678.90625} {
		f.Add(math.Float64bits(v))
	}
	f.Fuzz(func(t *testing.T, bits uint64) {
		checkMatchesStrconv(t, math.Float64frombits(bits))
	})
}

// TestDigitBytes8 checks the SWAR digit split against strconv. Its lanes do not
// interact, so every value in every lane (i and 9999-i in the two 4-digit halves,
// which also runs each 2-digit quarter through 0..99) and a random sample suffice
// (all 10^8 inputs pass too, in half a second).
func TestDigitBytes8(t *testing.T) {
	check := func(x uint32) {
		v := digitBytes8(x)
		var got [8]byte
		for i := range got {
			got[i] = '0' + byte(v>>(8*i))
		}
		if want := fmt.Sprintf("%08d", x); string(got[:]) != want {
			t.Fatalf("digitBytes8(%d) = %x, want the digits of %s", x, v, want)
		}
	}
	for i := range uint32(10000) {
		check(i*10000 + 9999 - i)
		check(i * 10001)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 100_000 {
		check(r.Uint32N(1e8))
	}
}
