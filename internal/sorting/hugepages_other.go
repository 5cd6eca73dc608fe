//go:build unix && !linux

package sorting

func adviseHugePages([]byte) {}
