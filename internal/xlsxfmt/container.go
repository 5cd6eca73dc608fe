package xlsxfmt

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/richardlehane/mscfb"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits bound what one workbook may cost, against zip and XML bombs. Zero fields
// take the defaults.
type Limits struct {
	MaxPartBytes    int64 // inflated size of any one package part (default 8 GiB)
	MaxRatio        int64 // inflated/compressed size of a part, checked past its first MiB (default 1000)
	MaxElementBytes int   // one row, or one metadata part read whole (default 256 MiB)
	MaxDepth        int   // element nesting inside a row (default 64)
}

func (l Limits) withDefaults() Limits {
	if l.MaxPartBytes <= 0 {
		l.MaxPartBytes = 8 << 30
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = 1000
	}
	if l.MaxElementBytes <= 0 {
		l.MaxElementBytes = 256 << 20
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = 64
	}
	return l
}

// Error is a reading error located as precisely as known. Its text is one line:
//
//	sales.xlsx: sheet "Q1": row 12, column C: shared string index 99 out of range (table has 5)
type Error struct {
	File  string
	Sheet string // "" when not about one sheet
	Row   int    // Excel row number, 0 when unknown
	Col   int    // 0-based column, -1 when unknown
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ": sheet %q", e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
		if e.Col >= 0 {
			fmt.Fprintf(&b, ", column %s", ColumnName(e.Col))
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNotXLSX is wrapped by the errors for files that are not xlsx packages: legacy .xls,
// OpenDocument, .xlsb, other files.
var ErrNotXLSX = errors.New("not an xlsx workbook")

// ErrPassword is wrapped by the errors for encrypted workbooks read without the
// right password.
var ErrPassword = errors.New("password")

// pkg is an opened OOXML package: a zip reader and its parts by normalised name.
type pkg struct {
	parts  map[string]*zip.File
	limits Limits
}

const (
	zipMagic = "PK\x03\x04"
	cfbMagic = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"
)

// openPackage opens the file f (or, when decrypted is non-nil, those bytes) as an xlsx
// package. f is read at its offsets, and may be read by many parts at once.
func openPackage(f *os.File, decrypted []byte, limits Limits) (*pkg, error) {
	if decrypted != nil {
		zr, err := zip.NewReader(bytes.NewReader(decrypted), int64(len(decrypted)))
		if err != nil {
			return nil, fmt.Errorf("decrypted package is not a zip: %w", err)
		}
		return newPkg(zr, limits)
	}
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	zr, err := zip.NewReader(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%w: damaged zip container: %v", ErrNotXLSX, err)
	}
	return newPkg(zr, limits)
}

func newPkg(zr *zip.Reader, limits Limits) (*pkg, error) {
	zr.RegisterDecompressor(zip.Deflate, func(r io.Reader) io.ReadCloser { return flate.NewReader(r) })
	p := &pkg{parts: make(map[string]*zip.File, len(zr.File)), limits: limits}
	for _, zf := range zr.File {
		p.parts[partKey(zf.Name)] = zf
	}
	if _, ok := p.parts["[content_types].xml"]; !ok {
		if mt, ok := p.parts["mimetype"]; ok && mt.UncompressedSize64 < 256 {
			if b, err := p.readAll("mimetype"); err == nil && bytes.Contains(b, []byte("opendocument.spreadsheet")) {
				return nil, fmt.Errorf("%w: it is an OpenDocument spreadsheet (.ods); save it as .xlsx", ErrNotXLSX)
			}
		}
		if _, ok := p.parts["content.xml"]; ok {
			return nil, fmt.Errorf("%w: it is an OpenDocument file; save it as .xlsx", ErrNotXLSX)
		}
		if _, ok := p.parts["xl/workbook.xml"]; !ok {
			return nil, fmt.Errorf("%w: a zip file without [Content_Types].xml or xl/workbook.xml", ErrNotXLSX)
		}
	}
	if _, ok := p.parts["xl/workbook.bin"]; ok {
		return nil, fmt.Errorf("%w: it is an Excel binary workbook (.xlsb); save it as .xlsx", ErrNotXLSX)
	}
	return p, nil
}

// partKey normalises a part name: '/'-separated, no leading slash, lower case
// (OPC part names compare case-insensitively).
func partKey(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	return strings.ToLower(strings.TrimPrefix(path.Clean("/"+name), "/"))
}

func (p *pkg) has(name string) bool {
	_, ok := p.parts[partKey(name)]
	return ok
}

// open streams one part, inflated under the bomb limits and transcoded to UTF-8
// when the part is UTF-16 (Excel for Windows Phone writes every part that way).
func (p *pkg) open(name string) (io.ReadCloser, error) {
	zf, ok := p.parts[partKey(name)]
	if !ok {
		return nil, fmt.Errorf("part %s is missing", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, fmt.Errorf("part %s: %w", name, err)
	}
	lr := &limitedPart{r: rc, name: name, compressed: int64(zf.CompressedSize64), limits: p.limits}
	br := bufio.NewReaderSize(lr, 64<<10)
	head, _ := br.Peek(4)
	var r io.Reader = br
	if isUTF16(head) {
		r = transform.NewReader(br, unicode.UTF16(utf16Order(head), unicode.UseBOM).NewDecoder())
	}
	return readCloser{r, rc}, nil
}

// readAll reads one part whole (metadata parts), within MaxElementBytes.
func (p *pkg) readAll(name string) ([]byte, error) {
	rc, err := p.open(name)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(p.limits.MaxElementBytes)+1))
	if err != nil {
		return nil, err
	}
	if len(b) > p.limits.MaxElementBytes {
		return nil, fmt.Errorf("part %s is larger than %d bytes", name, p.limits.MaxElementBytes)
	}
	return b, nil
}

func isUTF16(head []byte) bool {
	if len(head) < 2 {
		return false
	}
	return (head[0] == 0xFF && head[1] == 0xFE) || (head[0] == 0xFE && head[1] == 0xFF) ||
		(head[0] == '<' && head[1] == 0) || (head[0] == 0 && head[1] == '<')
}

func utf16Order(head []byte) unicode.Endianness {
	if head[0] == 0xFE || head[0] == 0 {
		return unicode.BigEndian
	}
	return unicode.LittleEndian
}

type readCloser struct {
	io.Reader
	io.Closer
}

// limitedPart fails a part that inflates past the size or ratio limits, however
// its zip headers describe it.
type limitedPart struct {
	r          io.Reader
	name       string
	n          int64
	compressed int64
	limits     Limits
}

func (l *limitedPart) Read(b []byte) (int, error) {
	n, err := l.r.Read(b)
	l.n += int64(n)
	if l.n > l.limits.MaxPartBytes {
		return n, fmt.Errorf("part %s inflates past %d bytes (zip bomb limit)", l.name, l.limits.MaxPartBytes)
	}
	if l.n > 1<<20 && l.n > l.limits.MaxRatio*max(l.compressed, 1) {
		return n, fmt.Errorf("part %s inflates more than %d times its compressed size (zip bomb limit)", l.name, l.limits.MaxRatio)
	}
	return n, err
}

// sniff reads the start of f and refuses what is not a zip package, saying what it is.
// For an encrypted workbook it returns the decrypted package when the password opens it.
func sniff(f *os.File, password string) (decrypted []byte, err error) {
	head := make([]byte, 8)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte(zipMagic)), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return nil, nil
	case bytes.HasPrefix(head, []byte(cfbMagic)):
		return sniffCompound(f, password)
	case n == 0:
		return nil, fmt.Errorf("%w: the file is empty", ErrNotXLSX)
	case bytes.HasPrefix(head, []byte("\x09\x08")), bytes.HasPrefix(head, []byte("\x09\x04")), bytes.HasPrefix(head, []byte("\x09\x02")):
		return nil, fmt.Errorf("%w: it is a legacy Excel 2.x–4.x (BIFF) workbook; save it as .xlsx", ErrNotXLSX)
	}
	return nil, fmt.Errorf("%w: unrecognised content (expected a zip package)", ErrNotXLSX)
}

// sniffCompound tells apart the OLE2 compound files: an encrypted OOXML package
// (EncryptionInfo + EncryptedPackage streams) and a legacy .xls (Workbook stream).
func sniffCompound(f *os.File, password string) ([]byte, error) {
	doc, err := mscfb.New(f)
	if err != nil {
		return nil, fmt.Errorf("%w: a damaged OLE2 compound file: %v", ErrNotXLSX, err)
	}
	var encrypted, workbook bool
	var info, encPackage []byte
	for e, err := doc.Next(); err == nil; e, err = doc.Next() {
		switch e.Name {
		case "EncryptionInfo", "EncryptedPackage":
			encrypted = true
			if password == "" {
				continue
			}
			stream, err := io.ReadAll(doc)
			if err != nil {
				return nil, fmt.Errorf("%w: a damaged OLE2 compound file: its %s stream: %v", ErrNotXLSX, e.Name, err)
			}
			if e.Name == "EncryptionInfo" {
				info = stream
			} else {
				encPackage = stream
			}
		case "Workbook", "Book":
			workbook = true
		}
	}
	switch {
	case encrypted && password == "":
		return nil, fmt.Errorf("%w required: the workbook is encrypted (password-protected); put the password in an environment variable and name it with --password-env VAR", ErrPassword)
	case encrypted:
		out, err := decryptWorkbook(info, encPackage, password)
		switch {
		case errors.Is(err, errWrongPassword):
			return nil, fmt.Errorf("wrong %w: the workbook could not be decrypted; check the variable --password-env names", ErrPassword)
		case err != nil:
			return nil, fmt.Errorf("%w-protected workbook that cannot be decrypted: %v", ErrPassword, err)
		case !bytes.HasPrefix(out, []byte(zipMagic)):
			return nil, fmt.Errorf("%w-protected workbook that cannot be decrypted: its decrypted content is not a zip package", ErrPassword)
		}
		return out, nil
	case workbook:
		return nil, fmt.Errorf("%w: it is a legacy Excel 97–2003 workbook (.xls, BIFF8); save it as .xlsx", ErrNotXLSX)
	}
	return nil, fmt.Errorf("%w: an OLE2 compound file that holds no workbook", ErrNotXLSX)
}
