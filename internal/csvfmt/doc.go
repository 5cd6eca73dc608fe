// Package csvfmt reads and writes CSV for ptransform: the format layer under the
// parallel chunk engine (internal/chunk). It decodes CSV into table.Chunks (one Arrow
// string column per header column) and encodes record batches back to CSV text.
//
// # Reading
//
// The grammar is RFC 4180 with the leniency real files need. Every rule below holds
// identically whether a file is decoded sequentially, in parallel byte ranges or in
// streamed blocks; the tests check this for every chunk size.
//
//   - Records end at LF; a CR just before the LF is dropped, so CRLF and LF files read
//     the same. A CR elsewhere is data (`1\r2,3` has the field "1\r2"). A final record
//     may lack its line end (and a trailing lone CR at the end of input is dropped).
//   - Files whose line ends are bare CR (old Mac: csvkit's mac_newlines.csv) are
//     detected at Open, when the first 64 KiB hold a CR not followed by LF outside
//     quotes and no LF outside quotes; CR then ends records and LF is data.
//   - A field starting with '"' is quoted: it may hold delimiters, CR and LF, and `""`
//     stands for one quote. Line ends inside quoted fields are kept as they are
//     (`"a\r\nb"` keeps its CRLF).
//   - A quote that is not at the start of a field is a literal character:
//     `5" tall,x` reads as `5" tall` and `x`.
//   - Text after a closing quote is kept, quotes in it literal, up to the delimiter or
//     line end: `"ab"cd,` reads as `abcd`; `"a"b"c",` as `ab"c"`. Only spaces and tabs
//     there are dropped instead: `"ab"  ,` reads as `ab` (as Commons CSV does).
//   - A quoted field still open at the end of the input is an error:
//     `data.csv: line 7, column 3: quoted field is not closed before the end of the input`.
//   - Blank lines (nothing but the line end, or CR LF) are skipped but count for line
//     numbers. A one-column file therefore cannot hold an empty value on a line of its
//     own; Writer writes such values as `""`.
//   - Empty fields, quoted or not, are null (the table package's convention). Spaces
//     are data: ` a ` stays ` a `. NUL bytes pass through unchanged.
//   - The first record that is not a blank line is the header (it may span lines
//     inside quotes); with Options.NoHeader the columns are c1..cN, N being the first
//     record's field count. An input with no record has no columns.
//   - A record with a field count other than the header's fails with
//     `data.csv: line 3: expected 3 fields, found 4` unless Options.Ragged pads short
//     records with nulls (RaggedPad), drops extra fields (RaggedTruncate), or both.
//     The error's hint names the likely cause from the record's bytes (fieldCountHint):
//     NUL bytes (a binary file), another delimiter in a one-field record, a header of
//     one or two fields over wide records (title lines: Options.HeaderRow), else the
//     ragged policy. Records a policy reshapes are listed in Decoded.Reshaped.
//   - Options.HeaderRow N skips the first N-1 lines unparsed (titles, notes above the
//     header), as does Options.SkipLines N-1; line numbers stay those of the file.
//
// Delimiter: Options.Delimiter if set; TAB for names ending in .tsv or .tab (after a
// .gz or .zst suffix); otherwise sniffed from the first 64 KiB among , TAB ; |: the
// candidate that splits every complete record (quotes respected) into the same number
// of fields (more than one) wins, a larger count first and ties in that order, so
// `a;b` / `1,5;2,5` is semicolon-separated. A one-column file reads as comma-separated.
//
// Encoding: UTF-8 by default, a UTF-8 BOM stripped. A UTF-16 BOM (LE or BE) selects
// UTF-16, transcoded to UTF-8 while streaming. Options.Encoding forces one of utf-8,
// latin1 (iso-8859-1), windows-1252 (cp1252), utf-16le, utf-16be; single-byte
// encodings are transcoded field by field in the decoder, so those files keep the
// parallel path (quotes, delimiters and line ends are ASCII in them). Input read as
// UTF-8 must be valid UTF-8: the first invalid byte, in the header or in any chunk,
// is an error naming its line and field, with the hint to name the encoding
// (`data.csv: line 3, column 2: invalid UTF-8 (byte 0xE9) (the input is not UTF-8: name
// its encoding, e.g. --encoding latin1 or --encoding windows-1252)`). Each chunk is
// checked as a whole with utf8.Valid after parsing, about 10 GB/s on ASCII (2-3% of
// decoding), so a bad byte late in a file is found wherever it is. No guess is made:
// Latin-1 and Windows-1252 differ in 0x80-0x9F, and valid UTF-8 is rarely either.
//
// Compression: gzip and zstd are detected by magic bytes whatever the name. Zip
// archives (.xlsx) and OLE2 files (.xls) are refused with a message saying so.
//
// # Parallel decoding
//
// A Seekable input (a regular file, or standard input redirected from one, uncompressed,
// not UTF-16) is cut into byte ranges. Every worker's Decoder reads the input's one open
// file at its offsets (ReadAt), so all of them read the file measured, even if its name
// is given to another file meanwhile. DecodeRange decodes the records that start in its range, reading past its end to finish its last record. To find its
// first record it needs to know whether its start is inside quotes:
//
//   - GuessRanges does not read the file: it takes the first line end of each range
//     to end a record, which is true of every file whose quoted fields hold no line
//     break.
//   - Ranges computes the quote parity at each range start by counting quotes in
//     parallel (DESIGN §3), one more reading of the file, exact for files without
//     bare quotes; DecodeRange then skips to the first line end outside quotes.
//
// When either is wrong, a range starts at a wrong place, and the engine sees it:
// Decoded.End of range i differs from Decoded.Start of range i+1 (or DecodeRange
// returns ErrNeedStream). It then discards range i+1 onward and goes on from End of
// range i, with counted Ranges after a wrong guess and by streaming with SplitFrom
// after wrong parity, which is exact; errors of a range are only real when its Start
// matched.
//
// Other inputs go through Split: one goroutine reads blocks of about the chunk size,
// cut at record boundaries by the parser's own quote rules, and workers decode them
// with DecodeBlock. Same records, same chunks of output.
//
// Line numbers: Decoded.Lines counts the line terminators in a chunk (blank lines and
// line ends inside quotes included); Chunk.Lines and ParseError.Line are relative to
// the chunk's first line until the engine, which sums the Lines of earlier chunks
// starting from Input.DataLine, adds the base (ParseError.Rebase).
//
// # Writing
//
// Writer writes UTF-8 with minimal quoting: only fields holding the delimiter, '"',
// CR or LF are quoted, quotes doubled; LF line ends unless CRLF. Nulls and empty
// strings are written as nothing (`1,,3`), except a record of one empty field, which
// is written as `""`. Non-string columns are formatted by table.NewAppender:
//
//	id,name,price,when
//	1,"Smith, J",0.5,2024-03-01
//	2,"say ""hi""",21,2024-03-01T13:45:00
//
// # Rows copied from the input
//
// A decoded chunk of UTF-8 with LF or CR LF line ends carries table.RawRows: each
// row's bytes in the input, and a bit per row that is set when those bytes are exactly
// what Writer would write for the row's values (no quotes, no CR inside). While a
// chunk's leading columns are still the decoded arrays (a filter keeps them, with the
// rows it keeps), Writer.AppendRows copies such rows instead of re-encoding them, then
// appends the other columns' values. Since those rows are copied, a decoder need not
// store their values of the columns nothing else reads: Decoder.SkipColumns leaves
// them empty there, RawRows.Sparse says so, and AppendRows refuses to write such a
// column from its values. A top-N that is a run's first stage does the same with the
// few rows it keeps (transforms.RawRowsBarrier): it splits their raw bytes for the
// values of the columns it does not read.
//
// An identity run goes one step further: its chunks are written as their input bytes
// (Writer.Verbatim) and nothing reads their values, so Decoder.DecodeWhole has the
// decoder only check that a chunk's bytes are what Writer would write (its records,
// their field counts, each quoted field quoted as Writer quotes it: verbatim.go) and
// return it with RawRows.Whole set, storing no value, row position or line number.
package csvfmt
