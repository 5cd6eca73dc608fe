package csvfmt

import "bytes"

// recordEnd returns the position just after the record starting at buf[i] (after its
// terminator, or len(buf) at the end of input), following exactly the parser's rules
// for where quoted fields open and close. ok is false when buf ends inside the record
// and more input may follow. It is the stream splitter's cutter: it skips whole lines
// with two SIMD searches when they hold no quote.
func recordEnd(buf []byte, i int, delim, term byte, atEOF bool) (int, bool) {
	n := len(buf)
	recStart := i
	for {
		// Unquoted: find the terminator, then any quote that opens a field before it.
		t := bytes.IndexByte(buf[i:], term)
		if t < 0 {
			t = n
		} else {
			t += i
		}
		opened := false
		for q := i; q < t; {
			k := bytes.IndexByte(buf[q:t], '"')
			if k < 0 {
				break
			}
			k += q
			if k == recStart || buf[k-1] == delim {
				opened = true
				i = k + 1
				break
			}
			q = k + 1
		}
		if !opened {
			if t == n {
				return n, atEOF
			}
			return t + 1, true
		}
		// Quoted: find the closing quote; "" stays inside.
		for {
			k := bytes.IndexByte(buf[i:], '"')
			if k < 0 {
				return n, atEOF
			}
			k += i
			if k+1 == n {
				return n, atEOF
			}
			if buf[k+1] == '"' {
				i = k + 2
				continue
			}
			i = k + 1
			break
		}
	}
}

// skipToBoundary returns the first record boundary at or after buf[i+1] assuming buf[i]
// is preceded by inQuotes parity (counted by Ranges, exact for files without
// bare quotes): the position after the first terminator outside quotes, counting every
// quote as a toggle. It returns -1 when buf holds no such terminator.
func skipToBoundary(buf []byte, i int, inQuotes bool, term byte) int {
	for {
		t := bytes.IndexByte(buf[i:], term)
		if t < 0 {
			return -1
		}
		t += i
		if countQuotes(buf[i:t])&1 == 1 {
			inQuotes = !inQuotes
		}
		if !inQuotes {
			return t + 1
		}
		i = t + 1
	}
}

var quoteSep = []byte{'"'}

// countQuotes counts '"' bytes (bytes.Count is vectorised for one-byte separators).
func countQuotes(b []byte) int { return bytes.Count(b, quoteSep) }
