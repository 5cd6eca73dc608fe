//go:build !linux

package fileio

import "os"

// ReadAt is f.ReadAt.
func ReadAt(f *os.File, p []byte, off int64) (int, error) { return f.ReadAt(p, off) }

// WriteAt is f.WriteAt.
func WriteAt(f *os.File, p []byte, off int64) (int, error) { return f.WriteAt(p, off) }
