package transforms

// RawRowsBarrier is a Barrier that, when it is the first stage of a run, may be given
// each chunk with the reader's Raw rows (table.Chunk.Raw) during Consume, and then
// takes the values of the columns it does not read (Reader.Reads) from those rows'
// bytes on the rows marked plain. A CSV reader may then leave those columns empty on
// plain rows (csvfmt.Decoder.SkipColumns), which pays when the barrier keeps few of
// the rows it is given: a top-N parses its keys for every row but copies the other
// values of only the rows that enter its heap.
type RawRowsBarrier interface {
	Barrier
	// TakesRawRows reports whether the stage, as compiled, wants Raw rows: true when
	// it keeps few of its rows, so that splitting those few rows' bytes costs less
	// than storing every row's values.
	TakesRawRows() bool
}
