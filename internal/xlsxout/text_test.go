package xlsxout

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/ptransform/ptransform/internal/schema"
)

// numberTexts are texts of ints and floats: plain, with leading and trailing zeros,
// signs, exponents, many digits, tiny and huge.
func numberTexts() []string {
	values := []string{"0", "-0", "00", "007", "-007", "+5", "5", "-5", "5.", "-5.", ".5", "-.5", "0.0", "-0.0", "-0.000",
		"1.0", "1.50", "10.0", "100", "1e5", "1E5", "1.5e-3", "0.00001", "0.000010", "0.000001", "-0.00001",
		"999999999999999", "1000000000000000", "-999999999999999", "123456789012345.0", "12345678901234.5",
		"1234567890123456", "0.123456789012345", "0.1234567890123456", "9223372036854775807", "-9223372036854775808",
		"0.30000000000000004", "0.1", "2.675", "786.203097", "-7184765.4777", "0.2991177475"}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 50000 {
		digits := make([]byte, 1+rng.IntN(18))
		for i := range digits {
			digits[i] = byte('0' + rng.IntN(10))
		}
		v := string(digits)
		if p := rng.IntN(len(digits) + 3); p > 0 && p <= len(digits) {
			v = v[:p] + "." + v[p:]
		}
		if rng.IntN(3) == 0 {
			v = "-" + v
		}
		values = append(values, v)
	}
	return values
}

// A number's text is copied only where it is the very text its value is written as.
func TestNumberText(t *testing.T) {
	for _, v := range numberTexts() {
		if n, ok := schema.ParseInt(v); ok && intText([]byte(v)) {
			if n > maxExactInt || n < -maxExactInt || strconv.FormatInt(n, 10) != v {
				t.Errorf("int %q copied, its value is written %d", v, n)
			}
		}
		if f, ok := schema.ParseFloat(v); ok {
			if n, copied := decimalText([]byte(v)); copied {
				if want := string(appendNumber(nil, f)); v[:n] != want {
					t.Errorf("float %q copied as %q, its value is written %q", v, v[:n], want)
				}
			}
		}
	}
	for _, v := range []string{"5", "-5", "999999999999999"} {
		if !intText([]byte(v)) {
			t.Errorf("int %q not copied", v)
		}
	}
	for _, v := range []string{"1.50", "786.203097", "5.0", "0.00001", "-0.5"} {
		if _, ok := decimalText([]byte(v)); !ok {
			t.Errorf("float %q not copied", v)
		}
	}
}

// Int and float columns kept as text (schema.Column.Text) make the same sheet XML as
// the typed columns of the same values.
func TestTextColumnsSameXML(t *testing.T) {
	checkTextColumnsSameXML(t, numberTexts())
}

// FuzzTextColumnsSameXML is TestTextColumnsSameXML for any texts (one a line): the copy
// of an int's or a float's text (intText, decimalText) is held to the formatting of its
// value (strconv.AppendInt, appendNumber, an inline string past 15 digits).
func FuzzTextColumnsSameXML(f *testing.F) {
	f.Add("0\n-0\n00\n007\n+5\n5.\n.5\n-.5\n0.0\n-0.000\n1e5\n1.50\n0.00001\n0.000009")
	f.Add("999999999999999\n1000000000000000\n-999999999999999\n9223372036854775807\n-9223372036854775808\n123456789012345.0")
	f.Add("0.123456789012345\n0.1234567890123456\n9007199254740993\n1e308\n-1e-320\n2.675\n0.30000000000000004")
	f.Fuzz(func(t *testing.T, data string) {
		texts := strings.Split(data, "\n")
		if len(texts) > 64 {
			texts = texts[:64]
		}
		checkTextColumnsSameXML(t, texts)
	})
}

// checkTextColumnsSameXML requires an int and a float column of the texts (those that
// read as the column's type as they are, schema.TextReadsAs, which a text column holds)
// to make the same sheet XML as the typed columns of their values.
func checkTextColumnsSameXML(t *testing.T, texts []string) {
	t.Helper()
	sch := schema.Schema{{Name: "i", Type: schema.Int}, {Name: "f", Type: schema.Float}}
	var typedRows [][]any
	ints, floats := array.NewStringBuilder(testAllocator), array.NewStringBuilder(testAllocator)
	defer ints.Release()
	defer floats.Release()
	for k, v := range texts {
		n, intOK := schema.ParseInt(v)
		f, floatOK := schema.ParseFloat(v)
		intOK = intOK && schema.TextReadsAs([]byte(v), schema.Int)
		floatOK = floatOK && schema.TextReadsAs([]byte(v), schema.Float)
		if !intOK {
			n, v = int64(k), strconv.Itoa(k)
		}
		if !floatOK {
			continue
		}
		row := []any{n, f}
		ints.Append(v)
		floats.Append(texts[k])
		if k%7 == 0 {
			ints.AppendNull()
			floats.AppendNull()
			typedRows = append(typedRows, row, []any{nil, nil})
			continue
		}
		typedRows = append(typedRows, row)
	}
	typed := batchOf(t, sch, typedRows)
	defer typed.Release()
	intArr, floatArr := ints.NewArray(), floats.NewArray()
	defer intArr.Release()
	defer floatArr.Release()
	text := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "i", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "f", Type: arrow.BinaryTypes.String, Nullable: true}}, nil), []arrow.Array{intArr, floatArr}, typed.NumRows())
	defer text.Release()
	w, err := New(nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := w.AddSheet("S", sch)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.EncodeChunk(typed)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Release()
	b, err := s.EncodeChunk(text)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if a.crc != b.crc || a.raw != b.raw || string(a.widths) != string(b.widths) {
		t.Errorf("texts %q: text columns: XML of %d bytes, CRC %08x; typed: %d bytes, CRC %08x (widths equal: %v)", texts,
			b.raw, b.crc, a.raw, a.crc, string(a.widths) == string(b.widths))
	}
}
