//go:build !linux

package aggregate

// prefault does nothing where MADV_POPULATE_WRITE does not exist: the pages fault in
// on their first write.
func prefault([]byte) {}
