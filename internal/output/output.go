// Package output writes a run's result so that nothing is ever half-written: a file
// output goes to a temporary file beside the target and is renamed into place only when
// the run succeeds; on failure or interrupt the temporary file is removed and whatever was
// at the target before is untouched.
package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// Destination is where the writer goroutine puts output bytes.
type Destination struct {
	w      *bufio.Writer
	file   *os.File // the temporary file, or standard output written positionally
	stdout bool     // file is standard output: nothing to rename or remove
	target string
	done   bool
}

// bufferSize is large enough that the writer makes few system calls per chunk yet small
// next to the chunks themselves, which are written through when larger.
const bufferSize = 1 << 20

// Stdout wraps standard output. When it is a regular file that the output goes at
// the end of (a shell's `> out.csv`, not `>>`, which appends whatever the offset), it is
// written positionally like a file output, so that `ptransform apply in > out` costs
// what `-o out` does.
func Stdout(w io.Writer) *Destination {
	d := &Destination{w: bufio.NewWriterSize(w, bufferSize)}
	if f, ok := w.(*os.File); ok && writesAtEnd(f) {
		d.file, d.stdout = f, true
	}
	return d
}

// writesAtEnd reports whether f is a regular file, not opened to append, whose offset
// is its end: positional writes there, then a cut at the end of the output, leave it as
// sequential writes would.
func writesAtEnd(f *os.File) bool {
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || appendOnly(f) {
		return false
	}
	off, err := f.Seek(0, io.SeekCurrent)
	return err == nil && off == st.Size()
}

// ErrOutputIsInput is returned by Create for a target that is also an input.
var ErrOutputIsInput = errors.New("is also an input; write to another file")

// Create prepares a file output at target. It refuses a target that is one of the
// inputs: the input would be destroyed while still being read.
func Create(target string, inputs []string) (*Destination, error) {
	if st, err := os.Stat(target); err == nil {
		if st.IsDir() {
			return nil, fmt.Errorf("output %s is a directory", target)
		}
		for _, in := range inputs {
			if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
				return nil, fmt.Errorf("output %s %w", target, ErrOutputIsInput)
			}
		}
	}
	dir := filepath.Dir(target)
	f, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("cannot create output in %s: %w", dir, unwrapPathError(err))
	}
	return &Destination{w: bufio.NewWriterSize(f, bufferSize), file: f, target: target}, nil
}

func (d *Destination) Write(p []byte) (int, error) { return d.w.Write(p) }

// Positional reports whether WriteAt may be used: a file, not a pipe or a terminal.
func (d *Destination) Positional() bool { return d.file != nil }

// StartPositional flushes what Write buffered and returns its size: the offset at which
// positional writes begin. From then on only WriteAt may be used, until SetSize.
func (d *Destination) StartPositional() (int64, error) {
	if err := d.w.Flush(); err != nil {
		return 0, err
	}
	return d.file.Seek(0, io.SeekCurrent)
}

// WriteAt writes p at offset off of the file. Several goroutines may call it at once for
// disjoint ranges: each worker writes its own chunk, so the kernel's copy into the page
// cache runs on every core instead of on the one writer goroutine.
func (d *Destination) WriteAt(p []byte, off int64) error {
	_, err := d.file.WriteAt(p, off)
	return err
}

// SetSize ends positional writing at size bytes, cutting off anything written past it (a
// run that resynchronised may have written chunks it then wrote again, shorter).
func (d *Destination) SetSize(size int64) error {
	if err := d.file.Truncate(size); err != nil {
		return err
	}
	_, err := d.file.Seek(size, io.SeekStart)
	return err
}

// Commit flushes the output and, for a file, gives it the usual permissions and renames it
// over the target.
func (d *Destination) Commit() error {
	if err := d.w.Flush(); err != nil {
		d.Abort()
		return err
	}
	if d.file == nil || d.stdout {
		return nil
	}
	mode := os.FileMode(0o666) &^ umask()
	if st, err := os.Stat(d.target); err == nil {
		mode = st.Mode().Perm() // replacing a file keeps its permissions
	}
	if err := d.file.Chmod(mode); err != nil {
		d.Abort()
		return err
	}
	if err := d.file.Close(); err != nil {
		d.Abort()
		return err
	}
	if err := replace(d.file.Name(), d.target); err != nil {
		d.Abort()
		return err
	}
	d.done = true
	return nil
}

// Abort removes the temporary file. It is safe to call after Commit and more than once.
func (d *Destination) Abort() {
	if d.file == nil || d.stdout || d.done {
		return
	}
	d.done = true
	d.file.Close()
	os.Remove(d.file.Name())
}

// IsClosedPipe reports whether err means the reader of our output went away (`| head`),
// which ends a run quietly rather than as a failure.
func IsClosedPipe(err error) bool {
	return errors.Is(err, syscall.EPIPE)
}

func umask() os.FileMode {
	m := syscall.Umask(0)
	syscall.Umask(m)
	return os.FileMode(m)
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
