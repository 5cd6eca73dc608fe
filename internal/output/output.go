// Package output writes a run's result so that nothing is ever half-written where that
// can be helped. What happens depends on what the path names (README.md, "Output files"):
//
//   - a regular file, or nothing yet: the output goes to a temporary file in the same
//     directory, which gets the old file's mode and owner and replaces it in one rename
//     when the run succeeds; on failure or interrupt whatever was there is untouched;
//   - a symbolic link: followed to its final target, which is replaced as above; the
//     link stays a link;
//   - a character device, a FIFO or a socket: opened and written directly, as a shell's
//     `>` would; there is nothing to replace, so a failed run leaves what it wrote;
//   - a link to an open file of the process (/dev/stdout, /dev/fd/N): opened and written
//     directly, at the end of a regular file;
//   - a directory, a block device, a read-only file or one of the inputs: refused.
//
// The temporary file is unnamed where the system allows (O_TMPFILE on Linux), so a run
// killed with SIGKILL leaves nothing behind; elsewhere it has a short hidden name, and
// such files left by runs that died are removed by the next run writing to the directory.
package output

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/ptransform/ptransform/internal/fileio"
)

// Destination is where the writer goroutine puts output bytes.
type Destination struct {
	w          *bufio.Writer
	file       *os.File    // temporary file, standard output, or the device or FIFO written directly
	conn       io.Closer   // the socket written directly
	positional bool        // WriteAt may be used on file
	start      int64       // file's offset where the output begins (standard output redirected to a file)
	replace    bool        // file is a temporary file that Commit puts at target
	tmpName    string      // the temporary file's name; "" while it is unnamed
	target     string      // the path to replace, symbolic links resolved
	direct     bool        // file or conn is the target itself: Commit closes it
	wrote      atomic.Bool // bytes went to a stream that cannot take them back
	warnings   []string
	done       bool
}

// bufferSize is large enough that the writer makes few system calls per chunk yet small
// next to the chunks themselves, which are written through when larger.
const bufferSize = 1 << 20

// Stdout wraps standard output. When it is a regular file that the output goes at
// the end of (a shell's `> out.csv`, not `>>`, which appends whatever the offset), it is
// written positionally like a file output, so that `ptransform apply in > out` costs
// what `-o out` does.
func Stdout(w io.Writer) *Destination {
	if f, ok := w.(*os.File); ok {
		if end, ok := writesAtEnd(f); ok {
			return &Destination{w: bufio.NewWriterSize(fileio.Pieces{File: f}, bufferSize), file: f, positional: true, start: end}
		}
	}
	return &Destination{w: bufio.NewWriterSize(w, bufferSize)}
}

// writesAtEnd reports whether f is a regular file, not opened to append, whose offset
// is its end, and that end: positional writes there, then a cut at the end of the
// output, leave it as sequential writes would.
func writesAtEnd(f *os.File) (int64, bool) {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || appendOnly(f) {
		return 0, false
	}
	off, err := f.Seek(0, io.SeekCurrent)
	return off, err == nil && off == st.Size()
}

// ErrOutputIsInput is returned by Create for a target that is also an input.
var ErrOutputIsInput = errors.New("is also an input; write to another file")

// Create prepares the output at target, following symbolic links. It refuses a target
// that is one of the inputs ("-" is standard input): the input would be destroyed while
// still being read. Opening a FIFO waits for its reader, or for ctx to end.
func Create(ctx context.Context, target string, inputs []string) (*Destination, error) {
	final, err := resolveLinks(target)
	if errors.Is(err, errDescriptorLink) {
		return createOnDescriptor(ctx, target, inputs)
	}
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", target, unwrapPathError(err))
	}
	st, err := os.Stat(final)
	if errors.Is(err, os.ErrNotExist) {
		return createReplacing(final, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", target, unwrapPathError(err))
	}
	switch mode := st.Mode(); {
	case mode.IsDir():
		return nil, fmt.Errorf("output %s is a directory", target)
	case mode.IsRegular():
		if isInput(st, inputs) {
			return nil, fmt.Errorf("output %s %w", target, ErrOutputIsInput)
		}
		// Like cp without -f: a file its owner made read-only is not to be replaced,
		// even by root, whom the permission bits would not stop.
		if mode.Perm()&0o222 == 0 || unix.Access(final, unix.W_OK) != nil {
			return nil, fmt.Errorf("output %s is read-only; make it writable (chmod u+w) or remove it first", target)
		}
		d, err := createReplacing(final, st)
		if err == nil && linkCount(st) > 1 {
			d.warnings = append(d.warnings, fmt.Sprintf("output %s has %d hard links: it is replaced by a new file, and the other links keep the old content", target, linkCount(st)))
		}
		return d, err
	case mode&os.ModeDevice != 0 && mode&os.ModeCharDevice == 0:
		return nil, fmt.Errorf("output %s is a block device; write to a file instead", target)
	case mode&os.ModeSocket != 0:
		conn, err := (&net.Dialer{}).DialContext(ctx, "unix", final)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", target, err)
		}
		return &Destination{w: bufio.NewWriterSize(conn, bufferSize), conn: conn, direct: true, target: final}, nil
	default: // a character device or a FIFO
		f, err := openDirect(ctx, final, os.O_WRONLY)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", target, unwrapPathError(err))
		}
		return &Destination{w: bufio.NewWriterSize(f, bufferSize), file: f, direct: true, target: final}, nil
	}
}

// createOnDescriptor writes to a path that names an open file of the process
// (/dev/stdout, /dev/fd/N, /proc/self/fd/N): it is opened and written directly, at the
// end of a regular file, so that `--errors /dev/stderr` with `2>> log` adds to the log
// instead of truncating it.
func createOnDescriptor(ctx context.Context, target string, inputs []string) (*Destination, error) {
	if st, err := os.Stat(target); err == nil && st.Mode().IsRegular() && isInput(st, inputs) {
		return nil, fmt.Errorf("output %s %w", target, ErrOutputIsInput)
	}
	f, err := openDirect(ctx, target, os.O_WRONLY|os.O_APPEND)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", target, unwrapPathError(err))
	}
	return &Destination{w: bufio.NewWriterSize(f, bufferSize), file: f, direct: true, target: target}, nil
}

// openDirect opens a character device or FIFO for writing. Opening a FIFO blocks until a
// reader comes, so it happens on its own goroutine and gives way to ctx; the open left
// waiting is then ended by opening the FIFO for reading once, so nothing stays behind.
func openDirect(ctx context.Context, path string, flag int) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, flag, 0)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		if r, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
			r.Close()
		}
		return nil, context.Cause(ctx)
	}
}

// createReplacing starts a temporary file beside final, which replaces final (whose
// status is old, nil when there is none) on Commit.
func createReplacing(final string, old os.FileInfo) (*Destination, error) {
	dir := filepath.Dir(final)
	removeStaleTemporaries(dir)
	f, err := openUnnamed(dir)
	tmpName := ""
	if err != nil {
		f, err = openNamed(dir)
		if err != nil {
			return nil, fmt.Errorf("cannot create output in %s: %w", dir, unwrapPathError(err))
		}
		tmpName = f.Name()
	}
	if old != nil {
		// The new file takes the old one's owner where the process may set it (root, or
		// a group of its own), then its mode, which chown would clear the set-id bits of.
		if uid, gid, ok := owner(old); ok && f.Chown(uid, gid) != nil {
			f.Chown(-1, gid)
		}
		if err := f.Chmod(old.Mode().Perm() | old.Mode()&(os.ModeSetuid|os.ModeSetgid|os.ModeSticky)); err != nil {
			f.Close()
			removeNamed(tmpName)
			return nil, err
		}
	}
	return &Destination{w: bufio.NewWriterSize(fileio.Pieces{File: f}, bufferSize), file: f, positional: true, replace: true,
		tmpName: tmpName, target: final}, nil
}

// IsInput reports whether path names an existing regular file that is one of the
// inputs, as Create would refuse it: for checks of many outputs before any is created.
func IsInput(path string, inputs []string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && isInput(st, inputs)
}

// isInput reports whether the regular file st is one of the inputs, by device and inode,
// so that no spelling (symbolic or hard link, ./, ..) gets past it.
func isInput(st os.FileInfo, inputs []string) bool {
	for _, in := range inputs {
		var ist os.FileInfo
		var err error
		if in == "-" {
			ist, err = os.Stdin.Stat()
		} else {
			ist, err = os.Stat(in)
		}
		if err == nil && os.SameFile(st, ist) {
			return true
		}
	}
	return false
}

// SameTarget reports whether the output paths a and b name the same file to be
// replaced, through symbolic links and any spelling, whether or not it exists yet: one
// output would replace the other. Two outputs written into one device (say /dev/null)
// are not the same target.
func SameTarget(a, b string) bool {
	fa, erra := resolveLinks(a)
	fb, errb := resolveLinks(b)
	if erra != nil || errb != nil {
		return filepath.Clean(a) == filepath.Clean(b)
	}
	sa, erra := os.Stat(fa)
	sb, errb := os.Stat(fb)
	if erra == nil && errb == nil {
		return os.SameFile(sa, sb) && sa.Mode().IsRegular()
	}
	return canonical(fa) == canonical(fb)
}

// canonical is the absolute path of a file that may not exist, its directory's
// symbolic links resolved.
func canonical(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// maxLinks bounds how many symbolic links resolveLinks follows, as the kernel does.
const maxLinks = 40

// errDescriptorLink is returned by resolveLinks for a link to an open file of the
// process (/dev/stdout, /dev/fd/1, /proc/self/fd/1), whose target may be no path at all
// (pipe:[1234]).
var errDescriptorLink = errors.New("a link to an open file")

// resolveLinks follows path while it is a symbolic link and returns the path it ends at,
// which need not exist: a dangling link's target is where the output is created.
func resolveLinks(path string) (string, error) {
	for range maxLinks {
		if dir, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil && strings.HasPrefix(dir, "/proc/") {
			return "", errDescriptorLink
		}
		st, err := os.Lstat(path)
		if errors.Is(err, os.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		if st.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", &os.PathError{Op: "open", Path: path, Err: syscall.ELOOP}
}

// Warnings are what the user should hear about the target before the run (a hard link
// the output will split from).
func (d *Destination) Warnings() []string { return d.warnings }

// Wrote reports whether bytes already went to a stream or device, where no failure can
// take them back.
func (d *Destination) Wrote() bool { return d.wrote.Load() }

func (d *Destination) Write(p []byte) (int, error) {
	if !d.replace && len(p) > 0 && d.w.Buffered()+len(p) > d.w.Size() {
		d.wrote.Store(true) // bufio writes through to the stream now
	}
	n, err := d.w.Write(p)
	return n, d.named(err)
}

// named gives a failed write's error the output's name instead of its temporary
// file's: the kernel knows an unnamed temporary file (O_TMPFILE) by its directory only,
// and "write /data: no space left on device" does not say which output ran out of room.
func (d *Destination) named(err error) error {
	var pe *os.PathError
	if err != nil && d.replace && errors.As(err, &pe) && pe.Path == d.file.Name() {
		return &os.PathError{Op: pe.Op, Path: d.target, Err: pe.Err}
	}
	return err
}

// Positional reports whether WriteAt may be used: a file, not a pipe or a terminal.
func (d *Destination) Positional() bool { return d.positional }

// StartPositional flushes what Write buffered and returns its size: the offset at which
// positional writes begin. From then on only WriteAt may be used, until SetSize.
func (d *Destination) StartPositional() (int64, error) {
	if err := d.flush(); err != nil {
		return 0, err
	}
	return d.file.Seek(0, io.SeekCurrent)
}

// WriteAt writes p at offset off of the file, in pieces of at most fileio.WritePiece
// bytes. Several goroutines may call it at once for disjoint ranges: each worker writes
// its own chunk, so the kernel's copy into the page cache runs on every core instead of
// on the one writer goroutine. The file is a regular file, and the worker keeps its P
// meanwhile (fileio).
func (d *Destination) WriteAt(p []byte, off int64) error {
	if !d.replace {
		d.wrote.Store(true)
	}
	_, err := fileio.WriteAt(d.file, p, off)
	return d.named(err)
}

// WriteAtOnce is WriteAt in one system call, for writers that run two at once: both
// take the file's lock for each write, and pieces made them take it four times as often
// (identity of 1 GB, two 1 MiB writes at once: 0.33–0.38 s in pieces against 0.26–0.32
// whole, 8 interleaved rounds).
func (d *Destination) WriteAtOnce(p []byte, off int64) error {
	if !d.replace {
		d.wrote.Store(true)
	}
	_, err := fileio.WriteAtOnce(d.file, p, off)
	return d.named(err)
}

// Patchable reports whether Patch may be used: the output is a regular file written
// positionally (a file output, or standard output redirected to a file with `>`), not
// a stream, a device or a file opened to append.
func (d *Destination) Patchable() bool { return d.positional }

// Patch overwrites len(p) bytes at offset off of the output (counted from the first byte
// written to it) with p, once what Write buffered is in the file: a format that learns
// at its end what belongs at its beginning (the extent of an xlsx worksheet) writes it
// in the room it left. Only where Patchable, and not while positional writes are under
// way (between StartPositional and SetSize).
func (d *Destination) Patch(p []byte, off int64) error {
	if !d.positional {
		return errors.New("output: Patch of a stream, a device or a file opened to append")
	}
	if err := d.flush(); err != nil {
		return err
	}
	_, err := d.file.WriteAt(p, d.start+off)
	return d.named(err)
}

// SetSize ends positional writing at size bytes, cutting off anything written past it (a
// run that resynchronised may have written chunks it then wrote again, shorter).
func (d *Destination) SetSize(size int64) error {
	if err := d.file.Truncate(size); err != nil {
		return d.named(err)
	}
	_, err := d.file.Seek(size, io.SeekStart)
	return d.named(err)
}

func (d *Destination) flush() error {
	if d.w.Buffered() > 0 && !d.replace {
		d.wrote.Store(true)
	}
	return d.named(d.w.Flush())
}

// Release flushes the output and lets its buffer go: an output that is finished but
// waits for its Commit (--out-dir commits every output of the run at its end) then
// holds no memory but its open file.
func (d *Destination) Release() error {
	if err := d.flush(); err != nil {
		return err
	}
	if d.file != nil {
		d.w = bufio.NewWriterSize(d.file, releasedBufferSize)
	}
	return nil
}

// releasedBufferSize is the buffer of a released output, where nothing more is written.
const releasedBufferSize = 16

// Commit flushes the output and, for a file, puts it at the target.
func (d *Destination) Commit() error {
	if err := d.flush(); err != nil {
		d.Abort()
		return err
	}
	switch {
	case d.direct:
		d.done = true
		if d.conn != nil {
			return d.conn.Close()
		}
		return d.file.Close()
	case !d.replace:
		return nil
	}
	if err := d.place(); err != nil {
		d.Abort()
		return err
	}
	d.done = true
	return d.file.Close()
}

// place gives the finished temporary file the target's name.
func (d *Destination) place() error {
	if d.tmpName == "" {
		if err := linkUnnamed(d.file, d.target); !errors.Is(err, os.ErrExist) {
			return err
		}
		// A file is in the way: name ours for the moment, then swap it in.
		name, err := linkUnnamedTemporary(d.file, filepath.Dir(d.target))
		if err != nil {
			return err
		}
		d.tmpName = name
	}
	return replace(d.tmpName, d.target)
}

// Abort removes the temporary file. It is safe to call after Commit and more than once.
func (d *Destination) Abort() {
	if d.done {
		return
	}
	d.done = true
	switch {
	case d.conn != nil:
		d.conn.Close()
	case d.direct:
		d.file.Close()
	case d.replace:
		d.file.Close()
		removeNamed(d.tmpName)
	}
}

// IsClosedPipe reports whether err means the reader of our output went away (`| head`),
// which ends a run quietly rather than as a failure.
func IsClosedPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE)
}

func owner(st os.FileInfo) (uid, gid int, ok bool) {
	s, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(s.Uid), int(s.Gid), true
}

func linkCount(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Nlink)
	}
	return 1
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
