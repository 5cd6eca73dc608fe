package csvfmt

import (
	"slices"
	"testing"
)

// HeaderRow skips the lines above the header unparsed (a stray quote in a title cannot
// swallow the header), whatever the chunk size, and line numbers stay those of the file.
func TestHeaderRow(t *testing.T) {
	input := "Sales report \"Q1\n\n;;exported 2024-03-01\nid;name;qty\n1;a;2\n2;b\n"
	path := writeFile(t, "in.csv", []byte(input))
	in := mustOpen(t, path, Options{HeaderRow: 4, Ragged: RaggedPad})
	if !slices.Equal(in.Header, []string{"id", "name", "qty"}) || in.Delimiter != ';' || in.DataLine != 5 {
		t.Fatalf("header %q, delimiter %q, data line %d", in.Header, in.Delimiter, in.DataLine)
	}
	want := result{rows: [][]string{{"1", "a", "2"}, {"2", "b", N}}, lines: []int64{5, 6}}
	if got := decodeSequential(t, in); !equalResults(got, want) {
		t.Fatalf("got %q %v %s", got.rows, got.lines, got.err)
	}
	for _, cs := range []int64{1, 3, 64} {
		if got, _ := decodeChunked(t, in, cs); !equalResults(got, want) {
			t.Fatalf("chunks of %d: got %q %v %s", cs, got.rows, got.lines, got.err)
		}
	}
	// With NoHeader the data starts on that line.
	in = mustOpen(t, path, Options{HeaderRow: 5, NoHeader: true, Delimiter: ';', Ragged: RaggedPad})
	if got := decodeSequential(t, in); !equalResults(got, result{rows: [][]string{{"1", "a", "2"}, {"2", "b", N}}, lines: []int64{5, 6}}) {
		t.Fatalf("no header: got %q %v %s", got.rows, got.lines, got.err)
	}
	// Errors in the header and past the end name the file's lines.
	bad := writeFile(t, "bad.csv", []byte("title\n\"a,b\n"))
	if _, err := Open(bad, Options{HeaderRow: 2}); err == nil ||
		err.Error() != bad+": line 2, column 1: quoted field is not closed before the end of the input" {
		t.Errorf("unclosed header: %v", err)
	}
	short := writeFile(t, "short.csv", []byte("a\nb"))
	if _, err := Open(short, Options{HeaderRow: 4}); err == nil || err.Error() != short+": --header-row 4 is past the end of the input (2 lines)" {
		t.Errorf("short: %v", err)
	}
}

// SkipLines N reads as HeaderRow N+1 does, and its errors name --skip-lines.
func TestSkipLinesIsHeaderRow(t *testing.T) {
	path := writeFile(t, "in.csv", []byte("Title \"odd\nsub,title\nid,qty\n1,2\n"))
	in := mustOpen(t, path, Options{SkipLines: 2})
	if !slices.Equal(in.Header, []string{"id", "qty"}) || in.DataLine != 4 {
		t.Errorf("header %q from line %d, want id,qty and data from line 4", in.Header, in.DataLine)
	}
	if _, err := Open(path, Options{SkipLines: 9}); err == nil || err.Error() != path+": --skip-lines 9 is past the end of the input (4 lines)" {
		t.Errorf("got %v", err)
	}
}
