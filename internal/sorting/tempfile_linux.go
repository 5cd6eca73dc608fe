package sorting

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// createTemp makes a file in dir that never has a name (O_TMPFILE, as internal/output
// does for its temporary outputs): the kernel frees it when it is closed or the process
// dies, even by SIGKILL. File systems without O_TMPFILE get a named file, unlinked at once.
func createTemp(dir string) (*os.File, string, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), dir), "", nil
	}
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) || errors.Is(err, unix.EINVAL) {
		return createNamedTemp(dir)
	}
	return nil, "", &os.PathError{Op: "open", Path: dir, Err: err}
}
