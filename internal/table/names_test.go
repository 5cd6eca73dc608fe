package table

import (
	"strings"
	"testing"
)

func TestUniqueNames(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a,b,c", "a,b,c"},
		{"a,a,a", "a,a_2,a_3"},
		{"a,a,a_2", "a,a_3,a_2"},
		{",,x", ",_2,x"},
	}
	for _, tt := range tests {
		got := strings.Join(UniqueNames(strings.Split(tt.in, ",")), ",")
		if got != tt.want {
			t.Errorf("UniqueNames(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestUnknownColumnError(t *testing.T) {
	cols := []string{"id", "qty", "price", "Unit Price"}
	tests := []struct{ name, want string }{
		{"qyt", `unknown column "qyt" (did you mean "qty"?)`},
		{"prise", `unknown column "prise" (did you mean "price"?)`},
		{"unit price", `unknown column "unit price" (did you mean "Unit Price"?)`},
		{"zzzzzz", `unknown column "zzzzzz"`},
		{"x", `unknown column "x"`}, // one letter: nothing is close enough
	}
	for _, tt := range tests {
		if got := UnknownColumnError(tt.name, cols).Error(); got != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestSuggestIgnoresCase(t *testing.T) {
	for name, want := range map[string]string{"PRIC": "price", "QYT": "qty", "Price": "price", "zzz": ""} {
		if got := Suggest(name, []string{"price", "qty", "Unit Price"}); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", name, got, want)
		}
	}
}
