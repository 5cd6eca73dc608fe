package fileio

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// ReadAt, WriteAt and WriteAtOnce behave as os.File's: whole buffers at any offset,
// io.EOF with the bytes read when the file ends first, a *fs.PathError naming the file
// on failure. WriteAt's 500,000 bytes make two pieces.
func TestReadAtWriteAtAsOsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := bytes.Repeat([]byte("0123456789"), 100_000)
	// Out of order, as workers write their chunks: the second half first.
	if n, err := WriteAt(f, data[len(data)/2:], int64(len(data)/2)); n != len(data)-len(data)/2 || err != nil {
		t.Fatalf("WriteAt: %d, %v", n, err)
	}
	if n, err := WriteAtOnce(f, data[:len(data)/2], 0); n != len(data)/2 || err != nil {
		t.Fatalf("WriteAtOnce: %d, %v", n, err)
	}
	if n, err := WriteAt(f, nil, 5); n != 0 || err != nil {
		t.Fatalf("WriteAt of nothing: %d, %v", n, err)
	}
	got, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file holds %d bytes (%v), want the %d written", len(got), err, len(data))
	}
	for _, c := range []struct {
		off, size int64
		err       error
	}{{0, 1000, nil}, {123_457, 300_000, nil}, {int64(len(data)) - 10, 10, nil}, {int64(len(data)) - 10, 20, io.EOF}, {int64(len(data)) + 5, 4, io.EOF}} {
		buf := make([]byte, c.size)
		n, err := ReadAt(f, buf, c.off)
		wantN, wantErr := f.ReadAt(make([]byte, c.size), c.off)
		if n != wantN || !errors.Is(err, c.err) || !errors.Is(wantErr, c.err) {
			t.Errorf("ReadAt(%d bytes at %d): %d, %v; os.File: %d, %v", c.size, c.off, n, err, wantN, wantErr)
		}
		if n > 0 && !bytes.Equal(buf[:n], data[c.off:c.off+int64(n)]) {
			t.Errorf("ReadAt(%d bytes at %d): not the file's bytes", c.size, c.off)
		}
	}
	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	var pe *fs.PathError
	for name, write := range map[string]func(*os.File, []byte, int64) (int, error){"WriteAt": WriteAt, "WriteAtOnce": WriteAtOnce} {
		if _, err := write(ro, []byte("x"), 0); !errors.As(err, &pe) || pe.Path != path {
			t.Errorf("%s to a file open for reading: %v, want a path error naming %s", name, err, path)
		}
	}
}

// Pieces writes what it is given whole, in order, and stops at the first failed piece.
func TestPiecesWritesWhole(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data := bytes.Repeat([]byte("abcdefghij"), (3*WritePiece+17)/10) // three pieces and a part
	w := Pieces{File: f}
	for _, part := range [][]byte{data[:5], data[5 : WritePiece+9], data[WritePiece+9:]} {
		if n, err := w.Write(part); n != len(part) || err != nil {
			t.Fatalf("Write of %d bytes: %d, %v", len(part), n, err)
		}
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file holds %d bytes (%v), want the %d written", len(got), err, len(data))
	}
	ro, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if n, err := (Pieces{File: ro}).Write(data); n != 0 || err == nil {
		t.Errorf("Write to a file open for reading: %d, %v; want 0 and an error", n, err)
	}
}
