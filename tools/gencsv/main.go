// Command gencsv writes the deterministic benchmark CSV used by `make bench`: the same
// ten columns as ../shared/bench/gen_csv.py (id,a,b,category,name,date,flag,c,d,e, about
// 94 bytes a row, ~2% of names quoted because they hold commas or quotes), from a fixed
// seed, so every run of the benchmark reads the same bytes (internal/benchdata).
//
//	go run ./tools/gencsv OUT.csv ROWS
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/ptransform/ptransform/internal/benchdata"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gencsv OUT.csv ROWS")
		os.Exit(2)
	}
	rows, err := strconv.Atoi(os.Args[2])
	if err != nil || rows < 0 {
		fmt.Fprintln(os.Stderr, "gencsv: ROWS must be a number")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err == nil {
		err = benchdata.Write(f, rows)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}
