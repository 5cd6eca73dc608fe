//go:build !linux

package fileio

import "os"

// ReadAt is f.ReadAt.
func ReadAt(f *os.File, p []byte, off int64) (int, error) { return f.ReadAt(p, off) }

// WriteAtOnce is f.WriteAt.
func WriteAtOnce(f *os.File, p []byte, off int64) (int, error) { return f.WriteAt(p, off) }

// WriteAt is f.WriteAt, in pieces of at most WritePiece bytes.
func WriteAt(f *os.File, p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		k, err := f.WriteAt(p[n:min(len(p), n+WritePiece)], off+int64(n))
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
