package apply

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ranges start guessed outside quotes; a guess that lands inside a quoted field
// spanning lines makes the run go on from the last exact chunk with counted quote
// parity, and bare quotes, which defeat that too, with the stream splitter. Every way
// gives the output of one sequential reading, and the fallbacks happen only when
// they must.
func TestRangeGuessesFallBack(t *testing.T) {
	var plain, multiline, bare strings.Builder
	for _, b := range []*strings.Builder{&plain, &multiline, &bare} {
		b.WriteString("id,note,n\n")
	}
	for i := 1; i <= 2000; i++ {
		fmt.Fprintf(&plain, "%d,\"quoted, but on one line\",%d\n", i, i%7)
		// Long quoted fields with line breaks: most range starts fall inside one.
		fmt.Fprintf(&multiline, "%d,\"%s\",%d\n", i, strings.Repeat("line\n", 30), i%7)
		if i == 1500 {
			fmt.Fprintf(&bare, "%d,a 5\" bolt,%d\n", i, i%7) // a bare quote late in the file
		} else {
			fmt.Fprintf(&bare, "%d,\"%s\",%d\n", i, strings.Repeat("line\n", 30), i%7)
		}
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name              string
		csv               string
		counted, streamed bool // the fallbacks the run must take
	}{
		{"one-line quotes", plain.String(), false, false},
		{"quoted line breaks", multiline.String(), true, false},
		{"bare quote", bare.String(), true, true},
	} {
		in := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".csv")
		if err := os.WriteFile(in, []byte(tc.csv), 0o644); err != nil {
			t.Fatal(err)
		}
		run := func(workers int, chunk int64, onResume func(resumeMode)) string {
			var out bytes.Buffer
			o := Options{Inputs: []string{in}, Exprs: []string{"r = _row"}, Workers: workers, ChunkSize: chunk,
				Stdout: &out, onResume: onResume}
			if err := Run(context.Background(), o); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			return out.String()
		}
		want := run(1, 1<<30, nil)
		if strings.Count(want, "\n") < 2001 {
			t.Fatalf("%s: %d lines of output", tc.name, strings.Count(want, "\n"))
		}
		counted, streamed := false, false
		got := run(3, 1<<10, func(how resumeMode) {
			counted, streamed = counted || how == countedRanges, streamed || how == streamRest
		})
		if got != want {
			t.Errorf("%s: output differs from one sequential reading", tc.name)
		}
		if counted != tc.counted || streamed != tc.streamed {
			t.Errorf("%s: fell back to counted parity %v, to the stream splitter %v; want %v, %v",
				tc.name, counted, streamed, tc.counted, tc.streamed)
		}
	}
}
