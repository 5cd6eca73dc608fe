package main

import (
	"strings"
	"testing"
)

func TestInterspersedMovesFlagsBeforeInputs(t *testing.T) {
	app := newApp()
	tests := []struct{ in, want string }{
		{"pt apply in.csv -o out.csv", "pt apply -o out.csv -- in.csv"},
		{"pt apply -e x=1 in.csv --where y>1 two.csv", "pt apply -e x=1 --where y>1 -- in.csv two.csv"},
		{"pt apply --quiet - --select a", "pt apply --quiet --select a -- -"},
		{"pt apply --output=o.csv in.csv --crlf", "pt apply --output=o.csv --crlf -- in.csv"},
		{"pt apply in.csv -- -o", "pt apply -- in.csv -o"},
		{"pt apply in.csv -o", "pt apply -o"},
		{"pt apply in.csv --select a --cpuprofile", "pt apply --select a --cpuprofile"},
		{"pt version", "pt version"},
		{"pt nosuchcommand a -b", "pt nosuchcommand a -b"},
	}
	for _, tt := range tests {
		got := strings.Join(interspersed(app, strings.Fields(tt.in)), " ")
		if got != tt.want {
			t.Errorf("%s\n got %s\nwant %s", tt.in, got, tt.want)
		}
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  bool
	}{
		{"65536", 65536, false},
		{"64KiB", 64 << 10, false},
		{"64kb", 64 << 10, false},
		{"8MiB", 8 << 20, false},
		{"1 MiB", 1 << 20, false},
		{"1GiB", 1 << 30, false},
		{"7", 7, false},
		{"2GiB", 0, true},
		{"0", 0, true},
		{"-1KiB", 0, true},
		{"12XB", 0, true},
		{"", 0, true},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v", tt.in, got, err)
		}
	}
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]byte{"": 0, ",": ',', ";": ';', "tab": '\t', `\t`: '\t', "|": '|'} {
		if got, err := parseDelimiter(in); err != nil || got != want {
			t.Errorf("parseDelimiter(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []string{`"`, "ab", "\n", "é"} {
		if _, err := parseDelimiter(bad); err == nil {
			t.Errorf("parseDelimiter(%q): no error", bad)
		}
	}
}
