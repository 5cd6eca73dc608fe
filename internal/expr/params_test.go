package expr

import (
	"strings"
	"testing"
)

// docParams and docEnv are the parameters and environment of the examples in
// docs/expressions.md.
var docParams = map[string]string{"region": "North", "min": "3", "blank": ""}

func docEnv(name string) (string, bool) {
	if name == "PT_REGION" {
		return "South", true
	}
	return "", false
}

func TestParseParam(t *testing.T) {
	for _, tc := range []struct{ flag, name, value, err string }{
		{flag: "region=North", name: "region", value: "North"},
		{flag: "note=a=b, c ", name: "note", value: "a=b, c "},
		{flag: "empty=", name: "empty", value: ""},
		{flag: "_x1=2", name: "_x1", value: "2"},
		{flag: "region", err: "want NAME=VALUE"},
		{flag: "1x=2", err: "must be letters, digits and _"},
		{flag: "=2", err: "must be letters, digits and _"},
		{flag: "my-name=2", err: "must be letters, digits and _"},
	} {
		name, value, err := ParseParam(tc.flag)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseParam(%q): err %v, want %q", tc.flag, err, tc.err)
			}
			continue
		}
		if err != nil || name != tc.name || value != tc.value {
			t.Errorf("ParseParam(%q) = %q, %q, %v", tc.flag, name, value, err)
		}
	}
}

// A parameter's error shows the expression with a caret under the $.
func TestParamErrorCaret(t *testing.T) {
	_, err := Compile(nil, []string{"qty > $mni"}, []string{"qty"}, Options{Params: map[string]string{"min": "3"}})
	want := "--where: unknown parameter $mni (did you mean $min? give it with --param mni=VALUE)\n  qty > $mni\n        ^"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	_, err = Compile([]string{`x = env("PT_NOPE_UNSET")`}, nil, []string{"qty"}, Options{Getenv: docEnv})
	want = "--expr: environment variable PT_NOPE_UNSET is not set (set it, or give a default: env(\"PT_NOPE_UNSET\", \"VALUE\"))\n  x = env(\"PT_NOPE_UNSET\")\n          ^"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// env is looked up once, at Compile: the program holds a constant.
func TestEnvLookedUpOnce(t *testing.T) {
	calls := 0
	getenv := func(name string) (string, bool) { calls++; return "7", true }
	p, err := Compile([]string{`x = qty * env("N")`}, nil, []string{"qty"}, Options{Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	ev := p.NewEvaluator()
	for range 3 {
		out, _, err := ev.Apply(makeChunk([]string{"qty"}, [][]string{{"2"}, {"3"}}))
		if err != nil {
			t.Fatal(err)
		}
		if got := columnTexts(t, out, "x"); strings.Join(got, ",") != "14,21" {
			t.Fatalf("x = %v", got)
		}
	}
	if calls != 1 {
		t.Errorf("env looked up %d times, want once", calls)
	}
}
