//go:build !unix

package sorting

// allocRegion allocates on the Go heap where anonymous mappings are not available.
func allocRegion(size int) ([]byte, error) { return make([]byte, size), nil }

func freeRegion([]byte) {}
