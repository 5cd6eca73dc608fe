// Package rows holds the stages of `apply` that choose rows (docs/rows.md is the user's
// reference): --distinct and --distinct-on (Distinct), --head (Head), --tail (Tail),
// --sample (Sample) and --sample-fraction (Fraction). They come after --where and
// before --group-by in the chain (internal/apply, chainSteps).
//
// Every one keeps rows in input order and gives the same rows for any workers and
// chunk size: the barriers' partials receive chunks in no particular order, each with
// its seq (its place in the input), and keep (seq, row) with what they hold; Finish
// merges by it. What a partial keeps are copies (take), so a worker reuses the chunk's
// buffers afterwards (transforms.CopyingBarrier) and a partial's memory is its rows:
//
//	Distinct  the aggregation stage (internal/aggregate) with the keys as --group-by
//	          and first(c) of every other column: its key tables, first-row order and
//	          typed key rule, not a copy of them
//	Head      not a barrier but a transforms.Limited stage: the runner cuts each chunk
//	          at the rows that reached the stage before it, writes the rows on as they
//	          come and stops reading at the chunk that holds the N-th; it holds no rows
//	Tail      per partial, the pieces of the latest chunks that hold the last N rows
//	Sample    per partial, a max-heap of its N rows of smallest priority (a hash of the
//	          seed and the row's source and line: priority), rows copied per chunk
//	Fraction  streaming: the rows whose priority is below P·2^64, raw rows kept
package rows
