package offheap

import "syscall"

// Reserve maps size bytes of zeroed anonymous memory outside the Go heap, advised for
// huge pages, as address space only (MAP_NORESERVE): an array that grows into it never
// moves, and only the pages written cost memory. Unmap returns it.
func Reserve(size int) ([]byte, error) { return mapAnon(size, syscall.MAP_NORESERVE) }
