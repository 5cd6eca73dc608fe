package table

import (
	"strconv"
	"unicode/utf8"
)

// maxQuotedRunes is how much of a value an error message shows.
const maxQuotedRunes = 100

// QuoteValue quotes a value for a message, as %q does, cut after its first 100
// characters with an ellipsis and its length in bytes: `"aaaa…" (52428800 bytes)`.
// Every message that echoes data goes through it, so that a 50 MB field gives a line
// on stderr, not 50 MB of it.
func QuoteValue[T ~string | ~[]byte](v T) string {
	s := string(v[:min(len(v), 4*maxQuotedRunes)]) // no copy of a huge value
	cut := 0
	for range maxQuotedRunes {
		if cut >= len(s) {
			break
		}
		_, size := utf8.DecodeRuneInString(s[cut:])
		cut += size
	}
	if cut >= len(v) {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:cut]+"…") + " (" + strconv.Itoa(len(v)) + " bytes)"
}
