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

// Sample returns the input's first records after the header, cut at the first record
// boundary at or after n bytes (all of them when the input is shorter), for DecodeBlock,
// without consuming them: a stream input keeps what it read for Split. A stream is read
// 2n bytes ahead, so only a record that runs on past that comes cut short.
func (in *Input) Sample(ctx context.Context, n int) ([]byte, error) {
	n = max(n, 1)
	var block []byte
	first := func(b []byte) error { block = b; return errSampled }
	var err error
	if in.Seekable {
		err = in.SplitFrom(ctx, in.DataStart, n, first)
	} else {
		if in.stream == nil {
			return nil, nil // already split
		}
		if want := 2*n - len(in.prefix); want > 0 {
			more := make([]byte, want)
			k, rerr := io.ReadFull(in.stream, more)
			in.prefix = append(in.prefix, more[:k]...)
			if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
				return nil, fmt.Errorf("%s: %w", in.Name, rerr)
			}
		}
		err = splitStream(ctx, in.Name, bytes.NewReader(nil), in.prefix, in.Delimiter, in.LineEnd, n, first)
	}
	if err != nil && err != errSampled {
		return nil, err
	}
	return bytes.Clone(block), nil
}
