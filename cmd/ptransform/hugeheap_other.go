//go:build !linux || !(amd64 || arm64)

package main

// useHugePages does nothing here: see hugeheap_linux.go.
func useHugePages() {}
