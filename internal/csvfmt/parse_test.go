package csvfmt

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

const N = nullText

func TestRules(t *testing.T) {
	tests := []struct {
		name   string
		input  string
		opts   Options
		header []string
		rows   [][]string
		lines  []int64
		err    string
	}{
		{name: "simple", input: "a,b\n1,2\n3,4\n",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{2, 3}},
		{name: "no final newline", input: "a,b\n1,2\n3,4",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{2, 3}},
		{name: "crlf", input: "a,b\r\n1,2\r\n3,4\r\n",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{2, 3}},
		{name: "crlf without final newline keeps no CR", input: "a,b\r\n1,2\r",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int64{2}},
		{name: "bare CR inside a LF file is data", input: "a,b\n1\r2,3\n",
			header: []string{"a", "b"}, rows: [][]string{{"1\r2", "3"}}, lines: []int64{2}},
		{name: "bare CR line ends", input: "a,b\r1,2\r\"x\ry\",3\r",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"x\ry", "3"}}, lines: []int64{2, 3}},
		{name: "empty fields are null", input: "a,b,c\n,,\n1,,\"\"\n",
			header: []string{"a", "b", "c"}, rows: [][]string{{N, N, N}, {"1", N, N}}, lines: []int64{2, 3}},
		{name: "quoted delimiter, quote, newlines", input: "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n\"l1\nl2\r\nl3\",z\n",
			header: []string{"a", "b"}, rows: [][]string{{"x,y", `say "hi"`}, {"l1\nl2\r\nl3", "z"}}, lines: []int64{2, 3}},
		{name: "blank lines skipped but counted", input: "\na,b\n\n1,2\r\n\r\n\n3,4\n\n",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{4, 7}},
		{name: "bare quote in unquoted field is literal", input: "a,b\n5\" tall,x\"y\"\n",
			header: []string{"a", "b"}, rows: [][]string{{`5" tall`, `x"y"`}}, lines: []int64{2}},
		{name: "text after closing quote is kept", input: "a,b\n\"ab\"cd,\"x\"\"y\"z\"\n",
			header: []string{"a", "b"}, rows: [][]string{{"abcd", `x"yz"`}}, lines: []int64{2}},
		{name: "blanks after closing quote are dropped", input: "a,b\n\"ab\"  ,\"x\" \t\r\n",
			header: []string{"a", "b"}, rows: [][]string{{"ab", "x"}}, lines: []int64{2}},
		{name: "spaces around unquoted fields are kept", input: "a,b\n 1 , 2 \n",
			header: []string{"a", "b"}, rows: [][]string{{" 1 ", " 2 "}}, lines: []int64{2}},
		{name: "NUL passes through", input: "a,b\n\x00,\"\x00\"\n",
			header: []string{"a", "b"}, rows: [][]string{{"\x00", "\x00"}}, lines: []int64{2}},
		{name: "invalid UTF-8 is an error", input: "a,b\n\xff\xfe,\xc3\n",
			header: []string{"a", "b"}, err: "line 2, column 1: invalid UTF-8 (byte 0xFF) (" + invalidUTF8Hint + ")"},
		{name: "invalid UTF-8 late in a quoted field", input: "a,b\n1,2\n\n3,\"x,\ny\xe9\"\n4,5\n",
			header: []string{"a", "b"}, err: "line 5, column 1: invalid UTF-8 (byte 0xE9) (" + invalidUTF8Hint + ")"},
		{name: "invalid UTF-8 in the last field", input: "a,b,c\n1,2,caf\xe9\n",
			header: []string{"a", "b", "c"}, err: "line 2, column 3: invalid UTF-8 (byte 0xE9) (" + invalidUTF8Hint + ")"},
		{name: "valid UTF-8 of every length", input: "a,b\n\u00e9\u20ac,\U0001F600\n",
			header: []string{"a", "b"}, rows: [][]string{{"é€", "😀"}}, lines: []int64{2}},
		{name: "header spanning lines", input: "\"a\nb\",c\n1,2\n",
			header: []string{"a\nb", "c"}, rows: [][]string{{"1", "2"}}, lines: []int64{3}},
		{name: "utf8 bom stripped", input: "\xef\xbb\xbfa,b\n1,2\n",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int64{2}},
		{name: "no header", input: "1,2\n3,4\n", opts: Options{NoHeader: true},
			header: []string{"c1", "c2"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{1, 2}},
		{name: "too many fields", input: "a,b\n1,2\n1,2,3\n",
			header: []string{"a", "b"}, err: "line 3: expected 2 fields, found 3 (--ragged truncate drops the extra cells)"},
		{name: "too few fields", input: "a,b\n1,2\n\n\"x\ny\"\n",
			header: []string{"a", "b"}, err: "line 4: expected 2 fields, found 1 (--ragged pad fills short rows with empty cells)"},
		{name: "wrong delimiter", input: "a;b;c\n1;2;3\n", opts: Options{Delimiter: ','},
			header: []string{"a;b;c"}, rows: [][]string{{"1;2;3"}}, lines: []int64{2}},
		{name: "wrong delimiter for the header", input: "a,b,c\n1;2;3\n", opts: Options{Delimiter: ','},
			header: []string{"a", "b", "c"}, err: "line 2: expected 3 fields, found 1 (is ';' the delimiter? --delimiter ';')"},
		{name: "tab delimiter", input: "a,b\n1\t2\n",
			header: []string{"a", "b"}, err: "line 2: expected 2 fields, found 1 (is TAB the delimiter? --delimiter tab)"},
		{name: "title line", input: "Sales report 2024\n\nid,name,qty,price\n1,x,2,3\n",
			header: []string{"Sales report 2024"}, err: "line 3: expected 1 fields, found 4 (title lines above the header? --header-row N reads the header from line N)"},
		{name: "binary", input: "a,b\n\x00\x00\x01\n",
			header: []string{"a", "b"}, err: "line 2: expected 2 fields, found 1 (the input holds NUL bytes: is it a binary file rather than CSV?)"},
		{name: "pad", input: "a,b,c\n1\n1,2,3,4\n", opts: Options{Ragged: RaggedPad},
			header: []string{"a", "b", "c"}, err: "line 3: expected 3 fields, found 4 (--ragged truncate drops the extra cells)"},
		{name: "truncate", input: "a,b\n1,2,3\n", opts: Options{Ragged: RaggedTruncate},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int64{2}},
		{name: "pad and truncate", input: "a,b,c\n1\n1,2,3,4\n", opts: Options{Ragged: RaggedPadTruncate},
			header: []string{"a", "b", "c"}, rows: [][]string{{"1", N, N}, {"1", "2", "3"}}, lines: []int64{2, 3}},
		{name: "unterminated quote", input: "a,b\n1,2\n3,\"4\n5,6\n",
			header: []string{"a", "b"}, err: "line 3, column 2: quoted field is not closed before the end of the input"},
		{name: "semicolon sniffed", input: "a;b\n1,5;2,5\n",
			header: []string{"a", "b"}, rows: [][]string{{"1,5", "2,5"}}, lines: []int64{2}},
		{name: "tab sniffed", input: "a\tb\n1\t2\n",
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int64{2}},
		{name: "pipe sniffed", input: "a|b|c\n1|2|3\n",
			header: []string{"a", "b", "c"}, rows: [][]string{{"1", "2", "3"}}, lines: []int64{2}},
		{name: "sniffing ignores quoted delimiters", input: "a;b\n\"x,y,z\";2\n",
			header: []string{"a", "b"}, rows: [][]string{{"x,y,z", "2"}}, lines: []int64{2}},
		{name: "one column", input: "a\n1\n2\n",
			header: []string{"a"}, rows: [][]string{{"1"}, {"2"}}, lines: []int64{2, 3}},
		{name: "explicit delimiter", input: "a,b;c\n1,2;3\n", opts: Options{Delimiter: ';'},
			header: []string{"a,b", "c"}, rows: [][]string{{"1,2", "3"}}, lines: []int64{2}},
		{name: "latin1", input: "a,b\ncaf\xe9,\x80\n", opts: Options{Encoding: "latin1"},
			header: []string{"a", "b"}, rows: [][]string{{"café", "\u0080"}}, lines: []int64{2}},
		{name: "cp1252", input: "a,b\n\x93q\x94,\x80\x81\n", opts: Options{Encoding: "cp1252"},
			header: []string{"a", "b"}, rows: [][]string{{"“q”", "€\u0081"}}, lines: []int64{2}},
		{name: "utf16le", input: "\xff\xfea\x00,\x00b\x00\n\x001\x00,\x00=\xd8\x00\xde\n\x00",
			header: []string{"a", "b"}, rows: [][]string{{"1", "😀"}}, lines: []int64{2}},
		{name: "utf16be explicit without bom", input: "\x00a\x00,\x00b\x00\n\x001\x00,\x002", opts: Options{Encoding: "utf-16be"},
			header: []string{"a", "b"}, rows: [][]string{{"1", "2"}}, lines: []int64{2}},
		{name: "empty input", input: "", header: nil},
		{name: "only blank lines", input: "\n\r\n\n", header: nil},
		{name: "header only", input: "a,b\n", header: []string{"a", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "in.csv", []byte(tt.input))
			in := mustOpen(t, path, tt.opts)
			if !slices.Equal(in.Header, tt.header) {
				t.Fatalf("header %q, want %q", in.Header, tt.header)
			}
			seq := decodeSequential(t, in)
			want := result{rows: tt.rows, lines: tt.lines}
			if tt.err != "" {
				if !strings.HasSuffix(seq.err, tt.err) || !strings.HasPrefix(seq.err, path+": ") {
					t.Fatalf("error %q, want %q", seq.err, path+": "+tt.err)
				}
				want = seq
			} else if !equalResults(seq, want) {
				t.Fatalf("got\n%q %v %s\nwant\n%q %v", seq.rows, seq.lines, seq.err, want.rows, want.lines)
			}
			for _, cs := range []int{1, 2, 3, 5, 8, 13, 64} {
				if in.Seekable {
					if got, _ := decodeChunked(t, in, int64(cs)); !equalResults(got, want) {
						t.Fatalf("ranges of %d bytes:\n%q %v %q\nwant\n%q %v %q", cs, got.rows, got.lines, got.err, want.rows, want.lines, want.err)
					}
				}
				in2 := mustOpen(t, path, tt.opts)
				if got := decodeSplit(t, in2, cs); !equalResults(got, want) {
					t.Fatalf("blocks of %d bytes:\n%q %v %q\nwant\n%q %v %q", cs, got.rows, got.lines, got.err, want.rows, want.lines, want.err)
				}
			}
		})
	}
}

func TestParseErrorFormat(t *testing.T) {
	e := &ParseError{File: "f.csv", Line: 2, Column: 3, Msg: "bad"}
	e.Rebase(5)
	if got := e.Error(); got != "f.csv: line 7, column 3: bad" {
		t.Fatal(got)
	}
	e.Column = 0
	if got := e.Error(); got != "f.csv: line 7: bad" {
		t.Fatal(got)
	}
	if _, err := Open("x.csv", Options{Encoding: "ebcdic"}); err == nil || !strings.Contains(err.Error(), `unknown encoding "ebcdic"`) {
		t.Fatal(err)
	}
	_ = fmt.Sprint()
}
