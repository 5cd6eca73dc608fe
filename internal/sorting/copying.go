package sorting

import "github.com/ptransform/ptransform/internal/transforms"

var _ transforms.CopyingBarrier = (*Stage)(nil)

// ConsumeCopies implements transforms.CopyingBarrier: Consume encodes the rows it keeps
// into its own buffers (heap rows, run buffers, spilled runs).
func (*Stage) ConsumeCopies() {}

var _ transforms.RawRowsBarrier = (*Stage)(nil)

// maxRawLimit is the largest --limit for which the stage takes the values of the
// columns it does not read from the input's raw rows (TakesRawRows). A top-N of N rows
// over R rows in random order keeps about N(1 + ln(R/N)) of them, so for small N
// nearly every row is rejected after its key is read, and splitting the bytes of the
// few kept rows costs far less than storing every row's values. A full sort keeps
// every row: the reader stores the values faster than rows can be split one by one.
const maxRawLimit = 1 << 16

// TakesRawRows implements transforms.RawRowsBarrier: a top-N with a small limit takes
// the values it does not read from raw rows.
func (s *Stage) TakesRawRows() bool { return s.limit >= 0 && s.limit <= maxRawLimit }
