package sink

import (
	"io"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/table"
)

// csvSink writes CSV or TSV text (csvfmt.Writer): a header line, then each chunk's rows,
// copied from the input bytes where the writer can (csvfmt.Writer.AppendRows).
type csvSink struct {
	w      csvfmt.Writer
	header []string // nil: no header line
}

func newCSV(delim byte) func(Config) (Sink, error) {
	return func(c Config) (Sink, error) {
		var header []string
		if !c.NoHeader {
			header = make([]string, len(c.Schema))
			for i, col := range c.Schema {
				header[i] = col.Name
			}
		}
		return &csvSink{w: csvfmt.Writer{Delimiter: delim, CRLF: c.CRLF}, header: header}, nil
	}
}

func (s *csvSink) Typed() bool { return false }
func (s *csvSink) Final() bool { return true }

// Unnumbered is true: rows are written as they are, their numbers unread.
func (s *csvSink) Unnumbered() bool { return true }

func (s *csvSink) Begin(w io.Writer) error {
	if s.header == nil {
		return nil
	}
	_, err := w.Write(s.w.AppendHeader(nil, s.header))
	return err
}

func (s *csvSink) Encode(dst []byte, c *table.Chunk) (Part, error) {
	b, err := s.w.AppendRows(dst, c)
	return Part{Bytes: b, Rows: int64(c.NumRows())}, err
}

func (s *csvSink) Append(w io.Writer, p Part) error {
	_, err := w.Write(p.Bytes)
	return err
}

func (s *csvSink) Finish(io.Writer) error { return nil }

func (s *csvSink) CopiesRows(delim byte) bool { return s.w.CopiesRows(delim) }

// Verbatim returns the chunk's input bytes when they are what Encode would write
// (csvfmt.Writer.Verbatim).
func (s *csvSink) Verbatim(c *table.Chunk) ([]byte, bool) { return s.w.Verbatim(c) }
