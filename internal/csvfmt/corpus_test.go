package csvfmt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const corpusDir = "../../../shared/corpus/csv"

func corpusFile(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join(corpusDir, rel)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	return path
}

// checkAllPaths decodes path sequentially, by ranges and by blocks at a few chunk
// sizes, requires the three to agree and returns the sequential result.
func checkAllPaths(t *testing.T, path string, opts Options) (*Input, result) {
	t.Helper()
	in := mustOpen(t, path, opts)
	seq := decodeSequential(t, in)
	for _, cs := range []int{1, 7, 64, 1 << 20} {
		if in.Seekable {
			if got, _ := decodeChunked(t, in, int64(cs)); !equalResults(got, seq) {
				t.Fatalf("%s: ranges of %d bytes differ:\n%q %q\n%q %q", path, cs, got.rows, got.err, seq.rows, seq.err)
			}
		}
		if got := decodeSplit(t, mustOpen(t, path, opts), cs); !equalResults(got, seq) {
			t.Fatalf("%s: blocks of %d bytes differ:\n%q %q\n%q %q", path, cs, got.rows, got.err, seq.rows, seq.err)
		}
	}
	return in, seq
}

func TestCSVSpectrum(t *testing.T) {
	dir := filepath.Dir(corpusFile(t, "csv-spectrum/csvs/simple.csv"))
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(files) != 12 {
		t.Fatalf("%d csv-spectrum files, want 12", len(files))
	}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".csv")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, "..", "json", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want []map[string]string
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			in, got := checkAllPaths(t, path, Options{})
			if got.err != "" {
				t.Fatal(got.err)
			}
			if len(got.rows) != len(want) {
				t.Fatalf("%d records, want %d", len(got.rows), len(want))
			}
			for i, rec := range want {
				if len(rec) != len(in.Header) {
					t.Fatalf("header %q, expected keys %v", in.Header, rec)
				}
				for j, h := range in.Header {
					v := got.rows[i][j]
					if v == nullText {
						v = ""
					}
					if w, ok := rec[h]; !ok || v != w {
						t.Errorf("record %d %q = %q, want %q", i, h, v, w)
					}
				}
			}
		})
	}
}

// readExpectation parses a commons-csv CSVFileParser control file: records as `N:[a, b]`.
func readExpectation(t *testing.T, path string) [][]string {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var recs [][]string
	for _, line := range strings.Split(string(raw), "\n")[2:] {
		if line == "" || line[0] == '#' {
			continue
		}
		_, body, _ := strings.Cut(line, ":")
		body = strings.TrimSuffix(strings.TrimPrefix(body, "["), "]")
		recs = append(recs, strings.Split(body, ", "))
	}
	return recs
}

// TestCommonsCSVFileParser checks test.csv against test_default.txt, the expectation of
// Commons CSV's default format with IgnoreEmpty, which is our rule set: blank lines
// skipped, spaces kept, a quote not at a field start literal, and blanks between a
// closing quote and the delimiter dropped. The other control files differ by design:
// test_rfc4180.txt keeps blank lines as records, *_trim trims spaces, and the
// *_comment / testCSV85 / testCSV246 files treat '#' lines as comments (we have none).
func TestCommonsCSVFileParser(t *testing.T) {
	path := corpusFile(t, "commons-csv/CSVFileParser/test.csv")
	want := readExpectation(t, filepath.Join(filepath.Dir(path), "test_default.txt"))
	_, got := checkAllPaths(t, path, Options{NoHeader: true, Ragged: RaggedPadTruncate})
	if got.err != "" {
		t.Fatal(got.err)
	}
	if len(got.rows) != len(want) {
		t.Fatalf("%d records, want %d:\n%q", len(got.rows), len(want), got.rows)
	}
	for i, w := range want {
		row := got.rows[i]
		for j := range row {
			if row[j] == nullText {
				row[j] = ""
			}
		}
		// Short records were padded with nulls to the first record's 4 fields.
		if !slices.Equal(row[:len(w)], w) || strings.Join(row[len(w):], "") != "" {
			t.Errorf("record %d = %q, want %q", i, row, w)
		}
	}
}

func TestCommonsCSVFiles(t *testing.T) {
	t.Run("bom", func(t *testing.T) {
		in, got := checkAllPaths(t, corpusFile(t, "commons-csv/CSVFileParser/bom.csv"), Options{})
		if !slices.Equal(in.Header, []string{"Date", " Open", " High", " Low", " Close", " Volume"}) {
			t.Fatalf("header %q", in.Header)
		}
		if got.err != "" || got.rows[0][0] != "14-Mar-14" || got.rows[0][5] != "79448141" || got.lines[0] != 2 {
			t.Fatalf("%q %v %s", got.rows[0], got.lines[0], got.err)
		}
	})
	t.Run("emoji", func(t *testing.T) {
		in, got := checkAllPaths(t, corpusFile(t, "commons-csv/CSV-196/emoji.csv"), Options{})
		if len(in.Header) != 16 || got.err != "" || !strings.HasPrefix(got.rows[0][1], "😄😄") {
			t.Fatalf("%q %q %s", in.Header, got.rows, got.err)
		}
	})
	t.Run("japanese", func(t *testing.T) {
		in, got := checkAllPaths(t, corpusFile(t, "commons-csv/CSV-196/japanese.csv"), Options{})
		if len(in.Header) != 17 || got.err != "" || len(got.rows) != 3 || !strings.HasPrefix(got.rows[0][2], "きちんと節分") {
			t.Fatalf("%q %q %s", in.Header, got.rows, got.err)
		}
	})
	t.Run("csv-141", func(t *testing.T) {
		// Line 3 opens a quoted field that the file never closes.
		path := corpusFile(t, "commons-csv/CSV-141/csv-141.csv")
		_, got := checkAllPaths(t, path, Options{})
		if want := path + ": line 3, column 7: quoted field is not closed before the end of the input"; got.err != want {
			t.Fatalf("error %q, want %q", got.err, want)
		}
	})
	t.Run("csv-254", func(t *testing.T) {
		_, got := checkAllPaths(t, corpusFile(t, "commons-csv/CSV-254/csv-254.csv"), Options{NoHeader: true})
		want := [][]string{{"AA", "33", N}, {"AA", N, N}, {N, "33", "CC"}}
		if got.err != "" || !slices.EqualFunc(got.rows, want, slices.Equal) {
			t.Fatalf("%q %s", got.rows, got.err)
		}
	})
	t.Run("psql.csv", func(t *testing.T) {
		_, got := checkAllPaths(t, corpusFile(t, "commons-csv/CSV-290/psql.csv"), Options{NoHeader: true})
		want := [][]string{
			{"1", "abc", "test line 1\ntest line 2", N, N},
			{"2", "xyz", "\\b:\b \\t:\t \\n:\n \\r:\r", "a", "b"},
			{"3", "a", "b,c,d", `"quoted"`, "e"},
		}
		if got.err != "" || !slices.EqualFunc(got.rows, want, slices.Equal) || !slices.Equal(got.lines, []int64{1, 3, 5}) {
			t.Fatalf("%q %v %s", got.rows, got.lines, got.err)
		}
	})
	t.Run("psql.tsv", func(t *testing.T) {
		// PostgreSQL text format escapes (\N, \n) are not CSV: they stay as text.
		in, got := checkAllPaths(t, corpusFile(t, "commons-csv/CSV-290/psql.tsv"), Options{NoHeader: true})
		if in.Delimiter != '\t' || got.err != "" || len(got.rows) != 3 || got.rows[0][3] != `\N` || got.rows[2][3] != "quoted" {
			t.Fatalf("%q %q %s", in.Delimiter, got.rows, got.err)
		}
	})
	t.Run("csv-167", func(t *testing.T) {
		// No comment syntax: '#' lines are one-field records, rejected as ragged unless
		// a policy allows them.
		path := corpusFile(t, "commons-csv/csv-167/sample1.csv")
		in, got := checkAllPaths(t, path, Options{})
		if len(in.Header) != 1 || got.err != path+": line 2: expected 1 fields, found 3 (title lines above the header? --header-row N reads the header from line N)" {
			t.Fatalf("%q %s", in.Header, got.err)
		}
		in, got = checkAllPaths(t, path, Options{NoHeader: true, Ragged: RaggedPadTruncate})
		// The first record sets the column count: later fields are truncated.
		if got.err != "" || len(in.Header) != 1 || got.rows[1][0] != "author" || got.rows[6][0] != "Douglas Adams" {
			t.Fatalf("%q %s", got.rows, got.err)
		}
	})
}

func TestCSVKit(t *testing.T) {
	type check func(t *testing.T, path string, in *Input, got result)
	rows := func(want ...[]string) check {
		return func(t *testing.T, path string, in *Input, got result) {
			if got.err != "" || !slices.EqualFunc(got.rows, want, slices.Equal) {
				t.Fatalf("rows %q (%s), want %q", got.rows, got.err, want)
			}
		}
	}
	header := func(want ...string) check {
		return func(t *testing.T, path string, in *Input, got result) {
			if !slices.Equal(in.Header, want) {
				t.Fatalf("header %q, want %q", in.Header, want)
			}
		}
	}
	fails := func(msg string) check {
		return func(t *testing.T, path string, in *Input, got result) {
			if got.err != path+": "+msg {
				t.Fatalf("error %q, want %q", got.err, path+": "+msg)
			}
		}
	}
	tests := []struct {
		file   string
		opts   Options
		checks []check
	}{
		{"bad.csv", Options{}, []check{fails("line 2: expected 3 fields, found 4 (--ragged truncate drops the extra cells)")}},
		{"bad.csv", Options{Ragged: RaggedPadTruncate}, []check{rows(
			[]string{"1", "27", N}, []string{N, "I'm too short!", N}, []string{"0", "mixed types.... uh oh", "17"})}},
		{"blanks.csv", Options{}, []check{header("a", "b", "c", "d", "e", "f"),
			rows([]string{N, "NA", "N/A", "NONE", "NULL", "."})}},
		{"date_like_number.csv", Options{}, []check{header("a"), rows([]string{"4.5"})}},
		{"dummy.tsv", Options{}, []check{header("a", "b", "c"), rows([]string{"1", "2", "3"})}},
		{"dummy_col_shuffled_ragged.csv", Options{}, []check{header("b", "c", "a", "d"), rows([]string{"2", "3", "1", "4"})}},
		{"empty.csv", Options{}, []check{header(), rows()}},
		{"mac_newlines.csv", Options{}, []check{header("a", "b", "c"),
			rows([]string{"1", "2", "3"}, []string{"Once upon\ra time", "5", "6"})}},
		{"no_header_row.csv", Options{NoHeader: true}, []check{header("c1", "c2", "c3"), rows([]string{"1", "2", "3"})}},
		{"null_byte.csv", Options{}, []check{rows([]string{"\x00", "2", "3"})}},
		{"optional_quote_characters.csv", Options{}, []check{rows([]string{"1", "2", "3"})}},
		{"test_empty_columns.csv", Options{}, []check{fails("line 3: expected 5 fields, found 4 (--ragged pad fills short rows with empty cells)")}},
		{"test_empty_columns.csv", Options{Ragged: RaggedPad}, []check{header("a", "b", "c", "", ""),
			rows([]string{"a", N, N, N, N}, []string{N, N, "c", N, N}, []string{N, N, N, N, N})}},
		{"test_empty_columns_long_row.csv", Options{}, []check{fails("line 2: expected 3 fields, found 4 (--ragged truncate drops the extra cells)")}},
		{"test_empty_columns_short_row.csv", Options{}, []check{fails("line 2: expected 3 fields, found 2 (--ragged pad fills short rows with empty cells)")}},
		{"test_empty_columns_short_row.csv", Options{Ragged: RaggedPad}, []check{rows([]string{N, N, N})}},
		{"test_extra_header.csv", Options{}, []check{fails("line 2: expected 4 fields, found 3 (--ragged pad fills short rows with empty cells)")}},
		{"test_extra_header.csv", Options{Ragged: RaggedPad}, []check{rows([]string{"1", "2", "3", N})}},
		{"test_header_newline.csv", Options{}, []check{
			header("\t\n\v\f\r start \t\n\v\f\r end \t\n\v\f\r", "b", "c"), rows([]string{"d", "e", "f"}),
			func(t *testing.T, path string, in *Input, got result) {
				if in.DataLine != 5 || got.lines[0] != 5 {
					t.Fatalf("data line %d, row line %d, want 5", in.DataLine, got.lines[0])
				}
			}}},
		{"test_latin1.csv", Options{Encoding: "latin1"}, []check{rows([]string{"1", "2", "3"}, []string{"4", "5", "©"})}},
		// Undeclared Latin-1 is refused where its first non-ASCII byte is.
		{"test_latin1.csv", Options{}, []check{fails("line 3, column 3: invalid UTF-8 (byte 0xA9) (" + invalidUTF8Hint + ")")}},
		{"test_locale.csv", Options{}, []check{rows([]string{"1,7", "200.000.000", N})}},
		{"test_no_leading_zeroes.csv", Options{}, []check{rows([]string{"01", "00.11", "0.1"})}},
		{"test_precision.csv", Options{}, []check{rows([]string{"1.234567"})}},
		{"test_utf16_big.csv", Options{}, []check{header("a", "b", "c"), rows([]string{"1", "2", "3"}, []string{"4", "5", "ʤ"}),
			func(t *testing.T, path string, in *Input, got result) {
				if in.Seekable || in.Encoding != "utf-16be" {
					t.Fatalf("seekable %v, encoding %s", in.Seekable, in.Encoding)
				}
			}}},
		{"test_utf16_little.csv", Options{}, []check{header("a", "b", "c"), rows([]string{"1", "2", "3"}, []string{"4", "5", "ʤ"})}},
		{"test_utf8.csv", Options{}, []check{header("foo", "bar", "baz"), rows([]string{"1", "2", "3"}, []string{"4", "5", "ʤ"})}},
		{"test_utf8_bom.csv", Options{}, []check{header("foo", "bar", "baz"), rows([]string{"1", "2", "3"}, []string{"4", "5", "ʤ"}),
			func(t *testing.T, path string, in *Input, got result) {
				if in.DataStart != int64(3+len("foo,bar,baz\n")) {
					t.Fatalf("DataStart %d", in.DataStart)
				}
			}}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			path := corpusFile(t, filepath.Join("csvkit", tt.file))
			in, got := checkAllPaths(t, path, tt.opts)
			for _, c := range tt.checks {
				c(t, path, in, got)
			}
		})
	}
	all, _ := filepath.Glob(filepath.Join(corpusDir, "csvkit", "*"))
	for _, f := range all {
		if !seen[filepath.Base(f)] {
			t.Errorf("corpus file %s has no test", f)
		}
	}
}
