package expr

import (
	"encoding/binary"
	"math/bits"
	"unsafe"
)

// parsePlainDecimal is the fast path of parseNumber for the common shape of numbers in
// exports: 8 to 16 bytes of digits with at most one '.', 15 digits at most (amounts,
// ids, coordinates: "819.867505", "2634758.6336"). It reports false, having read
// nothing, for anything else, which parseNumber reads the general way.
//
// The general loop spends most of its time in the chain m = m*10 + digit, one multiply
// per digit, each waiting for the last. Here the digits are checked and converted
// eight at a time in 64-bit words (SWAR), so the work per number is a few independent
// multiplies. The result is exact for the same reason as parseNumber's: the digits
// make an integer below 10^15 < 2^53, and one division by an exact power of ten rounds
// correctly (Clinger).
func parsePlainDecimal(s string) (float64, bool) {
	n := len(s)
	if n < 8 || n > 16 {
		return 0, false
	}
	w0, w1 := decimalWords(s)
	other := nonDigits(w0) | nonDigits(w1)<<(n-8) // bit i: s[i] is not a digit
	var m uint64
	fracDigits := 0
	switch dot := bits.TrailingZeros64(other); {
	case other == 0 && n <= 15:
		// The last eight digits are w1, those before the start of w0.
		m = uint64(eightDigits(leadingDigits(w0, n-8)))*1e8 + uint64(eightDigits(w1))
	case other&(other-1) == 0 && dot <= 8 && s[dot] == '.': // other != 0 when dot <= 8
		fracDigits = n - dot - 1
		m = uint64(eightDigits(leadingDigits(w0, dot))) * uint64Pow10[fracDigits]
		if fracDigits <= 8 {
			m += uint64(eightDigits(trailingDigits(w1, fracDigits)))
		} else {
			// The last eight are w1, those before in w0, which ends at n-8 <= 8.
			m += uint64(eightDigits(leadingDigits(w0>>(8*(dot+1)), fracDigits-8)))*1e8 +
				uint64(eightDigits(w1))
		}
	default:
		return 0, false // other bytes, or more than 8 digits before the point
	}
	return float64(int64(m)) / pow10[fracDigits], true
}

// PlainIntegerPart returns the integer part of s when ReadPlainNumber reads s, so that
// the number is between that integer and the next one, without reading the fraction,
// which is most of the cost of reading it: a top-N keeps most rows out by their
// integer part alone. It reports false for any text ReadPlainNumber does not read.
func PlainIntegerPart(s string) (int64, bool) {
	n := len(s)
	if n < 8 || n > 16 {
		return 0, false
	}
	w0, w1 := decimalWords(s)
	other := nonDigits(w0) | nonDigits(w1)<<(n-8) // bit i: s[i] is not a digit
	switch dot := bits.TrailingZeros64(other); {
	case other == 0 && n <= 15:
		return int64(eightDigits(leadingDigits(w0, n-8)))*1e8 + int64(eightDigits(w1)), true
	case other&(other-1) == 0 && 1 <= dot && dot <= 8 && s[dot] == '.':
		return int64(eightDigits(leadingDigits(w0, dot))), true
	}
	return 0, false
}

// decimalWords returns the two words that cover s, of 8 to 16 bytes: its first and its
// last 8 bytes, which overlap when it is shorter than 16.
func decimalWords(s string) (w0, w1 uint64) {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[len(s)-8:])
}

// shortDecimal is the fast path of parseNumber for 1 to 7 bytes of digits with at most
// one '.' (quantities, prices, codes): exact, as parseNumber's loop, since the digits
// make an integer below 10^7 and the division is by an exact power of ten.
func shortDecimal(s string) (float64, bool) {
	if len(s) == 0 || len(s) > 7 {
		return 0, false
	}
	m, frac, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot {
			dot = true
			continue
		}
		if c-'0' > 9 {
			return 0, false
		}
		m = m*10 + int(c-'0')
		if dot {
			frac++
		}
	}
	if dot && len(s) == 1 {
		return 0, false // "." alone is no number
	}
	return float64(m) / pow10[frac], true
}

// nonDigits returns a bit per byte of the little-endian word w (bit i for byte i) that
// is not an ASCII digit. Both tests keep every byte's arithmetic inside its byte: with
// the high bits set first, subtracting '0' cannot borrow; with them cleared, adding
// 0x7f-'9' cannot carry.
func nonDigits(w uint64) uint64 {
	const high, ones = 0x8080808080808080, 0x0101010101010101
	below := ^((w | high) - '0'*ones) &^ w & high            // b < '0'
	above := ((w&^high + (0x7f-'9')*ones) | w) & high        // b > '9'
	return ((below | above) >> 7) * 0x0102040810204080 >> 56 // gathered as in separatorBits
}

// leadingDigits returns the first k <= 8 bytes of w as the last k of a word whose
// first 8-k bytes are '0': the form eightDigits reads.
func leadingDigits(w uint64, k int) uint64 {
	pad := uint64(1)<<(8*(8-k)) - 1 // k = 0: a shift by 64 makes 0 in Go, pad all ones
	return w<<(8*(8-k)) | asciiZeros&pad
}

// trailingDigits returns w with its first 8-k bytes replaced by '0'.
func trailingDigits(w uint64, k int) uint64 {
	pad := uint64(1)<<(8*(8-k)) - 1
	return w&^pad | asciiZeros&pad
}

const asciiZeros = 0x3030303030303030

// eightDigits converts a word of eight ASCII digits, the most significant in the lowest
// byte, to their value: pairs of digits in 16-bit lanes, then groups of four in 32-bit
// lanes combined by one multiply (as in simdjson and fast_float).
func eightDigits(w uint64) uint32 {
	w -= asciiZeros
	w = w*10 + w>>8
	w = ((w&0x000000FF000000FF)*(100+1000000<<32) + (w>>16&0x000000FF000000FF)*(1+10000<<32)) >> 32
	return uint32(w)
}

// uint64Pow10[i] is 10^i, up to 10^15.
var uint64Pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}
