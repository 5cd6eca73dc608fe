package fileio

import (
	"io"
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReadAt reads len(p) bytes of the regular file f from offset off, as f.ReadAt does
// (io.EOF when the file ends first), keeping the goroutine's P (see the package doc).
func ReadAt(f *os.File, p []byte, off int64) (int, error) {
	fd := f.Fd()
	n := 0
	for n < len(p) {
		k, _, errno := unix.RawSyscall6(unix.SYS_PREAD64, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n), uintptr(off+int64(n)), 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			runtime.KeepAlive(f)
			return n, &os.PathError{Op: "read", Path: f.Name(), Err: errno}
		case k == 0:
			runtime.KeepAlive(f)
			return n, io.EOF
		}
		n += int(k)
	}
	runtime.KeepAlive(f)
	return n, nil
}

// WriteAt writes p to the regular file f at offset off, as f.WriteAt does, keeping the
// goroutine's P (see the package doc).
func WriteAt(f *os.File, p []byte, off int64) (int, error) {
	fd := f.Fd()
	n := 0
	for n < len(p) {
		k, _, errno := unix.RawSyscall6(unix.SYS_PWRITE64, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n), uintptr(off+int64(n)), 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			runtime.KeepAlive(f)
			return n, &os.PathError{Op: "write", Path: f.Name(), Err: errno}
		case k == 0:
			runtime.KeepAlive(f)
			return n, &os.PathError{Op: "write", Path: f.Name(), Err: io.ErrShortWrite}
		}
		n += int(k)
	}
	runtime.KeepAlive(f)
	return n, nil
}
