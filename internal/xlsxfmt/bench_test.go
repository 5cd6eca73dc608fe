package xlsxfmt

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/ptransform/ptransform/internal/table"
)

// benchSheet builds a workbook shaped like ../shared/bench/gen_xlsx.py output:
// 10 columns of numbers, shared strings, dates and booleans.
func benchSheet(tb testing.TB, rows int) string {
	var body strings.Builder
	body.WriteString(`<row r="1">`)
	for i, h := range []string{"id", "a", "b", "category", "name", "date", "flag", "c", "d", "e"} {
		fmt.Fprintf(&body, `<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>`, ColumnName(i), h)
	}
	body.WriteString(`</row>`)
	var sst []string
	for i := range 1000 {
		sst = append(sst, fmt.Sprintf("<t>name %d</t>", i))
	}
	for r := 2; r <= rows+1; r++ {
		fmt.Fprintf(&body, `<row r="%d" spans="1:10"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%d.%02d</v></c><c r="C%d"><v>%d</v></c>`+
			`<c r="D%d" t="s"><v>%d</v></c><c r="E%d" t="s"><v>%d</v></c><c r="F%d" s="1"><v>%d</v></c><c r="G%d" t="b"><v>%d</v></c>`+
			`<c r="H%d"><v>%d.%d</v></c><c r="I%d"><v>%d</v></c><c r="J%d"><v>0.%d</v></c></row>`,
			r, r, r-1, r, r*7%1000, r%97+1, r, r*13%5000, r, r%7, r, r%1000, r, 45000+r%3000, r, r%2,
			r, r%500, r%9+1, r, r*31%100000, r, r%999+1)
	}
	return book{sheets: []string{body.String()}, strings: sst, builtin: []int{14}}.write(tb)
}

func benchOpen(b *testing.B, path string) *Sheet {
	bk, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bk.Close() })
	sheets, err := bk.Selected()
	if err != nil {
		b.Fatal(err)
	}
	return sheets[0]
}

// BenchmarkDecodeBlock decodes one block of 10,000 rows x 10 columns.
func BenchmarkDecodeBlock(b *testing.B) {
	s := benchOpen(b, benchSheet(b, 10000))
	var block []byte
	if err := s.Split(context.Background(), 1<<20, func(bl []byte) error { block = bl; return nil }); err != nil {
		b.Fatal(err)
	}
	d := s.NewDecoder()
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c, err := d.DecodeBlock(block)
		if err != nil {
			b.Fatal(err)
		}
		c.Batch.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/row")
}

// BenchmarkSplit inflates and cuts a 20,000-row sheet into blocks.
func BenchmarkSplit(b *testing.B) {
	s := benchOpen(b, benchSheet(b, 20000))
	var n int64
	if err := s.Split(context.Background(), 1000, func(bl []byte) error { n += int64(len(bl)); return nil }); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := s.Split(context.Background(), 1000, func([]byte) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/20000, "ns/row")
}

// BenchmarkFile reads XLSXFMT_BENCH_FILE (e.g. the 200k-row gen_xlsx.py workbook) to
// CSV-like text in parallel, as the chunk engine will: one splitter, GOMAXPROCS
// decoders, output in order.
func BenchmarkFile(b *testing.B) {
	path := os.Getenv("XLSXFMT_BENCH_FILE")
	if path == "" {
		b.Skip("set XLSXFMT_BENCH_FILE")
	}
	for range b.N {
		n, err := readParallel(path, runtime.GOMAXPROCS(0), 10000, func([]byte) {})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "rows")
	}
}

// readParallel is a minimal stand-in for the chunk engine: Open, Split on one
// goroutine, decode on workers, format to text and hand it to out in input order.
func readParallel(path string, workers, chunkRows int, out func([]byte)) (int, error) {
	bk, err := Open(path, Options{})
	if err != nil {
		return 0, err
	}
	defer bk.Close()
	sheets, err := bk.Selected()
	if err != nil {
		return 0, err
	}
	s := sheets[0]
	type job struct {
		seq   int
		block []byte
		done  chan []byte
	}
	jobs := make(chan job, workers)
	order := make(chan chan []byte, 2*workers)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := s.NewDecoder()
			for j := range jobs {
				c, err := d.DecodeBlock(j.block)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					j.done <- nil
					continue
				}
				j.done <- chunkText(c)
				c.Batch.Release()
			}
		}()
	}
	rows := 0
	var wdone sync.WaitGroup
	wdone.Add(1)
	go func() {
		defer wdone.Done()
		for ch := range order {
			text := <-ch
			rows += bytes.Count(text, []byte{'\n'})
			out(text)
		}
	}()
	seq := 0
	err = s.Split(context.Background(), chunkRows, func(block []byte) error {
		done := make(chan []byte, 1)
		order <- done
		jobs <- job{seq, block, done}
		seq++
		return nil
	})
	close(jobs)
	wg.Wait()
	close(order)
	wdone.Wait()
	if err == nil {
		err = firstErr
	}
	return rows, err
}

func chunkText(c *table.Chunk) []byte { return batchText(c.Batch) }

func batchText(batch arrow.RecordBatch) []byte {
	apps := make([]table.Appender, batch.NumCols())
	for j := range apps {
		apps[j], _ = table.NewAppender(batch.Column(j))
	}
	var out []byte
	for i := range int(batch.NumRows()) {
		for j, a := range apps {
			if j > 0 {
				out = append(out, ',')
			}
			out = a(out, i)
		}
		out = append(out, '\n')
	}
	return out
}
