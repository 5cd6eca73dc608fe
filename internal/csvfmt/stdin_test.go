package csvfmt

import (
	"io"
	"os"
	"strings"
	"testing"
)

// Standard input redirected from a regular file is read like the file named (parallel
// ranges, the same records); read partly already, or a pipe, it is a stream from where
// it stands.
func TestStdinFromRegularFile(t *testing.T) {
	data := "id,note\n" + strings.Repeat("1,plain\n2,\"quoted\nline break\"\n3,\"5\"\" bolt\"\n", 200)
	path := writeFile(t, "in.csv", []byte(data))
	named := decodeSequential(t, mustOpen(t, path, Options{}))

	withStdin := func(f *os.File, check func()) {
		saved := os.Stdin
		os.Stdin = f
		defer func() { os.Stdin = saved }()
		check()
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	withStdin(f, func() {
		in := mustOpen(t, "-", Options{})
		if !in.Seekable || in.Name != "-" {
			t.Fatalf("stdin from a file: Seekable %v, Name %q", in.Seekable, in.Name)
		}
		if got, _ := decodeChunked(t, in, 64); !equalResults(got, named) {
			t.Fatalf("stdin from a file, in ranges:\n%q\nnamed file:\n%q", got.rows, named.rows)
		}
	})

	// Read partly already: what is left is a CSV of its own, header included.
	rest := "id,note\n" + strings.Repeat("4,x\n", 50)
	path2 := writeFile(t, "partly.csv", []byte("skipped line\n"+rest))
	g, err := os.Open(path2)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if _, err := g.Seek(int64(len("skipped line\n")), io.SeekStart); err != nil {
		t.Fatal(err)
	}
	withStdin(g, func() {
		in := mustOpen(t, "-", Options{})
		if in.Seekable {
			t.Fatal("stdin read partly already is taken for a file read from its start")
		}
		got := decodeSequential(t, in)
		if len(got.rows) != 50 || got.rows[0][0] != "4" {
			t.Fatalf("stdin from its offset: %q", got.rows)
		}
	})
}
