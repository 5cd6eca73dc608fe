// Command gencsv writes the deterministic benchmark CSV used by `make bench`: the same
// ten columns as ../shared/bench/gen_csv.py (id,a,b,category,name,date,flag,c,d,e, about
// 94 bytes a row, ~2% of names quoted because they hold commas or quotes), from a fixed
// seed, so every run of the benchmark reads the same bytes.
//
//	go run ./tools/gencsv OUT.csv ROWS
package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

var categories = []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
	"india", "juliet", "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo",
	"sierra", "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu", "red", "green",
	"blue", "cyan", "magenta", "yellow", "black", "white", "north", "south", "east", "west",
	"spring", "summer", "autumn", "winter", "iron", "copper", "silver", "gold", "tin", "lead",
	"zinc", "nickel"}

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ     "

var special = []string{",", `"`, ", ", `""`, `,"`, "'"}

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
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(42, 1))
	day0 := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC).Sub(day0).Hours()/24) + 1
	var line, name []byte
	w.WriteString("id,a,b,category,name,date,flag,c,d,e\n")
	for i := 1; i <= rows; i++ {
		line = strconv.AppendInt(line[:0], int64(i), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rng.Float64()*1000, 'f', 6, 64)
		line = append(line, ',')
		line = strconv.AppendInt(line, int64(rng.IntN(1001)), 10)
		line = append(line, ',')
		line = append(line, categories[rng.IntN(len(categories))]...)
		line = append(line, ',')
		name = name[:0]
		for n := 5 + rng.IntN(16); n > 0; n-- {
			name = append(name, letters[rng.IntN(len(letters))])
		}
		if rng.IntN(50) == 0 {
			name = append(name, special[rng.IntN(len(special))]...)
			name = append(name, letters[rng.IntN(26)])
		}
		line = appendField(line, name)
		line = append(line, ',')
		line = day0.AddDate(0, 0, rng.IntN(days)).AppendFormat(line, "2006-01-02")
		line = append(line, ',')
		line = strconv.AppendBool(line, rng.IntN(2) == 0)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rng.Float64()*2e7-1e7, 'f', 4, 64)
		line = append(line, ',')
		line = strconv.AppendInt(line, rng.Int64N(10000000000), 10)
		line = append(line, ',')
		line = strconv.AppendFloat(line, rng.Float64(), 'f', 10, 64)
		line = append(line, '\n')
		w.Write(line)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "gencsv:", err)
		os.Exit(1)
	}
}

// appendField quotes a field that holds a comma or a quote, doubling quotes (RFC 4180).
func appendField(dst, field []byte) []byte {
	needs := false
	for _, c := range field {
		if c == ',' || c == '"' {
			needs = true
			break
		}
	}
	if !needs {
		return append(dst, field...)
	}
	dst = append(dst, '"')
	for _, c := range field {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}
