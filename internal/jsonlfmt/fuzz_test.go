package jsonlfmt

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLine: any line parses or gives an error, never a panic, and agrees with
// encoding/json: a line it accepts is a valid JSON object, and a valid object line of
// valid UTF-8 is accepted with the same keys, in order, the same
// strings and the other values' JSON text as written.
func FuzzLine(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":"x"}`, `{}`, ` { "k" : [1, {"n": null}] , "t": true } `, `{"e":"\u00e9\ud83d\ude00\n"}`,
		`{"a":-0.5e+2}`, `{"a":01}`, `{"a":1`, `[1]`, `{"a":"\ud800"}`, `{"a":"x","a":"y"}`, "{\"a\":\"caf\xe9\"}", `{"a":tru}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.IndexByte(line, '\n') >= 0 || blank(line) {
			return // Decoder cuts lines at '\n' and skips blank ones
		}
		var p lineParser
		err := p.parse(line)
		valid := json.Valid(line) && bytes.TrimLeft(line, " \t\r")[0] == '{'
		if err == nil && !valid {
			t.Fatalf("%q accepted, but it is not a JSON object", line)
		}
		if !valid || !utf8.Valid(line) {
			return
		}
		keys, values := decodeObject(t, line)
		distinct := map[string]bool{}
		for _, k := range keys {
			distinct[k] = true
		}
		if len(distinct) < len(keys) {
			return // the Decoder refuses a key given twice (duplicate_key golden case)
		}
		if err != nil {
			t.Fatalf("%q refused: %v", line, err)
		}
		if len(p.fields) != len(keys) {
			t.Fatalf("%q: %d fields, encoding/json finds %d", line, len(p.fields), len(keys))
		}
		for i, fl := range p.fields {
			if string(fl.key) != keys[i] {
				t.Fatalf("%q: key %d is %q, encoding/json says %q", line, i, fl.key, keys[i])
			}
			raw := values[i]
			var s string
			if raw[0] == '"' {
				if json.Unmarshal(raw, &s) != nil || s != string(fl.value) {
					t.Fatalf("%q: value %d is %q, encoding/json says %q", line, i, fl.value, s)
				}
				continue
			}
			if string(fl.value) != string(raw) || fl.null != (string(raw) == "null") {
				t.Fatalf("%q: value %d is %q (null %v), encoding/json says %s", line, i, fl.value, fl.null, raw)
			}
		}
	})
}

// decodeObject returns the keys and raw values of a JSON object, by encoding/json.
func decodeObject(t *testing.T, line []byte) ([]string, []json.RawMessage) {
	d := json.NewDecoder(bytes.NewReader(line))
	if _, err := d.Token(); err != nil {
		t.Fatal(err)
	}
	var keys []string
	var values []json.RawMessage
	for d.More() {
		k, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		var raw json.RawMessage
		if err := d.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		keys, values = append(keys, k.(string)), append(values, json.RawMessage(strings.TrimSpace(string(raw))))
	}
	return keys, values
}
