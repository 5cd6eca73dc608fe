package apply

import (
	"fmt"

	"github.com/ptransform/ptransform/internal/output"
)

// WrittenPath is a file a run writes, and how the user named it ("output" for -o, else
// its flag), for the messages of CheckWrittenPaths.
type WrittenPath struct{ Flag, Path string }

// CheckWrittenPaths refuses, as a usage error before anything is read or created, a
// file the run writes (the output, --errors, --stats-json, Options.Profiles) that is one
// of its inputs or --lookup references, or that another of them names: the input would
// be destroyed, or one output replaced by the other. The CLI calls it before it creates
// the profiles; Run calls it again, and checks the outputs --out-dir names by the same
// rule once it knows them.
func CheckWrittenPaths(o Options) error {
	return usage(checkWritten(o, o.writtenPaths()))
}

// writtenPaths are the files the run writes whose paths the user gave, in the order
// their clashes are reported: a stream ("-", standard output or error) is no file.
func (o Options) writtenPaths() []WrittenPath {
	var paths []WrittenPath
	if o.OutDir == "" && o.Output != "" && o.Output != "-" {
		paths = append(paths, WrittenPath{"output", o.Output})
	}
	if o.ErrorsPath != "" && o.ErrorsPath != "-" {
		paths = append(paths, WrittenPath{"--errors", o.ErrorsPath})
	}
	if o.StatsJSON != "" {
		paths = append(paths, WrittenPath{"--stats-json", o.StatsJSON})
	}
	return append(paths, o.Profiles...)
}

// readPaths are the files the run reads: its inputs and its --lookup references.
func (o Options) readPaths() []string {
	paths := append([]string(nil), o.Inputs...)
	for _, spec := range o.Lookups {
		paths = append(paths, spec.Path)
	}
	return paths
}

// checkWritten is the one rule of CheckWrittenPaths over written: no path is a file
// the run reads (by device and inode, links followed: output.IsInput), and no two name
// the same file (output.SameTarget).
func checkWritten(o Options, written []WrittenPath) error {
	read := o.readPaths()
	for i, w := range written {
		if output.IsInput(w.Path, read) {
			return fmt.Errorf("%s %s %w", w.Flag, w.Path, output.ErrOutputIsInput)
		}
		for _, earlier := range written[:i] {
			if output.SameTarget(w.Path, earlier.Path) {
				return fmt.Errorf("%s %s would replace another output of the run (%s %s): give it a file of its own", w.Flag, w.Path, earlier.Flag, earlier.Path)
			}
		}
	}
	return nil
}
