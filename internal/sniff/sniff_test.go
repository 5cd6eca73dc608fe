package sniff

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetect(t *testing.T) {
	tar := make([]byte, 512)
	copy(tar, "notes.txt")
	copy(tar[257:], "ustar\x0000")
	for _, tc := range []struct {
		head string
		kind Kind
		what string
	}{
		{"id,name\n1,a\n", Text, ""},
		{"", Text, ""},
		{"\x1F\x8B\x08\x00", Gzip, ""},
		{"\x28\xB5\x2F\xFD\x04", Zstd, ""},
		{"PK\x03\x04\x14\x00", Zip, ""},
		{"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00", OLE2, ""},
		{"PAR1\x15\x04", Parquet, "Parquet"},
		{"%PDF-1.7\n", Unsupported, "PDF"},
		{"\x7FELF\x02\x01", Unsupported, "ELF"},
		{"\x89PNG\r\n\x1A\n\x00", Unsupported, "PNG"},
		{"BZh91AY&SY", Unsupported, "bzip2"},
		{"BZh,name\n", Text, ""}, // a header that only starts like bzip2
		{"SQLite format 3\x00", Unsupported, "SQLite"},
		{string(tar), Unsupported, "tar"},
	} {
		f := Detect([]byte(tc.head))
		if f.Kind != tc.kind || !strings.Contains(f.What, tc.what) {
			t.Errorf("%q: %v %q, want %v %q", tc.head, f.Kind, f.What, tc.kind, tc.what)
		}
	}
}

func TestCheckText(t *testing.T) {
	long := "[" + strings.Repeat(`{"a": 1, "b": "xyz"},`, 5000) // cut by the block's end
	for _, tc := range []struct {
		block string
		eof   bool
		want  string // "" for accepted as text
	}{
		{"id,name\n1,a\n", true, ""},
		{"id,name\n1,a\x00b\n", true, ""}, // NUL in data passes through
		{"i\x00d\x00,\x00", true, "NUL byte in its first line (byte 2)"},
		{`[{"id": 1}, {"id": 2}]`, true, "looks like JSON"},
		{"{\"id\": 1}\n{\"id\": 2}\n", true, "looks like JSON"},
		{"  \n[1, 2, 3]", true, "looks like JSON"},
		{long, false, "looks like JSON"},
		{long[:len(long)-3] + "tr", false, "looks like JSON"}, // cut inside a literal
		{long, true, ""}, // the whole input, and not closed
		{"[id],name\n1,a\n", true, ""},
		{"{a},{b}\n1,2\n", true, ""},
		{"[1, 2]\nx,y\n", true, ""},
	} {
		err := CheckText("in", []byte(tc.block), tc.eof)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%.40q: %v, want it read as text", tc.block, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, ErrUnsupported)):
			t.Errorf("%.40q: %v, want %q", tc.block, err, tc.want)
		}
	}
}

// Open reads the first bytes once, and the reader it returns gives them again.
func TestOpenKeepsHead(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.csv")
	os.WriteFile(path, []byte("id,name\n1,a\n"), 0o644)
	f, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head, _ := f.Head.Peek(100)
	if string(head) != "id,name\n1,a\n" || !f.Seekable || f.Format.Kind != Text {
		t.Fatalf("head %q, seekable %v, format %v", head, f.Seekable, f.Format)
	}
	if _, err := Open(filepath.Join(dir, "missing.csv"), 0); err == nil || !strings.Contains(err.Error(), "missing.csv: no such file") {
		t.Fatalf("missing file: %v", err)
	}
	if _, err := Open(dir, 0); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("directory: %v", err)
	}
}

// JSON Lines is told by its first line; a CSV header in braces is not JSON, and a
// JSON array is refused naming what it is.
func TestDetectJSON(t *testing.T) {
	for _, tc := range []struct {
		head string
		kind Kind
	}{
		{"{\"id\": 1}\n{\"id\": 2, \"b\":\n", JSONLines}, // a later line cut short is the reader's to report
		{"\uFEFF  {\"id\": 1}", JSONLines},
		{"{\n  \"id\": 1\n}\n", JSONLines}, // a document over several lines: refused by the reader
		{"{id},{name}\n1,2\n", Text},
		{"{not json\n", Text},
		{"[{\"id\": 1}]", Unsupported},
		{"[a],[b]\n", Text},
	} {
		if got := Detect([]byte(tc.head)).Kind; got != tc.kind {
			t.Errorf("Detect(%q) = %d, want %d", tc.head, got, tc.kind)
		}
	}
}
