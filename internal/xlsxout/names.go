package xlsxout

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxSheetName is the longest sheet name Excel accepts, in UTF-16 code units.
const maxSheetName = 31

// SheetName makes name a valid sheet name: the characters Excel refuses ([]:*?/\)
// and those XML cannot hold become _, leading and trailing apostrophes and spaces
// go, the name is cut to 31 characters; an empty name, or "History" (reserved by
// Excel), becomes "Sheet1" or "History_". Writer.AddSheet also makes it unique.
func SheetName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case strings.ContainsRune(`[]:*?/\`, r), r < 0x20, r == 0xFFFE, r == 0xFFFF, r == utf8.RuneError:
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Trim(b.String(), "' ")
	s = strings.Trim(truncate(s, maxSheetName), "' ")
	switch {
	case s == "":
		return "Sheet1"
	case strings.EqualFold(s, "History"):
		return s + "_"
	}
	return s
}

// continuationName is "Name (k)", Name cut so that the whole fits 31 characters.
func continuationName(name string, k int) string {
	suffix := " (" + strconv.Itoa(k) + ")"
	return strings.TrimRight(truncate(name, maxSheetName-len(suffix)), " ") + suffix
}

// truncate cuts s to at most n UTF-16 code units, on a character boundary.
func truncate(s string, n int) string {
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > n {
			return s[:i]
		}
	}
	return s
}
