//go:build unix

package sorting

import "syscall"

// allocRegion maps anonymous memory outside the Go heap: its pages cost memory only
// once written, and freeRegion returns them to the system at once.
func allocRegion(size int) ([]byte, error) {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err == nil {
		adviseHugePages(b)
	}
	return b, err
}

func freeRegion(b []byte) {
	if b != nil {
		syscall.Munmap(b)
	}
}
