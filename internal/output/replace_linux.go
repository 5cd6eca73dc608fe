package output

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// replace puts the finished file tmp at target in one atomic step. When target exists,
// it swaps the two names (RENAME_EXCHANGE) and then removes the old file under the
// temporary name: a plain rename over a large existing file makes ext4 force the
// allocation and writeback of the new file's data inside rename(2) (its replace-via-rename
// safeguard), which measured 0.4 s of a 2 s run on a 1 GB output; the exchange does not.
// Readers see the old file or the new one, never neither.
func replace(tmp, target string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, target, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		// tmp now names the old output; a failure to remove it leaves a hidden file
		// behind but the new output is in place.
		os.Remove(tmp)
		return nil
	case errors.Is(err, unix.ENOENT), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM):
		// No file to swap with, or a file system without the exchange.
		return os.Rename(tmp, target)
	default:
		return err
	}
}
