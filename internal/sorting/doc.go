// Package sorting is the --sort / --limit stage of `ptransform apply`: a barrier stage
// (transforms.Barrier) that orders rows by sort keys, keeps the first N, and sorts
// inputs larger than memory through temporary files. docs/sorting.md is the user's
// reference.
//
// Order. A key is a column, ascending, or descending with a leading "-". Typed columns
// (int64, float64, date32, timestamp, bool: assigned columns, aggregates) compare by
// their type. Text cells, the input's cells, are read one value at a time by the rule
// expressions compare text with (expr.ReadText, compareText's reading): a value that
// reads as a number compares as a number (integers exactly), one that reads as an ISO
// date or datetime as an instant, any other text byte by byte; across kinds, numbers <
// booleans < dates and datetimes < other text. That is a total order, so a column of
// one kind sorts as that kind, and a mixed one sorts the same whatever the chunks.
// NaN (of a float column) is after every number, -0 equals 0, and nulls are last in
// both directions. Rows with equal keys keep their input order: a row's position in
// the input, (chunk seq, row index), is the last key, so the output does not depend on
// workers or chunk sizes.
//
// Keys are encoded once per row into bytes whose byte order is that order (key.go);
// from then on sorting, top-N and merging compare bytes, never values.
//
// Top-N. With a limit, each partial keeps the limit best rows in a bounded heap,
// copying out of the chunk only a row that enters it; Finish merges the heaps. (Without
// keys, --limit is rows.Head, a transforms.Limited stage: no barrier.) Most rows of a top-N never enter: once
// the heap is full, a first key of text that reads as a number is compared with the
// worst kept row's key head by its number field alone (partial.rejects), so a row
// turned away costs the reading of one value. With a limit of at most maxRawLimit the
// stage is a transforms.RawRowsBarrier: the reader stores only the key columns, and
// the other values of a row that enters the heap are split out of its raw bytes.
//
// Bounded memory. Without a limit (or when the heap outgrows its share), a partial
// gathers encoded rows in a region of memory of its share of Options.Memory (outside
// the Go heap), with a 32-byte sort entry per row; when the region is full it sorts
// the entries and writes the rows in order as one run to its temporary file in
// Options.TempDir, so runs are made in parallel by the workers. Finish sorts what each
// partial still holds (once any partial spilled, it spills that too and frees the
// memory) and merges it with every run: one goroutine picks rows in order (a binary
// heap of runs, comparing key heads), decoders on every core gather the picked rows'
// values into chunks of at most 32768 rows with the input's column types. Temporary files have no
// name (O_TMPFILE) or lose it at once, so nothing is left behind on success, failure,
// Release or even SIGKILL.
package sorting
