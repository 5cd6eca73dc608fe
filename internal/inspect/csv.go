package inspect

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/apply"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/valuetype"
)

// CSVReport is what inspect shows of a CSV input besides its name, format and size.
type CSVReport struct {
	Delimiter   string      `json:"delimiter"`
	Encoding    string      `json:"encoding"`
	Compression string      `json:"compression"` // none, gzip or zstd
	Header      bool        `json:"header"`      // false with --no-header: columns are c1..cN
	Rows        int64       `json:"rows"`        // data rows, all counted
	Columns     []Column    `json:"columns"`
	FirstRows   [][]*string `json:"first_rows"` // null = empty field
}

// Column is one column and the type its sampled values share.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// inspectCSV samples the first rows of a CSV input and counts all of them through
// apply.ScanCSV, the very reading apply does, so a file apply rejects fails here with the
// same error, line and column.
func inspectCSV(ctx context.Context, name string, o Options) (*CSVReport, error) {
	s := &sampler{want: o.sampleRows()}
	var rows int64
	in, err := apply.ScanCSV(ctx, apply.Options{Inputs: []string{name}, CSV: o.CSV, Workers: max(o.Workers, 1), ChunkSize: o.ChunkSize},
		func(c *table.Chunk) error {
			rows += int64(c.NumRows())
			s.add(c)
			return nil
		})
	if err != nil {
		return nil, err
	}
	rep := &CSVReport{
		Delimiter:   string(in.Delimiter),
		Encoding:    in.Encoding,
		Compression: in.Compression,
		Header:      !o.CSV.NoHeader,
		Rows:        rows,
		Columns:     []Column{},
	}
	if rep.Compression == "" {
		rep.Compression = "none"
	}
	values := make([]string, len(s.rows))
	for j, colName := range in.Header {
		for i, row := range s.rows {
			values[i] = ""
			if row[j] != nil {
				values[i] = *row[j]
			}
		}
		rep.Columns = append(rep.Columns, Column{Name: colName, Type: valuetype.Infer(values)})
	}
	rep.FirstRows = s.rows[:min(len(s.rows), o.ShowRows)]
	return rep, nil
}

// sampler keeps the first `want` rows of the chunks fed to it in input order.
type sampler struct {
	want int
	rows [][]*string
}

func (s *sampler) add(c *table.Chunk) {
	for r := 0; r < c.NumRows() && len(s.rows) < s.want; r++ {
		row := make([]*string, c.Batch.NumCols())
		for j := range row {
			if col := c.Batch.Column(j).(*array.String); col.IsValid(r) {
				v := col.Value(r)
				row[j] = &v
			}
		}
		s.rows = append(s.rows, row)
	}
}
