// Package transforms holds the per-chunk transforms of `ptransform apply`, compiled once
// per run against the input header and run inside the workers, in this order:
// expression assignments (--expr), filters (--where), then column selection
// (--select / --drop / --rename).
package transforms

import "github.com/ptransform/ptransform/internal/table"

// Stage transforms chunks for one worker. A Stage may keep scratch buffers between
// chunks, so each worker gets its own (Plan.NewStages); it is not safe for concurrent use.
type Stage interface {
	Apply(c *table.Chunk) (*table.Chunk, error)
}
