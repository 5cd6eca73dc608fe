package expr

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDocExamples runs every `expr → result` line of the examples blocks in
// docs/expressions.md over the sample row the page describes.
func TestDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/expressions.md")
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"price", "qty", "name", "code", "Unit Price", "when", "ts", "flag", "empty", "note"}
	row := []string{"2.50", "4", " Widget ", "AB-123-x", "1,234.50", "2024-01-31", "2024-03-01T13:45:00", "true", "", "n/a"}
	inBlock, n := false, 0
	for lineNo, line := range strings.Split(string(doc), "\n") {
		switch {
		case line == "```examples":
			inBlock = true
			continue
		case strings.HasPrefix(line, "```"):
			inBlock = false
			continue
		case !inBlock:
			continue
		}
		expr, want, ok := strings.Cut(line, " → ")
		if !ok {
			t.Errorf("docs/expressions.md:%d: not `expr → result`: %q", lineNo+1, line)
			continue
		}
		n++
		if strings.HasPrefix(want, `"`) {
			if want, err = strconv.Unquote(want); err != nil {
				t.Errorf("docs/expressions.md:%d: bad quoted result", lineNo+1)
			}
		}
		got, err := evalRow(t, expr, cols, row)
		if wantErr, isErr := strings.CutPrefix(want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Errorf("docs/expressions.md:%d: %s\n got %q, %v\nwant error containing %q", lineNo+1, expr, got, err, wantErr)
			}
			continue
		}
		if err != nil || got != want {
			t.Errorf("docs/expressions.md:%d: %s\n got %q, %v\nwant %q", lineNo+1, expr, got, err, want)
		}
	}
	if n < 100 {
		t.Errorf("only %d examples found", n)
	}
}
