//go:build !linux

package sorting

import "os"

// createTemp makes a named temporary file in dir, unlinked at once where possible.
func createTemp(dir string) (*os.File, string, error) { return createNamedTemp(dir) }
