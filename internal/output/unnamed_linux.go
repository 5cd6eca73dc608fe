package output

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamed creates a file in dir that has no name until linkUnnamed gives it one: if
// the process dies first, the kernel frees it and nothing is left in dir.
func openUnnamed(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o666)
	if err != nil {
		return nil, err // file systems without O_TMPFILE say EOPNOTSUPP or EISDIR
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// linkUnnamed gives the unnamed file f the name path, which must not exist.
func linkUnnamed(f *os.File, path string) error {
	// Through /proc, linkat needs no privilege (AT_EMPTY_PATH would need
	// CAP_DAC_READ_SEARCH).
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: path, Err: err}
	}
	return nil
}

// linkUnnamedTemporary gives the unnamed file f a temporary name in dir and returns it.
func linkUnnamedTemporary(f *os.File, dir string) (string, error) {
	for {
		name := tempName(dir)
		err := linkUnnamed(f, name)
		if !errors.Is(err, os.ErrExist) {
			return name, err
		}
	}
}
