package apply

import (
	"errors"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/jsonlfmt"
	"github.com/ptransform/ptransform/internal/parquetin"
	"github.com/ptransform/ptransform/internal/sniff"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/xlsxfmt"
)

// source is one table the run reads: a CSV input, or one worksheet of a workbook.
// Sources are read in the order given, a workbook's sheets in the order selected.
type source struct {
	csv    *csvfmt.Input
	sheet  *xlsxfmt.Sheet
	jsonl  *jsonlfmt.Input
	pq     *parquetin.Input
	book   string   // the workbook's path, for sheets
	input  int      // the index in Options.Inputs of the file it is read from
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
	if s.jsonl != nil {
		return s.jsonl.Name
	}
	if s.pq != nil {
		return s.pq.Name
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
		if s.jsonl != nil {
			s.jsonl.Close()
		}
		if s.pq != nil {
			s.pq.Close()
		}
	}
	for _, b := range op.books {
		b.Close()
	}
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
	forcedText := strings.EqualFold(o.From, "csv") || strings.EqualFold(o.From, "tsv")
	forcedJSONL := strings.EqualFold(o.From, "jsonl")
	for input, name := range o.Inputs {
		// Each input is opened once and its first bytes say what it is, whatever its name.
		src, err := sniff.Open(name, csvfmt.SniffSize)
		if err != nil {
			return fail(err)
		}
		if src.Format.Kind == sniff.JSONLines && !forcedText || forcedJSONL {
			if o.scanOnly {
				src.Close()
				return fail(fmt.Errorf("%s: is JSON Lines, which inspect does not read yet (apply does)", name))
			}
			in, err := openJSONL(src, o)
			if err != nil {
				return fail(err)
			}
			op.sources = append(op.sources, &source{jsonl: in, header: table.UniqueNames(in.Header)})
			continue
		}
		if src.Format.Kind == sniff.Parquet && !forcedText || strings.EqualFold(o.From, "parquet") {
			in, err := openParquet(src, o)
			if err != nil {
				return fail(err)
			}
			op.sources = append(op.sources, &source{pq: in, input: input, header: table.UniqueNames(in.Header)})
			continue
		}
		book := src.Format.Kind == sniff.Zip || src.Format.Kind == sniff.OLE2
		if !book && strings.EqualFold(o.From, "xlsx") {
			src.Close()
			return fail(fmt.Errorf("%s: --from xlsx, but it is not an Excel workbook (a workbook starts as a zip archive)", name))
		}
		if !book || forcedText {
			in, err := csvfmt.OpenFile(src, copts)
			if err != nil {
				return fail(err)
			}
			op.sources = append(op.sources, &source{csv: in, input: input, header: table.UniqueNames(in.Header)})
			// Until its chunks are planned, the input's file is closed: a run of
			// thousands of inputs keeps only a few open.
			if err := in.Park(); err != nil {
				return fail(fmt.Errorf("%s: %w", name, err))
			}
			continue
		}
		piped := !src.Seekable || name == "-"
		if o.scanOnly {
			src.Close()
			if piped {
				return fail(fmt.Errorf("%s: is %s, which cannot be read from a pipe or standard input; save it to a file and give its path", name, src.Format.What))
			}
			return fail(ErrWorkbook)
		}
		if o.CSV.SkipLines > 0 {
			src.Close()
			return fail(usage(fmt.Errorf("%s: is a workbook; --skip-lines skips the lines above a CSV header, a sheet's header row is --header-row N", name)))
		}
		// A workbook from standard input or a pipe is read from a temporary copy, which
		// cannot be opened again by name: it stays open rather than parked.
		file := src.File
		if piped {
			file, err = spoolInput(src)
			src.Close()
			if err != nil {
				return fail(err)
			}
		}
		b, err := xlsxfmt.OpenFile(name, file, xlsxfmt.Options{Sheets: o.Sheets, IncludeHidden: o.IncludeHidden,
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
			op.sources = append(op.sources, &source{sheet: s, book: name, input: input, header: s.Header})
		}
		// Headers read, the file is closed until a sheet's rows are split, like a CSV input's.
		if piped {
			continue
		}
		if err := b.Park(); err != nil {
			return fail(fmt.Errorf("%s: %w", name, err))
		}
	}
	return op, nil
}

// refuseWorkbookFlags refuses, when none of a run's inputs op opened is a workbook, the
// flags that choose what of a workbook is read: they would be ignored. (A --lookup
// reference has its own --lookup-sheet.)
func refuseWorkbookFlags(o Options, op *opened) error {
	if len(op.books) > 0 {
		return nil
	}
	for _, f := range []struct {
		set  bool
		flag string
	}{
		{len(o.Sheets) > 0, "--sheet"}, {o.Range != "", "--range"},
		{o.IncludeHidden, "--include-hidden"}, {o.Password != "", "--password-env"},
	} {
		if f.set {
			return usage(fmt.Errorf("%s is for Excel workbook inputs, and no input is a workbook", f.flag))
		}
	}
	return nil
}

func csvOptions(o Options) (csvfmt.Options, error) {
	copts := o.CSV
	copts.HeaderRow = o.HeaderRow
	switch strings.ToLower(o.From) {
	case "", "csv", "xlsx", "parquet", "jsonl":
	case "tsv":
		if copts.Delimiter == 0 {
			copts.Delimiter = '\t'
		}
	default:
		return copts, usage(fmt.Errorf("unknown input format %q (want csv, tsv, xlsx, parquet or jsonl)", o.From))
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
