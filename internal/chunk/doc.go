// Package chunk runs ptransform's parallel pipeline: inputs cut into row chunks, a pool of
// workers that each decode, transform and encode one chunk at a time, and one writer that
// puts the results back in input order.
//
//	               tasks (descriptors:                 results (encoded
//	               byte range or block,                 bytes, in any
//	               sequence number)                     order)
//	┌─────────┐    ┌──────────────┐   ┌───────────┐    ┌────────────────┐   ┌──────────┐
//	│ planner │───►│ task channel │──►│ worker 1  │───►│ reorder window │──►│  writer  │──► temp file ──rename──► output
//	│ (1 gor.)│    └──────────────┘ ├►│ worker 2  │───►│  (≤ Window     │   │ (1 gor., │
//	└────▲────┘                     └►│ worker N  │───►│   chunks)      │   │  in seq  │
//	     │                            └───────────┘    └────────────────┘   │  order)  │
//	     │          window tokens: taken by the planner per task,           └────┬─────┘
//	     └───────── given back by the writer once that task is written ◄─────────┘
//
// The planner emits descriptors, not data, for seekable files: each worker reads only its
// range, at its offsets in the file the run opened (one descriptor, shared), so the only
// large things that cross a channel are finished outputs. Non-seekable input (stdin, compressed, transcoded) is cut into blocks by
// the planner itself, which then plays the role of the one splitter goroutine.
//
// Back-pressure: the planner must take a token before emitting a task and the writer
// returns it only after writing that task's result, so at most Window chunks are planned,
// decoding, waiting in the window or being written at any moment, whatever the input
// size. Memory is therefore about Window × chunk size × a small constant.
//
// Scheduling: the planner and the writer have no processor of their own when every
// processor runs a worker (ptransform sets GOMAXPROCS to --workers), so a worker yields
// after taking a task and after handing its result over: the planner readies the next
// task and the writer gives the token back while the worker's processor is free, instead
// of the other worker finding the task channel empty and blocking until the scheduler
// moves the planner (a tenth of both cores at --workers 2 before the yields; see
// docs/performance.md, session 12).
//
// Order and determinism: every task carries its sequence number; the writer holds results
// that arrive early and writes strictly in sequence, so output bytes never depend on the
// number of workers or on scheduling. Errors travel in sequence order too (a failed task's
// error is reported when the writer reaches it), so the error a user sees is the first one
// in the input, not the first one a worker happened to hit.
//
// The writer is the only goroutine that decides what is written and in which order. For a
// file output, ptransform's apply lets each worker copy its own finished chunk into the
// file at the offset the chunks before it add up to, so that the kernel's copy into the
// page cache runs on every core; a worker that finishes before the chunk ahead of it
// leaves its bytes to the worker that places that chunk instead of waiting for it. The
// writer then only checks order and errors and records the end. Standard output is
// written by the writer.
//
// Barrier phase: a report (group-by, sort, top-N) has stages that must see every row
// before they emit one. Up to the first such barrier the run is the one above, except
// that a worker folds its transformed chunk into its own partial result instead of
// encoding it; the writer still checks ranges, errors and progress in order. When the
// input is exhausted, a second Run starts whose planner is the barrier's Finish, which
// merges the partials and emits row chunks in the stage's order:
//
//	phase 1 (the input)                                       phase 2 (per barrier)
//	┌─────────┐   ┌──────────────────────┐   ┌────────┐       ┌──────────────────┐   ┌──────────────────┐   ┌────────┐
//	│ planner │──►│ worker k: decode,    │──►│ writer │  ══►  │ planner: Finish  │──►│ worker k: stages │──►│ writer │──► output
//	│ (ranges)│   │ streaming stages,    │   │(order, │       │ merges partials, │   │ after the barrier│   │(order) │
//	└─────────┘   │ Consume into         │   │ errors)│       │ emits chunks in  │   │ then encode, or  │   └────────┘
//	              │ partial[k]           │   └────────┘       │ the stage's order│   │ Consume into the │
//	              └──────────────────────┘                    └──────────────────┘   │ next barrier     │
//	                                                                                 └──────────────────┘
//
// Phase 2 runs once per barrier, in chain order (a --group-by's rows into a --sort's
// partials, then the sort's rows to the output), with the same window and workers, so
// encoding stays parallel. If phase 1 must resynchronise a CSV input after chunks were
// consumed, the partials are released and the run starts again from the first input
// (see internal/apply's runner). Partials hold memory and, for a sort, temporary files:
// Finish releases them, and a failed or interrupted run releases those it never reached.
//
// Cancellation: one context carries the first error, a SIGINT or a closed stdout to every
// goroutine; Run returns after all of them have stopped.
//
// Some facts about a chunk need every earlier chunk: the data row number of its first row
// (`_row`) and the line number at which it starts (for error messages). A Ledger provides
// them: each worker publishes its chunk's counts as soon as it has decoded it. A worker
// that needs them to transform its chunk (`_row`, a barrier, a Parquet output) then waits
// for the prefix sum of all earlier chunks; with two workers one chunk apart that wait
// happened for one chunk in five. Otherwise the worker goes on, and the writer, which
// reaches the chunks in order and so never waits, makes the chunk's line numbers absolute.
package chunk
