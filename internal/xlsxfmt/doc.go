// Package xlsxfmt reads Excel workbooks (.xlsx, .xlsm, .xltx, .xltm) as chunks of
// text columns, in parallel inside one sheet, with memory bounded by the rows in
// flight.
//
// # Reading
//
// Open reads a workbook's metadata once: the sheet list, the shared strings (held as
// one buffer plus offsets), the styles reduced to a date/time class per style, and
// the date system. Book.Selected picks sheets and reads their header rows. For each
// sheet, one goroutine runs Sheet.Split, which inflates the sheet's XML and cuts it
// at row boundaries into raw blocks; any number of workers decode blocks with their
// own Decoder. The output is the same for any block size.
//
// The file's content decides its format, not its extension: a legacy .xls (OLE2/
// BIFF), an OpenDocument .ods, an .xlsb or an encrypted workbook without its password
// is refused with an error that says what the file is. Encrypted workbooks open with
// Options.Password (the decrypted package is then held in memory): ECMA-376 agile and
// standard encryption with AES, decrypted by decrypt.go with the standard library.
//
// # Values
//
// Every column is text; an empty cell is null. Cells read as Excel shows them,
// normalised:
//
//	number            3, 0.5, -12.25, 8595602512225 (General format: at most 15
//	                  significant digits, shortest form, no trailing ".0";
//	                  1.79769313486232e+308 for the largest double)
//	date format       2024-03-01 (yyyy-mm-dd, dd/mm/yyyy, [$-409]mmmm d, yyyy, ids 14-17)
//	date and time     2024-03-01T13:45:00 (ids 22 and custom; fractional seconds only
//	                  when the format shows them, ss.000 → 13:45:00.250)
//	time format       13:45:00 (h:mm, h:mm:ss AM/PM, ids 18-21, 45, 47)
//	elapsed format    36:15:00 ([h]:mm:ss, id 46: never shifted by the date system)
//	boolean           true, false
//	error             #DIV/0!, #N/A, ...
//	formula           its cached value (<v></v>: the empty string); none cached reads
//	                  as empty (Sheet.Warnings), and so does a workbook saved with
//	                  fullCalcOnLoad, whose cached values were never calculated
//	string            shared, inline or rich text (runs joined, phonetic runs left
//	                  out); entities, CDATA and _x000D_ escapes decoded; CR LF → LF;
//	                  the empty string is no value (null, as an empty cell)
//	t="d" cell        its ISO 8601 text, rounded to what its format shows; a bare
//	                  time reads as that time whatever the format
//
// A number format is classified by its first section, ignoring quoted literals,
// escapes and bracketed colours, locales and conditions: y, d, e, g, b make a date;
// h, s, AM/PM a time; m is a month unless hours or seconds are present; [h], [m],
// [s] make an elapsed duration ([ss].000 shows its fraction). "G/" and a localized
// keyword (G/通用格式, G/標準, G/표준) is General. The workbook's 1904 date system
// shifts dates, never durations. Serials outside 1900..9999, the bound taken after
// the 1904 shift, read as numbers, as Excel shows ####.
//
// # Shape
//
// A row holds a value when a cell in it holds one: an empty-string cell (how most
// writers store "") does not. The header is Options.HeaderRow (default: the first
// row holding a value; rows above it are skipped), or none with Options.NoHeader, when columns are named A, B,
// .... An empty header cell is named by its column letter; repeated names get _2,
// _3 suffixes. Columns end at the last named header cell (NoHeader: at the last
// column holding a value anywhere); values further right are dropped with a warning.
// Options.Range ("A1:F500", "B:D") reads only that rectangle, every column of it.
// Rows between rows holding values read as empty rows; trailing empty rows never
// appear. Merged cells hold their value in the top-left cell only. Cells and rows
// without r attributes follow the previous ones.
//
// Sheets are chosen by name, 1-based index or glob (* = every visible worksheet,
// hidden ones too with Options.IncludeHidden); by default the first visible
// worksheet. A sheet holding no value reads as nothing (with any HeaderRow); of
// several sheets chosen, those holding no value are left out with a warning.
//
// # Limits
//
// Parts that inflate past Limits.MaxPartBytes or more than Limits.MaxRatio times
// their compressed size, rows larger than Limits.MaxElementBytes, elements nested
// deeper than Limits.MaxDepth and DOCTYPE declarations fail with a clear error:
// zip and XML bombs cost at most those bounds. Memory does not depend on a sheet's
// claimed dimension, nor, with a header, on how far right a stray cell sits (without
// a header such a cell widens the sheet, but columns without values in a chunk share
// one null layout).
package xlsxfmt
