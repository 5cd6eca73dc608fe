package aggregate

import "sort"

// firstRows keeps each group's first row in the input.
//
// While its partial meets its chunks in order, ids are added in the order of their
// first rows, and a chunk's new groups take consecutive ids: a group's chunk is then the
// one of the run its id falls in, and only the row within the chunk is kept per group,
// 4 bytes rather than a 16-byte position (the million-group job has 2 × 1M of them, all
// fresh pages). A partial that meets a chunk out of order may find an earlier first row
// for a group it has (lower): then every group keeps its full position.
type firstRows struct {
	runs []seqRun        // by id: the groups from run k's id up to the next run's came in its chunk
	rows paged[int32]    // per group, while runs are kept: its row in its chunk
	full paged[position] // per group, once lower was called
}

// seqRun says that groups from id on were added from the chunk seq.
type seqRun struct {
	seq  int64
	from int32
}

// add records the first row of group id, the next id.
func (f *firstRows) add(id int32, at position) {
	if f.full.made() {
		f.full.grow(int(id)+1, position{})
		*f.full.at(id) = at
		return
	}
	if len(f.runs) == 0 || f.runs[len(f.runs)-1].seq != at.seq {
		f.runs = append(f.runs, seqRun{seq: at.seq, from: id})
	}
	f.rows.grow(int(id)+1, 0)
	*f.rows.at(id) = at.row
}

// at returns the first row of group id; hint, when not nil, is a run index that lookups
// of ascending ids carry from one call to the next.
func (f *firstRows) at(id int32, hint *int) position {
	if f.full.made() {
		return *f.full.at(id)
	}
	var k int
	if hint != nil && *hint < len(f.runs) && f.runs[*hint].from <= id {
		k = *hint
		for k+1 < len(f.runs) && f.runs[k+1].from <= id {
			k++
		}
		*hint = k
	} else {
		k = sort.Search(len(f.runs), func(k int) bool { return f.runs[k].from > id }) - 1
	}
	return position{seq: f.runs[k].seq, row: *f.rows.at(id)}
}

// lower keeps at as group id's first row when it comes before the one kept, of n groups.
func (f *firstRows) lower(id int32, at position, n int) {
	if !f.full.made() {
		f.toFull(n)
	}
	if p := f.full.at(id); at.before(*p) {
		*p = at
	}
}

// toFull gives each of the n groups its full position, for a partial that may lower
// them.
func (f *firstRows) toFull(n int) {
	var full paged[position]
	full.grow(max(n, 1), position{})
	hint := 0
	for id := range int32(n) {
		*full.at(id) = f.at(id, &hint)
	}
	f.full, f.runs, f.rows = full, nil, paged[int32]{}
}
