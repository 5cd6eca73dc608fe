package expr

import (
	"strings"
	"testing"
)

// A row error echoes the start of a huge value, not the whole of it.
func TestRowErrorCutsLongValues(t *testing.T) {
	e := &RowError{File: "in.csv", Line: 2, Column: "qty", Value: strings.Repeat("9x", 25<<20), Message: "not a number"}
	got := e.Error()
	want := `in.csv: line 2, column "qty": value "` + strings.Repeat("9x", 50) + `…" (52428800 bytes): not a number`
	if got != want {
		t.Errorf("got %.300s", got)
	}
}
