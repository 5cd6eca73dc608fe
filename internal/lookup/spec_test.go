package lookup

import (
	"strings"
	"testing"
)

func TestSpecsPairing(t *testing.T) {
	specs, err := Specs(Flags{Paths: []string{"a.csv", "b.xlsx"}, Ons: []string{"id"}, Prefixes: []string{"a_", "b_"},
		Hows: []string{"inner", ""}, Sheets: []string{"", "Prices"}, Selects: []string{"x, y", ""}, Dups: []string{"last"}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Spec{
		{Path: "a.csv", On: "id", Prefix: "a_", How: HowInner, Select: []string{"x", "y"}, Dup: DupLast},
		{Path: "b.xlsx", On: "id", Prefix: "b_", How: HowLeft, Sheet: "Prices", Dup: DupLast},
	}
	for i := range want {
		if got := specs[i]; got.Path != want[i].Path || got.On != want[i].On || got.Prefix != want[i].Prefix || got.How != want[i].How ||
			got.Sheet != want[i].Sheet || got.Dup != want[i].Dup || strings.Join(got.Select, "|") != strings.Join(want[i].Select, "|") {
			t.Errorf("spec %d = %+v, want %+v", i, got, want[i])
		}
	}
	// A --prefix given once for several lookups holds for the ones that add columns.
	specs, err = Specs(Flags{Paths: []string{"a.csv", "b.csv"}, Ons: []string{"id"}, Prefixes: []string{"p_"}, Hows: []string{"anti", "left"}})
	if err != nil || specs[0].Prefix != "" || specs[1].Prefix != "p_" {
		t.Errorf("shared prefix: %+v, %v", specs, err)
	}
	for _, tc := range []struct {
		flags Flags
		want  string
	}{
		{Flags{Ons: []string{"id"}}, "--on is a flag of --lookup PATH"},
		{Flags{Paths: []string{"a.csv"}}, "needs --on"},
		{Flags{Paths: []string{"a", "b", "c"}, Ons: []string{"x", "y"}}, "--on is given 2 times for 3 --lookup files"},
		{Flags{Paths: []string{"a"}, Ons: []string{"x"}, Hows: []string{"full"}}, "--how must be left, inner or anti"},
		{Flags{Paths: []string{"a"}, Ons: []string{"x"}, Dups: []string{"any"}}, "--lookup-dup must be first or last"},
		{Flags{Paths: []string{"a"}, Ons: []string{"x"}, Hows: []string{"anti"}, Prefixes: []string{"p_"}}, "adds no column"},
	} {
		if _, err := Specs(tc.flags); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one saying %q", tc.flags, err, tc.want)
		}
	}
}
