package output

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommitReplacesTargetAtomically(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.csv")
	os.WriteFile(target, []byte("old\n"), 0o640)
	d, err := Create(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("new\n"))
	if b, _ := os.ReadFile(target); string(b) != "old\n" {
		t.Fatalf("target changed before commit: %q", b)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(target)
	st, _ := os.Stat(target)
	if string(b) != "new\n" || st.Mode().Perm() != 0o640 {
		t.Fatalf("after commit: %q mode %v", b, st.Mode().Perm())
	}
	assertOnlyFiles(t, dir, "out.csv")
}

func TestAbortLeavesTargetUntouched(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.csv")
	os.WriteFile(target, []byte("old\n"), 0o644)
	d, err := Create(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("partial"))
	d.Abort()
	d.Abort()
	if b, _ := os.ReadFile(target); string(b) != "old\n" {
		t.Fatalf("target = %q", b)
	}
	assertOnlyFiles(t, dir, "out.csv")
}

func TestCreateRefusesInputAsOutput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("a\n1\n"), 0o644)
	_, err := Create(context.Background(), filepath.Join(dir, ".", "in.csv"), []string{in})
	if err == nil || !strings.Contains(err.Error(), "also an input") {
		t.Fatalf("err = %v", err)
	}
	assertOnlyFiles(t, dir, "in.csv")
}

func TestCreateInMissingDirectory(t *testing.T) {
	_, err := Create(context.Background(), filepath.Join(t.TempDir(), "nope", "out.csv"), nil)
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("err = %v", err)
	}
}

func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("directory holds %v, want %v", got, names)
	}
}

func TestPositionalWritesInAnyOrder(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.csv")
	d, err := Create(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Positional() || Stdout(nil).Positional() {
		t.Fatal("a file must be positional, stdout not")
	}
	d.Write([]byte("h\n"))
	base, err := d.StartPositional()
	if err != nil || base != 2 {
		t.Fatalf("base %d, %v", base, err)
	}
	// Chunks land in any order; a stale longer write past the end is cut by SetSize.
	d.WriteAt([]byte("3\nSTALE"), base+4)
	d.WriteAt([]byte("1\n"), base)
	d.WriteAt([]byte("2\n"), base+2)
	if err := d.SetSize(base + 6); err != nil {
		t.Fatal(err)
	}
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "h\n1\n2\n3\n" {
		t.Fatalf("got %q", b)
	}
}

func TestSameTarget(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.csv")
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink(out, filepath.Join(dir, "link.csv")) // dangling until out.csv exists
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{out, dir + "/./out.csv", true},
		{out, dir + "/sub/../out.csv", true},
		{out, filepath.Join(dir, "link.csv"), true},
		{out, filepath.Join(dir, "other.csv"), false},
	} {
		if got := SameTarget(tc.a, tc.b); got != tc.same {
			t.Errorf("SameTarget(%s, %s) = %v before the file exists", tc.a, tc.b, got)
		}
		os.WriteFile(out, nil, 0o644)
		if got := SameTarget(tc.a, tc.b); got != tc.same {
			t.Errorf("SameTarget(%s, %s) = %v once the file exists", tc.a, tc.b, got)
		}
		os.Remove(out)
	}
}

func TestSymlinkLoopRefused(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	os.Symlink(b, a)
	os.Symlink(a, b)
	_, err := Create(context.Background(), a, nil)
	if err == nil || !strings.Contains(err.Error(), "too many levels") {
		t.Fatalf("err = %v", err)
	}
}

// TestUnnamedTemporaryLeavesNothing: until Commit the output has no name in the
// directory where the system offers unnamed files.
func TestUnnamedTemporaryLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	d, err := Create(context.Background(), filepath.Join(dir, "out.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if d.tmpName != "" {
		t.Skip("no unnamed temporary files here")
	}
	assertOnlyFiles(t, dir)
}

// Patch rewrites bytes already written, counted from the output's first byte: in a file
// output, and in a file standard output was redirected to that already held bytes;
// never in a pipe or a file opened to append.
func TestPatch(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.xlsx")
	d, err := Create(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	d.Write([]byte("room: ....; rows"))
	if !d.Patchable() {
		t.Fatal("a file output is not patchable")
	}
	if err := d.Patch([]byte("9999"), 6); err != nil {
		t.Fatal(err)
	}
	d.Write([]byte(" after"))
	if err := d.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(target); string(b) != "room: 9999; rows after" {
		t.Errorf("file output: %q", b)
	}

	redirected := filepath.Join(dir, "redirected")
	os.WriteFile(redirected, []byte("before|"), 0o644)
	f, err := os.OpenFile(redirected, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.Seek(0, 2)
	s := Stdout(f)
	s.Write([]byte("ab..ef"))
	if err := s.Patch([]byte("cd"), 2); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(redirected); string(b) != "before|abcdef" {
		t.Errorf("standard output to a file: %q", b)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	appended, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer appended.Close()
	for name, f := range map[string]*os.File{"a pipe": w, "a file opened to append": appended} {
		s := Stdout(f)
		s.Write([]byte("abc"))
		if s.Patchable() || s.Patch([]byte("x"), 0) == nil {
			t.Errorf("standard output to %s is patchable", name)
		}
	}
}

// A write that fails names the output, not the temporary file it goes to (whose name,
// for an unnamed one, is its directory's).
func TestFailedWriteNamesTheOutput(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "out.csv")
	d, err := Create(context.Background(), target, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Abort()
	if _, err := d.StartPositional(); err != nil {
		t.Fatal(err)
	}
	d.file.Close() // every write fails from here on
	for name, err := range map[string]error{
		"WriteAt": d.WriteAt([]byte("x\n"), 0),
		"SetSize": d.SetSize(2),
		"Commit":  func() error { d.Write([]byte("x\n")); return d.Commit() }(),
	} {
		if err == nil || !strings.Contains(err.Error(), target) {
			t.Errorf("%s: %v, want an error naming %s", name, err, target)
		}
	}
}
