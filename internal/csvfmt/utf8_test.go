package csvfmt

import (
	"testing"
)

// A header that is not UTF-8 is refused at Open; with NoHeader the first record is
// data and its decoder refuses it, with the same line and column. A BOM does not shift
// columns.
func TestInvalidUTF8Header(t *testing.T) {
	for _, tc := range []struct {
		input string
		opts  Options
		want  string
	}{
		{"caf\xe9,b\n1,2\n", Options{}, "line 1, column 1: invalid UTF-8 (byte 0xE9)"},
		{"\xef\xbb\xbfa;\xe9t\xe9\n1;2\n", Options{}, "line 1, column 2: invalid UTF-8 (byte 0xE9)"},
		{"\n\na,\"b\n\xff\"\n1,2\n", Options{}, "line 4, column 1: invalid UTF-8 (byte 0xFF)"},
	} {
		path := writeFile(t, "in.csv", []byte(tc.input))
		in, err := Open(path, tc.opts)
		if err == nil {
			in.Close()
			t.Errorf("%q: no error", tc.input)
			continue
		}
		if want := path + ": " + tc.want + " (" + invalidUTF8Hint + ")"; err.Error() != want {
			t.Errorf("%q: error %q, want %q", tc.input, err, want)
		}
	}
	path := writeFile(t, "in.csv", []byte("1,caf\xe9\n"))
	in := mustOpen(t, path, Options{NoHeader: true})
	if got, want := decodeSequential(t, in).err, path+": line 1, column 2: invalid UTF-8 (byte 0xE9) ("+invalidUTF8Hint+")"; got != want {
		t.Errorf("no header: error %q, want %q", got, want)
	}
}
