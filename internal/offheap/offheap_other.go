//go:build !unix

package offheap

// Map allocates on the Go heap where anonymous mappings are not available.
func Map(size int) ([]byte, error) { return make([]byte, size), nil }

// Unmap leaves the memory to the garbage collector.
func Unmap([]byte) {}
