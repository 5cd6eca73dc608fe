//go:build !linux

package output

import "os"

// replace puts the finished file tmp at target in one atomic step.
func replace(tmp, target string) error { return os.Rename(tmp, target) }
