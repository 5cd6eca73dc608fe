// Package aggregate is the group-by and aggregation stage of `apply` (issue 11):
// `--group-by KEYS` and `--agg 'NAME = FUNC(EXPR); ...'`, a transforms.Barrier.
// docs/aggregates.md is the user's reference; this is the design.
//
// Compile parses both flags (expr.SplitTopLevel cuts them where the language's lexer
// says a ',' or ';' is outside strings and brackets), checks every key and argument
// with internal/expr and returns the Stage. A plain column reference is read from the
// chunk as it is; every other key or argument becomes an assignment to a hidden column
// of one expr.Program, so the errors are the language's own, moved back to the flag
// text they came from (caret, suggestions). All of it happens before any data is read.
//
// Two phases, as the runner drives a Barrier:
//
//	chunk (seq) ─► Partial.Consume                 (each worker its own partial)
//	                 evaluate the program           one expr.Evaluator per partial
//	                 row → group id                 hash of the key's bytes, no allocation
//	                 per aggregate: kernel(column)  chosen once per column (kernels)
//	partials ─► Stage.Finish
//	                 merge partials into one        groups found again by their stored hash
//	                 order groups by first row      (seq, row) kept per group: min wins;
//	                                                partials that met their chunks in
//	                                                order merge their lists, no sort
//	                 emit keys + results            chunks of at most 32 Ki rows
//
// Determinism: nothing depends on how rows were cut into chunks or spread over partials,
// nor on the order chunks reach a partial. Nothing reads a row's number in the input
// either, except `_row` in a key or argument and the errors a partial reports: the
// runner gives the workers' chunks to the partials before it has numbered them
// (Stage.ReadsNumbers), and numbers the errors once it reaches their chunks in order. Every order-sensitive choice is made by input
// position, (chunk seq, row): the order of groups (their first row), first and last,
// string_agg's order, mode's ties. Every merge of values is exact and commutative: integer
// sums in 128 bits; float sums as a per-group 128-bit integer times a power of two
// (exactSums, a float with a 125-bit significand), or a Shewchuk expansion (math.fsum's
// algorithm) for a group whose sum needs more bits, rounded once at the end; mean,
// variance and stddev are computed from those exact sums; the quantile sketch's counts
// add. min and max use total orders (floats: -0 < +0, NaN last; text: numbers, then dates,
// then words), so which of two equal-looking values wins never depends on the order they
// meet.
//
// Memory: per partial, a few flat arrays per aggregate indexed by group id (struct of
// arrays), one row count per group shared by count(), sum and mean, one slot table for
// the keys and the key bytes back to back. Only the exact
// aggregates grow with the rows of a group: count_distinct and mode with its distinct
// values, median, quantile and string_agg with its values.
//
// Group lookup has three shapes, chosen once: one text key (its bytes, the null key
// apart), one int/date/float key (an array indexed by an int key while the keys are
// dense, else a table keyed by the 8-byte value in its slot), several
// keys (each row's key encoded as tagged bytes). The input shape of an aggregate's column
// (int, float or text) and its family pick a kernel from the table in kernels.go; the
// loop over rows inside a kernel has no type switch and no interface call.
package aggregate
