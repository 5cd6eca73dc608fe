//go:build !linux

package fileio

import "os"

// ReadAt is f.ReadAt.
func ReadAt(f *os.File, p []byte, off int64) (int, error) { return f.ReadAt(p, off) }

// WriteAtOnce is f.WriteAt.
func WriteAtOnce(f *os.File, p []byte, off int64) (int, error) { return f.WriteAt(p, off) }

// WriteAt is f.WriteAt, in pieces of at most WritePiece bytes.
func WriteAt(f *os.File, p []byte, off int64) (int, error) {
	return inPieces(p, func(piece []byte, at int64) (int, error) { return f.WriteAt(piece, off+at) })
}
