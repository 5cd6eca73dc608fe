// Package inspect describes inputs for `ptransform inspect`: a CSV file's dialect,
// row count, columns with inferred types and first rows; a workbook's sheets with the
// same per sheet (from xlsxfmt.Inspect).
//
// # Type inference
//
// A column's type is the one all its non-blank values in the sample share, each value
// classified as the expression language would read it (leading and trailing spaces
// ignored; a blank value says nothing):
//
//	integer   42, -7, +3 (fits int64)
//	number    0.5, .5, 1e3, -2.5E-3, 9223372036854775808 (finite, no thousands separators)
//	bool      true, FALSE (any letter case)
//	date      2024-03-01 (a real calendar day)
//	datetime  2024-03-01T13:45, 2024-03-01 13:45:00.250+02:00 (T or a space; Z or an offset)
//	time      13:45:00, 123:00:00.5 (H:MM:SS, any number of hour digits: also durations)
//	text      anything else, and 007 or -01: numbers written with a leading zero are codes
//
// Mixed columns: integer and number give number, date and datetime give datetime, any
// other mix gives text; a column with no value in the sample is text.
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
