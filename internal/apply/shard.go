package apply

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
)

// Shard is --shard K/N: the run is shard K (1-based) of N, and processes only the
// records that the plan below assigns to it. The zero Shard is a whole run.
//
// Every shard computes the same plan from the inputs alone, without talking to the
// others. The inputs are laid end to end as one space of bytes: a CSV input counts its
// data bytes (after the header), a sheet the size of its XML inflated, which the
// workbook's zip directory gives without reading the sheet. Shard K takes the bytes
// [T·(K-1)/N, T·K/N) of the T in all:
//
//   - of a CSV input, the records that start in its part of that span, the part's ends
//     moved to record starts by csvfmt.ShardBoundary, which the shards on both sides
//     of an end compute alike, so no record is read twice or left out;
//   - a sheet whole, by the shard whose span holds the sheet's first byte: a sheet's
//     rows can be found only by inflating its XML from its start, so cutting a sheet
//     would cost each shard the inflating of all the rows before its own;
//   - a JSON Lines input whole, and a Parquet file whole (counting its size in bytes),
//     the same way.
//
// Numbers: _row and the line numbers of errors are those of the whole input. A shard
// whose first CSV input starts past its first record counts the rows and lines before
// its start (reading that part of the input once: csvfmt.CountBefore) when the run
// shows them on rows it writes: when an expression reads _row, or rows with errors are
// let through or listed (--on-error skip or null, --errors, --ragged pad or truncate).
// Otherwise only a failing run names a line, and it counts the lines before its start
// then (realLines), so a shard that succeeds reads only its own part.
type Shard struct{ K, N int }

// ParseShard reads "K/N" of --shard.
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	k, kerr := strconv.Atoi(strings.TrimSpace(ks))
	n, nerr := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || kerr != nil || nerr != nil:
		return Shard{}, fmt.Errorf("--shard wants K/N, this run's number K of N shards (e.g. 2/8), got %q", s)
	case n < 1:
		return Shard{}, fmt.Errorf("--shard %s: the number of shards N must be at least 1", s)
	case k < 1 || k > n:
		return Shard{}, fmt.Errorf("--shard %s: K must be from 1 to %d (shards are numbered from 1; a Kubernetes or Slurm index from 0 is K-1)", s, n)
	}
	return Shard{K: k, N: n}, nil
}

// checkShardUse refuses what --shard cannot do, before anything is opened.
func checkShardUse(o Options) error {
	if o.Shard.N == 0 {
		if o.HeaderInEveryPart {
			return usage(errors.New("--header-in-every-part is for the parts of --shard runs"))
		}
		return nil
	}
	if o.OutDir != "" || o.SheetPerSource {
		return usage(errors.New("--shard makes one part of one output; it cannot be combined with --out-dir or --sheet-per-source"))
	}
	if format, err := outputFormat(o); err == nil && o.HeaderInEveryPart && format.Name != "csv" && format.Name != "tsv" {
		return usage(fmt.Errorf("--header-in-every-part puts the header line in csv and tsv parts; %s parts each hold their columns already", format.Name))
	}
	for _, in := range o.Inputs {
		if in == "-" {
			return usage(errors.New("--shard cannot read standard input: every shard must read its own part of the inputs by offset; give the file's path"))
		}
	}
	return nil
}

// refuseInShards refuses a stage in a --shard run that keeps rows by their place in the
// whole input (--head, --tail, --sample, --sample-fraction, --limit without --sort): a
// shard does not see the other shards' rows, so its part would not be its share of
// the single run's output (docs/rows.md, "Sharding").
func refuseInShards(o Options, flag string) error {
	if o.Shard.N == 0 {
		return nil
	}
	return fmt.Errorf("%s cannot run in shards: the rows it keeps depend on the other shards' rows or lines (run it over the joined parts)", flag)
}

// shardPlan is what a shard changed of its sources, for realLines.
type shardPlan struct {
	// first is the first CSV input of the shard when the shard starts past its first
	// record and its lines were not counted; nil otherwise.
	first      *csvfmt.Input
	start      int64 // the offset of the input where the whole input's data started
	shardStart int64 // the offset where the shard's records start
	// last is the last CSV input of the shard when the shard ends before its end, at
	// lastEnd.
	last    *csvfmt.Input
	lastEnd int64
}

// shardSources returns the sources, or the parts of them, that are shard o.Shard's,
// narrowing its CSV inputs to their records (see Shard).
func shardSources(ctx context.Context, o Options, sources []*source, p *pipeline) ([]*source, *shardPlan, error) {
	sizes := make([]int64, len(sources))
	var total int64
	for i, s := range sources {
		if s.csv != nil {
			if !s.csv.Seekable {
				return nil, nil, usage(fmt.Errorf("%s: --shard reads each shard's part of an input by offset, which this input (compressed, UTF-16, or not a regular file) does not allow: decompress or convert it to a file first", s.csv.Name))
			}
			sizes[i] = s.csv.Size - s.csv.DataStart
		} else if s.jsonl != nil {
			if !s.jsonl.Seekable {
				return nil, nil, usage(fmt.Errorf("%s: --shard reads each shard's part of an input by offset, which this input (not a regular file) does not allow: copy it to a file first", s.jsonl.Name))
			}
			sizes[i] = s.jsonl.Size - s.jsonl.DataStart
		} else if s.pq != nil {
			sizes[i] = s.pq.Size
		} else {
			sizes[i] = s.sheet.Size()
		}
		total += sizes[i]
	}
	lo, hi := shardOffset(total, o.Shard.K-1, o.Shard.N), shardOffset(total, o.Shard.K, o.Shard.N)
	counted := p.program != nil && p.program.ReadsRowNumber() ||
		o.ErrorsPath != "" || o.OnError != expr.OnErrorFail || o.CSV.Ragged != csvfmt.RaggedFail
	plan := &shardPlan{}
	var mine []*source
	var at int64 // where source i starts in the space of all
	for i, s := range sources {
		from, to := at, at+sizes[i]
		at = to
		if s.csv == nil {
			// Sheets, JSON Lines and Parquet inputs go whole to the shard that holds
			// their first byte. The last shard also takes one of no size at the very end.
			if lo <= from && from < hi || o.Shard.K == o.Shard.N && from == total {
				mine = append(mine, s)
			}
			continue
		}
		if to <= lo || from >= hi {
			continue
		}
		in, size := s.csv, s.csv.Size
		if err := in.Reopen(); err != nil {
			return nil, nil, err
		}
		start, end, err := shardRecords(ctx, in, max(lo, from)-from, min(hi, to)-from)
		if err == nil && start > in.DataStart && counted {
			var rows, lines int64
			if rows, lines, err = in.CountBefore(ctx, start); err == nil {
				in.Narrow(start, end, in.DataLine+lines, rows)
			}
		} else if err == nil {
			if start > in.DataStart && len(mine) == 0 {
				plan.first, plan.start, plan.shardStart = in, in.DataStart, start
			}
			in.Narrow(start, end, in.DataLine, 0)
		}
		if perr := in.Park(); err == nil {
			err = perr
		}
		if err != nil {
			return nil, nil, err
		}
		if start < end {
			mine = append(mine, s)
			if end < size {
				plan.last, plan.lastEnd = in, end
			}
		}
	}
	return mine, plan, nil
}

// shardRecords turns the data bytes [from, to) of a CSV input into the offsets of the
// records that start in them.
func shardRecords(ctx context.Context, in *csvfmt.Input, from, to int64) (start, end int64, err error) {
	if start, err = in.ShardBoundary(ctx, in.DataStart+from); err != nil {
		return 0, 0, err
	}
	end, err = in.ShardBoundary(ctx, in.DataStart+to)
	return start, end, err
}

// shardOffset is total·k/n without overflow: where shard k+1 of n starts.
func shardOffset(total int64, k, n int) int64 {
	h, l := bits.Mul64(uint64(total), uint64(k))
	q, _ := bits.Div64(h, l, uint64(n))
	return int64(q)
}

// explain completes the error of a failed shard: a line number in its first input
// counted from the shard's start becomes the whole input's, and a last record cut
// inside a quoted field says why (see Shard).
func (sp *shardPlan) explain(ctx context.Context, o Options, err error) error {
	if sp == nil || err == nil {
		return err
	}
	var pe *csvfmt.ParseError
	if sp.last != nil && errors.As(err, &pe) && pe.File == sp.last.Name && pe.UnclosedQuote() {
		err = reword(err, pe, func() {
			pe.Hint = fmt.Sprintf("--shard %d/%d ends its part at byte %d, taken for a record's start, but a quoted field goes on past it without a quote for more than %d bytes, too far to see: run this input with another number of shards, or without --shard",
				o.Shard.K, o.Shard.N, sp.lastEnd, csvfmt.ShardWindow)
		})
	}
	if sp.first == nil {
		return err
	}
	in := sp.first
	var line *int64
	var inner error
	var re *expr.RowError
	switch {
	case errors.As(err, &pe) && pe.File == in.Name:
		line, inner = &pe.Line, pe
	case errors.As(err, &re) && re.File == in.Name && re.Sheet == "":
		line, inner = &re.Line, re
	default:
		return err
	}
	before, cerr := in.CountLines(ctx, sp.start, sp.shardStart)
	if cerr != nil {
		return fmt.Errorf("%w (the line is counted from this shard's start: counting the lines before it failed: %v)", err, cerr)
	}
	return reword(err, inner, func() { *line += before })
}

// reword applies change to inner, an error that err wraps, and returns err with its
// text made again: the errors around inner wrote its text when they were made.
func reword(err, inner error, change func()) error {
	old := inner.Error()
	change()
	return &rewordedError{msg: strings.Replace(err.Error(), old, inner.Error(), 1), err: err}
}

// rewordedError is err with its text made again after a change to an error it wraps.
type rewordedError struct {
	msg string
	err error
}

func (e *rewordedError) Error() string { return e.msg }
func (e *rewordedError) Unwrap() error { return e.err }
