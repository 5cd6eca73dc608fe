package inspect

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// WriteJSON writes the reports as one indented JSON array.
func WriteJSON(w io.Writer, reports []*Report) error {
	if reports == nil {
		reports = []*Report{}
	}
	b, err := json.MarshalIndent(reports, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// Widths of the text table, in characters: longer names and values are cut with "…".
const (
	maxNameWidth = 24
	maxCellWidth = 20
)

// WriteText writes the reports for people: per input a line of facts, then per table
// one line per column with its type and its values in the first rows, so that wide
// files stay readable.
func WriteText(w io.Writer, reports []*Report) error {
	var b strings.Builder
	for i, r := range reports {
		if i > 0 {
			b.WriteByte('\n')
		}
		writeReport(&b, r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeReport(b *strings.Builder, r *Report) {
	facts := []string{r.Format}
	if r.Size != nil {
		facts = append(facts, plural(*r.Size, "byte"))
	}
	if c := r.CSVReport; c != nil {
		header := "header row"
		if !c.Header {
			header = "no header row"
		}
		facts = append(facts, "delimiter "+delimiterName(c.Delimiter), c.Encoding, compressionName(c.Compression), header, plural(c.Rows, "row"))
		fmt.Fprintf(b, "%s: %s\n", r.File, strings.Join(facts, ", "))
		writeTable(b, c.Columns, c.FirstRows)
		return
	}
	wb := r.WorkbookReport
	dates := "1900 date system"
	if wb.Date1904 {
		dates = "1904 date system"
	}
	facts = append(facts, dates, plural(int64(len(wb.Sheets)+len(wb.SheetsNotShown)), "sheet"))
	fmt.Fprintf(b, "%s: %s\n", r.File, strings.Join(facts, ", "))
	if len(wb.SheetsNotShown) > 0 {
		fmt.Fprintf(b, "not shown (see --sheet, --include-hidden): %s\n", xlsxfmt.SheetList(wb.SheetsNotShown))
	}
	for _, s := range wb.Sheets {
		writeSheet(b, s)
	}
}

func writeSheet(b *strings.Builder, s xlsxfmt.SheetReport) {
	facts := []string{s.Kind, s.Visibility}
	if s.Dimension != "" {
		facts = append(facts, "dimension "+s.Dimension)
	}
	if s.Kind == "worksheet" && s.Error == "" {
		if s.HeaderRow > 0 {
			facts = append(facts, "header row "+strconv.Itoa(s.HeaderRow))
		}
		facts = append(facts, plural(int64(s.Rows), "row"))
	}
	fmt.Fprintf(b, "\nsheet %d %s: %s\n", s.Index, strconv.Quote(s.Name), strings.Join(facts, ", "))
	for _, w := range s.Warnings {
		fmt.Fprintf(b, "warning: %s\n", w)
	}
	if s.Error != "" {
		fmt.Fprintf(b, "error: %s\n", s.Error)
		return
	}
	if s.Kind != "worksheet" {
		return
	}
	cols := make([]Column, len(s.Columns))
	for i, c := range s.Columns {
		cols[i] = Column(c)
	}
	writeTable(b, cols, s.FirstRows)
}

// writeTable writes one line per column: its number, name, type and first values.
func writeTable(b *strings.Builder, cols []Column, rows [][]*string) {
	if len(cols) == 0 {
		b.WriteString("(no columns)\n")
		return
	}
	cells := [][]string{{"#", "column", "type"}}
	for i := range rows {
		cells[0] = append(cells[0], "row "+strconv.Itoa(i+1))
	}
	for j, c := range cols {
		line := []string{strconv.Itoa(j + 1), cut(c.Name, maxNameWidth), c.Type}
		for _, row := range rows {
			v := ""
			if j < len(row) && row[j] != nil {
				v = cut(*row[j], maxCellWidth)
			}
			line = append(line, v)
		}
		cells = append(cells, line)
	}
	widths := make([]int, len(cells[0]))
	for _, line := range cells {
		for k, v := range line {
			widths[k] = max(widths[k], utf8.RuneCountInString(v))
		}
	}
	for _, line := range cells {
		var l strings.Builder
		for k, v := range line {
			if k > 0 {
				l.WriteString("  ")
			}
			pad := widths[k] - utf8.RuneCountInString(v)
			if k == 0 { // numbers right-aligned
				l.WriteString(strings.Repeat(" ", pad))
				l.WriteString(v)
			} else {
				l.WriteString(v)
				l.WriteString(strings.Repeat(" ", pad))
			}
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteByte('\n')
	}
}

// cut makes a value fit one table cell: control characters such as line ends are
// shown escaped, and text beyond width characters is replaced by "…".
func cut(s string, width int) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7F }) {
		q := strconv.Quote(s)
		s = q[1 : len(q)-1]
	}
	if utf8.RuneCountInString(s) <= width {
		return s
	}
	runes := []rune(s)
	return string(runes[:width-1]) + "…"
}

func delimiterName(d string) string {
	switch d {
	case "\t":
		return "TAB"
	case " ":
		return "SPACE"
	}
	return strconv.Quote(d)
}

func compressionName(c string) string {
	if c == "none" {
		return "not compressed"
	}
	return c + "-compressed"
}

func plural(n int64, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.FormatInt(n, 10) + " " + unit + "s"
}
