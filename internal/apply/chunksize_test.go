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

// A tiny --chunk-size on a file of more than maxRangesPerInput bytes is raised, with a
// warning, so that the planned ranges stay bounded; the output does not change.
func TestTinyChunkSizeIsRaised(t *testing.T) {
	var b strings.Builder
	// A quoted line break makes the guessed ranges resynchronise: the input is planned
	// again, and must not be warned about again.
	b.WriteString("id,name\n0,\"two\nlines\"\n")
	for i := 1; b.Len() < 3*maxRangesPerInput; i++ {
		fmt.Fprintf(&b, "%d,name %d\n", i, i)
	}
	in := filepath.Join(t.TempDir(), "in.csv")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, stderr bytes.Buffer
	if err := Run(context.Background(), Options{Inputs: []string{in}, Workers: 2, ChunkSize: 1, Stdout: &out, Stderr: &stderr}); err != nil {
		t.Fatal(err)
	}
	if out.String() != b.String() {
		t.Errorf("output differs from the input")
	}
	if want := "into more than 65536 chunks; using"; strings.Count(stderr.String(), want) != 1 {
		t.Errorf("stderr %q, want one warning containing %q", stderr.String(), want)
	}
}
