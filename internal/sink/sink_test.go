package sink

import (
	"strings"
	"testing"
)

func TestLookup(t *testing.T) {
	for _, tc := range []struct {
		to, path string
		want     string // format name, or a part of the error
		ok       bool
	}{
		{"", "", "csv", true},
		{"", "-", "csv", true},
		{"", "out.csv", "csv", true},
		{"", "OUT.TSV", "tsv", true},
		{"", "out.tab", "tsv", true},
		{"", "out", "csv", true},
		{"tsv", "out.csv", "tsv", true},
		{"CSV", "report.xlsx", "csv", true},
		{"", "report.xlsx", "xlsx", true},
		{"parquet", "-", "parquet", true},
		{"xml", "out.csv", `unknown output format "xml"`, false},
		{"", "out.pdf", "extension .pdf", false},
	} {
		f, err := Lookup(tc.to, tc.path)
		if tc.ok {
			if err != nil || f.Name != tc.want {
				t.Errorf("Lookup(%q, %q) = %q, %v; want %s", tc.to, tc.path, f.Name, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Lookup(%q, %q) = %q, %v; want an error with %q", tc.to, tc.path, f.Name, err, tc.want)
		}
	}
}

// Every format the table lists makes a sink of the kind the table says, and no
// extension belongs to two formats.
func TestFormatsTable(t *testing.T) {
	seen := map[string]string{}
	for _, f := range formats {
		for _, e := range f.Extensions {
			if other, ok := seen[e]; ok {
				t.Errorf("extension %s belongs to %s and %s", e, other, f.Name)
			}
			seen[e] = f.Name
		}
		s, err := f.New(Config{})
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if s.Typed() != f.Typed {
			t.Errorf("%s: the table says typed %v, the sink %v", f.Name, f.Typed, s.Typed())
		}
	}
}
