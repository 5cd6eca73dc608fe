package apply

import (
	"context"
	"errors"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/table"
)

// ErrWorkbook is returned by ScanCSV for an input whose content is a workbook, which
// it leaves unread: a regular file, which the caller may open again by its name.
var ErrWorkbook = errors.New("the input is a workbook")

// ScanCSV reads the one CSV input of o exactly as Run would (same opening, chunking,
// parallel decoding, resynchronisation and errors, with absolute row and line numbers)
// and calls visit with each chunk in input order instead of transforming and writing
// it. visit may keep the chunks: their buffers are not reused. It returns the opened
// input, closed, for its metadata (delimiter, encoding, compression, header).
func ScanCSV(ctx context.Context, o Options, visit func(c *table.Chunk) error) (*csvfmt.Input, error) {
	if len(o.Inputs) != 1 {
		return nil, errors.New("internal: ScanCSV reads exactly one input")
	}
	o.From, o.scanOnly = "", true
	op, err := openSources(o)
	if err != nil {
		return nil, err
	}
	defer op.close()
	s := op.sources[0]
	r := newRunner(o, op.sources, s.header, nil, nil, nil, nil) // visit takes the chunks: no sink
	r.visit = visit
	return s.csv, r.run(ctx)
}
