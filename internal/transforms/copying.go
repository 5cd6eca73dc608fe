package transforms

import "github.com/ptransform/ptransform/internal/expr"

// CopyingBarrier is a Barrier whose partials keep nothing of a chunk once Consume has
// returned nil: the keys, values and rows they keep are copies. A worker then reuses
// the chunk's buffers (the CSV reader's, the expression program's) for its next chunk,
// as it does once a chunk is encoded, which saves a run through such a barrier about
// a third of its time and of its memory. A chunk whose Consume failed is left alone:
// the error may refer to its values.
type CopyingBarrier interface {
	Barrier
	// ConsumeCopies marks the stage; it does nothing.
	ConsumeCopies()
}

// ErrorReportingPartial is a Partial whose Consume lets rows through with errors, as
// --on-error skip or null ask (a bad number in an aggregate's argument): RowErrors
// returns those of the last Consume, for the --errors log and the run's summary. They
// are the partial's until its next Consume, and their values may refer to the chunk's.
type ErrorReportingPartial interface {
	Partial
	RowErrors() []expr.RowError
}
