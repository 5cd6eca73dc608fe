package csvfmt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/ptransform/ptransform/internal/sniff"
)

// Shards (ptransform apply --shard K/N) cut a Seekable input at byte offsets that every
// shard computes alike, without talking to each other: the records starting before
// ShardBoundary(b) belong to one shard, the others to the next. Narrow then makes the
// input read only a shard's records.

// ShardWindow is how far past a shard's byte offset ShardBoundary reads to decide
// whether the offset is inside a quoted field. A quoted field that holds no quote for
// this many bytes, straddling the offset, makes the shard before fail (see
// ShardBoundary): neither shard can tell it from a run of plain lines without reading
// the input from its start.
const ShardWindow = 1 << 20

// Parser states between two bytes, as recordEnd follows them.
const (
	outside    = iota // not in a quoted field
	quoted            // in a quoted field
	quoteAfter        // in a quoted field, just after a quote: a closing one, or the first of ""
)

// stepState moves a parser state over byte c, prev being the byte before c. It reports
// whether c ended a record (a line end outside quotes), that is whether a record
// starts after c.
func stepState(state *uint8, c, prev, delim, term byte) bool {
	switch *state {
	case quoted:
		if c == '"' {
			*state = quoteAfter
		}
		return false
	case quoteAfter:
		if c == '"' {
			*state = quoted // "" stands for one quote
			return false
		}
		*state = outside // the quote closed the field; c is outside
		return c == term
	}
	// A quote opens a field only at the field's start; elsewhere it is a character.
	if c == '"' && (prev == delim || prev == term) {
		*state = quoted
		return false
	}
	return c == term
}

// ShardBoundary returns the start of a record at or after offset b of the input
// (DataStart for b at or before it, Size for b at or past the end), the same for every
// shard that asks, and exact: the first record start from where the parser's state is
// known, which is b's next one on every file but the rare ones described below.
//
// Whether b is inside a quoted field depends on every quote before it. Instead of
// counting them, ShardBoundary follows every state the parser could be in at b-1
// (outside quotes, inside, just after a quote) over the bytes from there, until they
// all reach the same state at the same byte: from then on the parser's state is known
// whatever it was at b, and the first line end outside quotes ends a record. States
// that reach the end of the input inside quotes are dropped (an unclosed quote is an
// error of the input). On typical files the states meet at the first quoted field
// after b, or at once where a line end follows a closing quote.
//
// When they have not met within ShardWindow bytes, and the window held a quote, the
// state at b is found by following the records from DataStart (the stream splitter's
// walk, which reads the input up to b once). When the window held no quote at all,
// b is taken to be outside quotes: the first line end at or after b-1 ends a record.
// That is wrong only inside a quoted field of more than ShardWindow bytes without a
// quote, and then the shard before this boundary sees its last record run on past it
// and fails (see Narrow), so no shard's output is silently wrong.
func (in *Input) ShardBoundary(ctx context.Context, b int64) (int64, error) {
	if !in.Seekable {
		return 0, fmt.Errorf("%s: not seekable", in.Name)
	}
	if b <= in.DataStart {
		return in.DataStart, nil
	}
	if b >= in.Size {
		return in.Size, nil
	}
	// States are followed from byte b-1 on, so that a record starting at b is found.
	from := b - 1
	prev := in.LineEnd // at DataStart a record starts: as after a line end
	if from > in.DataStart {
		var one [1]byte
		if _, err := in.file.ReadAt(one[:], from-1); err != nil {
			return 0, in.readError(err)
		}
		prev = one[0]
	}
	type hypothesis struct {
		state uint8
		alive bool
		first int64 // the first record start it found, -1 for none yet
	}
	hyps := []hypothesis{{state: outside, alive: true, first: -1}}
	if from > in.DataStart { // at DataStart the parser is outside quotes
		hyps = append(hyps, hypothesis{state: quoted, alive: true, first: -1})
		if prev == '"' {
			hyps = append(hyps, hypothesis{state: quoteAfter, alive: true, first: -1})
		}
	}
	buf := make([]byte, min(64<<10, in.Size-from))
	sawQuote := false
	for pos := from; pos < in.Size; {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if pos-from >= ShardWindow {
			if sawQuote {
				return in.walkToBoundary(ctx, b)
			}
			// Outside quotes, the first line end ends a record.
			if hyps[0].first >= 0 {
				return hyps[0].first, nil
			}
		}
		n := min(int64(len(buf)), in.Size-pos)
		if _, err := in.file.ReadAt(buf[:n], pos); err != nil {
			return 0, in.readError(err)
		}
		for i, c := range buf[:n] {
			if c == '"' {
				sawQuote = true
			}
			var state uint8
			same, ended := true, true
			for h := range hyps {
				hp := &hyps[h]
				if !hp.alive {
					continue
				}
				e := stepState(&hp.state, c, prev, in.Delimiter, in.LineEnd)
				if e && hp.first < 0 {
					hp.first = pos + int64(i) + 1
				}
				if h > 0 && hp.state != state {
					same = false
				}
				state, ended = hp.state, ended && e
			}
			prev = c
			// hyps[0] (outside at b-1) never dies before the end of the input, so
			// state is set. Met and a record ended here: every state agrees it did.
			if same && ended {
				return pos + int64(i) + 1, nil
			}
		}
		pos += n
	}
	// The end of the input: a state still inside a quoted field there is impossible
	// (the input would end in an unclosed quote, an error of the whole run, which the
	// shard holding that quote meets). If the others agree on the first record start,
	// it is the boundary; the end of the input is one if none found any.
	first := int64(-2)
	for _, h := range hyps {
		if h.state == quoted {
			continue
		}
		if first != -2 && h.first != first {
			return in.walkToBoundary(ctx, b)
		}
		first = h.first
	}
	if first < 0 {
		return in.Size, nil
	}
	return first, nil
}

const unclosedQuote = "quoted field is not closed before the end of the input"

// UnclosedQuote tells whether the error is a quoted field open at the end of the input,
// which in an input narrowed by Narrow means a cut inside a quoted field.
func (e *ParseError) UnclosedQuote() bool { return e.Msg == unclosedQuote }

// errFound stops a walk that found what it looked for.
var errFound = errors.New("found")

// walkRecords calls visit with each record from DataStart up to the first record that
// starts at or after stop, cutting records exactly as the stream splitter does, with
// the record's offset. It reads that part of the input once.
func (in *Input) walkRecords(ctx context.Context, stop int64, visit func(at int64, rec []byte) error) error {
	offset := in.DataStart
	err := in.SplitFrom(ctx, in.DataStart, 64<<10, func(block []byte) error {
		for p := 0; p < len(block); {
			if offset+int64(p) >= stop {
				return errFound
			}
			e, _ := recordEnd(block, p, in.Delimiter, in.LineEnd, true)
			if err := visit(offset+int64(p), block[p:e]); err != nil {
				return err
			}
			p = e
		}
		offset += int64(len(block))
		if offset >= stop {
			return errFound
		}
		return nil
	})
	if errors.Is(err, errFound) {
		return nil
	}
	return err
}

// walkToBoundary is ShardBoundary's exact way: it follows the records from DataStart
// and returns the start of the first at or after b.
func (in *Input) walkToBoundary(ctx context.Context, b int64) (int64, error) {
	found := in.Size
	err := in.walkRecords(ctx, in.Size, func(at int64, rec []byte) error {
		if at >= b {
			found = at
			return errFound
		}
		return nil
	})
	return found, err
}

// CountBefore counts the data rows and the line ends of the input before offset to, a
// record start (ShardBoundary), reading the input from DataStart to there once: what a
// shard needs for the rows' and lines' numbers to be those of the whole input. Blank
// lines count as lines, not rows, as the decoder counts them.
func (in *Input) CountBefore(ctx context.Context, to int64) (rows, lines int64, err error) {
	if !in.Seekable {
		return 0, 0, fmt.Errorf("%s: not seekable", in.Name)
	}
	term := in.LineEnd
	err = in.walkRecords(ctx, to, func(_ int64, rec []byte) error {
		lines += int64(bytes.Count(rec, []byte{term}))
		blank := len(rec) == 1 && rec[0] == term || term == '\n' && len(rec) == 2 && rec[0] == '\r' && rec[1] == '\n'
		if !blank {
			rows++
		}
		return nil
	})
	return rows, lines, err
}

// Narrow makes the input read only the records in [start, end), two record starts of
// ShardBoundary: decoding, splitting and resynchronising all stay inside them, end
// taking the place of the end of the input. line is the line number of start and
// rowsBefore the data rows before it, for the chunks' numbers (see RowsBefore). A
// record that does not end at end (end was a guess of ShardBoundary that a quoted
// field longer than ShardWindow proved wrong) then fails as a quoted field not closed
// before the end of the input.
func (in *Input) Narrow(start, end, line, rowsBefore int64) {
	in.DataStart, in.Size, in.DataLine, in.RowsBefore = start, end, line, rowsBefore
}

// CountLines counts the line ends in the bytes [from, to) of a Seekable input, embedded
// ones included, as Decoded.Lines counts them. It reads through a file of its own
// (ownFile), so that it may run while a run's planner parks the input.
func (in *Input) CountLines(ctx context.Context, from, to int64) (int64, error) {
	if !in.Seekable {
		return 0, fmt.Errorf("%s: not seekable", in.Name)
	}
	file, closeFile, err := in.ownFile()
	if err != nil {
		return 0, err
	}
	defer closeFile()
	buf := make([]byte, min(1<<20, max(to-from, 1)))
	var lines int64
	for pos := from; pos < to; {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		n := min(int64(len(buf)), to-pos)
		if _, err := file.ReadAt(buf[:n], pos); err != nil {
			return 0, in.readError(err)
		}
		lines += int64(bytes.Count(buf[:n], []byte{in.LineEnd}))
		pos += n
	}
	return lines, nil
}

// ownFile opens a Parkable input's file again for the caller alone, checked to be the
// file whose header was read: the shared one comes and goes with Park and Reopen, and a
// failed run's planner may still park it after the run returned (chunk.Run does not wait
// for a planner). An input never parked is read through its own file.
func (in *Input) ownFile() (*os.File, func(), error) {
	if !in.Parkable() {
		return in.file, func() {}, nil
	}
	src, err := sniff.Open(in.Name, 0)
	if err != nil {
		return nil, nil, err
	}
	if !sameFile(in.info, src.Info) {
		src.Close()
		return nil, nil, errFileChanged(in.Name)
	}
	return src.File, func() { src.Close() }, nil
}
