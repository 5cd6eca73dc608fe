package xlsxfmt

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// excelizeWrong lists the corpus files excelize v2.11.0 reads wrongly (SOURCES.md,
// "excelize findings"); they are checked against their expected values instead.
var excelizeWrong = map[string]bool{
	"calamine/empty_s_attribute.xlsx":  true, // GetRows returns no rows
	"calamine/date_1904.xlsx":          true, // durations shifted by the 1904 epoch
	"calamine/date_iso.xlsx":           true, // t="d" cells not formatted
	"phpspreadsheet/explicitdate.xlsx": true,
}

var ooxmlEscapeRe = regexp.MustCompile(`_x([0-9A-Fa-f]{4})_`)

var isoLike = regexp.MustCompile(`^(\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d(\.\d+)?)?|-?\d+:\d\d:\d\d(\.\d+)?)$`)

// TestAgreesWithExcelize reads every worksheet of every corpus workbook excelize
// opens, and compares cell for cell with excelize's raw GetRows: strings, errors
// and numbers must agree (numbers to Excel's 15 digits); cells we read as dates
// must be numbers there.
func TestAgreesWithExcelize(t *testing.T) {
	f, err := os.Open(filepath.Join(corpusDir, "..", "excelize-v2.11.0-open-check.tsv"))
	if err != nil {
		t.Skip("corpus not available")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if fields[0] != "OK" {
			continue
		}
		rel := strings.TrimPrefix(fields[1], "xlsx/")
		if excelizeWrong[rel] {
			continue
		}
		t.Run(rel, func(t *testing.T) { compareWithExcelize(t, filepath.Join(corpusDir, rel)) })
	}
}

func compareWithExcelize(t *testing.T, path string) {
	x, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	defer x.Close()
	b, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer b.Close()
	for _, info := range b.Sheets {
		if info.Kind != "worksheet" {
			continue
		}
		want, err := x.GetRows(info.Name, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Errorf("excelize %s: %v", info.Name, err)
			continue
		}
		b.opts.Sheets, b.opts.NoHeader, b.opts.IncludeHidden = []string{strconv.Itoa(info.Index)}, true, true
		sheets, err := b.Selected()
		if err != nil {
			t.Errorf("Selected %s: %v", info.Name, err)
			continue
		}
		got, lines := sheetRows(t, sheets[0], 7)
		for i, l := range lines {
			if l != int64(i+1) {
				t.Fatalf("%s: Lines[%d] = %d", info.Name, i, l)
			}
		}
		for len(want) > 0 && strings.Join(want[len(want)-1], "") == "" {
			want = want[:len(want)-1]
		}
		// calamine/empty_shared_string.xlsx: a trailing row whose only cell is the
		// empty shared string; excelize drops it, calamine keeps it, and so do we.
		if len(got) != len(want) && !strings.HasSuffix(path, "empty_shared_string.xlsx") {
			t.Errorf("%s: %d rows, excelize %d", info.Name, len(got), len(want))
		}
		bad := 0
		for r := range max(len(got), len(want)) {
			var g, w []string
			if r < len(got) {
				g = got[r]
			}
			if r < len(want) {
				w = want[r]
			}
			for c := range max(len(g), len(w)) {
				gv, wv := "", ""
				if c < len(g) && g[c] != "\x00" {
					gv = g[c]
				}
				if c < len(w) {
					wv = w[c]
				}
				if !sameCell(gv, wv) && bad < 5 {
					bad++
					t.Errorf("%s!%s%d: got %q, excelize %q", info.Name, ColumnName(c), r+1, gv, wv)
				}
			}
		}
	}
}

func sameCell(got, want string) bool {
	if got == want {
		return true
	}
	// excelize leaves _xHHHH_ escapes undecoded in formula string results.
	if ooxmlEscapeRe.ReplaceAllStringFunc(want, func(m string) string {
		r, _ := strconv.ParseUint(m[2:6], 16, 32)
		return string(rune(r))
	}) == got {
		return true
	}
	// A t="d" cell shown in its format's precision.
	if isoLike.MatchString(got) && len(got) >= 10 && len(want) > len(got) && strings.HasPrefix(want, got[:10]) {
		return true
	}
	wf, err := strconv.ParseFloat(want, 64)
	if err != nil {
		return false
	}
	if isoLike.MatchString(got) && strings.ContainsAny(got, "-:") {
		return true // a date by its format; values are checked by the expected-value tests
	}
	if (got == "true" && wf == 1) || (got == "false" && wf == 0) {
		return true
	}
	gf, err := strconv.ParseFloat(got, 64)
	if err != nil {
		return false
	}
	r15 := func(f float64) string { return strconv.FormatFloat(f, 'g', 15, 64) }
	return r15(gf) == r15(wf)
}
