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
	return transfer(f, unix.SYS_PREAD64, p, off)
}

// WriteAtOnce writes p to the regular file f at offset off, as f.WriteAt does, keeping
// the goroutine's P (see the package doc), in as few system calls as the kernel takes.
func WriteAtOnce(f *os.File, p []byte, off int64) (int, error) {
	return transfer(f, unix.SYS_PWRITE64, p, off)
}

// WriteAt is WriteAtOnce in pieces of at most WritePiece bytes.
func WriteAt(f *os.File, p []byte, off int64) (int, error) {
	return inPieces(p, func(piece []byte, at int64) (int, error) { return WriteAtOnce(f, piece, off+at) })
}

// transfer makes the positional system call trap (pread64 or pwrite64) on p from offset
// off until all of p is done, retrying after a signal. A read that gets no byte ends at
// io.EOF, a write that puts none is short; a failed call's error is a PathError.
func transfer(f *os.File, trap uintptr, p []byte, off int64) (int, error) {
	defer runtime.KeepAlive(f)
	op := "write"
	if trap == unix.SYS_PREAD64 {
		op = "read"
	}
	fd := f.Fd()
	n := 0
	for n < len(p) {
		k, _, errno := unix.RawSyscall6(trap, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n), uintptr(off+int64(n)), 0, 0)
		switch {
		case errno == unix.EINTR:
			continue
		case errno != 0:
			return n, &os.PathError{Op: op, Path: f.Name(), Err: errno}
		case k == 0 && op == "read":
			return n, io.EOF
		case k == 0:
			return n, &os.PathError{Op: op, Path: f.Name(), Err: io.ErrShortWrite}
		}
		n += int(k)
	}
	return n, nil
}
