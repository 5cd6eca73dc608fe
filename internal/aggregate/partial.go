package aggregate

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// accumulator is one aggregate's state in one partial, struct-of-arrays by group id.
type accumulator interface {
	// grow makes room for group ids below groups.
	grow(groups int)
	// merge folds o (the same aggregate in another partial) in; into[g] is the group
	// of this partial that o's group g is.
	merge(o accumulator, into []int32) error
	// build returns aggregate a's results for groups order (ids of this partial) as an
	// array of a's result type; describe names a group in error messages. Aggregates
	// that share a state (sum and mean of one argument) build from it each their own.
	build(a *compiledAgg, order []int32, describe func(g int32) string) (arrow.Array, error)
}

// input is one chunk column handed to a kernel.
type input struct {
	v       view
	gids    []int32 // per row: its group
	seq     int64   // the chunk's place in the input: row i is at (seq, i)
	chunk   *table.Chunk
	agg     *compiledAgg
	onError expr.OnError
	errs    *[]expr.RowError // where errors that --on-error lets through go
}

// badValue reports a text cell that does not read as the aggregate needs: the run's
// error under --on-error fail; otherwise the value is left out, as a null would be.
func (in *input) badValue(i int, value, want string) error {
	c := in.chunk
	line := c.Row0 + int64(i)
	if i < len(c.Lines) {
		line = c.Lines[i]
	}
	column := in.agg.argName
	if column == "" {
		column = in.agg.name
	}
	re := expr.RowError{File: c.Source.File, Sheet: c.Source.Sheet, Line: line, Column: column,
		Expr: "--agg " + in.agg.name, Value: strings.Clone(value), Message: "not " + want + "; " + in.agg.fn.name + " reads it as one"}
	if in.onError == expr.OnErrorFail {
		return &re
	}
	*in.errs = append(*in.errs, re)
	return nil
}

// readsValues says the family reads its argument as numbers or bools from whatever
// the column holds (text cells parsed), rather than as values of the static type.
func (f family) readsValues() bool {
	switch f {
	case famSum, famMoments, famSorted, famSketch, famBool, famCountValid:
		return true
	}
	return false
}

// kernel folds one chunk column into an accumulator. A kernel is chosen once per chunk
// column (kernels), then runs over every row without further dispatch.
type kernel struct {
	name string
	fn   func(acc accumulator, in *input) error
}

type kernelKey struct {
	fam  family
	phys physKind
}

// partial is one worker's groups and aggregate states.
type partial struct {
	st      *Stage
	ev      *expr.Evaluator // nil for the merged partial of Finish
	groups  *keyTable       // text and encoded keys (and the one group without keys)
	words   *wordTable      // one int or float key
	null    int32           // text and word keys: the group of the null key, -1 before one is seen
	first   firstRows       // per group: its first row
	ngroups int             // groups so far: ids 0 to ngroups-1
	accs    []accumulator
	rows    rowCount // per group: its rows, when an aggregate shares them (rowSharer)
	counts  bool     // some aggregate does
	gids    []int32
	rowErrs []expr.RowError // of the last Consume, let through by --on-error
	// ordered says every chunk came after the one before it in the input (a greater
	// seq), as a worker takes them: a group's first row is then the row that added it,
	// and ids are in the order of first rows, so seen has nothing to do and Finish
	// merges the partials' orders rather than sorting (firstOrder). lastSeq is the seq
	// of the last chunk.
	ordered bool
	lastSeq int64
	keyBuf  []byte
	keyCols []view
	scratch []viewScratch // per key column and aggregate
	recent  recentKeys    // text keys
}

func (s *Stage) NewPartial() transforms.Partial { return s.newPartial(true) }

func (s *Stage) newPartial(worker bool) *partial {
	p := &partial{st: s, groups: newKeyTable(), ordered: true, lastSeq: -1, words: newWordTable(s.keyMode == keysWord && s.keys[0].phys == physInt), null: -1,
		keyCols: make([]view, len(s.keys)), scratch: make([]viewScratch, len(s.keys)+len(s.states))}
	if worker && s.program != nil {
		p.ev = s.program.NewEvaluator()
	}
	for _, a := range s.states {
		acc := a.fn.newAcc(a)
		if r, ok := acc.(rowSharer); ok {
			r.shareRows(&p.rows)
			p.counts = true
		}
		p.accs = append(p.accs, acc)
	}
	return p
}

func (p *partial) Release() { *p = partial{st: p.st} }

// RowErrors returns the row errors of the last Consume that --on-error skip or null let
// through (the value was left out of its aggregate), for the --errors log: a bad number
// in an argument, a failed expression. They are the partial's until the next Consume.
func (p *partial) RowErrors() []expr.RowError { return p.rowErrs }

// Consume folds chunk seq in: the keys and arguments are evaluated (one program), each
// row's group found, and each aggregate's kernel run over its argument column.
func (p *partial) Consume(seq int64, c *table.Chunk) error {
	p.rowErrs = p.rowErrs[:0]
	if seq <= p.lastSeq {
		p.ordered = false // from now on, a row may come before a group's first one
	}
	p.lastSeq = max(p.lastSeq, seq)
	var built *table.Chunk
	if p.ev != nil {
		var err error
		var rowErrs []expr.RowError
		if built, rowErrs, err = p.ev.Apply(c); err != nil {
			return p.st.renamed(err)
		}
		for k := range rowErrs {
			p.st.renamed(&rowErrs[k])
		}
		p.rowErrs = append(p.rowErrs, rowErrs...)
		defer func() {
			built.Batch.Release()
			p.ev.Recycle()
		}()
	}
	column := func(r colRef) arrow.Array {
		if r.input >= 0 {
			return c.Batch.Column(r.input)
		}
		return built.Batch.Column(r.built)
	}
	rows := c.NumRows()
	p.gids = grow(p.gids, rows)
	if err := p.group(seq, column, rows); err != nil {
		return err
	}
	groups := p.ngroups
	if p.counts {
		p.rows.grow(groups, 0)
		for _, g := range p.gids[:rows] {
			*p.rows.at(g)++
		}
	}
	for k, a := range p.st.states {
		p.accs[k].grow(groups)
		in := input{gids: p.gids, seq: seq, chunk: c, agg: a, onError: p.st.onError, errs: &p.rowErrs}
		if a.col.input >= 0 || a.col.built >= 0 {
			col, sc := column(a.col), &p.scratch[len(p.st.keys)+k]
			var err error
			var v view
			if a.family.readsValues() {
				v, err = natural(col, sc)
			} else {
				want := physOf(a.argType)
				if a.family == famStringAgg {
					want = physStr
				}
				v, err = viewAs(col, want, sc)
			}
			if err != nil {
				return err
			}
			in.v = v
		}
		in.v.n = rows
		kern, ok := kernels[kernelKey{a.family, in.v.phys}]
		if !ok {
			return fmt.Errorf("--agg %s: %s cannot read %s values (from %s)", a.name, a.fn.name, physNames[in.v.phys], c.Source.File)
		}
		if err := kern.fn(p.accs[k], &in); err != nil {
			return err
		}
	}
	return nil
}

// renamed says which flag and output column a row error of the program is about,
// rather than the hidden column it assigns.
func (s *Stage) renamed(err error) error {
	var re *expr.RowError
	if !errors.As(err, &re) {
		return err
	}
	for k, step := range s.built {
		name := hidden(k)
		if re.Column == name {
			_, re.Column, _ = strings.Cut(step, " ")
		}
		if strings.HasSuffix(re.Expr, name) {
			re.Expr = step
		}
	}
	return err
}

// group sets p.gids for the rows of out, adding new groups, and keeps each group's
// first position.
func (p *partial) group(seq int64, column func(colRef) arrow.Array, rows int) error {
	gids := p.gids[:rows]
	keys := p.st.keys
	switch p.st.keyMode {
	case keysNone:
		if p.ngroups == 0 {
			p.addGroup(seq, 0)
		}
		clear(gids)
		p.seen(0, position{seq, 0})
		return nil
	case keysText:
		v, err := asText(column(keys[0].col), &p.scratch[0])
		if err != nil {
			return err
		}
		p.groupText(seq, &v, gids)
		return nil
	case keysWord:
		v, err := viewAs(column(keys[0].col), keys[0].phys, &p.scratch[0])
		if err != nil {
			return err
		}
		p.groupWords(seq, &v, gids)
		return nil
	}
	for k := range keys {
		v, err := viewAs(column(keys[k].col), keys[k].phys, &p.scratch[k])
		if err != nil {
			return err
		}
		p.keyCols[k] = v
	}
	for i := range gids {
		p.keyBuf = encodeKey(p.keyBuf[:0], p.keyCols, i)
		key := bytesAsString(p.keyBuf)
		g, added := p.groups.find(key, p.st.hash.str(key))
		if added {
			p.added(position{seq, int32(i)})
		} else {
			p.seen(g, position{seq, int32(i)})
		}
		gids[i] = g
	}
	return nil
}

// groupWords groups by one int or float key.
func (p *partial) groupWords(seq int64, v *view, gids []int32) {
	t := p.words
	words := v.i64
	for i := range gids {
		var g int32
		var added bool
		switch {
		case !v.isValid(i):
			if p.null < 0 {
				p.null, added = t.addUnhashed(), true
			}
			g = p.null
		case v.phys == physFloat:
			g, added = t.find(floatKeyBits(v.f64[i]))
		default:
			g, added = t.find(uint64(words[i]))
		}
		if added {
			p.added(position{seq, int32(i)})
		} else {
			p.seen(g, position{seq, int32(i)})
		}
		gids[i] = g
	}
}

// groupText groups by one text key, its bytes being the table's key. While most rows
// find their key among the recent ones, they skip the hash.
func (p *partial) groupText(seq int64, v *view, gids []int32) {
	t := p.groups
	h := p.st.hash
	recent := &p.recent
	hits := 0
	for i := range gids {
		var g int32
		if !v.isValid(i) {
			if p.null < 0 {
				p.null = p.groups.addUnhashed()
				p.added(position{seq, int32(i)})
			}
			g = p.null
		} else {
			s := v.str(i)
			var slot *int32
			if !recent.off && len(s) > 0 {
				slot = &recent.ids[recentSlot(s)]
				if g = *slot - 1; g >= 0 && t.key(g) == s {
					hits++
					p.seen(g, position{seq, int32(i)})
					gids[i] = g
					continue
				}
			}
			var added bool
			g, added = t.find(s, h.str(s))
			if slot != nil {
				*slot = g + 1
			}
			if added {
				p.added(position{seq, int32(i)})
				gids[i] = g
				continue
			}
		}
		p.seen(g, position{seq, int32(i)})
		gids[i] = g
	}
	if !recent.off {
		recent.rows += len(gids)
		recent.hits += hits
		// Many groups, or keys that share their slots: hash them all.
		recent.off = recent.rows >= 1<<14 && recent.hits < recent.rows/2
	}
}

// recentKeys are the ids of the last keys met in each of 256 slots, a slot chosen by a
// key's length and end bytes: for a text key with a few dozen groups (regions,
// categories, months) a row compares its key to one kept key, where hashing it and
// probing the table takes about three times as long.
type recentKeys struct {
	ids        [256]int32 // id+1, 0 for none
	rows, hits int        // rows looked up here, and found
	off        bool       // fewer than half of 16 Ki rows or more were found: no more lookups
}

// recentSlot is the slot of s, a non-empty key.
func recentSlot(s string) uint8 {
	return uint8(len(s)*0x9d) ^ s[0]*0x3b ^ s[len(s)-1]
}

func (p *partial) addGroup(seq int64, at int32) int32 {
	g, _ := p.groups.find("", 0)
	p.added(position{seq, at})
	return g
}

// position is a row's place in the input: its chunk's seq and its index there.
type position struct {
	seq int64
	row int32
}

func (a position) before(b position) bool { return a.seq < b.seq || a.seq == b.seq && a.row < b.row }

// added records the first row of a new group.
func (p *partial) added(at position) {
	p.first.add(int32(p.ngroups), at)
	p.ngroups++
}

// seen keeps at as group g's first row when it comes before the one kept, which it
// cannot while the partial is ordered.
func (p *partial) seen(g int32, at position) {
	if p.ordered {
		return
	}
	p.first.lower(g, at, p.ngroups)
}

// keyMode is how a stage finds a row's group.
type keyMode uint8

const (
	keysNone    keyMode = iota // no --group-by: one group
	keysText                   // one text key: its bytes (keyTable), the null key apart
	keysWord                   // one int, date, bool or float key (wordTable), the null key apart
	keysEncoded                // several keys: encodeKey's bytes (keyTable)
)

func modeOf(keys []compiledKey) keyMode {
	switch {
	case len(keys) == 0:
		return keysNone
	case len(keys) > 1:
		return keysEncoded
	case keys[0].phys == physStr:
		return keysText
	}
	return keysWord
}

// findIn returns the group of p that is group g of o, adding it when new.
func (p *partial) findIn(o *partial, g int32) (int32, bool) {
	if g == o.null {
		if p.null >= 0 {
			return p.null, false
		}
		if p.st.keyMode == keysWord {
			p.null = p.words.addUnhashed()
		} else {
			p.null = p.groups.addUnhashed()
		}
		return p.null, true
	}
	if p.st.keyMode == keysWord {
		return p.words.find(*o.words.keys.at(g))
	}
	return p.groups.find(o.groups.key(g), o.groups.hashes[g])
}

// appendKey appends group g's key values to the key columns' builders.
func (p *partial) appendKey(g int32, bs []array.Builder) {
	keys := p.st.keys
	switch {
	case p.st.keyMode == keysNone:
	case g == p.null && p.st.keyMode != keysEncoded:
		bs[0].AppendNull()
	case p.st.keyMode == keysText:
		bs[0].(*array.StringBuilder).Append(p.groups.key(g))
	case p.st.keyMode == keysWord && keys[0].phys == physFloat:
		bs[0].(*array.Float64Builder).Append(floatFromKeyBits(*p.words.keys.at(g)))
	case p.st.keyMode == keysWord:
		appendInt(bs[0], keys[0].typ, int64(*p.words.keys.at(g)))
	default:
		decodeKey(p.groups.key(g), keys, bs)
	}
}

// encodeKey appends row i's key: per column a tag (null, or the value's shape) and the
// value, text with its length, so that distinct keys never encode alike.
func encodeKey(dst []byte, cols []view, i int) []byte {
	for k := range cols {
		v := &cols[k]
		if !v.isValid(i) {
			dst = append(dst, 0)
			continue
		}
		switch v.phys {
		case physInt:
			dst = append(dst, 1)
			dst = appendUint64(dst, uint64(v.i64[i]))
		case physFloat:
			dst = append(dst, 2)
			dst = appendUint64(dst, floatKeyBits(v.f64[i]))
		default:
			s := v.str(i)
			dst = binary.LittleEndian.AppendUint32(append(dst, 3), uint32(len(s)))
			dst = append(dst, s...)
		}
	}
	return dst
}

// decodeKey reads back the values encodeKey wrote for the key columns, into builders.
func decodeKey(key string, keys []compiledKey, bs []array.Builder) {
	for k := range keys {
		tag := key[0]
		key = key[1:]
		if tag == 0 {
			bs[k].AppendNull()
			continue
		}
		switch tag {
		case 1:
			appendInt(bs[k], keys[k].typ, int64(readUint64(key)))
			key = key[8:]
		case 2:
			bs[k].(*array.Float64Builder).Append(floatFromKeyBits(readUint64(key)))
			key = key[8:]
		default:
			n := int(binary.LittleEndian.Uint32([]byte(key[:4])))
			bs[k].(*array.StringBuilder).Append(key[4 : 4+n])
			key = key[4+n:]
		}
	}
}
