package apply

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// source is one table the run reads: a CSV input, or one worksheet of a workbook.
// Sources are read in the order given, a workbook's sheets in the order selected.
type source struct {
	csv    *csvfmt.Input
	sheet  *xlsxfmt.Sheet
	book   string   // the workbook's path, for sheets
	header []string // unique column names
	// conform maps this source's columns onto the run's columns (--union): conform[k]
	// is the source column that feeds output column k, or -1 for an all-null column.
	// nil when the source already has the run's columns in order.
	conform []int
}

func (s *source) name() string {
	if s.csv != nil {
		return s.csv.Name
	}
	return fmt.Sprintf("%s, sheet %q", s.book, s.sheet.Name)
}

// opened holds everything a run has open, to close it at the end.
type opened struct {
	sources []*source
	books   []*xlsxfmt.Book
}

func (op *opened) close() {
	for _, s := range op.sources {
		if s.csv != nil {
			s.csv.Close()
		}
	}
	for _, b := range op.books {
		b.Close()
	}
}

// workbookMagic are the first bytes of the containers a workbook comes in: zip (xlsx, and
// the .ods and .xlsb that xlsxfmt refuses by name) and OLE2 (.xls, encrypted xlsx).
var workbookMagic = [][]byte{[]byte("PK\x03\x04"), {0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}}

// isWorkbook tells a workbook from a text file by its content, not its name.
func isWorkbook(path string) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("%s: no such file", path)
	}
	if err != nil {
		return false, err
	}
	if st, err := f.Stat(); err == nil && st.IsDir() {
		f.Close()
		return false, fmt.Errorf("%s: is a directory", path)
	}
	defer f.Close()
	head := make([]byte, 8)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return false, err
	}
	for _, m := range workbookMagic {
		if bytes.HasPrefix(head[:n], m) {
			return true, nil
		}
	}
	return false, nil
}

func openSources(o Options) (*opened, error) {
	op := &opened{}
	fail := func(err error) (*opened, error) {
		op.close()
		return nil, err
	}
	copts, err := csvOptions(o)
	if err != nil {
		return nil, err
	}
	for _, name := range o.Inputs {
		book := false
		if name != "-" && !strings.EqualFold(o.From, "csv") && !strings.EqualFold(o.From, "tsv") {
			if book, err = isWorkbook(name); err != nil {
				return fail(err)
			}
		}
		if !book {
			in, err := csvfmt.Open(name, copts)
			if err != nil {
				return fail(err)
			}
			op.sources = append(op.sources, &source{csv: in, header: table.UniqueNames(in.Header)})
			continue
		}
		b, err := xlsxfmt.Open(name, xlsxfmt.Options{Sheets: o.Sheets, IncludeHidden: o.IncludeHidden,
			HeaderRow: o.HeaderRow, NoHeader: o.CSV.NoHeader, Range: o.Range, Password: o.Password})
		if err != nil {
			return fail(err)
		}
		op.books = append(op.books, b)
		sheets, err := b.Selected()
		if errors.Is(err, xlsxfmt.ErrSheetSelection) {
			return fail(usage(err))
		}
		if err != nil {
			return fail(err)
		}
		for _, s := range sheets {
			op.sources = append(op.sources, &source{sheet: s, book: name, header: s.Header})
		}
	}
	return op, nil
}

func csvOptions(o Options) (csvfmt.Options, error) {
	copts := o.CSV
	copts.HeaderRow = o.HeaderRow
	switch strings.ToLower(o.From) {
	case "", "csv", "xlsx":
	case "tsv":
		if copts.Delimiter == 0 {
			copts.Delimiter = '\t'
		}
	default:
		return copts, usage(fmt.Errorf("unknown input format %q (want csv, tsv or xlsx)", o.From))
	}
	if strings.EqualFold(o.From, "xlsx") && len(o.Inputs) == 1 && o.Inputs[0] == "-" {
		return copts, usage(errors.New("an Excel workbook cannot be read from standard input; give its path"))
	}
	return copts, nil
}

// runColumns decides the run's columns. Without union every source must have the same
// columns (an error names the difference); with union the columns are all the names in
// order of first appearance and each source gets its mapping onto them.
func runColumns(sources []*source, union bool) ([]string, error) {
	first := sources[0].header
	if !union {
		for _, s := range sources[1:] {
			if !equalNames(s.header, first) {
				return nil, fmt.Errorf("%s and %s have different columns (%s); --union combines them by name",
					sources[0].name(), s.name(), headerDiff(first, s.header))
			}
		}
		return first, nil
	}
	var names []string
	index := map[string]int{}
	for _, s := range sources {
		for _, n := range s.header {
			if _, ok := index[n]; !ok {
				index[n] = len(names)
				names = append(names, n)
			}
		}
	}
	for _, s := range sources {
		if equalNames(s.header, names) {
			continue
		}
		pos := make(map[string]int, len(s.header))
		for i, n := range s.header {
			pos[n] = i
		}
		s.conform = make([]int, len(names))
		for k, n := range names {
			if i, ok := pos[n]; ok {
				s.conform[k] = i
			} else {
				s.conform[k] = -1
			}
		}
	}
	return names, nil
}

func equalNames(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func headerDiff(a, b []string) string {
	inA := make(map[string]bool, len(a))
	for _, n := range a {
		inA[n] = true
	}
	inB := make(map[string]bool, len(b))
	for _, n := range b {
		inB[n] = true
	}
	var parts []string
	for _, n := range a {
		if !inB[n] {
			parts = append(parts, fmt.Sprintf("only in the first: %q", n))
		}
	}
	for _, n := range b {
		if !inA[n] {
			parts = append(parts, fmt.Sprintf("only in the second: %q", n))
		}
	}
	if len(parts) == 0 {
		return "same names in another order"
	}
	return strings.Join(parts, ", ")
}

// conformChunk rearranges a chunk onto the run's columns, filling the columns its source
// lacks with nulls.
func conformChunk(c *table.Chunk, conform []int, names []string) *table.Chunk {
	n := int64(c.NumRows())
	cols := make([]arrow.Array, len(conform))
	fields := make([]arrow.Field, len(conform))
	for k, i := range conform {
		if i < 0 {
			cols[k] = array.MakeArrayOfNull(memory.DefaultAllocator, arrow.BinaryTypes.String, int(n))
		} else {
			cols[k] = c.Batch.Column(i)
		}
		fields[k] = arrow.Field{Name: names[k], Type: cols[k].DataType(), Nullable: true}
	}
	out := *c
	out.Batch = array.NewRecordBatch(arrow.NewSchema(fields, nil), cols, n)
	return &out
}
