package xlsxout

// crc32Combine returns the CRC-32 (IEEE) of A followed by B from crc1 = CRC(A),
// crc2 = CRC(B) and len2 = len(B): the algorithm of zlib's crc32_combine (1.2.12
// and later). Appending len2 zero bytes to A multiplies its CRC by x^(8·len2)
// modulo the CRC polynomial; the bytes of B then add crc2.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	return multModP(x8nModP(len2), crc1) ^ crc2
}

// crcPoly is the reflected IEEE polynomial: bit 31 is x^0.
const crcPoly = 0xedb88320

// multModP multiplies a and b modulo the CRC polynomial (reflected bit order).
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				break
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
	return p
}

// x2nTable[k] is x^(2^k) modulo the polynomial.
var x2nTable = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < 32; k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// x8nModP is x^(8n) modulo the polynomial.
func x8nModP(n int64) uint32 {
	p := uint32(1) << 31 // x^0
	for k := 3; n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			p = multModP(x2nTable[k&31], p)
		}
	}
	return p
}
