// Package xlsxout writes an xlsx workbook from typed Arrow record batches, encoding
// and compressing the sheet XML in parallel, with memory bounded by the chunks in
// flight.
//
// # Use
//
//	w, err := xlsxout.New(out, xlsxout.Options{})
//	sheet, err := w.AddSheet("Data", sch)   // one per source with --sheet-per-source
//	part, err := sheet.EncodeChunk(batch)    // any goroutine, any number at once
//	err = w.Append(part)                     // one goroutine, in input order
//	err = w.Close()                          // package parts, central directory
//
// The batches' columns have the Arrow types of their schema.Type (schema.ArrowType),
// or for an int or float column marked schema.Column.Text may be the text every value
// was read from (schema.Schema.Conform checked it): the text of most numbers is then
// copied into their cells instead of being formatted again.
// Parts of a sheet are appended together, sheets in the order of AddSheet; a part of
// a later sheet finishes the ones before it, and a sheet that gets no part holds its
// header row only. After an error the workbook is unusable: Append and Close return
// that error.
//
// For a sink of the engine (Begin, Encode, Append, Finish): Begin calls New and
// AddSheet for the output's sheet (with --sheet-per-source, sink.Workbook shares one
// Writer among the sources' sinks, which the engine runs one after the other: each
// Begin adds its sheet once the sheets before it have all their parts); Encode calls
// Sheet.EncodeChunk and carries the *Part as the part's metadata, mapping a
// CellError's Row through the chunk's Lines to name the input line; Append calls
// Writer.Append; Finish calls Close and reports Warnings.
//
// # Technique
//
// A worker turns its chunk into <row> elements and deflates them into blocks ended by
// a full flush (byte aligned, not final), so that the parts of a sheet concatenate
// into one deflate stream, which the sheet's tail ends with an empty final block.
// The worksheet's CRC-32 is combined from the parts' CRCs (crc32Combine, zlib's
// crc32_combine), its sizes are summed, and the zip entry carries them in a data
// descriptor; Zip64 fields appear where sizes or offsets need them. Rows and cells
// have no r attribute (optional in SpreadsheetML: each follows the previous one), so
// a worker needs no row number; a null cell before a value is an empty <c/>.
//
// A worksheet's <dimension> (its extent) comes before its rows. To an output that can
// be patched (Patcher: a file) the writer leaves room for the element in a stored
// deflate block, whose bytes are the XML's own, and writes it there at the worksheet's
// end, the entry's CRC-32 then combined from the XML before, in and after it; to a
// stream the optional element is left out.
//
// The worksheets come first in the file and the package parts ([Content_Types].xml,
// workbook, styles) last, once the sheets and their row counts are known. The bytes
// depend only on the schema, the values and the chunk boundaries: no timestamps
// (entries are dated 1980-01-01), no random ids, the same for any number of
// goroutines; for other chunk sizes the deflate streams differ but the XML is the
// same.
//
// # Cells
//
//	Int       a number; beyond 15 digits (±999,999,999,999,999) a text cell, because
//	          Excel keeps 15 significant digits and would change the value on save
//	Float     a number, the shortest text that reads back as the same double; NaN and
//	          infinities are the error cell #NUM!
//	Bool      a boolean cell
//	Date      a date serial (1900 system) formatted yyyy-mm-dd
//	Datetime  a serial with the time of day as fraction, yyyy-mm-dd hh:mm:ss
//	Time      the fraction of a day, h:mm:ss
//	Duration  days as a number, [h]:mm:ss (more than 24 hours show as such; Excel
//	          shows a negative one as ####, LibreOffice with its sign)
//	String    an inline string (t="inlineStr"): never a formula, even starting with
//	          =, +, - or @
//	null      an empty cell
//
// Dates and datetimes before 1900-01-01 or after 9999-12-31, which Excel cannot show,
// are written as ISO 8601 text. Text is escaped as Excel does: characters XML cannot
// hold and carriage returns as _xHHHH_, the underscore of a literal _xHHHH_ as
// _x005F_; bytes that are not UTF-8 become U+FFFD. Text longer than 32,767 UTF-16
// units is an error (CellError) naming the sheet, column and row.
//
// # Sheets
//
// The header row is bold and frozen, with an autofilter over the header and data.
// Column widths come from the header and the first 1,000 data rows of the sheet
// (the writer holds parts until it has them), between 8 and 60 characters. Sheet
// names are made valid (SheetName) and unique. Past 1,048,576 rows (header included)
// a sheet continues on "Name (2)", with its own header, and Writer.Warnings says so:
// the writer inflates the one part that crosses the limit and deflates its two sides
// again, so parts hold deflated bytes only, never their batch (whose buffers the
// caller may reuse at once).
package xlsxout
