package parquetout

import (
	"bytes"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestBufferPoolReusesFreedBuffers(t *testing.T) {
	var p bufferPool
	for _, c := range []struct{ size, class int }{{0, 0}, {1, 0}, {4096, 0}, {4097, 1}, {8192, 1}, {8193, 2}, {1 << 20, 8}} {
		if got := sizeClass(c.size); got != c.class {
			t.Errorf("sizeClass(%d) = %d, want %d", c.size, got, c.class)
		}
	}
	a := p.Allocate(5000)
	if len(a) != 5000 || cap(a) != 8192 {
		t.Fatalf("Allocate(5000): len %d cap %d, want 5000 and 8192", len(a), cap(a))
	}
	p.Free(a)
	b := p.Allocate(6000)
	if &b[0] != &a[0] || len(b) != 6000 {
		t.Errorf("Allocate after Free gave new memory (or len %d, want 6000)", len(b))
	}
	if c := p.Allocate(6000); &c[0] == &b[0] {
		t.Error("a buffer in use handed out twice")
	}
	p.Free(make([]byte, 100)) // not the pool's: ignored
	if d := p.Allocate(100); cap(d) != 4096 {
		t.Errorf("a foreign buffer was pooled: cap %d", cap(d))
	}
	grown := p.Reallocate(10000, b)
	if len(grown) != 10000 || cap(grown) != 16384 {
		t.Errorf("Reallocate: len %d cap %d", len(grown), cap(grown))
	}
}

// A copied text column gives all its memory back when released, and holds the values.
func TestCopiedTextGivesItsMemoryBack(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	full := rows(allTypes, 0, 100)
	defer full.Release()
	for _, from := range []int64{0, 13} {
		src := array.NewSlice(full.Column(0), from, 90)
		own := copyString(src.(*array.String), mem)
		if !array.Equal(own, src) {
			t.Errorf("copy of rows %d-90 differs", from)
		}
		src.Release()
		own.Release()
		if n := mem.CurrentAlloc(); n != 0 {
			t.Errorf("%d bytes not given back", n)
		}
	}
}

// Every buffer of the writer's pool that a part holds, conformed values (Writer.Memory)
// and copied text alike, is back in the pool once the file is closed: nothing a row group
// keeps outlives it.
// The column chunks' buffers (scratch.grow) are the pool's too, whatever the codec.
func TestPartsGiveThePoolsMemoryBack(t *testing.T) {
	for _, codec := range []string{"", "none", "snappy", "gzip"} {
		t.Run(codec, func(t *testing.T) { testPartsGiveThePoolsMemoryBack(t, codec) })
	}
}

func testPartsGiveThePoolsMemoryBack(t *testing.T, codec string) {
	var out bytes.Buffer
	w, err := New(&out, allTypes, Options{RowGroupRows: 300, Workers: 2, Compression: codec})
	if err != nil {
		t.Fatal(err)
	}
	lent := 0
	for from := 0; from < 1000; from += 170 {
		batch := rows(allTypes, from, min(1000, from+170))
		cols := batch.Columns()
		pooled := make([]arrow.Array, len(cols))
		for i, col := range cols {
			if _, text := col.(*array.String); text {
				col.Retain()
				pooled[i] = col
				continue
			}
			// the fixed-width values, in the pool's memory as the workers conform them
			bufs := make([]*memory.Buffer, len(col.Data().Buffers()))
			for k, b := range col.Data().Buffers() {
				if b != nil {
					mem := w.Memory().Allocate(b.Len())
					copy(mem, b.Bytes())
					bufs[k] = memory.NewBufferWithAllocator(mem, w.Memory())
					lent += cap(mem)
				}
			}
			d := array.NewData(col.DataType(), col.Len(), bufs, nil, col.NullN(), col.Data().Offset())
			for _, b := range bufs {
				if b != nil {
					b.Release()
				}
			}
			pooled[i] = array.MakeFromData(d)
			d.Release()
		}
		conformed := array.NewRecordBatch(batch.Schema(), pooled, batch.NumRows())
		batch.Release()
		for _, a := range pooled {
			a.Release()
		}
		p, err := w.EncodeChunk(conformed)
		conformed.Release() // as the engine does once Encode returns
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkValues(t, allTypes, readTable(t, out.Bytes()), 1000)
	if lent == 0 {
		t.Fatal("no values lent: the test checks nothing")
	}
	if w.buffers.out != 0 || w.buffers.slabs.Regions() != 0 {
		t.Errorf("after Close, %d buffers not back, %d slabs still mapped", w.buffers.out, w.buffers.slabs.Regions())
	}
}

// The pool's slabs are unmapped once it is closed and every buffer is back, not before (a
// failed run's workers may still hold some); a closed pool hands out the Go heap's memory.
func TestBufferPoolUnmapsItsSlabsWhenAllAreBack(t *testing.T) {
	var p bufferPool
	small, large := p.Allocate(5000), p.Allocate(3<<20) // large: a mapping of its own
	if !p.mapped(small) || !p.mapped(large) || p.slabs.Regions() != 2 {
		t.Fatalf("fresh buffers not from slabs: %v %v, %d slabs", p.mapped(small), p.mapped(large), p.slabs.Regions())
	}
	p.Free(p.Allocate(100))
	p.close()
	after := p.Allocate(100)
	if p.mapped(after) {
		t.Error("a closed pool gave a buffer of its slabs")
	}
	p.Free(after)
	p.Free(small)
	if p.slabs.Regions() != 2 {
		t.Fatal("slabs unmapped while a buffer was out")
	}
	large[len(large)-1] = 1 // still mapped
	p.Free(large)
	if p.slabs.Regions() != 0 {
		t.Errorf("%d slabs left mapped with every buffer back", p.slabs.Regions())
	}
}
