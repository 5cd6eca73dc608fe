package offheap

import "syscall"

// Reserve maps size bytes of zeroed anonymous memory outside the Go heap, advised for
// huge pages, as address space only (MAP_NORESERVE): an array that grows into it never
// moves, and only the pages written cost memory. Unmap returns it.
func Reserve(size int) ([]byte, error) {
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE|syscall.MAP_NORESERVE)
	if err == nil {
		adviseHugePages(b)
	}
	return b, err
}
