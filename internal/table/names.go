package table

import (
	"fmt"
	"strconv"
	"strings"
)

// UniqueNames makes column names unique the way users expect from spreadsheets: the
// second "price" becomes "price_2", the third "price_3" (skipping any name already taken).
func UniqueNames(names []string) []string {
	taken := make(map[string]bool, len(names))
	for _, n := range names {
		taken[n] = true
	}
	seen := make(map[string]bool, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		if !seen[n] {
			seen[n] = true
			out[i] = n
			continue
		}
		for k := 2; ; k++ {
			c := n + "_" + strconv.Itoa(k)
			if !taken[c] {
				taken[c], seen[c] = true, true
				out[i] = c
				break
			}
		}
	}
	return out
}

// FindColumn resolves a column name the way expressions and --select do: the exact
// name, else the one name equal to it ignoring case and surrounding spaces. It returns -1
// and no error when nothing matches (the caller names the candidates in its error), and
// an error when the name is ambiguous.
func FindColumn(name string, columns []string) (int, error) {
	idx, dup := -1, false
	for i, c := range columns {
		if c == name {
			dup = idx >= 0
			if dup {
				break
			}
			idx = i
		}
	}
	if dup {
		return -1, fmt.Errorf("column %q appears more than once in the header", name)
	}
	if idx >= 0 {
		return idx, nil
	}
	var found []int
	for i, c := range columns {
		if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(name)) {
			found = append(found, i)
		}
	}
	switch len(found) {
	case 0:
		return -1, nil
	case 1:
		return found[0], nil
	}
	return -1, fmt.Errorf("column %q is ambiguous: it matches %q and %q", name, columns[found[0]], columns[found[1]])
}

// UnknownColumnError names a column that is not in the input, with the closest existing
// name when one is close enough to be a likely typo.
func UnknownColumnError(name string, columns []string) error {
	if s := Suggest(name, columns); s != "" {
		return fmt.Errorf("unknown column %q (did you mean %q?)", name, s)
	}
	return fmt.Errorf("unknown column %q", name)
}

// Suggest returns the candidate closest to name by edit distance ignoring letter case
// (PRIC → price), or "" when none is within a third of the name's length.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", -1
	lname := strings.ToLower(name)
	for _, c := range candidates {
		d := editDistance(lname, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(1, (len([]rune(name))+2)/3)
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (adjacent swaps cost 1: "qyt" → "qty").
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
