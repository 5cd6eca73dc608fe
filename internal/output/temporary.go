package output

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A named temporary file is called .ptransform-PID-RANDOM.tmp: short whatever the
// output's name (a name of 240 characters has no room for a suffix), and saying which
// process made it, so that the next run can tell a dead run's file from a live one's.
const tempPrefix, tempSuffix = ".ptransform-", ".tmp"

func tempName(dir string) string {
	return filepath.Join(dir, fmt.Sprintf("%s%d-%08x%s", tempPrefix, os.Getpid(), rand.Uint32(), tempSuffix))
}

// openNamed creates a named temporary file in dir, with the mode a new file gets.
func openNamed(dir string) (*os.File, error) {
	for {
		f, err := os.OpenFile(tempName(dir), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, os.ErrExist) {
			return f, err
		}
	}
}

func removeNamed(name string) {
	if name != "" {
		os.Remove(name)
	}
}

// removeStaleTemporaries removes the temporary files of runs that died in dir (killed,
// or a system without unnamed temporary files), so that none accumulate in a directory
// a cron job writes to every day. A file whose process still runs is left alone.
func removeStaleTemporaries(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	for _, name := range names {
		if pid, ok := tempOwner(name); ok && pid != os.Getpid() && !processRuns(pid) {
			os.Remove(filepath.Join(dir, name))
		}
	}
}

// tempOwner reads the process id out of a temporary file's name.
func tempOwner(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, tempPrefix)
	if !ok || !strings.HasSuffix(rest, tempSuffix) {
		return 0, false
	}
	pidText, _, ok := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidText)
	return pid, ok && err == nil && pid > 0
}

func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
