package sorting

import (
	"fmt"
	"os"
	"sync/atomic"

	"github.com/ptransform/ptransform/internal/transforms"
)

// DefaultMemory is the memory cap when Options.Memory is not set.
const DefaultMemory = 1 << 30

// maxChunkRows is the most rows Finish puts in one emitted chunk.
const maxChunkRows = 1 << 15

// Options bound the stage's resources.
type Options struct {
	// Memory caps the bytes of rows the partials hold together (row values, sort keys
	// and sort entries); beyond it, sorted runs go to temporary files.
	Memory int64
	// TempDir is where runs are spilled; os.TempDir() when empty.
	TempDir string
}

// Stage is the compiled --sort / --limit barrier: it passes its input columns on
// unchanged, in the order of the sort keys, and at most limit rows of them when
// limit >= 0.
type Stage struct {
	keys     []Key
	limit    int64
	names    []string
	memory   int64
	tempDir  string
	partials atomic.Int64 // partials made and not released: each holds memory/partials
}

var (
	_ transforms.Barrier  = (*Stage)(nil)
	_ transforms.Reader   = (*Stage)(nil)
	_ transforms.Numbered = (*Stage)(nil)
)

// Compile builds the stage for a --sort spec (see ParseKeys) and a --limit (negative
// for none) against the names of the columns it receives.
func Compile(keys string, limit int64, names []string, opts Options) (*Stage, error) {
	s := &Stage{limit: limit, names: names, memory: opts.Memory, tempDir: opts.TempDir}
	if keys == "" {
		// --limit alone keeps the first rows in input order, which needs no barrier.
		return nil, fmt.Errorf("internal error: a sort stage needs sort keys (--limit without --sort is rows.Head)")
	}
	var err error
	if s.keys, err = ParseKeys(keys, names); err != nil {
		return nil, err
	}
	if s.memory <= 0 {
		s.memory = DefaultMemory
	}
	if s.tempDir == "" {
		s.tempDir = os.TempDir()
	}
	return s, nil
}

// Columns are the input columns, passed on unchanged.
func (s *Stage) Columns() []transforms.Column {
	cols := make([]transforms.Column, len(s.names))
	for j, n := range s.names {
		cols[j] = transforms.Column{Name: n, From: j}
	}
	return cols
}

// Reads marks the sort keys: the other columns are only passed on.
func (s *Stage) Reads() []bool {
	reads := make([]bool, len(s.names))
	for _, k := range s.keys {
		reads[k.Column] = true
	}
	return reads
}

// ReadsNumbers implements transforms.Numbered: false. A row's place is its chunk's seq
// and its index in the chunk (position), the rows Finish emits are numbered in the sorted
// order, and no partial reports an error about a row; so a worker need not wait for the
// counts of the chunks before its own to consume a chunk.
func (s *Stage) ReadsNumbers() bool { return false }

// NewPartial returns an empty partial. Partials share Options.Memory evenly: a
// partial takes its share (the cap divided by the partials made and not yet released)
// when it first holds a row, so a runner makes its partials before it consumes.
func (s *Stage) NewPartial() transforms.Partial {
	s.partials.Add(1)
	return &partial{s: s}
}

// share is the bytes one partial may hold.
func (s *Stage) share() int64 {
	return s.memory / max(1, s.partials.Load())
}
