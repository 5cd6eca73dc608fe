package sink

import (
	"io"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/parquetout"
	"github.com/ptransform/ptransform/internal/table"
)

// parquetSink writes a Parquet file through parquetout: row groups sized by rows
// (--row-group-size), their columns encoded and compressed in parallel, typed by the
// schema (see parquetout's package doc).
type parquetSink struct {
	cfg Config
	w   *parquetout.Writer
}

func newParquet(c Config) (Sink, error) {
	if err := parquetout.CheckCompression(c.Compression); err != nil {
		return nil, err
	}
	return &parquetSink{cfg: c}, nil
}

func (s *parquetSink) Typed() bool { return true }

// Final is false: rows gather into row groups across chunks, and the footer follows.
func (s *parquetSink) Final() bool { return false }

// Unnumbered is true: the writer cuts row groups by counting the rows of the parts as
// they arrive in order, and a Parquet file holds no row or line numbers.
func (s *parquetSink) Unnumbered() bool { return true }

// Retains typed columns only: parquetout.Writer.EncodeChunk copies the text columns a
// part keeps.
func (s *parquetSink) Retains() Retention { return RetainsTyped }

// Memory is the writer's pool: the conformed values a part keeps go back to it once their
// row group is written.
func (s *parquetSink) Memory() memory.Allocator { return s.w.Memory() }

func (s *parquetSink) Begin(w io.Writer) error {
	pw, err := parquetout.New(w, s.cfg.Schema, parquetout.Options{
		Compression: s.cfg.Compression, RowGroupRows: s.cfg.RowGroupRows, Workers: s.cfg.Workers})
	s.w = pw
	return err
}

func (s *parquetSink) Encode(dst []byte, c *table.Chunk) (Part, error) {
	p, err := s.w.EncodeChunk(c.Batch)
	return Part{Bytes: dst[:0], Rows: int64(c.NumRows()), Meta: p}, err
}

func (s *parquetSink) Append(_ io.Writer, p Part) error {
	return s.w.Append(p.Meta.(parquetout.Part))
}

func (s *parquetSink) Finish(io.Writer) error { return s.w.Close() }

// Abort stops the row groups still being encoded when a run fails.
func (s *parquetSink) Abort() {
	if s.w != nil {
		s.w.Abort()
	}
}
