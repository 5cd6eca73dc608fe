package xlsxout

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"hash/crc32"
	"maps"
	"math"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ptransform/ptransform/internal/schema"
)

func TestCRC32Combine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 100000)
	for i := range data {
		data[i] = byte(rng.IntN(256))
	}
	for _, cut := range []int{0, 1, 7, 4096, 65537, 99999, 100000} {
		a, b := data[:cut], data[cut:]
		got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
		if want := crc32.ChecksumIEEE(data); got != want {
			t.Errorf("cut %d: combined %08x, want %08x", cut, got, want)
		}
	}
	// Many parts, combined left to right as the writer does.
	var crc uint32
	for lo := 0; lo < len(data); lo += 333 {
		part := data[lo:min(lo+333, len(data))]
		crc = crc32Combine(crc, crc32.ChecksumIEEE(part), int64(len(part)))
	}
	if want := crc32.ChecksumIEEE(data); crc != want {
		t.Errorf("333-byte parts: %08x, want %08x", crc, want)
	}
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func instant(s string) time.Time {
	d, err := time.Parse("2006-01-02T15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return d
}

var typedSchema = schema.Schema{
	{Name: "id", Type: schema.Int}, {Name: "amount", Type: schema.Float}, {Name: "ok", Type: schema.Bool},
	{Name: "day", Type: schema.Date}, {Name: "at", Type: schema.Datetime}, {Name: "clock", Type: schema.Time},
	{Name: "spent", Type: schema.Duration}, {Name: "name", Type: schema.String},
}

// typedRows holds each type's values and edge cases; want is how our reader reads
// them back (Excel's display, normalised).
var typedRows = []struct {
	row  []any
	want []string
}{
	{[]any{int64(1), 2.5, true, day("2024-03-01"), instant("2024-03-01T13:45:00"), 13*time.Hour + 45*time.Minute, 36*time.Hour + 15*time.Minute, "plain"},
		[]string{"1", "2.5", "true", "2024-03-01", "2024-03-01T13:45:00", "13:45:00", "36:15:00", "plain"}},
	{[]any{int64(-42), -0.125, false, day("1900-02-28"), instant("1900-01-01T00:00:00"), time.Duration(0), time.Duration(0), "=cmd|' /C calc'!A0"},
		[]string{"-42", "-0.125", "false", "1900-02-28", "1900-01-01T00:00:00", "00:00:00", "0:00:00", "=cmd|' /C calc'!A0"}},
	{[]any{int64(1234567890123456789), 1234.5678, nil, day("1900-03-01"), instant("9999-12-31T23:59:59"), 23*time.Hour + 59*time.Minute + 59*time.Second, 25 * time.Second, "+33 1 23"},
		[]string{"1234567890123456789", "1234.5678", "\x00", "1900-03-01", "9999-12-31T23:59:59", "23:59:59", "0:00:25", "+33 1 23"}},
	{[]any{nil, nil, nil, nil, nil, nil, nil, "-1"}, []string{"\x00", "\x00", "\x00", "\x00", "\x00", "\x00", "\x00", "-1"}},
	{[]any{int64(999999999999999), 1e300, true, day("1899-12-31"), instant("1899-12-31T12:00:00"), nil, nil, "@sum"},
		[]string{"999999999999999", "1e+300", "true", "1899-12-31", "1899-12-31T12:00:00", "\x00", "\x00", "@sum"}},
	{[]any{int64(0), nil, nil, nil, nil, nil, nil, nil}, []string{"0", "\x00", "\x00", "\x00", "\x00", "\x00", "\x00", "\x00"}},
	{[]any{nil, math.NaN(), nil, nil, nil, nil, nil, "a\x01b _x0041_ c\r\nd <&> \uFFFE é 😀"},
		[]string{"\x00", "#NUM!", "\x00", "\x00", "\x00", "\x00", "\x00", "a\x01b _x0041_ c\r\nd <&> \uFFFE é 😀"}},
	{[]any{nil, nil, nil, nil, nil, nil, nil, "  spaced  "}, []string{"\x00", "\x00", "\x00", "\x00", "\x00", "\x00", "\x00", "  spaced  "}},
}

func typedData() (rows [][]any, want [][]string) {
	want = append(want, []string{"id", "amount", "ok", "day", "at", "clock", "spent", "name"})
	for _, r := range typedRows {
		rows = append(rows, r.row)
		want = append(want, r.want)
	}
	return rows, want
}

func TestRoundTripOwnReader(t *testing.T) {
	rows, want := typedData()
	for _, chunk := range []int{1, 3, 100} {
		data, w, err := writeBook(t, []sheetData{{"Typed", typedSchema, rows}}, chunk, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(w.Warnings()) != 0 {
			t.Errorf("warnings %q", w.Warnings())
		}
		names, sheets := readOwn(t, saveBook(t, data))
		if !slices.Equal(names, []string{"Typed"}) {
			t.Fatalf("sheets %q", names)
		}
		got := sheets["Typed"]
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d rows, want %d: %q", chunk, len(got), len(want), got)
		}
		for i := range want {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("chunk %d row %d:\n got %q\nwant %q", chunk, i, got[i], want[i])
			}
		}
	}
}

// The bytes are the same for any number of workers; for any chunk size the unpacked
// parts are the same.
func TestDeterministic(t *testing.T) {
	var rows [][]any
	for i := range 3000 {
		rows = append(rows, []any{int64(i), float64(i) / 7, i%3 == 0, day("2020-01-01").AddDate(0, 0, i), instant("2021-05-06T07:08:09").Add(time.Duration(i) * time.Minute),
			time.Duration(i) * time.Second, time.Duration(i) * time.Hour, strings.Repeat("x", i%50)})
	}
	sheets := []sheetData{{"Data", typedSchema, rows}}
	ref, _, err := writeBook(t, sheets, 256, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, workers := range []int{2, 8} {
		got, _, err := writeBook(t, sheets, 256, workers, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, ref) {
			t.Errorf("%d workers: bytes differ from 1 worker", workers)
		}
	}
	again, _, _ := writeBook(t, sheets, 256, 1, nil)
	if !bytes.Equal(again, ref) {
		t.Error("a second run gives other bytes")
	}
	refParts := entries(t, ref)
	for _, chunk := range []int{1, 7, 999, 1000, 5000} {
		got, _, err := writeBook(t, sheets, chunk, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		parts := entries(t, got)
		if len(parts) != len(refParts) {
			t.Errorf("chunk %d: %d parts, want %d", chunk, len(parts), len(refParts))
		}
		for name, want := range refParts {
			if !bytes.Equal(parts[name], want) {
				t.Errorf("chunk %d: part %s differs", chunk, name)
			}
		}
	}
	if bytes.Contains(ref, []byte("PK\x03\x04\x14\x00")) && !bytes.Contains(ref[:40], []byte{0x21, 0x00}) {
		t.Error("entries are not dated 1980-01-01")
	}
}

func TestSheetXML(t *testing.T) {
	sch := schema.Schema{{Name: "a", Type: schema.String}, {Name: "b", Type: schema.Int}, {Name: "c", Type: schema.String}}
	data, _, err := writeBook(t, []sheetData{{"S", sch, [][]any{{"=1+1", nil, "x"}, {nil, int64(5), nil}}}}, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	xml := string(entries(t, data)["xl/worksheets/sheet1.xml"])
	for _, want := range []string{
		`<row><c t="inlineStr" s="1"><is><t>a</t></is></c>`,                          // bold header
		`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>`, // frozen below it
		`<row><c t="inlineStr"><is><t>=1+1</t></is></c><c/><c t="inlineStr"><is><t>x</t></is></c></row>`,
		`<row><c/><c><v>5</v></c></row>`, // trailing null left out
		`<autoFilter ref="A1:C3"/>`,
	} {
		if !strings.Contains(xml, want) {
			t.Errorf("sheet XML lacks %s:\n%s", want, xml)
		}
	}
	if strings.Contains(xml, "<f>") {
		t.Error("a formula in the sheet")
	}
	book := string(entries(t, data)["xl/workbook.xml"])
	if !strings.Contains(book, `<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'S'!$A$1:$C$3</definedName>`) {
		t.Errorf("workbook.xml: %s", book)
	}
}

func TestEscapes(t *testing.T) {
	for in, want := range map[string]string{
		"a\x01b":      "a_x0001_b",
		"_x0041_":     "_x005F_x0041_",
		"_x004g_":     "_x004g_",
		"_X0041_":     "_X0041_",
		"c\r\nd":      "c_x000D_\nd",
		"<&>":         "&lt;&amp;&gt;",
		"\uFFFF":      "_xFFFF_",
		"bad\xffutf8": "bad\uFFFDutf8",
		"tab\there":   "tab\there",
		"😀 é":         "😀 é",
	} {
		if got := string(appendEscaped(nil, in)); got != want {
			t.Errorf("appendEscaped(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNumbers(t *testing.T) {
	for in, want := range map[float64]string{
		0: "0", math.Copysign(0, -1): "0", 3: "3", -12.25: "-12.25", 0.1: "0.1", 1e15: "1E+15",
		123456789012345: "123456789012345", 1e-5: "0.00001", 1.5e-7: "1.5E-07", math.MaxFloat64: "1.7976931348623157E+308",
		1.0 / 3: "0.3333333333333333",
	} {
		if got := string(appendNumber(nil, in)); got != want {
			t.Errorf("appendNumber(%v) = %q, want %q", in, got, want)
		}
	}
	// Plain decimals are strconv's shortest 'f' form, whatever writes them.
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		f := math.Float64frombits(rng.Uint64())
		if digits := rng.IntN(12); digits > 0 {
			f = math.Round(rng.Float64()*math.Pow(10, float64(rng.IntN(16)))) / math.Pow(10, float64(digits))
		}
		if a := math.Abs(f); a < 1e-5 || a >= 1e15 || f == math.Trunc(f) {
			continue
		}
		if got, want := string(appendNumber(nil, f)), strconv.FormatFloat(f, 'f', -1, 64); got != want {
			t.Fatalf("appendNumber(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestCellTooLong(t *testing.T) {
	sch := schema.Schema{{Name: "id", Type: schema.Int}, {Name: "text", Type: schema.String}}
	ok := strings.Repeat("é", MaxCellChars)
	if _, _, err := writeBook(t, []sheetData{{"S", sch, [][]any{{int64(1), ok}}}}, 10, 1, nil); err != nil {
		t.Errorf("32,767 characters: %v", err)
	}
	rows := [][]any{{int64(1), "a"}, {int64(2), "b"}, {int64(3), strings.Repeat("x", MaxCellChars+1)}}
	_, _, err := writeBook(t, []sheetData{{"Report", sch, rows}}, 10, 1, nil)
	var ce *CellError
	if !errors.As(err, &ce) || ce.Row != 2 || ce.Column != "text" || ce.Letter != "B" || ce.Chars != 32768 {
		t.Fatalf("error %v (%#v), want a CellError for row index 2, column text (B), 32768 characters", err, ce)
	}
	if msg := err.Error(); !strings.Contains(msg, `sheet "Report", column "text" (B), row 3 of the chunk`) || !strings.Contains(msg, "32,767") {
		t.Errorf("message %q", msg)
	}
	// Astral characters count twice, as in UTF-16.
	_, _, err = writeBook(t, []sheetData{{"S", sch, [][]any{{int64(1), strings.Repeat("😀", MaxCellChars/2+1)}}}}, 10, 1, nil)
	if !errors.As(err, &ce) || ce.Chars != MaxCellChars+1 {
		t.Errorf("16,384 emoji: %v, want a CellError of 32,768 characters", err)
	}
}

func TestSheetNames(t *testing.T) {
	for in, want := range map[string]string{
		"Sales":                       "Sales",
		"a[b]c:d*e?f/g\\h":            "a_b_c_d_e_f_g_h",
		"":                            "Sheet1",
		"'quoted'":                    "quoted",
		"history":                     "history_",
		strings.Repeat("x", 40):       strings.Repeat("x", 31),
		"tab\there":                   "tab_here",
		strings.Repeat("é", 30) + "😀": strings.Repeat("é", 30),
	} {
		if got := SheetName(in); got != want {
			t.Errorf("SheetName(%q) = %q, want %q", in, got, want)
		}
	}
	var out bytes.Buffer
	w, _ := New(&out, Options{})
	var got []string
	for _, name := range []string{"Data", "data", "DATA", strings.Repeat("y", 31), strings.Repeat("y", 31), "Data (2)"} {
		s, err := w.AddSheet(name, nil)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s.Name())
	}
	want := []string{"Data", "data (2)", "DATA (3)", strings.Repeat("y", 31), strings.Repeat("y", 27) + " (2)", "Data (2) (2)"}
	if !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

// rowLimitBook writes n data rows on a sheet whose limit is lowered to maxRows rows
// (header included), with other sheets around it.
func rowLimitBook(t *testing.T, n, maxRows, chunk int) ([]byte, *Writer) {
	sch := schema.Schema{{Name: "n", Type: schema.Int}}
	var rows [][]any
	for i := range n {
		rows = append(rows, []any{int64(i + 1)})
	}
	data, w, err := writeBook(t, []sheetData{{"Data", sch, rows}, {"Data (2)", sch, rows[:2]}}, chunk, 2,
		func(w *Writer) { w.maxRows = maxRows })
	if err != nil {
		t.Fatal(err)
	}
	return data, w
}

func TestRowLimit(t *testing.T) {
	var ref map[string][]byte
	for _, chunk := range []int{1, 4, 9, 25} {
		data, w := rowLimitBook(t, 25, 10, chunk)
		names, sheets := readOwn(t, saveBook(t, data))
		// "Data (2)" is the second source's sheet: the continuations take the next names.
		if want := []string{"Data", "Data (3)", "Data (4)", "Data (2)"}; !slices.Equal(names, want) {
			t.Fatalf("chunk %d: sheets %q, want %q", chunk, names, want)
		}
		next := 1
		for _, name := range names[:3] {
			rows := sheets[name]
			if rows[0][0] != "n" {
				t.Errorf("sheet %s: header %q", name, rows[0])
			}
			for _, r := range rows[1:] {
				if r[0] != fmt.Sprint(next) {
					t.Errorf("sheet %s: row %q, want %d", name, r, next)
				}
				next++
			}
			if len(rows) > 10 {
				t.Errorf("sheet %s: %d rows, limit 10", name, len(rows))
			}
		}
		if next != 26 {
			t.Errorf("chunk %d: %d data rows, want 25", chunk, next-1)
		}
		if len(sheets["Data (2)"]) != 3 {
			t.Errorf("the second source's sheet: %q", sheets["Data (2)"])
		}
		wantWarn := []string{`sheet "Data": more than 10 rows; data rows from 10 on continue on sheet "Data (3)"`,
			`sheet "Data": more than 10 rows; data rows from 19 on continue on sheet "Data (4)"`}
		if !slices.Equal(w.Warnings(), wantWarn) {
			t.Errorf("warnings %q, want %q", w.Warnings(), wantWarn)
		}
		parts := entries(t, data)
		if ref == nil {
			ref = parts
		}
		for name, want := range ref {
			if !bytes.Equal(parts[name], want) {
				t.Errorf("chunk %d: part %s differs from chunk 1", chunk, name)
			}
		}
		if !strings.Contains(string(parts["xl/worksheets/sheet1.xml"]), `<autoFilter ref="A1:A10"/>`) {
			t.Error("autofilter of the first sheet")
		}
	}
}

// The real limit: 1,048,577 data rows make a full sheet and one more row.
func TestRowLimitReal(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 1,048,577 rows")
	}
	data, w := rowLimitBook(t, MaxRows+1, MaxRows, 65536)
	names, sheets := readOwn(t, saveBook(t, data))
	if !slices.Equal(names, []string{"Data", "Data (3)", "Data (2)"}) {
		t.Fatalf("sheets %q", names)
	}
	if n := len(sheets["Data"]); n != MaxRows {
		t.Errorf("first sheet: %d rows with the header, want %d", n, MaxRows)
	}
	if got := sheets["Data (3)"]; len(got) != 3 || got[1][0] != "1048576" || got[2][0] != "1048577" {
		t.Errorf("continuation: %q", got)
	}
	if len(w.Warnings()) != 1 {
		t.Errorf("warnings %q", w.Warnings())
	}
}

func TestEmptyAndMisuse(t *testing.T) {
	sch := schema.Schema{{Name: "a", Type: schema.String}}
	data, _, err := writeBook(t, []sheetData{{"Empty", sch, nil}, {"One", sch, [][]any{{"x"}}}}, 10, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	names, sheets := readOwn(t, saveBook(t, data))
	if !slices.Equal(names, []string{"Empty", "One"}) || len(sheets["Empty"]) != 1 || len(sheets["One"]) != 2 {
		t.Errorf("sheets %q %q, want Empty with its header only and One", names, sheets)
	}
	if !strings.Contains(string(entries(t, data)["xl/workbook.xml"]), `<sheet name="Empty" sheetId="1" r:id="rId1"/>`) {
		t.Error("the empty sheet is missing")
	}
	// No sheet at all: one empty Sheet1.
	var out bytes.Buffer
	w, _ := New(&out, Options{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(entries(t, out.Bytes())["xl/workbook.xml"]), `name="Sheet1"`) {
		t.Error("no Sheet1 in an empty workbook")
	}
	// Parts of an earlier sheet after a later one.
	out.Reset()
	w, _ = New(&out, Options{})
	s1, _ := w.AddSheet("A", sch)
	s2, _ := w.AddSheet("B", sch)
	b := batchOf(t, sch, [][]any{{"x"}})
	defer b.Release()
	p2, _ := s2.EncodeChunk(b)
	p1, _ := s1.EncodeChunk(b)
	if err := w.Append(p2); err != nil {
		t.Fatal(err)
	}
	if err := w.Append(p1); err == nil || !strings.Contains(err.Error(), `a part of sheet "A" after the sheets that follow it`) {
		t.Errorf("out of order: %v", err)
	}
	// A batch of the wrong type.
	bad := batchOf(t, schema.Schema{{Name: "a", Type: schema.Int}}, [][]any{{int64(1)}})
	defer bad.Release()
	if _, err := s1.EncodeChunk(bad); err == nil || !strings.Contains(err.Error(), `column "a": chunk holds int64, schema type string wants utf8`) {
		t.Errorf("wrong type: %v", err)
	}
}

// failAfter accepts n bytes, then fails as a full disk does.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		w := f.n
		f.n = 0
		return w, errors.New("no space left on device")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteError(t *testing.T) {
	var rows [][]any
	for i := range 20000 {
		rows = append(rows, []any{int64(i), float64(i) / 3, true, nil, nil, nil, nil, fmt.Sprint("row ", i)})
	}
	var stream bytes.Buffer // as the failing output below is: no <dimension>
	full, _, err := writeBookTo(t, &stream, &stream, []sheetData{{"S", typedSchema, rows}}, 1000, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 100, len(full) / 2, len(full) - 10} {
		w, _ := New(&failAfter{n: limit}, Options{})
		s, _ := w.AddSheet("S", typedSchema)
		var werr error
		for lo := 0; lo < len(rows) && werr == nil; lo += 1000 {
			b := batchOf(t, typedSchema, rows[lo:lo+1000])
			p, err := s.EncodeChunk(b)
			b.Release()
			if err != nil {
				t.Fatal(err)
			}
			werr = w.Append(p)
		}
		cerr := w.Close()
		if cerr == nil || !strings.Contains(cerr.Error(), "no space left on device") {
			t.Errorf("limit %d: Append %v, Close %v, want the write error", limit, werr, cerr)
		}
		if werr != nil && cerr != werr {
			t.Errorf("limit %d: Close %v after Append %v, want the same error", limit, cerr, werr)
		}
	}
}

// Every batch is released, parts holding none: after the workbook, after a split at
// the row limit, after an error.
func TestReleases(t *testing.T) {
	checked := memory.NewCheckedAllocator(memory.NewGoAllocator())
	testAllocator = checked
	defer func() { testAllocator = memory.DefaultAllocator }()
	for _, chunk := range []int{1, 4, 25} {
		rowLimitBook(t, 25, 10, chunk)
	}
	sch := schema.Schema{{Name: "text", Type: schema.String}}
	rows := make([][]any, 3000)
	for i := range rows {
		rows[i] = []any{"x"}
	}
	rows[2500] = []any{strings.Repeat("x", MaxCellChars+1)}
	if _, _, err := writeBook(t, []sheetData{{"S", sch, rows}}, 100, 2, nil); err == nil {
		t.Fatal("no error for a long cell")
	}
	// An output that fails while parts wait for the sample rows.
	w, _ := New(&failAfter{n: 0}, Options{})
	s, _ := w.AddSheet("S", sch)
	b := batchOf(t, sch, rows[:10])
	p, _ := s.EncodeChunk(b)
	b.Release()
	w.Append(p)
	if err := w.Close(); err == nil {
		t.Error("no error from a failing output")
	}
	checked.AssertSize(t, 0)
}

// TestAddSheetAfterAppend: sheets added one after the other, each once the sheets before
// it have all their parts (as a --sheet-per-source output runs its sources), each with
// its own columns: each continues past the row limit on its own, its continuations
// taking the next free names.
func TestAddSheetAfterAppend(t *testing.T) {
	var out bytes.Buffer
	w, err := New(&out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.maxRows = 4
	for k, name := range []string{"Data", "data", "Other"} {
		sch := schema.Schema{{Name: fmt.Sprintf("c%d", k), Type: schema.Int}}
		s, err := w.AddSheet(name, sch)
		if err != nil {
			t.Fatal(err)
		}
		var rows [][]any
		for i := range 2 + 3*k {
			rows = append(rows, []any{int64(10*k + i)})
		}
		b := batchOf(t, sch, rows)
		p, err := s.EncodeChunk(b)
		b.Release()
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Append(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	names, sheets := readOwn(t, saveBook(t, out.Bytes()))
	// "data" is taken (letter case aside): it is "data (2)", which continues on "data (2) (2)".
	if want := []string{"Data", "data (2)", "data (2) (2)", "Other", "Other (2)", "Other (3)"}; !slices.Equal(names, want) {
		t.Fatalf("sheets %q, want %q", names, want)
	}
	if got := fmt.Sprint(sheets["data (2) (2)"], sheets["Other (3)"]); got != "[[c1] [13] [14]] [[c2] [26] [27]]" {
		t.Errorf("continuations %s", got)
	}
}

// TestPartKeepsNoBatch: once EncodeChunk returns, the batch's buffers may serve the
// next chunk (the engine reuses the CSV decoder's): a part split at the row limit
// still holds the values it was encoded from.
func TestPartKeepsNoBatch(t *testing.T) {
	sch := schema.Schema{{Name: "text", Type: schema.String}}
	var out bytes.Buffer
	w, err := New(&out, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w.maxRows = 3
	s, err := w.AddSheet("S", sch)
	if err != nil {
		t.Fatal(err)
	}
	b := batchOf(t, sch, [][]any{{"one"}, {"two"}, {"three"}, {"four"}, {"five"}})
	p, err := s.EncodeChunk(b)
	if err != nil {
		t.Fatal(err)
	}
	text := b.Column(0).Data().Buffers()[2].Bytes()
	for i := range text {
		text[i] = 'z' // the next chunk decoded into the same buffer
	}
	b.Release()
	if err := w.Append(p); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	names, sheets := readOwn(t, saveBook(t, out.Bytes()))
	got := fmt.Sprint(names, sheets["S"], sheets["S (2)"], sheets["S (3)"])
	if want := "[S S (2) S (3)] [[text] [one] [two]] [[text] [three] [four]] [[text] [five]]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// A worksheet written to a file of its own gets a <dimension> with its extent, written
// at its end into the room left before its rows; one written to a stream gets none.
func TestDimension(t *testing.T) {
	rows, _ := typedData() // 8 data rows of 8 columns
	sheets := []sheetData{{"Typed", typedSchema, rows}, {"Empty", nil, nil}, {"Head only", typedSchema, nil}}
	dimensions := func(data []byte) map[string]string {
		got := map[string]string{}
		for name, xml := range entries(t, data) { // archive/zip checks the CRC-32 of each
			if strings.HasPrefix(name, "xl/worksheets/") {
				m := regexp.MustCompile(`<dimension ref="([^"]*)" *\/>`).FindSubmatch(xml)
				if m == nil {
					got[name] = "none"
				} else {
					got[name] = string(m[1])
				}
			}
		}
		return got
	}
	for _, workers := range []int{1, 4} {
		data, _, err := writeBook(t, sheets, 3, workers, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"xl/worksheets/sheet1.xml": "A1:H9", "xl/worksheets/sheet2.xml": "A1", "xl/worksheets/sheet3.xml": "A1:H1"}
		if got := dimensions(data); !maps.Equal(got, want) {
			t.Errorf("workers %d: dimensions %v, want %v", workers, got, want)
		}
		if _, read := readOwn(t, saveBook(t, data)); len(read["Typed"]) != 9 || len(read["Head only"]) != 1 {
			t.Errorf("our reader: %d rows of Typed, %d of Head only", len(read["Typed"]), len(read["Head only"]))
		}
	}
	// Past the row limit (6 rows here) each worksheet has its own extent.
	data, _, err := writeBook(t, sheets[:1], 3, 2, func(w *Writer) { w.maxRows = 6 })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"xl/worksheets/sheet1.xml": "A1:H6", "xl/worksheets/sheet2.xml": "A1:H4"}
	if got := dimensions(data); !maps.Equal(got, want) {
		t.Errorf("continued sheet: dimensions %v, want %v", got, want)
	}
	var stream bytes.Buffer
	data, _, err = writeBookTo(t, &stream, &stream, sheets[:1], 3, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := dimensions(data); got["xl/worksheets/sheet1.xml"] != "none" {
		t.Errorf("to a stream: dimension %v, want none", got)
	}
	for cols, want := range map[int]string{0: "A1", 1: "A1:A1048576", 16384: "A1:XFD1048576"} {
		el := dimensionElement(cols, 1048575)
		if len(el) != dimensionSize || !bytes.Contains(el, []byte(`ref="`+want+`"`)) {
			t.Errorf("%d columns: %q (%d bytes, room %d)", cols, el, len(el), dimensionSize)
		}
	}
}
