// Package benchdata writes the deterministic CSV of the end-to-end benchmark (`make
// bench`, tools/gencsv) and of the apply package's Go benchmarks, so that both measure
// the same bytes: the ten columns of ../shared/bench/gen_csv.py (id,a,b,category,name,
// date,flag,c,d,e), about 94 bytes a row, ~2% of names quoted because they hold commas
// or quotes, from a fixed seed.
package benchdata

import (
	"bufio"
	"io"
	"math/rand/v2"
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

// Write writes the header and rows rows to out.
func Write(out io.Writer, rows int) error {
	w := bufio.NewWriterSize(out, 1<<20)
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
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
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
