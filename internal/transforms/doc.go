// Package transforms holds the column selection step of `ptransform apply` (--select,
// --drop, --rename), compiled once per run against the columns a chunk has at that point
// and run inside the workers, after the expression assignments and filters (internal/expr).
package transforms
