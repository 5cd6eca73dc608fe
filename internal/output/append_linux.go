package output

import (
	"os"

	"golang.org/x/sys/unix"
)

// appendOnly reports whether f was opened with O_APPEND, which makes Linux ignore the
// offset of positional writes.
func appendOnly(f *os.File) bool {
	flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFL, 0)
	return err != nil || flags&unix.O_APPEND != 0
}
