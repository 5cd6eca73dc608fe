// Package transforms is the seam of `ptransform apply`'s transforms: a run's transform
// is a chain of stages (stage.go), each compiled once against the columns the stage
// before it emits, built in internal/apply (pipeline.go, one table of steps in the
// order of the flags' meaning):
//
//	--expr, --where ─► --distinct ─► --head/--tail/--sample ─► --group-by/--agg ─► --having ─► --sort/--limit ─► --select/--drop/--rename
//	  Assign            rows.Distinct  rows.Head, Tail, Sample   aggregate.Stage     Assign      sorting.Stage     Columns
//	  (streaming)       (barrier)      (Head limited; Fraction   (barrier)           (streaming) (barrier; without (streaming)
//	                                    streaming; barriers)                                     --sort rows.Head)
//
// Streaming stages turn each chunk into a chunk in the worker that decoded it; this
// package holds the expression program's (Assign) and the column selection's (Columns).
// Barrier stages fold chunks into one Partial per worker and emit their rows once the
// input is exhausted; they live in their own packages (internal/aggregate,
// internal/sorting, internal/rows). A Limited stage (--head, --limit without --sort)
// cuts the chunks in input order where its rows are complete and ends the reading
// there. A new transform is one Stage implementation and one step in
// internal/apply's chain table.
//
// Each stage says, per column it emits, which input column it passes on unchanged
// (Column.From) or the static type of the one it computes: the typed outputs' schema
// and the CSV readers' skipped columns are traced through the chain with it. A Columns
// right after an Assign is folded into the program (expr.Program.Project), and unchanged
// CSV rows keep being copied from the input bytes when no barrier stands between.
package transforms
