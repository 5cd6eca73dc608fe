package transforms

import (
	"context"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
)

// A run's transform is a chain of stages, each compiled once against the columns the
// chunks have at its point of the chain (the Columns of the stage before it):
//
//	decoded chunk ─► Streaming ─► … ─► Barrier ─► Streaming ─► … ─► sink
//	                 (per chunk, in the workers)   (after every row was consumed)
//
// A Streaming stage turns each chunk into a chunk on its own, in whichever worker
// decoded it: assignments, filters, column selection, lookups. A Barrier stage must see
// every row before it emits any: aggregation, sorting, top-N. Workers fold their chunks
// into a Partial each (consume); when the input is exhausted the stage merges the
// partials and emits its rows in order (finish), and the stages after it run on those.

// Column describes one column a stage emits.
type Column struct {
	Name string
	// From is the index, among the stage's input columns, of the column this one passes
	// on unchanged (values and type), or -1 for a column the stage computes.
	From int
	// Type is a computed column's static type (what a typed output takes as its type
	// before any value exists); ignored when From >= 0.
	Type expr.Type
}

// Stage is what every stage has: the columns it emits.
type Stage interface {
	Columns() []Column
}

// Reader is a stage that can say which of its input columns it reads (an expression,
// a sort key, an aggregate's argument), as opposed to passing them on unchanged
// (Column.From). A run decodes only the input columns that some stage reads or that
// reach the output (csvfmt.Decoder.SkipColumns), and gives a barrier the columns
// nothing after it needs as null arrays, so a sort does not hold them. A stage that is
// not a Reader is taken to read every input column.
type Reader interface {
	Stage
	// Reads has one entry per input column, true for a column the stage reads.
	Reads() []bool
}

// Numbered is a stage that says whether it reads the row or line numbers of its rows
// (`_row`, a sample's draw). The runner then numbers each chunk from the start of its
// input before the stage sees it, which makes a worker wait for the counts of the
// chunks before its own; without it the writer numbers only the errors, later. A
// streaming stage that is not Numbered reads no numbers; a barrier that is not may keep
// them for the stages after it (a sort's rows), so it is numbered. A barrier that says
// false reads them only to name the rows of the errors its partials report, and must
// order rows by the seq Consume is given, never by their numbers.
type Numbered interface {
	Stage
	ReadsNumbers() bool
}

// Streaming is a stage applied to each chunk on its own.
type Streaming interface {
	Stage
	// NewWorker returns one worker's instance: instances keep scratch buffers between
	// chunks, so no two workers share one.
	NewWorker() StreamWorker
}

// StreamWorker is one worker's instance of a Streaming stage.
type StreamWorker interface {
	// Apply transforms one chunk. Row errors that --on-error skip or null let through
	// are returned for the --errors log; a row error under --on-error fail is the error.
	Apply(c *table.Chunk) (*table.Chunk, []expr.RowError, error)
	// Recycle says that the last chunk Apply returned is no longer referenced, so its
	// buffers may be reused.
	Recycle()
}

// Barrier is a stage that sees every row before it emits one.
type Barrier interface {
	Stage
	// NewPartial returns an empty partial result. Each worker owns one and folds into
	// it the chunks it is given, in no particular order.
	NewPartial() Partial
	// Finish merges the workers' partials and emits the stage's rows, in the stage's
	// order, as chunks of at most a few tens of thousands of rows. Its output must not
	// depend on how rows were spread over partials or cut into chunks: Partial.Consume
	// receives each row's place in the input order for that. Finish releases what the
	// partials hold (temporary files included) whether it succeeds or not.
	Finish(ctx context.Context, parts []Partial, emit func(*table.Chunk) error) error
}

// Partial is one worker's share of a Barrier stage's state.
type Partial interface {
	// Consume folds one chunk in. seq is the chunk's place in the input order (chunks
	// of a run have increasing seq in input order), so row i of the chunk comes after
	// every row of a smaller seq and after rows 0..i-1 of its own chunk. The chunk's
	// arrays stay valid after Consume returns; Raw is nil, except for a RawRowsBarrier
	// that asks for it, and is valid only until Consume returns.
	Consume(seq int64, c *table.Chunk) error
	// Release frees what the partial holds (memory, temporary files); Finish calls it,
	// and the runner calls it on partials that never reach Finish (a failed run).
	Release()
}

// Limited is a stage that passes on the first Limit() rows that reach it in input order
// and drops the rest (--head, --limit without --sort). It is neither Streaming nor a
// Barrier: the runner cuts each chunk where it reaches the stage, in the worker, at the
// count of rows that reached it in the chunks before (a worker waits for those counts,
// as it waits for the row numbers of `_row`), so its rows go on to the stages after it
// and to the writer as they come, and the input is read no further than the chunk that
// holds the Limit()-th row. It holds no rows: the run's memory is its work in flight,
// whatever the limit.
type Limited interface {
	Stage
	Limit() int64
}
