package rows

import (
	"fmt"

	"github.com/ptransform/ptransform/internal/transforms"
)

// Head is --head N (and --limit N without --sort): the first N rows that reach it, in
// input order. It is a transforms.Limited stage: the runner cuts the chunks where the
// N-th row is found, writes the rows on as they come and reads the input no further,
// so it holds no rows, whatever N.
type Head struct {
	n       int64
	columns []transforms.Column
}

var (
	_ transforms.Limited = (*Head)(nil)
	_ transforms.Reader  = (*Head)(nil)
)

// NewHead returns the stage keeping the first n rows of chunks of these columns.
func NewHead(n int64, names []string) *Head { return &Head{n: n, columns: passOn(names)} }

func (h *Head) Columns() []transforms.Column { return h.columns }
func (h *Head) Limit() int64                 { return h.n }
func (h *Head) Reads() []bool                { return make([]bool, len(h.columns)) }
func (h *Head) Explain() string {
	return fmt.Sprintf("the first %d rows in input order, written as they come; the input is read no further once they are found", h.n)
}
