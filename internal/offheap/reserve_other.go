//go:build !linux

package offheap

import "errors"

// Reserve is not available: a caller grows its array in regions of Map instead.
func Reserve(int) ([]byte, error) { return nil, errors.ErrUnsupported }
