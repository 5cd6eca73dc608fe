//go:build unix

package offheap

import "syscall"

// Map maps size bytes of zeroed anonymous memory outside the Go heap.
func Map(size int) ([]byte, error) { return mapAnon(size, 0) }

// mapAnon maps size bytes of zeroed anonymous memory with the mmap flags extra besides
// the usual ones, advised for huge pages.
func mapAnon(size, extra int) ([]byte, error) {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE|extra)
	if err == nil {
		adviseHugePages(b)
	}
	return b, err
}

// Unmap returns a region of Map to the system.
func Unmap(b []byte) {
	if b != nil {
		syscall.Munmap(b)
	}
}
