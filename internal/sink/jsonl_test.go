package sink

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/table"
)

// conformed is the chunk a typed sink receives for text rows under s.
func conformed(t testing.TB, s schema.Schema, rows [][]string) *table.Chunk {
	out, _, err := s.Conform(textChunk(t, s, rows), expr.OnErrorFail)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// textChunk is rows as a reader decodes them: text columns, empty cells null.
func textChunk(t testing.TB, s schema.Schema, rows [][]string) *table.Chunk {
	names := make([]string, len(s))
	builders := make([]*array.StringBuilder, len(s))
	for j := range s {
		names[j] = s[j].Name
		builders[j] = array.NewStringBuilder(memory.DefaultAllocator)
	}
	for _, row := range rows {
		for j, v := range row {
			if v == "" {
				builders[j].AppendNull()
			} else {
				builders[j].Append(v)
			}
		}
	}
	cols := make([]arrow.Array, len(s))
	for j, b := range builders {
		cols[j] = b.NewArray()
	}
	return &table.Chunk{Batch: array.NewRecordBatch(table.StringSchema(names), cols, int64(len(rows))), Row0: 1}
}

func encodeJSONL(t *testing.T, s schema.Schema, rows [][]string) string {
	sk, err := newJSONL(Config{Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	p, err := sk.Encode(nil, conformed(t, s, rows))
	if err != nil {
		t.Fatal(err)
	}
	return string(p.Bytes)
}

func TestJSONLValues(t *testing.T) {
	s := schema.Schema{{Name: "id", Type: schema.Int}, {Name: "x", Type: schema.Float}, {Name: "ok", Type: schema.Bool}, {Name: "d", Type: schema.Date},
		{Name: "at", Type: schema.Datetime}, {Name: "t", Type: schema.Time}, {Name: "dur", Type: schema.Duration}, {Name: "s", Type: schema.String}}
	got := encodeJSONL(t, s, [][]string{
		{"9007199254740993", "2", "TRUE", "2024-03-01", "2024-03-01 13:45:00.5", "13:45:00", "-36:00:00", "00123"},
		{"", "", "", "", "", "", "", ""},
		{"-1", "1e21", "false", "1900-01-01", "2024-03-01T00:00", "0:00:00.000001", "0:00:00", "a\"b\\c\n\t\x01</>"},
	})
	want := `{"id":9007199254740993,"x":2.0,"ok":true,"d":"2024-03-01","at":"2024-03-01T13:45:00.5","t":"13:45:00","dur":"-36:00:00","s":"00123"}
{"id":null,"x":null,"ok":null,"d":null,"at":null,"t":null,"dur":null,"s":null}
{"id":-1,"x":1e+21,"ok":false,"d":"1900-01-01","at":"2024-03-01T00:00:00","t":"0:00:00.000001","dur":"0:00:00","s":"a\"b\\c\n\t\u0001</>"}
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Every line is one valid JSON object that encoding/json decodes back to the values,
// keys in column order, whatever bytes the strings hold.
func TestJSONLDecodes(t *testing.T) {
	s := schema.Schema{{Name: "name \"q\"\n", Type: schema.String}, {Name: "n", Type: schema.Int}, {Name: "é", Type: schema.String}}
	values := []string{"plain", "ünïcödé 😀", "bad \xff\xfe utf8", "\x00\x1f\x7f", "\u2028\u2029", `\u0041`, strings.Repeat("x", 70000)}
	var rows [][]string
	for i, v := range values {
		rows = append(rows, []string{v, "12", values[len(values)-1-i]})
	}
	out := encodeJSONL(t, s, rows)
	if !utf8.ValidString(out) {
		t.Error("output is not valid UTF-8")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(rows) {
		t.Fatalf("%d lines for %d rows", len(lines), len(rows))
	}
	for i, line := range lines {
		dec := json.NewDecoder(strings.NewReader(line))
		dec.UseNumber()
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			t.Fatalf("line %d: %v: %s", i+1, err, line)
		}
		wantS := string([]rune(rows[i][0])) // each invalid byte one U+FFFD, as encoding/json
		if obj[s[0].Name] != wantS || obj["n"] != json.Number("12") || obj["é"] != string([]rune(rows[i][2])) {
			t.Errorf("line %d decodes to %q", i+1, obj)
		}
		// Keys in column order.
		tok := json.NewDecoder(strings.NewReader(line))
		tok.Token()
		for _, col := range s {
			k, _ := tok.Token()
			if k != col.Name {
				t.Errorf("line %d: key %q, want %q", i+1, k, col.Name)
			}
			tok.Token()
		}
	}
}

// Chunks encode independently: the parts of a split chunk are the whole chunk's bytes.
func TestJSONLChunksConcatenate(t *testing.T) {
	s := schema.Schema{{Name: "a", Type: schema.Int}, {Name: "b", Type: schema.String}}
	rows := [][]string{{"1", "x"}, {"2", ""}, {"3", "z"}}
	whole := encodeJSONL(t, s, rows)
	var parts bytes.Buffer
	for _, r := range rows {
		parts.WriteString(encodeJSONL(t, s, [][]string{r}))
	}
	if parts.String() != whole {
		t.Errorf("%q != %q", parts.String(), whole)
	}
}

// A UTF-8 sequence cut between two values is invalid in each: both get U+FFFD.
func TestJSONLSplitSequence(t *testing.T) {
	s := schema.Schema{{Name: "s", Type: schema.String}}
	got := encodeJSONL(t, s, [][]string{{"a\xc3"}, {"\xa9b"}})
	if want := "{\"s\":\"a\\ufffd\"}\n{\"s\":\"\\ufffdb\"}\n"; got != want {
		t.Errorf("%q, want %q", got, want)
	}
}

// TestJSONNumberText checks that a number kept as its text (schema.Column.Text) is
// written as the very bytes its value would be: the text when jsonIntText or
// jsonFloatText accepts it, the value formatted otherwise.
func TestJSONNumberText(t *testing.T) {
	values := []string{"0", "-0", "00", "007", "-007", "+5", "5", "-5", "9223372036854775807", "-9223372036854775808",
		"0.0", "-0.0", "1.0", "-1.0", "10.0", "1.00", "1.50", "1.5", ".5", "5.", "-.5", "0.5", "-0.5", "00.5",
		"1e5", "1E5", "1.5e-3", "0.000001", "0.0000001", "-0.000001", "0.0000010", "123456789012345.0", "123456789012345",
		"12345678901234.5", "1234567890123456.5", "0.123456789012345", "0.1234567890123456", "999999999999999.9",
		"0.30000000000000004", "0.1", "0.2", "0.3", "2.675", "1000000", "100000000000000000000.5"}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 50000 {
		digits := make([]byte, 1+rng.IntN(18))
		for i := range digits {
			digits[i] = byte('0' + rng.IntN(10))
		}
		v := string(digits)
		if p := rng.IntN(len(digits) + 3); p > 0 && p < len(digits) {
			v = v[:p] + "." + v[p:]
		}
		if rng.IntN(3) == 0 {
			v = "-" + v
		}
		values = append(values, v)
	}
	for _, v := range values {
		if n, ok := schema.ParseInt(v); ok {
			if got, want := string(appendJSONNumberText(nil, []byte(v), schema.Int)), string(strconv.AppendInt(nil, n, 10)); got != want {
				t.Errorf("int %q: %s, want %s", v, got, want)
			}
		}
		if f, ok := schema.ParseFloat(v); ok {
			if got, want := string(appendJSONNumberText(nil, []byte(v), schema.Float)), string(appendJSONFloat(nil, f)); got != want {
				t.Errorf("float %q: %s, want %s", v, got, want)
			}
		}
	}
}

// A JSON Lines chunk conformed to ConformSchema (values kept as text where they can be)
// is written as the same bytes as one conformed to the plain schema, whatever the chunk.
func TestJSONLValuesAsTextSameBytes(t *testing.T) {
	format, err := Lookup("jsonl", "")
	if err != nil {
		t.Fatal(err)
	}
	s := schema.Schema{{Name: "i", Type: schema.Int}, {Name: "f", Type: schema.Float}, {Name: "s", Type: schema.String},
		{Name: "b", Type: schema.Bool}, {Name: "d", Type: schema.Date}}
	rows := [][]string{{"1", "2.5", "a", "true", "2024-02-29"}, {"-0", "1.50", "b", "false", "0001-01-01"}, {"007", "-0.0", "", "TRUE", "9999-12-31"},
		{"", "3", "c", "", ""}, {"+4", "1e3", "d", "False", "1970-01-01"}, {"5", "0.0000001", "e", "true", "1900-02-28"}}
	for _, rows := range [][][]string{rows[:2], rows, benchChunkRows(300), genCSVRows(300)} {
		sch := s
		if len(rows[0]) == len(benchSchema) {
			sch = benchSchema
		}
		sk, err := format.New(Config{Schema: sch})
		if err != nil {
			t.Fatal(err)
		}
		typed, err := sk.Encode(nil, conformed(t, sch, rows))
		if err != nil {
			t.Fatal(err)
		}
		text := conformed(t, format.ConformSchema(sch), rows)
		for j := range sch {
			if _, kept := text.Batch.Column(j).(*array.String); !kept && len(rows) == 2 && sch[j].Type != schema.String {
				t.Errorf("a %s column of plain values was not kept as text: %s", sch[j].Type, text.Batch.Column(j).DataType())
			}
		}
		asText, err := sk.Encode(nil, text)
		if errors.Is(err, ErrUncheckedText) {
			// The runner's way: a code such as 007 is left to the checked conform.
			asText, err = sk.Encode(nil, conformed(t, format.ConformSchema(sch).Checked(), rows))
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(typed.Bytes, asText.Bytes) {
			t.Errorf("values as text:\n%s\ntyped:\n%s", asText.Bytes, typed.Bytes)
		}
	}
}

// appendJSONText writes what a plain byte-by-byte escaper writes, for strings of every
// kind of byte at every position around its 8-byte steps, and with valid set the same
// for valid UTF-8; alone, and followed by other bytes in their buffer (the short values'
// word test, which reads past them).
func TestJSONTextEscapes(t *testing.T) {
	pieces := []string{"a", "Z", " ", "~", "\"", "\\", "\x00", "\x1f", "\n", "\r", "\t", "\b", "\f", "\x7f", "é", "😀", "\u2028", "\xff", "\xc3", "\xa9", "\xe2\x82"}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(pieces[rng.IntN(len(pieces))])
		}
		s := sb.String()
		want := referenceJSONText(s)
		if got := string(appendJSONText(nil, []byte(s), false)); got != want {
			t.Fatalf("%q: %q, want %q", s, got, want)
		}
		if utf8.ValidString(s) {
			if got := string(appendJSONText(nil, []byte(s), true)); got != want {
				t.Fatalf("valid %q: %q, want %q", s, got, want)
			}
		}
		// As a value of a column's buffer, other bytes after it, into a buffer with
		// room: the 16-byte moves of short values.
		buf := []byte(s + strings.Repeat(pieces[rng.IntN(len(pieces))], 16))[:len(s)]
		dst := append(make([]byte, 0, 64), "xy"...)
		if got := string(appendJSONText(dst, buf, false)[2:]); got != want {
			t.Fatalf("in a buffer %q: %q, want %q", s, got, want)
		}
		if utf8.ValidString(s) {
			if got := string(appendJSONText(dst, buf, true)[2:]); got != want {
				t.Fatalf("valid, in a buffer %q: %q, want %q", s, got, want)
			}
		}
	}
}

// referenceJSONText escapes s one character at a time, as RFC 8259 and appendJSONText
// say.
func referenceJSONText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// A value of a column kept as unchecked text that does not read as the column's type,
// as it is, makes Encode ask for the chunk to be conformed the long way.
func TestJSONLUncheckedText(t *testing.T) {
	format, err := Lookup("jsonl", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		typ    schema.Type
		values []string
	}{
		{schema.Int, []string{" 5", "x", "1.5", "99999999999999999999", "007"}},
		{schema.Float, []string{" 1", "abc", "NaN", "1e999", "01.5"}},
		{schema.Bool, []string{"yes", " true"}},
		{schema.Date, []string{"2024-02-30", "2024-3-1", " 2024-03-01"}},
	} {
		sch := format.ConformSchema(schema.Schema{{Name: "v", Type: tc.typ}})
		sk, err := format.New(Config{Schema: sch})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range tc.values {
			if _, err := sk.Encode(nil, conformed(t, sch, [][]string{{v}})); !errors.Is(err, ErrUncheckedText) {
				t.Errorf("%s %q: %v, want ErrUncheckedText", tc.typ, v, err)
			}
		}
	}
}

// jsonFloatFormWords, the bit-mask reading of a float's text, tells what the byte loop
// (jsonFloatFormBytes) tells for every text of 1 to 16 bytes, whatever bytes follow it
// in its buffer: texts of digits, points, signs, zeros and other bytes at every position.
func TestJSONFloatFormWords(t *testing.T) {
	pieces := []byte("0000123456789..--+eE x\x00\x80\xff/:")
	rng := rand.New(rand.NewPCG(9, 10))
	values := [][]byte{[]byte("0"), []byte("-0"), []byte("0.0"), []byte("-0.0"), []byte("0.000001"), []byte("0.0000001"),
		[]byte("-0.000010"), []byte("12345678901234"), []byte("123456789012345"), []byte("1234567890.12345"),
		[]byte("-123456789.12345"), []byte("100.000"), []byte("1."), []byte(".5"), []byte("-"), []byte("-.5"), []byte("00.5")}
	for range 500000 {
		v := make([]byte, 1+rng.IntN(16))
		for i := range v {
			if rng.IntN(4) == 0 {
				v[i] = pieces[rng.IntN(len(pieces))]
			} else {
				v[i] = byte('0' + rng.IntN(10))
			}
		}
		values = append(values, v)
	}
	for _, v := range values {
		buf := make([]byte, len(v), 16)
		copy(buf, v)
		for i := len(v); i < 16; i++ {
			buf[:16][i] = pieces[rng.IntN(len(pieces))]
		}
		n, pointZero, ok := jsonFloatFormWords(buf)
		wantN, wantPointZero, wantOK := jsonFloatFormBytes(v)
		if ok != wantOK || ok && (n != wantN || pointZero != wantPointZero) {
			t.Fatalf("%q: %d %v %v, want %d %v %v", v, n, pointZero, ok, wantN, wantPointZero, wantOK)
		}
	}
}

// Strings and ints kept as text are copied where no byte of theirs needs more (see
// jsonColumn.clean) and written the long way where one does: every value comes out as
// its reference form, whichever values around it hold such bytes, nulls among them.
func TestJSONLCopiesCleanValues(t *testing.T) {
	format, err := Lookup("jsonl", "")
	if err != nil {
		t.Fatal(err)
	}
	s := schema.Schema{{Name: "s", Type: schema.String}, {Name: "i", Type: schema.Int}}
	sk, err := format.New(Config{Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	pieces := []string{"a", "bc", "Hello world", " ", "\"", "\\", "\x01", "\n", "é", "\xff", "0123456789abcdefghijklmnopqrstuvwxyz"}
	ints := []string{"0", "7", "42", "-0", "-5", "+4", "123456789012345678", "1234567890123456789", "-9223372036854775808", "", "8000000037"}
	rng := rand.New(rand.NewPCG(11, 12))
	for round := range 300 {
		rows := make([][]string, 1+rng.IntN(40))
		var want strings.Builder
		for k := range rows {
			var sb strings.Builder
			for range rng.IntN(4) {
				if rng.IntN(5+round%20) == 0 {
					sb.WriteString(pieces[4+rng.IntN(len(pieces)-4)]) // a byte to escape, now and then
				} else {
					sb.WriteString(pieces[rng.IntN(4)])
				}
			}
			rows[k] = []string{sb.String(), ints[rng.IntN(len(ints))]}
			if round%3 == 0 {
				rows[k][1] = ints[1+rng.IntN(2)] // mostly copies
			}
			want.WriteString(`{"s":`)
			if rows[k][0] == "" {
				want.WriteString("null")
			} else {
				want.WriteString(`"` + referenceJSONText(rows[k][0]) + `"`)
			}
			want.WriteString(`,"i":`)
			if n, ok := schema.ParseInt(rows[k][1]); ok {
				want.WriteString(strconv.FormatInt(n, 10))
			} else {
				want.WriteString("null")
			}
			want.WriteString("}\n")
		}
		p, err := sk.Encode(nil, conformed(t, format.ConformSchema(s), rows))
		if errors.Is(err, ErrUncheckedText) {
			p, err = sk.Encode(nil, conformed(t, format.ConformSchema(s).Checked(), rows))
		}
		if err != nil {
			t.Fatal(err)
		}
		if string(p.Bytes) != want.String() {
			t.Fatalf("rows %q:\n%s\nwant\n%s", rows, p.Bytes, want.String())
		}
	}
}
