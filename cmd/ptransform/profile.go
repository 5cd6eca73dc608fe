package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"

	"github.com/urfave/cli/v2"

	"github.com/ptransform/ptransform/internal/apply"
)

// profileFlags let a user send us a profile of a slow run (go tool pprof reads both).
func profileFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the run (pprof format) to `PATH`"},
		&cli.StringFlag{Name: "memprofile", Usage: "write a memory profile (pprof heap format, allocations of the whole run) to `PATH` at the end"},
		&cli.StringFlag{Name: "trace", Usage: "write a Go execution trace of the run (go tool trace reads it: what each worker waited for) to `PATH`"},
	}
}

// profilePaths are the files profileFlags name, which the run refuses by the rule of its
// own outputs (apply.CheckWrittenPaths): a profile must not replace an input or an output.
func profilePaths(c *cli.Context) []apply.WrittenPath {
	var paths []apply.WrittenPath
	for _, flag := range []string{"cpuprofile", "memprofile", "trace"} {
		if path := c.String(flag); path != "" {
			paths = append(paths, apply.WrittenPath{Flag: "--" + flag, Path: path})
		}
	}
	return paths
}

// withProfiles runs run under the profiles that profileFlags ask for, once their paths
// have passed apply.CheckWrittenPaths. The files are created before the run, so a bad
// path fails before any data is read, and written whether the run succeeds or not: a
// failing run's profile is worth having too.
func withProfiles(c *cli.Context, run func() error) error {
	var cpu, mem, execTrace *os.File
	closeAll := func() {
		for _, f := range []*os.File{cpu, mem, execTrace} {
			if f != nil {
				f.Close()
			}
		}
	}
	for _, p := range []struct {
		flag string
		file **os.File
	}{{"cpuprofile", &cpu}, {"memprofile", &mem}, {"trace", &execTrace}} {
		if path := c.String(p.flag); path != "" {
			f, err := os.Create(path)
			if err != nil {
				closeAll()
				return fmt.Errorf("--%s: %w", p.flag, err)
			}
			*p.file = f
		}
	}
	if cpu != nil {
		if err := pprof.StartCPUProfile(cpu); err != nil {
			closeAll()
			return fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	if execTrace != nil {
		if err := trace.Start(execTrace); err != nil {
			if cpu != nil {
				pprof.StopCPUProfile()
			}
			closeAll()
			return fmt.Errorf("--trace: %w", err)
		}
	}
	runErr := run()
	var errs []error
	if execTrace != nil {
		trace.Stop()
		if err := execTrace.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--trace: %w", err))
		}
	}
	if cpu != nil {
		pprof.StopCPUProfile()
		if err := cpu.Close(); err != nil {
			errs = append(errs, fmt.Errorf("--cpuprofile: %w", err))
		}
	}
	if mem != nil {
		runtime.GC() // so that the in-use figures are those of the run's end
		err := pprof.WriteHeapProfile(mem)
		if cerr := mem.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("--memprofile: %w", err))
		}
	}
	if runErr != nil {
		return runErr
	}
	return errors.Join(errs...)
}
