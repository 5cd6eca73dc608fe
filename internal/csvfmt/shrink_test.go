package csvfmt

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// A file that shrinks after it was opened fails every way of reading it with ErrShrank
// and its name: ranges, the parity count and the stream from an offset.
func TestShrinkingFile(t *testing.T) {
	data := "id,note\n" + strings.Repeat("1,some text\n", 20000)
	path := writeFile(t, "in.csv", []byte(data))
	in := mustOpen(t, path, Options{})
	if err := os.Truncate(path, int64(len(data)/2)); err != nil {
		t.Fatal(err)
	}
	check := func(how string, err error) {
		t.Helper()
		if !errors.Is(err, ErrShrank) || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("%s: %v, want ErrShrank naming %s", how, err, path)
		}
	}
	ranges := in.GuessRanges(in.DataStart, 64<<10)
	_, err := in.NewDecoder().DecodeRange(ranges[len(ranges)-1])
	check("DecodeRange", err)
	_, err = in.Ranges(context.Background(), in.DataStart, 64<<10, 2)
	check("Ranges", err)
	check("SplitFrom", in.SplitFrom(context.Background(), in.DataStart, 64<<10, func([]byte) error { return nil }))
}

// Parked, an input is opened again only if its name still leads to the same file,
// unchanged; a closed input is not opened again.
func TestParkAndReopen(t *testing.T) {
	data := "id,note\n1,a\n2,b\n"
	path := writeFile(t, "in.csv", []byte(data))
	in := mustOpen(t, path, Options{})
	if !in.Parkable() {
		t.Fatal("a regular file is not parkable")
	}
	if err := in.Park(); err != nil {
		t.Fatal(err)
	}
	if err := in.Reopen(); err != nil {
		t.Fatal(err)
	}
	if got := decodeSequential(t, in); len(got.rows) != 2 || got.err != "" {
		t.Fatalf("reopened: %q %s", got.rows, got.err)
	}
	in.Park()
	replacement := writeFile(t, "new.csv", []byte(data))
	if err := os.Rename(replacement, path); err != nil {
		t.Fatal(err)
	}
	if err := in.Reopen(); err == nil || !strings.Contains(err.Error(), "the file changed after its header was read") {
		t.Fatalf("replaced: %v", err)
	}
	in.Close()
	if err := in.Reopen(); err == nil {
		t.Fatal("a closed input opened again")
	}
}
