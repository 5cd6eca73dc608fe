package apply

import (
	"context"
	"fmt"

	"github.com/ptransform/ptransform/internal/chunk"
	"github.com/ptransform/ptransform/internal/parquetin"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/sniff"
	"github.com/ptransform/ptransform/internal/table"
)

// openParquet opens a Parquet input by its footer. One from standard input or a pipe is
// read from a temporary copy (spoolInput), as a workbook is: a Parquet file is read
// from its end, and its row groups by many workers at once.
func openParquet(src *sniff.File, o Options) (*parquetin.Input, error) {
	fail := func(err error) (*parquetin.Input, error) {
		src.Close()
		return nil, err
	}
	if src.Format.Kind != sniff.Parquet {
		return fail(fmt.Errorf("%s: --from parquet, but it is not a Parquet file (one starts with the bytes PAR1)", src.Name))
	}
	if err := refuseTextFlags(o, src.Name+": is Parquet, whose columns are its fields"); err != nil {
		return fail(err)
	}
	if o.scanOnly {
		return fail(fmt.Errorf("%s: is Parquet, which inspect does not read yet (apply does)", src.Name))
	}
	file := src.File
	if !src.Seekable || src.Name == "-" {
		var err error
		file, err = spoolInput(src)
		src.Close()
		if err != nil {
			return nil, err
		}
	}
	return parquetin.Open(src.Name, file)
}

// planParquet emits the tasks of Parquet source i: a row group's rows in parts of about
// --chunk-size of its data each, in order (parquetin.Input.RowParts).
func (r *runner) planParquet(i int, emit chunk.Emit[task]) error {
	pq := r.sources[i].pq
	for rg := range pq.RowGroups {
		bounds := pq.RowParts(rg, r.skips[i], r.chunkSize(DefaultRowPartSize))
		for k := range len(bounds) - 1 {
			t := task{input: i, first: rg == 0 && k == 0, rowGroup: rg, pqRows: [2]int64{bounds[k], bounds[k+1]}}
			if err := emit(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// decodeParquet decodes rows of a row group and numbers them after those before.
func (r *runner) decodeParquet(ctx context.Context, dec *parquetin.Decoder, seq int64, t task, res *result) (*table.Chunk, error) {
	from, to := t.pqRows[0], t.pqRows[1]
	c, err := dec.DecodeRows(ctx, t.rowGroup, from, to)
	if err != nil {
		return nil, err
	}
	pq := r.sources[t.input].pq
	if rows := pq.RowGroups[t.rowGroup]; rows > 0 {
		// The parts' shares of the row group's bytes, which add up to them exactly.
		size := pq.RowGroupBytes(t.rowGroup)
		res.inBytes = size*to/rows - size*from/rows
	}
	// A row is a line of its own: errors found after numbering late (numbersLate) count them.
	n := int64(c.NumRows())
	if _, err := r.number(ctx, seq, t.first, c, chunk.Counts{Rows: n, Lines: n}, 0, 1); err != nil {
		return nil, err
	}
	return c, nil
}

// declaredTypes are the run's column types in a typed output when every source is a
// Parquet file that declares them, alike: nil otherwise, for the types to be inferred
// from a sample of the text.
func declaredTypes(sources []*source, n int) []schema.Type {
	var types []schema.Type
	for _, s := range sources {
		if s.pq == nil || s.conform != nil || len(s.pq.Types) != n {
			return nil
		}
		if types == nil {
			types = s.pq.Types
		}
		for j, t := range s.pq.Types {
			if t != types[j] {
				return nil
			}
		}
	}
	return types
}
