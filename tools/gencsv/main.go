// Command gencsv writes the deterministic benchmark CSV used by `make bench`: the same
// ten columns as ../shared/bench/gen_csv.py (id,a,b,category,name,date,flag,c,d,e, about
// 94 bytes a row, ~2% of names quoted because they hold commas or quotes), from a fixed
// seed, so every run of the benchmark reads the same bytes (internal/benchdata).
//
//	go run ./tools/gencsv OUT.csv ROWS
//
// With -orders or -products it writes the lookup benchmark's files instead (issue 12):
// ROWS orders naming products 1..PRODUCTS (about 1% naming none), or PRODUCTS products.
//
//	go run ./tools/gencsv -orders OUT.csv ROWS PRODUCTS
//	go run ./tools/gencsv -products OUT.csv PRODUCTS
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/ptransform/ptransform/internal/benchdata"
)

func main() {
	args := os.Args[1:]
	write := func(w io.Writer, n []int) error { return benchdata.Write(w, n[0]) }
	counts := 1
	switch {
	case len(args) > 0 && args[0] == "-orders":
		args, counts = args[1:], 2
		write = func(w io.Writer, n []int) error { return benchdata.WriteOrders(w, n[0], n[1]) }
	case len(args) > 0 && args[0] == "-products":
		args = args[1:]
		write = func(w io.Writer, n []int) error { return benchdata.WriteProducts(w, n[0]) }
	}
	if len(args) != 1+counts {
		fmt.Fprintln(os.Stderr, "usage: gencsv OUT.csv ROWS | gencsv -orders OUT.csv ROWS PRODUCTS | gencsv -products OUT.csv PRODUCTS")
		os.Exit(2)
	}
	n := make([]int, counts)
	for k := range n {
		var err error
		if n[k], err = strconv.Atoi(args[1+k]); err != nil || n[k] < 0 {
			fmt.Fprintln(os.Stderr, "gencsv: the counts must be numbers")
			os.Exit(2)
		}
	}
	f, err := os.Create(args[0])
	if err == nil {
		err = write(f, n)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}
