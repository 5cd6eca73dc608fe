package apply

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/lookup"
)

// TestLookupLoadReusesChunks: loading a reference copies what its table keeps out of
// each chunk as decoded, so the readers' buffers serve their next chunks, and the table's
// large arrays are mapped outside the Go heap: the Go heap takes less than the
// reference's size (0.65× here). Keeping every decoded chunk until the table was built
// took five times the file (the decoders' buffers grown fresh for every chunk, then the
// table's arrays), every fresh page a page fault in the run's one serial part.
func TestLookupLoadReusesChunks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "products.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "product_id,name,price,category")
	for i := range 200000 {
		fmt.Fprintf(w, "%d,Product %x%x,%d.%d,cat%d\n", i+1, i*7919, i*31, 1+i%500, i%9, i%40)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	info, _ := os.Stat(path)
	specs, err := lookup.Specs(lookup.Flags{Paths: []string{path}, Ons: []string{"product_id"}, Selects: []string{"name,price"}})
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Lookups: specs, Workers: 2}
	refs, closeAll, err := openLookups(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer closeAll()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	stage, err := lookup.Compile(refs, []string{"order_id", "product_id"}, expr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if got := stage.Explain(); got != "left lookup in "+path+": 200000 rows, 200000 keys\n" {
		t.Errorf("loaded %q", got)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("file %d bytes, Go heap allocated %d bytes", info.Size(), allocated)
	if allocated > uint64(info.Size()) {
		t.Errorf("loading a reference of %d bytes allocated %d bytes of Go heap, want at most its size", info.Size(), allocated)
	}
}
