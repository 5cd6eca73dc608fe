package aggregate

import "github.com/ptransform/ptransform/internal/transforms"

var _ transforms.CopyingBarrier = (*Stage)(nil)

// ConsumeCopies implements transforms.CopyingBarrier: group keys are appended to the
// key table's bytes, and the text that min, max, first, last, mode, count_distinct and
// string_agg keep is cloned or appended to their own buffers.
func (*Stage) ConsumeCopies() {}
