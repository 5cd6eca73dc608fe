package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/ptransform/ptransform/internal/chunk"
	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/jsonlfmt"
	"github.com/ptransform/ptransform/internal/sniff"
	"github.com/ptransform/ptransform/internal/table"
)

// planJSONL emits the tasks of JSON Lines source i: byte ranges of a regular file, which
// every line end bounds exactly, else blocks of whole lines cut from the stream.
func (r *runner) planJSONL(ctx context.Context, i int, emit chunk.Emit[task], emitBlock func([]byte) error) error {
	in := r.sources[i].jsonl
	if !in.Seekable {
		return in.Split(ctx, r.streamChunkSize(), emitBlock)
	}
	for k, rg := range in.Ranges(r.rangeSize(in.Name, in.Size-in.DataStart)) {
		if err := emit(task{input: i, first: k == 0, lines: rg}); err != nil {
			return err
		}
	}
	return nil
}

// decodeJSONL decodes a JSON Lines chunk and makes its positions absolute, as
// decodeCSV does.
func (r *runner) decodeJSONL(ctx context.Context, dec *jsonlfmt.Decoder, seq int64, t task, res *result) (*table.Chunk, error) {
	var d jsonlfmt.Decoded
	var err error
	if t.block != nil {
		d, err = dec.DecodeBlock(t.block)
		res.inBytes = int64(len(t.block))
		res.task.block = nil
	} else {
		d, err = dec.DecodeRange(t.lines)
		res.inBytes = t.lines.End - t.lines.Start
	}
	if err != nil {
		var pe *jsonlfmt.ParseError
		if errors.As(err, &pe) {
			base, berr := r.ledger.Base(ctx, seq, t.first)
			if berr != nil {
				return nil, berr
			}
			pe.Rebase(1 + base.Lines)
		}
		return nil, err
	}
	c := d.Chunk
	if _, err := r.number(ctx, seq, t.first, c, chunk.Counts{Rows: d.Rows, Lines: d.Lines}, 0, 1); err != nil {
		return nil, err
	}
	return c, nil
}

// openJSONL opens a JSON Lines input, refusing the flags that describe CSV text: they
// would be ignored.
func openJSONL(src *sniff.File, o Options) (*jsonlfmt.Input, error) {
	if err := refuseTextFlags(o, src.Name+": is JSON Lines, whose columns are its keys"); err != nil {
		src.Close()
		return nil, err
	}
	return jsonlfmt.Open(src)
}

// refuseTextFlags refuses, for an input that is not CSV text (what says which and
// why), the flags that describe CSV text: they would be ignored.
func refuseTextFlags(o Options, what string) error {
	for _, f := range []struct {
		set  bool
		flag string
	}{
		{o.CSV.SkipLines > 0, "--skip-lines"}, {o.HeaderRow > 0, "--header-row"}, {o.CSV.NoHeader, "--no-header"},
		{o.CSV.Delimiter != 0, "--delimiter"}, {o.CSV.Encoding != "", "--encoding"}, {o.CSV.Ragged != csvfmt.RaggedFail, "--ragged"},
	} {
		if f.set {
			return usage(fmt.Errorf("%s: %s is for CSV inputs", what, f.flag))
		}
	}
	return nil
}
