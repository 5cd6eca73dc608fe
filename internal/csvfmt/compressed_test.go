package csvfmt

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// A truncated or damaged compressed input names the file, the format and the
// compressed offset, not a bare "unexpected EOF", whether it breaks in the header's
// first block (Open) or later (Split).
func TestDamagedCompressedInput(t *testing.T) {
	var plain bytes.Buffer
	plain.WriteString("id,text\n")
	for i := 0; plain.Len() < 1<<20; i++ {
		fmt.Fprintf(&plain, "%d,row %d of a compressed file %x\n", i, i, i*7919)
	}
	var gz, zs bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(plain.Bytes())
	gw.Close()
	zw, _ := zstd.NewWriter(&zs)
	zw.Write(plain.Bytes())
	zw.Close()
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"late.csv.gz", gz.Bytes()[:gz.Len()*3/4], "gzip data truncated at compressed byte"},
		{"early.csv.gz", gz.Bytes()[:100], "gzip data truncated at compressed byte 100 of 100 (unexpected EOF)"},
		{"late.csv.zst", zs.Bytes()[:zs.Len()*3/4], "zstd data truncated at compressed byte"},
		{"corrupt.csv.gz", append(append([]byte{}, gz.Bytes()[:gz.Len()/2]...), bytes.Repeat([]byte{0xFF}, gz.Len()/2)...), "gzip data damaged at compressed byte"},
	} {
		path := writeFile(t, tc.name, tc.data)
		err := splitAll(path)
		if err == nil || !strings.HasPrefix(err.Error(), path+": "+tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, path+": "+tc.want)
		}
	}
}

func splitAll(path string) error {
	in, err := Open(path, Options{})
	if err != nil {
		return err
	}
	defer in.Close()
	return in.Split(context.Background(), 64<<10, func([]byte) error { return nil })
}

// CompressedRead measures a compressed file's progress in its own bytes: nothing of
// other inputs, all of its size once it is read through.
func TestCompressedRead(t *testing.T) {
	var plain bytes.Buffer
	plain.WriteString("id,text\n")
	for i := 0; plain.Len() < 1<<20; i++ {
		fmt.Fprintf(&plain, "%d,row %d\n", i, i)
	}
	var gz bytes.Buffer
	gw := gzip.NewWriter(&gz)
	gw.Write(plain.Bytes())
	gw.Close()
	path := writeFile(t, "in.csv.gz", gz.Bytes())
	in, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if read, size, ok := in.CompressedRead(); !ok || size != int64(gz.Len()) || read <= 0 || read >= size {
		t.Fatalf("after the header: %d of %d, %v; want some of %d", read, size, ok, gz.Len())
	}
	if err := in.Split(context.Background(), 64<<10, func([]byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if read, size, _ := in.CompressedRead(); read != size {
		t.Errorf("read through: %d of %d", read, size)
	}
	plainIn, err := Open(writeFile(t, "plain.csv", plain.Bytes()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer plainIn.Close()
	if _, _, ok := plainIn.CompressedRead(); ok {
		t.Error("an uncompressed file has a compressed count")
	}
}
