package main

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// writeReportInput writes rows of sales-like data: unicode and empty group keys, floats
// that do not add up exactly in any order, empty amounts, dates, repeated values.
func writeReportInput(t *testing.T, dir string, rows int) string {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	regions := []string{"North", "Île-de-France", "南", "", "West"}
	var b strings.Builder
	b.WriteString("id,region,date,amount,qty,note\n")
	for i := 1; i <= rows; i++ {
		amount := ""
		if rng.IntN(10) > 0 {
			amount = fmt.Sprintf("%.3f", rng.Float64()*1e6-2e5)
		}
		fmt.Fprintf(&b, "%d,%s,2024-%02d-%02d,%s,%d,\"n%d, \"\"x\"\"\"\n",
			i, regions[rng.IntN(len(regions))], rng.IntN(12)+1, rng.IntN(28)+1, amount, rng.IntN(50), i%17)
	}
	path := filepath.Join(dir, "sales.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Grouped, sorted and top-N runs write the same bytes for workers {1, 2, 8} × chunk
// sizes {7 B, 1 KiB, 64 MiB}: partials fold chunks in any order, Finish puts them in
// input order.
func TestReportsDeterministic(t *testing.T) {
	dir := t.TempDir()
	in := writeReportInput(t, dir, 3000)
	for _, job := range [][]string{
		{"-e", "total = amount * qty", "--group-by", "region,month=format_date(date, \"%Y-%m\")",
			"--agg", "revenue = sum(total); orders = count(); avg = mean(amount); biggest = max(total); first_id = first(id); last_note = last(note)",
			"--having", "orders > 1"},
		{"--sort", "-amount,date", "--select", "id,amount,date"},
		{"--sort", "region,-qty", "--limit", "25"},
		{"--group-by", "region", "--agg", "n = count(); s = sum(amount)", "--sort", "-s"},
	} {
		var first string
		for _, workers := range []string{"1", "2", "8"} {
			for _, chunk := range []string{"7", "1KiB", "64MiB"} {
				args := append([]string{"apply", in, "--workers", workers, "--chunk-size", chunk}, job...)
				r := runPtransformOf(t, binaryForWorkers(workers), nil, args...)
				if r.code != 0 {
					t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
				}
				if first == "" {
					first = r.stdout
					if strings.Count(first, "\n") < 3 {
						t.Fatalf("%v: only %q", job, first)
					}
				} else if r.stdout != first {
					t.Errorf("%v, workers %s, chunk size %s: the output differs from the first run's", job, workers, chunk)
				}
			}
		}
	}
}

// The report of issue 11 as an Excel file: the keys keep the type of their input
// column, the aggregates have theirs (numbers as number cells), and it reads back.
func TestReportXLSX(t *testing.T) {
	dir := t.TempDir()
	in := writeReportInput(t, dir, 2000)
	out := filepath.Join(dir, "report.xlsx")
	r := runPtransform(t, nil, "apply", in, "-e", "total = amount * qty", "-w", "qty > 0",
		"--group-by", "region,month=format_date(date, \"%Y-%m\")",
		"--agg", "revenue = sum(total); orders = count(); avg_order = mean(total); biggest = max(total); customers = count_distinct(id)",
		"--sort", "-revenue", "--limit", "20", "-o", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	back := runPtransform(t, nil, "apply", out)
	if back.code != 0 {
		t.Fatalf("reading back: %s", back.stderr)
	}
	csv := runPtransform(t, nil, "apply", in, "-e", "total = amount * qty", "-w", "qty > 0",
		"--group-by", "region,month=format_date(date, \"%Y-%m\")",
		"--agg", "revenue = sum(total); orders = count(); avg_order = mean(total); biggest = max(total); customers = count_distinct(id)",
		"--sort", "-revenue", "--limit", "20")
	if lines := strings.Split(back.stdout, "\n"); len(lines) != 22 || lines[0] != "region,month,revenue,orders,avg_order,biggest,customers" {
		t.Fatalf("read back %d lines: %q", len(lines), lines[0])
	}
	// Excel keeps 15 significant digits of a number: the floats agree to that.
	got, want := strings.Split(back.stdout, "\n"), strings.Split(csv.stdout, "\n")
	for i := range want {
		g, w := strings.Split(got[i], ","), strings.Split(want[i], ",")
		for j := range w {
			if g[j] == w[j] {
				continue
			}
			gf, gerr := strconv.ParseFloat(g[j], 64)
			wf, werr := strconv.ParseFloat(w[j], 64)
			if gerr != nil || werr != nil || math.Abs(gf-wf) > 1e-14*math.Abs(wf) {
				t.Errorf("line %d, column %d: the xlsx report reads back %q, the csv report has %q", i+1, j+1, g[j], w[j])
			}
		}
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeInlineString, "B2": excelize.CellTypeInlineString, // keys: text
		"C2": excelize.CellTypeUnset, "D2": excelize.CellTypeUnset, "G2": excelize.CellTypeUnset, // numbers
	} {
		if got, err := f.GetCellType(sheet, cell); err != nil || got != want {
			t.Errorf("%s: cell type %v (%v), want %v", cell, got, err, want)
		}
	}
}

// --stats of a run through a barrier counts the rows read and the rows written.
func TestReportStats(t *testing.T) {
	dir := t.TempDir()
	in := writeReportInput(t, dir, 1000)
	r := runPtransform(t, bytes.NewReader(nil), "apply", in, "--group-by", "region", "--agg", "n = count()", "--stats", "-q")
	if r.code != 0 || !strings.Contains(r.stderr, "1000 rows in, 5 rows out") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
