package sorting

import (
	"strings"
	"testing"

	"github.com/ptransform/ptransform/internal/transforms"
)

var specNames = []string{"id", "Price", "order date", "-x", "qty"}

func TestParseKeys(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want []Key
		err  string
	}{
		{spec: "id", want: []Key{{0, false}}},
		{spec: "-price, qty", want: []Key{{1, true}, {4, false}}},
		{spec: " order date ,+id", want: []Key{{2, false}, {0, false}}},
		{spec: "+-x", want: []Key{{3, false}}},
		{spec: "--x", want: []Key{{3, true}}},
		{spec: "", err: "--sort: no column given (want COL or -COL, comma-separated)"},
		{spec: "id,", err: `--sort: empty column name in "id," (want COL or -COL, comma-separated)`},
		{spec: "-", err: `--sort: empty column name in "-"`},
		{spec: "prise", err: `--sort: unknown column "prise" (did you mean "Price"?)`},
		{spec: "id,-ID", err: `--sort: column "id" is named twice`},
	} {
		keys, err := ParseKeys(tc.spec, specNames)
		if tc.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
				t.Errorf("%q: got %v, want %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil || len(keys) != len(tc.want) {
			t.Errorf("%q: got %v, %v; want %v", tc.spec, keys, err, tc.want)
			continue
		}
		for i := range keys {
			if keys[i] != tc.want[i] {
				t.Errorf("%q: key %d is %v, want %v", tc.spec, i, keys[i], tc.want[i])
			}
		}
	}
}

func TestCompile(t *testing.T) {
	for _, limit := range []int64{-1, 3} {
		if _, err := Compile("", limit, specNames, Options{}); err == nil {
			t.Errorf("a stage without keys, limit %d, compiled (--limit alone is rows.Head)", limit)
		}
	}
	s, err := Compile(specNames[0], 3, specNames, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cols := s.Columns()
	for j, c := range cols {
		if c != (transforms.Column{Name: specNames[j], From: j}) {
			t.Errorf("column %d is %+v, want %q passed on from %d", j, c, specNames[j], j)
		}
	}
	if len(cols) != len(specNames) {
		t.Errorf("%d columns, want %d", len(cols), len(specNames))
	}
}

// A spec either fails with a --sort error or gives keys that name each column once, and
// writing them back as a spec reads as the same keys.
func FuzzParseKeys(f *testing.F) {
	for _, s := range []string{"id", "-price,qty", "+-x", "--x", ",", " - ", "order date,-ID"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		keys, err := ParseKeys(spec, specNames)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--sort: ") {
				t.Errorf("%q: error %q does not name --sort", spec, err)
			}
			return
		}
		seen := map[int]bool{}
		var again []string
		for _, k := range keys {
			if k.Column < 0 || k.Column >= len(specNames) || seen[k.Column] {
				t.Fatalf("%q: bad keys %v", spec, keys)
			}
			seen[k.Column] = true
			sign := "+"
			if k.Descending {
				sign = "-"
			}
			again = append(again, sign+specNames[k.Column])
		}
		back, err := ParseKeys(strings.Join(again, ","), specNames)
		if err != nil || len(back) != len(keys) {
			t.Fatalf("%q: written back as %q: %v, %v", spec, strings.Join(again, ","), back, err)
		}
		for i := range back {
			if back[i] != keys[i] {
				t.Fatalf("%q: written back as %q reads %v, want %v", spec, strings.Join(again, ","), back, keys)
			}
		}
	})
}

// A sort by keys reads every row, so it must not be a transforms.Limited stage, with
// a limit or without (the runner would cut its input at the limit).
func TestSortIsNotLimited(t *testing.T) {
	for _, limit := range []int64{-1, 5} {
		s, err := Compile(specNames[0], limit, specNames, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := any(s).(transforms.Limited); ok {
			t.Errorf("--sort %s --limit %d is a Limited barrier", specNames[0], limit)
		}
	}
}
