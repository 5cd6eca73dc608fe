package xlsxfmt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"sync"
)

// Options choose what to read from a workbook.
type Options struct {
	Sheets        []string // NAME | 1-based INDEX | GLOB (* = every visible worksheet); empty = first visible worksheet
	IncludeHidden bool     // let globs match hidden and very hidden worksheets
	HeaderRow     int      // 1-based Excel row of the header; 0 = the first row holding a value
	NoHeader      bool     // no header row: columns are named A, B, ...
	Range         string   // "" or a rectangle such as "A1:F500": read only those cells
	Password      string   // for encrypted workbooks
	Limits        Limits
}

// Book is an opened workbook: its sheet list and everything a row decoder needs
// (shared strings, per-style date classes, the date system), read once.
type Book struct {
	Path     string
	Date1904 bool
	Sheets   []SheetInfo // every sheet, in workbook order

	opts Options
	// The workbook's one file, read by every part at its offsets; nil while parked
	// (see Park). mu orders the parking, the splits' uses of it and Close.
	mu        sync.Mutex
	file      *os.File
	info      os.FileInfo // the file as opened
	users     int
	parking   bool
	closed    bool
	pkg       *pkg
	decrypted []byte // the decrypted package of an encrypted workbook, shared read-only
	strings   *sharedStrings
	formats   []format // per cellXfs index
	parts     []string // per sheet: its part name

	// uncalculated: the workbook asks to be recalculated on opening (fullCalcOnLoad),
	// as xlsxwriter and openpyxl write it: its formulas' cached values were never
	// calculated.
	uncalculated bool
}

// SheetInfo describes one sheet of a workbook.
type SheetInfo struct {
	Name       string `json:"name"`
	Index      int    `json:"index"`      // 1-based position in the workbook
	Visibility string `json:"visibility"` // visible, hidden or veryHidden
	Kind       string `json:"kind"`       // worksheet, chartsheet, dialogsheet or macrosheet
	Dimension  string `json:"dimension"`  // the sheet's own claim of its used range, "" if none
	Rows       int    `json:"rows"`       // data rows when counted (Inspect), -1 when not
}

// Open reads a workbook's metadata: sheets, shared strings, styles and date system.
// The file's content decides its format, whatever its extension: .xls, .ods and
// encrypted files are refused with an error saying what they are.
func Open(path string, opts Options) (*Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	return OpenFile(path, f, opts)
}

// OpenFile is Open for the regular file f, opened from path, which the book takes over
// (it is closed when OpenFile fails, else by Close). Every part, of every sheet, is read
// from f: the workbook read is the one opened, even if path names another file later.
func OpenFile(path string, f *os.File, opts Options) (*Book, error) {
	opts.Limits = opts.Limits.withDefaults()
	fail := func(err error) (*Book, error) {
		f.Close()
		return nil, &Error{File: path, Col: -1, Err: err}
	}
	info, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	decrypted, err := sniff(f, opts.Password)
	if err != nil {
		return fail(err)
	}
	p, err := openPackage(f, decrypted, opts.Limits)
	if err != nil {
		return fail(err)
	}
	b := &Book{Path: path, opts: opts, file: f, info: info, pkg: p, decrypted: decrypted}
	if err := b.readMetadata(); err != nil {
		return fail(err)
	}
	return b, nil
}

type relationships struct {
	Rels []struct {
		ID     string `xml:"Id,attr"`
		Type   string `xml:"Type,attr"`
		Target string `xml:"Target,attr"`
		Mode   string `xml:"TargetMode,attr"`
	} `xml:"Relationship"`
}

type workbookXML struct {
	XMLName xml.Name
	Pr      struct {
		Date1904 string `xml:"date1904,attr"`
	} `xml:"workbookPr"`
	Calc struct {
		FullCalcOnLoad string `xml:"fullCalcOnLoad,attr"`
	} `xml:"calcPr"`
	Sheets []struct {
		Name  string `xml:"name,attr"`
		State string `xml:"state,attr"`
		RID   string `xml:"id,attr"` // r:id, whatever the prefix
	} `xml:"sheets>sheet"`
}

type stylesXML struct {
	NumFmts []struct {
		ID   string `xml:"numFmtId,attr"`
		Code string `xml:"formatCode,attr"`
	} `xml:"numFmts>numFmt"`
	CellXfs []struct {
		NumFmtID string `xml:"numFmtId,attr"`
	} `xml:"cellXfs>xf"`
}

func (b *Book) readMetadata() error {
	wbPart := "xl/workbook.xml"
	if b.pkg.has("_rels/.rels") {
		var rels relationships
		if err := b.unmarshal("_rels/.rels", &rels); err != nil {
			return err
		}
		for _, r := range rels.Rels {
			if strings.HasSuffix(r.Type, "/officeDocument") && r.Mode != "External" {
				wbPart = resolveTarget("/", r.Target)
			}
		}
	}
	var wb workbookXML
	if err := b.unmarshal(wbPart, &wb); err != nil {
		return err
	}
	if wb.XMLName.Local != "workbook" {
		return fmt.Errorf("part %s is not a workbook part (no <workbook> element): the workbook is damaged", wbPart)
	}
	b.Date1904 = xmlBool(wb.Pr.Date1904)
	b.uncalculated = xmlBool(wb.Calc.FullCalcOnLoad)

	dir := path.Dir("/" + wbPart)
	relsPart := path.Join(dir, "_rels", path.Base(wbPart)+".rels")
	targets := map[string][2]string{} // id → part, kind
	stylesPart, stringsPart := path.Join(dir, "styles.xml"), path.Join(dir, "sharedStrings.xml")
	if b.pkg.has(relsPart) {
		var rels relationships
		if err := b.unmarshal(relsPart, &rels); err != nil {
			return err
		}
		for _, r := range rels.Rels {
			if r.Mode == "External" {
				continue
			}
			target := resolveTarget(dir, r.Target)
			kind := r.Type[strings.LastIndexByte(r.Type, '/')+1:]
			switch kind {
			case "styles":
				stylesPart = target
			case "sharedStrings":
				stringsPart = target
			}
			targets[r.ID] = [2]string{target, kind}
		}
	}
	for i, s := range wb.Sheets {
		t, ok := targets[s.RID]
		if !ok {
			// Some writers omit the relationships; Excel's default layout is the guess.
			t = [2]string{path.Join(dir, "worksheets", fmt.Sprintf("sheet%d.xml", i+1)), "worksheet"}
		}
		info := SheetInfo{Name: s.Name, Index: i + 1, Visibility: "visible", Kind: sheetKind(t[1]), Rows: -1}
		if s.State == "hidden" || s.State == "veryHidden" {
			info.Visibility = s.State
		}
		if info.Kind == "worksheet" && b.pkg.has(t[0]) {
			dim, err := b.dimension(t[0])
			if err != nil {
				return fmt.Errorf("sheet %q: %w", s.Name, err)
			}
			info.Dimension = dim
		}
		b.Sheets = append(b.Sheets, info)
		b.parts = append(b.parts, t[0])
	}
	if err := b.readStyles(stylesPart); err != nil {
		return err
	}
	b.strings = &sharedStrings{}
	if b.pkg.has(stringsPart) {
		data, err := b.pkg.readAll(stringsPart)
		if err != nil {
			return err
		}
		if b.strings, err = parseSharedStrings(data); err != nil {
			return fmt.Errorf("shared strings: %w", err)
		}
	}
	return nil
}

func sheetKind(relType string) string {
	switch relType {
	case "chartsheet":
		return "chartsheet"
	case "dialogsheet":
		return "dialogsheet"
	case "xlMacrosheet", "xlIntlMacrosheet", "macrosheet":
		return "macrosheet"
	}
	return "worksheet"
}

func (b *Book) readStyles(part string) error {
	if !b.pkg.has(part) {
		return nil
	}
	var st stylesXML
	if err := b.unmarshal(part, &st); err != nil {
		return err
	}
	custom := map[int]format{}
	for _, nf := range st.NumFmts {
		if id, err := strconv.Atoi(nf.ID); err == nil {
			custom[id] = classifyFormat(nf.Code)
		}
	}
	b.formats = make([]format, len(st.CellXfs))
	for i, xf := range st.CellXfs {
		id, err := strconv.Atoi(xf.NumFmtID)
		if err != nil {
			continue
		}
		if f, ok := custom[id]; ok {
			b.formats[i] = f
		} else {
			b.formats[i] = builtinFormat(id)
		}
	}
	return nil
}

// dimension reads a worksheet's <dimension ref>, stopping at its rows.
func (b *Book) dimension(part string) (string, error) {
	rc, err := b.pkg.open(part)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	sc := newRowScanner(rc, fullWindow, b.opts.Limits)
	if err := sc.start(); err != nil && !errors.Is(err, errNoSheetData) {
		return "", err // a sheet without rows fails when it is read, not when another is
	}
	return sc.dimension, nil
}

func (b *Book) unmarshal(part string, v any) error {
	data, err := b.pkg.readAll(part)
	if err != nil {
		return err
	}
	d := xml.NewDecoder(bytes.NewReader(data))
	// Parts arrive as UTF-8 (UTF-16 ones are transcoded on reading), whatever their
	// declaration says.
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := d.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("part %s: %w", part, err)
	}
	return nil
}

func resolveTarget(dir, target string) string {
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(dir, target), "/")
}

func xmlBool(v string) bool { return v == "1" || strings.EqualFold(v, "true") || v == "on" }

// sharedStrings is the shared string table held compactly: every string back to back
// in one buffer, ends[i] the end offset of string i.
type sharedStrings struct {
	data     []byte
	ends     []uint32
	hasEmpty bool // some string is ""
}

func (s *sharedStrings) get(i int) ([]byte, bool) {
	if i < 0 || i >= len(s.ends) {
		return nil, false
	}
	start := uint32(0)
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.data[start:s.ends[i]], true
}

// isEmpty reports whether the shared string a cell's <v> text indexes is "" (an
// index out of range is not: the decoder reports it).
func (s *sharedStrings) isEmpty(index []byte) bool {
	if !s.hasEmpty {
		return false
	}
	index = bytes.TrimSpace(index)
	i := 0
	for _, c := range index {
		if c < '0' || c > '9' || i > len(s.ends) {
			return false
		}
		i = i*10 + int(c-'0')
	}
	str, ok := s.get(i)
	return len(index) > 0 && ok && len(str) == 0
}

func (s *sharedStrings) push() error {
	if len(s.data) > 1<<32-1 {
		return errors.New("shared strings exceed 4 GiB")
	}
	start := uint32(0)
	if len(s.ends) > 0 {
		start = s.ends[len(s.ends)-1]
	}
	s.hasEmpty = s.hasEmpty || uint32(len(s.data)) == start
	s.ends = append(s.ends, uint32(len(s.data)))
	return nil
}

// parseSharedStrings reads <sst>: each <si> is the concatenation of its <t> texts
// (plain or rich-text runs), leaving out phonetic <rPh> runs.
func parseSharedStrings(x []byte) (*sharedStrings, error) {
	s := &sharedStrings{}
	if c := bytes.Index(x, []byte("uniqueCount=\"")); c >= 0 && c < 1024 {
		if e := bytes.IndexByte(x[c+13:], '"'); e > 0 {
			if n, err := strconv.Atoi(string(x[c+13 : c+13+e])); err == nil && n > 0 {
				s.ends = make([]uint32, 0, min(n, len(x)/8))
			}
		}
	}
	s.data = make([]byte, 0, len(x)/3)
	inSI, inT, phonetic := false, false, 0
	i := 0
	for {
		j := bytes.IndexByte(x[i:], '<')
		if j < 0 {
			break
		}
		if inT && j > 0 {
			s.data = appendText(s.data, x[i:i+j], false)
		}
		i += j
		t, next, err := scanTag(x, i)
		if err != nil {
			return nil, fmt.Errorf("string %d: %w", len(s.ends)+1, err)
		}
		i = next
		switch t.kind {
		case tagStart:
			switch string(t.name) {
			case "si":
				inSI = true
			case "t":
				inT = inSI && phonetic == 0
			case "rPh":
				phonetic++
			}
		case tagEmpty:
			if string(t.name) == "si" {
				if err := s.push(); err != nil {
					return nil, err
				}
			}
		case tagEnd:
			switch string(t.name) {
			case "si":
				if err := s.push(); err != nil {
					return nil, err
				}
				inSI, inT, phonetic = false, false, 0
			case "t":
				inT = false
			case "rPh":
				phonetic--
			}
		case tagCDATA:
			if inT {
				s.data = appendText(s.data, t.body, true)
			}
		}
	}
	return s, nil
}
