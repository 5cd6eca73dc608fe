package jsonlfmt

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkDecode decodes a block of typical event lines.
func BenchmarkDecode(b *testing.B) {
	var sb strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&sb, `{"id": %d, "name": "item %d", "price": %d.%02d, "qty": %d, "region": "North", "tags": ["a", "b"]}`+"\n", i, i*7, i%999, i%100, i%50)
	}
	block := []byte(sb.String())
	in := &Input{Name: "bench.jsonl", Header: []string{"id", "name", "price", "qty", "region", "tags"}}
	in.index = map[string]int{}
	for j, k := range in.Header {
		in.index[k] = j
	}
	d := in.NewDecoder()
	b.SetBytes(int64(len(block)))
	b.ResetTimer()
	for range b.N {
		if _, err := d.DecodeBlock(block); err != nil {
			b.Fatal(err)
		}
	}
}
