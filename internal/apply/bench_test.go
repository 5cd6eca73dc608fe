package apply

import (
	"bufio"
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// benchRows is the size of the benchmark input: about 10 MB, so that the figures are
// those of whole runs (many chunks) without the noise of a disk.
const benchRows = 100_000

// writeBenchCSV writes rows in the shape of tools/gencsv (the `make bench` data): ten
// columns, about 94 bytes a row, 2% of names quoted.
func writeBenchCSV(tb testing.TB, rows int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bench.csv")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(42, 1))
	w.WriteString("id,a,b,category,name,date,flag,c,d,e\n")
	var line []byte
	for i := 1; i <= rows; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rng.Float64()*1000, 'f', 6, 64)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(rng.IntN(1001)), 10)
		line = append(line, ",juliet,"...)
		if rng.IntN(50) == 0 {
			line = append(line, `"xsL, WKvqyaXgZ"`...)
		} else {
			line = append(line, "xsL WKvqyaXgZ DFTXu"[:5+rng.IntN(14)]...)
		}
		line = append(line, ",2012-01-31,true,"...)
		line = strconv.AppendFloat(line, rng.Float64()*2e7-1e7, 'f', 4, 64)
		line = append(line, ',')
		line = strconv.AppendInt(line, rng.Int64N(10000000000), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rng.Float64(), 'f', 10, 64)
		line = append(line, '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// benchRun runs one worker over the benchmark input to a discarded output: the CPU cost
// of decoding, transforming and encoding, per row, with no write() in the figure.
func benchRun(b *testing.B, o Options) {
	path := writeBenchCSV(b, benchRows)
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	o.Inputs, o.Stdout, o.Workers = []string{path}, io.Discard, 1
	b.SetBytes(st.Size())
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// The three runs of the end-to-end bars of docs/performance.md, per row on one core.
func BenchmarkRunIdentity(b *testing.B) { benchRun(b, Options{}) }

func BenchmarkRunDerive(b *testing.B) { benchRun(b, Options{Exprs: []string{"total = a * b"}}) }

func BenchmarkRunFilterDeriveSelect(b *testing.B) {
	benchRun(b, Options{Wheres: []string{"b > 500"}, Exprs: []string{"total = a * b"}, Select: []string{"id", "name", "total"}})
}
