package apply

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/ptransform/ptransform/internal/sniff"
)

// The spooled copy holds every byte of the pipe, the sniffed ones included, and has no
// name: nothing is left to remove whatever ends the run.
func TestSpoolInputLeavesNoName(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	data := append([]byte("PK\x03\x04"), bytes.Repeat([]byte("0123456789"), 100000)...)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write(data); w.Close() }()
	pipe := filepath.Join("/dev/fd", strconv.Itoa(int(r.Fd())))
	src, err := sniff.Open(pipe, 4096)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	r.Close()
	f, err := spoolInput(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("the copy has a name in TMPDIR: %v", left)
	}
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("copy of %d bytes, %v; want the %d bytes of the pipe", len(got), err, len(data))
	}
}
