package apply

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// The schema of a typed output is decided from the first sampleRows data rows of the
// run (the first sources' when the first is shorter), among the records of the first
// sampleBytes of each CSV input (csvfmt.Input.Sample), before any chunk is planned: the same rows whatever --chunk-size
// and --workers, so the same schema and the same output bytes.
//
// The sample is read in steps of growing size, from sampleFirstBytes, until it holds
// the rows wanted or is sampleBytes: each step's block holds the first records of any
// larger step's, so the rows sampled are those of one read of sampleBytes. Typical rows
// fit in the first step, which spares decoding a megabyte before the workers start.
const (
	sampleRows       = 1000
	sampleBytes      = 1 << 20
	sampleFirstBytes = 128 << 10
)

// outputSchema decides the typed output's schema: each column passed on from the
// input, through every stage of the chain, gets its cell type (inputCellTypes), each
// computed column its stage's static type (an expression's, an aggregate's), and
// --schema overrides any of them.
func outputSchema(ctx context.Context, o Options, sources []*source, header []string, p *pipeline) (schema.Schema, error) {
	overrides, err := schema.ParseOverrides(o.Schema)
	if err != nil {
		return nil, usage(err)
	}
	names := p.names()
	if o.OutDir != "" || o.SheetPerSource {
		// Sources of different layouts each have their output: --schema types the
		// columns a part has (checkSchemaColumns refused those no part has).
		overrides = slices.DeleteFunc(overrides, func(ov schema.Override) bool {
			j, err := table.FindColumn(ov.Column, names)
			return err == nil && j < 0
		})
	}
	origins := p.origins()
	cells := p.cells
	if cells == nil && len(overrides) < len(names) {
		if cells, err = inputCellTypes(ctx, sources, len(header)); err != nil {
			return nil, err
		}
	}
	// Cell types of text inputs are the sample's inference (Column.Inferred), a Parquet
	// input's are declared.
	inferred := declaredTypes(sources, len(header)) == nil
	s := make(schema.Schema, len(names))
	for k, name := range names {
		s[k].Name = name
		switch from := origins[k]; {
		case from.input >= 0 && cells != nil:
			s[k].Type, s[k].Inferred = cells[from.input], inferred
		case from.input < 0:
			s[k].Type = schema.FromExpr(from.typ)
		}
	}
	if err := s.Apply(overrides); err != nil {
		return nil, usage(err)
	}
	return s, nil
}

// inputCellTypes are the types of the run's n input columns as a typed output takes
// them: the Parquet inputs' declared types, else what schema.Infer finds in the sampled
// values of each column, or string where a workbook holds one of them as a text cell.
func inputCellTypes(ctx context.Context, sources []*source, n int) ([]schema.Type, error) {
	if declared := declaredTypes(sources, n); declared != nil {
		return declared, nil
	}
	samples, textCells, err := sampleColumns(ctx, sources, n)
	if err != nil {
		return nil, err
	}
	types := make([]schema.Type, n)
	for j, values := range samples {
		if textCells[j] {
			types[j] = schema.String
			continue
		}
		types[j] = schema.Infer(values)
	}
	return types, nil
}

// aggregatedCellTypes are inputCellTypes for a run that aggregates, whose aggregates of
// input columns take these types (sum(x) of integer cells is an int column), in every
// output format alike; nil for a run that does not.
func aggregatedCellTypes(ctx context.Context, o Options, sources []*source, header []string) ([]schema.Type, error) {
	if len(o.Aggs) == 0 {
		return nil, nil
	}
	return inputCellTypes(ctx, sources, len(header))
}

// sampleColumns returns the values of the run's first sampleRows rows, per column of
// the run (n of them), nulls left out, and which columns hold a text cell of a
// workbook among them.
func sampleColumns(ctx context.Context, sources []*source, n int) ([][]string, []bool, error) {
	values := make([][]string, n)
	textCells := make([]bool, n)
	rows := 0
	for _, s := range sources {
		if rows >= sampleRows {
			break
		}
		c, text, err := sampleChunk(ctx, s, sampleRows-rows)
		if err != nil {
			return nil, nil, err
		}
		if c == nil {
			continue
		}
		for k := range n {
			from := k
			if s.conform != nil {
				from = s.conform[k]
			}
			textCells[k] = textCells[k] || from >= 0 && from < len(text) && text[from]
		}
		if s.conform != nil {
			c = conformChunk(c, s.conform, make([]string, n))
		}
		take := min(c.NumRows(), sampleRows-rows)
		for j := range n {
			if col, ok := c.Batch.Column(j).(*array.String); ok {
				values[j] = appendSampled(values[j], col, take)
			}
		}
		rows += take
	}
	return values, textCells, nil
}

// appendSampled appends the values of col's first n rows, nulls left out, to values.
// They outlive the chunk, whose buffers its decoder may reuse: the n rows' bytes are
// copied once, into one string the values are cut from (a copy per value was a tenth
// of the sample's CPU, its allocations most of its calls to the allocator).
func appendSampled(values []string, col *array.String, n int) []string {
	if n == 0 {
		return values
	}
	offsets := col.ValueOffsets()
	text := string(col.ValueBytes()[:offsets[n]-offsets[0]])
	values = slices.Grow(values, n)
	for i := range n {
		if col.IsValid(i) {
			values = append(values, text[offsets[i]-offsets[0]:offsets[i+1]-offsets[0]])
		}
	}
	return values
}

// errSampled ends the split of a sheet after its first block.
var errSampled = errors.New("sampled")

// sampleChunk decodes the first rows of a source, at least want of them where the
// source has them, or returns nil when they cannot be decoded: the run itself then
// reports why, where it happens. Of a workbook's sheet it also tells, per column,
// whether one of the first want rows holds a text cell.
func sampleChunk(ctx context.Context, s *source, want int) (*table.Chunk, []bool, error) {
	if s.sheet != nil {
		var block []byte
		err := s.sheet.Split(ctx, sampleRows, func(b []byte) error { block = b; return errSampled })
		if err != nil && !errors.Is(err, errSampled) {
			return nil, nil, err
		}
		if block == nil {
			return nil, nil, nil
		}
		dec := s.sheet.NewDecoder()
		dec.NoteTextCells(want)
		c, err := dec.DecodeBlock(block)
		if err != nil {
			return nil, nil, nil
		}
		return c, dec.TextCells(), nil
	}
	if s.pq != nil {
		return nil, nil, nil // its columns have declared types (declaredTypes)
	}
	if s.jsonl != nil {
		d, err := s.jsonl.NewDecoder().DecodeBlock(s.jsonl.Sample())
		if err != nil {
			return nil, nil, nil // the run reports it where it is
		}
		return d.Chunk, nil, nil
	}
	if err := s.csv.Reopen(); err != nil {
		return nil, nil, err
	}
	defer s.csv.Park()
	for size := sampleFirstBytes; ; size = min(8*size, sampleBytes) {
		block, err := s.csv.Sample(ctx, size)
		if err != nil || len(block) == 0 {
			return nil, nil, err
		}
		dec := s.csv.NewDecoder()
		defer dec.Close()
		d, err := dec.DecodeBlock(block)
		var pe *csvfmt.ParseError
		switch {
		case errors.As(err, &pe) && size < sampleBytes:
			continue // a larger step may hold the rows wanted before it, and then fails alike
		case errors.As(err, &pe):
			return nil, nil, nil
		case err != nil:
			return nil, nil, err
		}
		if d.Chunk.NumRows() >= want || size == sampleBytes {
			return d.Chunk, nil, nil
		}
	}
}

// checkSchemaColumns refuses, before any data is read, a --schema column that no part of
// a per-source run (--out-dir, --sheet-per-source) has, with the names they have.
func checkSchemaColumns(o Options, targets []*runTarget) error {
	overrides, err := schema.ParseOverrides(o.Schema)
	if err != nil {
		return err
	}
	var names []string
	for _, t := range targets {
		for _, p := range t.parts {
			for _, name := range p.pipeline.names() {
				if !slices.Contains(names, name) {
					names = append(names, name)
				}
			}
		}
	}
	for _, ov := range overrides {
		j, err := table.FindColumn(ov.Column, names)
		if err != nil {
			return fmt.Errorf("--schema: %w", err)
		}
		if j < 0 {
			hint := ""
			if near := table.Suggest(ov.Column, names); near != "" {
				hint = fmt.Sprintf(" (did you mean %q?)", near)
			}
			return fmt.Errorf("--schema: unknown column %q: no output has it%s", ov.Column, hint)
		}
	}
	return nil
}
