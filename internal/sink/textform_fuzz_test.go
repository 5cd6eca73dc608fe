package sink

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/schema"
)

// fuzzRows cuts the fuzzer's text into rows (lines) of n fields (split on ','; missing
// ones empty, which is null), at most 64 rows.
func fuzzRows(data string, n int) [][]string {
	var rows [][]string
	for line := range strings.Lines(data) {
		if len(rows) == 64 {
			break
		}
		fields := strings.SplitN(strings.TrimSuffix(line, "\n"), ",", n)
		for len(fields) < n {
			fields = append(fields, "")
		}
		rows = append(rows, fields)
	}
	return rows
}

// FuzzJSONLValuesAsTextSameBytes is TestJSONLValuesAsTextSameBytes for any values: a
// chunk conformed to JSON Lines' ConformSchema (int, float, bool and date columns kept
// as their unchecked text) is written as the bytes of the same chunk conformed to the
// plain schema, or Encode of the text says it cannot (ErrUncheckedText), and the chunk
// conformed the long way, as the runner then does, is; where a value does not fit its
// column, that is the error, the same as the typed conform's.
// The text fast paths (jsonIntText, jsonFloatForm, the date's ten bytes) are held to
// the typed values' formatting (strconv.AppendInt, appendJSONFloat, table.AppendDate).
func FuzzJSONLValuesAsTextSameBytes(f *testing.F) {
	for _, seed := range []string{
		"1,2.5,a,true,2024-02-29\n-0,1.50,b,false,0001-01-01\n007,-0.0,,TRUE,9999-12-31\n",
		"+4,1e3,d,False,1970-01-01\n5,0.0000001,e,true,1900-02-28\n",
		"00,0.0,x,true,2024-01-01\n-9223372036854775808,1.,y,false,2024-01-01\n9223372036854775807,.5,z,true,2024-01-01\n",
		"123456789012345678,123456789012345,s,true,2000-02-29\n1234567890123456789,1234567890123456,s,true,2000-02-29\n",
		"0,-0.000,s,true,2000-02-29\n1,0.000001,s,true,2000-02-29\n1,0.0000009,s,true,2000-02-29\n1,9007199254740993,s,true,2000-02-29\n",
		"1,1e308,s,true,2000-02-29\n1,1e309,s,true,2000-02-29\n1,-1e-320,s,true,2000-02-29\n1, 2 ,s, true ,2000-02-30\n",
	} {
		f.Add(seed)
	}
	format, err := Lookup("jsonl", "")
	if err != nil {
		f.Fatal(err)
	}
	s := schema.Schema{{Name: "i", Type: schema.Int}, {Name: "f", Type: schema.Float}, {Name: "s", Type: schema.String},
		{Name: "b", Type: schema.Bool}, {Name: "d", Type: schema.Date}}
	sk, err := format.New(Config{Schema: s})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		rows := fuzzRows(data, len(s))
		if rows == nil {
			return
		}
		typedChunk, _, typedErr := s.Conform(textChunk(t, s, rows), expr.OnErrorFail)
		asTextChunk, _, textErr := format.ConformSchema(s).Conform(textChunk(t, s, rows), expr.OnErrorFail)
		if textErr != nil && (typedErr == nil || textErr.Error() != typedErr.Error()) {
			t.Fatalf("rows %q: conformed as text: %v; typed: %v", rows, textErr, typedErr)
		}
		if textErr != nil {
			return
		}
		asText, err := sk.Encode(nil, asTextChunk)
		if errors.Is(err, ErrUncheckedText) {
			// What the runner does then: the chunk conformed the long way (a blank value,
			// null, lands here too).
			checked, _, checkedErr := format.ConformSchema(s).Checked().Conform(textChunk(t, s, rows), expr.OnErrorFail)
			if fmt.Sprint(checkedErr) != fmt.Sprint(typedErr) {
				t.Fatalf("rows %q: conformed checked: %v; typed: %v", rows, checkedErr, typedErr)
			}
			if checkedErr != nil {
				return
			}
			asText, err = sk.Encode(nil, checked)
		}
		if typedErr != nil {
			t.Fatalf("rows %q: typed conform fails (%v) but the text is written (error %v):\n%s", rows, typedErr, err, asText.Bytes)
		}
		if err != nil {
			t.Fatalf("rows %q: %v", rows, err)
		}
		typed, err := sk.Encode(nil, typedChunk)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(typed.Bytes, asText.Bytes) {
			t.Fatalf("rows %q: values as text:\n%s\ntyped:\n%s", rows, asText.Bytes, typed.Bytes)
		}
	})
}
