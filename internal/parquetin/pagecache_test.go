package parquetin

import (
	"fmt"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
)

// Two decoders reading parts of one row group share its decompressed pages: the second
// finds every column chunk the first loaded, and a later row group takes their place.
func TestDecodersShareDecompressedPages(t *testing.T) {
	in := openPath(t, writeOurs(t, 3000, 1000))
	if len(in.RowGroups) < 2 {
		t.Fatalf("%d row groups, want several", len(in.RowGroups))
	}
	a, b := in.NewDecoder(nil), in.NewDecoder(nil)
	rows := in.RowGroups[0]
	if _, err := a.DecodeRows(t.Context(), 0, 0, rows/2); err != nil {
		t.Fatal(err)
	}
	loaded := map[pageKey]*columnPages{}
	for k, s := range in.pages.held {
		loaded[k] = s.pages
	}
	if len(loaded) == 0 {
		t.Fatal("no column chunk went through the page path")
	}
	if _, err := b.DecodeRows(t.Context(), 0, rows/2, rows); err != nil {
		t.Fatal(err)
	}
	for k, s := range in.pages.held {
		if loaded[k] != s.pages {
			t.Errorf("column chunk %+v loaded again by the second decoder", k)
		}
	}
	if _, err := b.DecodeRows(t.Context(), 1, 0, in.RowGroups[1]); err != nil {
		t.Fatal(err)
	}
	for k := range in.pages.held {
		if k.rg != 1 {
			t.Errorf("row group %d's pages still held after row group 2 was read", k.rg+1)
		}
	}
	if len(in.pages.held) != len(loaded) {
		t.Errorf("%d column chunks held, want %d (one a column)", len(in.pages.held), len(loaded))
	}
}

// Decoders reading the parts of every row group at once, in order as the runner hands
// them out, get the cells of a whole decode (run with -race).
func TestConcurrentPartsMatchWhole(t *testing.T) {
	for name, path := range map[string]string{
		"ours, row groups of 1200 rows":         writeOurs(t, 5000, 1200),
		"snappy, nulls, pages of 1200 bytes":    writeVariant(t, 5000, false, compress.Codecs.Snappy, true, true, 1200),
		"version 2 pages, plain, no dictionary": writeVariant(t, 5000, true, compress.Codecs.Zstd, false, true, 1200),
	} {
		in := openPath(t, path)
		whole := in.NewDecoder(nil)
		type part struct {
			rg       int
			from, to int64
		}
		var parts []part
		var want []string
		for rg, rows := range in.RowGroups {
			c, err := whole.Decode(t.Context(), rg)
			if err != nil {
				t.Fatal(err)
			}
			cells := chunkCells(c)
			for from := int64(0); from < rows; from += 97 {
				to := min(from+97, rows)
				parts = append(parts, part{rg, from, to})
				var cut [][]string
				for j := range cells {
					cut = append(cut, cells[j][from:to])
				}
				want = append(want, fmt.Sprint(cut))
			}
		}
		got := make([]string, len(parts))
		next := make(chan int)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := in.NewDecoder(nil)
				for i := range next {
					c, err := d.DecodeRows(t.Context(), parts[i].rg, parts[i].from, parts[i].to)
					if err != nil {
						t.Error(err)
						continue
					}
					got[i] = fmt.Sprint(chunkCells(c))
				}
			}()
		}
		for i := range parts {
			next <- i
		}
		close(next)
		wg.Wait()
		for i := range parts {
			if got[i] != want[i] {
				t.Fatalf("%s, part %+v:\n%.300s\nwhole:\n%.300s", name, parts[i], got[i], want[i])
			}
		}
	}
}
