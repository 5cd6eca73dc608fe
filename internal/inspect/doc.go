// Package inspect describes inputs for `ptransform inspect`: a CSV file's dialect,
// row count, columns with inferred types and first rows; a workbook's sheets with the
// same per sheet (from xlsxfmt.Inspect).
//
// # Type inference
//
// A column's type is the one all its non-blank values in the sample share, by
// valuetype.Infer: the same rules for CSV fields and workbook cells, so the same text
// gets the same type whatever its format (integer, number, bool, date, datetime, time
// or text; 007 is text, a code).
//
// # Counting
//
// Every row is counted, so that a file apply would reject fails here with the same
// one-line error (file, line, column). Regular uncompressed files are cut into byte
// ranges decoded on Options.Workers goroutines (csvfmt.Ranges and DecodeRange), with
// apply's recovery when bare quotes break the quote-parity estimate: counting goes on
// from the last exact boundary with the stream splitter. Streams (standard input,
// gzip, zstd, UTF-16) are cut by csvfmt's Split and decoded by the same number of
// goroutines. The sample is the first Options.SampleRows rows, read in order.
package inspect
