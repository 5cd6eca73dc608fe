package apply

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ptransform/ptransform/internal/sniff"
)

// maxSpooled bounds a workbook or Parquet file read from standard input or a pipe,
// which is copied to a temporary file first: both are read from their end, and by many
// workers at once. Larger files are read by path.
const maxSpooled = 4 << 30

// spoolInput copies the workbook or Parquet file that src (standard input, a FIFO, a
// pipe) holds to a temporary file without a name, so that it is read as a file and gone
// when the run ends, however it ends: the file is removed as soon as it is created, and the system
// frees it when the run closes it or the process dies. The caller takes the file over.
func spoolInput(src *sniff.File) (*os.File, error) {
	tmp, err := os.CreateTemp("", "ptransform-stdin-*")
	if err != nil {
		return nil, fmt.Errorf("%s: is %s, copied to a temporary file to be read: %w", src.Name, src.Format.What, err)
	}
	if err := os.Remove(tmp.Name()); err != nil {
		tmp.Close()
		return nil, err
	}
	n, err := io.Copy(tmp, io.LimitReader(src.Head, maxSpooled+1))
	switch {
	case err != nil:
		err = fmt.Errorf("%s: copying it to a temporary file (in %s; TMPDIR names another place): %w", src.Name, os.TempDir(), err)
	case n > maxSpooled:
		err = fmt.Errorf("%s: %s on standard input or a pipe may hold at most %d GiB, copied to a temporary file to be read; save it to a file and give its path", src.Name, src.Format.What, maxSpooled>>30)
	}
	if err != nil {
		tmp.Close()
		return nil, err
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		tmp.Close()
		return nil, errors.Join(fmt.Errorf("%s: temporary copy", src.Name), err)
	}
	return tmp, nil
}
