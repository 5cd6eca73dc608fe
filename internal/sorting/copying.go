package sorting

import "github.com/ptransform/ptransform/internal/transforms"

var _ transforms.CopyingBarrier = (*Stage)(nil)

// ConsumeCopies implements transforms.CopyingBarrier: Consume encodes the rows it keeps
// into its own buffers (heap rows, run buffers, spilled runs).
func (*Stage) ConsumeCopies() {}
