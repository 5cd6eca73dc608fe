package csvfmt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
)

// errSampled ends the split of a sample after its first block.
var errSampled = errors.New("sampled")

// Sample returns the input's first records after the header, cut at a record boundary
// after about n bytes (all of them when the input is shorter), for DecodeBlock, without
// consuming them: a stream input keeps what it read for Split. A record longer than
// n/2 bytes may come cut short in a stream's sample.
func (in *Input) Sample(ctx context.Context, n int) ([]byte, error) {
	var block []byte
	first := func(b []byte) error { block = b; return errSampled }
	var err error
	if in.Seekable {
		err = in.SplitFrom(ctx, in.DataStart, n, first)
	} else {
		if in.stream == nil {
			return nil, nil // already split
		}
		more := make([]byte, n)
		k, rerr := io.ReadFull(in.stream, more)
		in.prefix = append(in.prefix, more[:k]...)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			return nil, fmt.Errorf("%s: %w", in.Name, rerr)
		}
		size := n / 2
		if rerr != nil {
			size = len(in.prefix) + 1 // the whole stream is in the prefix
		}
		err = splitStream(ctx, in.Name, bytes.NewReader(nil), in.prefix, in.Delimiter, in.LineEnd, max(size, 1), first)
	}
	if err != nil && err != errSampled {
		return nil, err
	}
	return bytes.Clone(block), nil
}
