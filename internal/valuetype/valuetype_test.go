package valuetype

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct{ v, want string }{
		{"", ""},
		{"   ", ""},
		{"0", Integer},
		{"42", Integer},
		{"-42", Integer},
		{"+42", Integer},
		{" 42 ", Integer},
		{"9223372036854775807", Integer},
		{"9223372036854775808", Number}, // beyond int64: still a number
		{"007", Text},                   // a code, not a number
		{"-01", Text},
		{"0.5", Number},
		{".5", Number},
		{"5.", Number},
		{"-1.5e-3", Number},
		{"1E6", Number},
		{"1e400", Text}, // overflows float64
		{"1e", Text},
		{".", Text},
		{"-", Text},
		{"+-1", Text},
		{"1,000", Text},
		{"0x1F", Text},
		{"NaN", Text},
		{"Inf", Text},
		{"true", Bool},
		{"FALSE", Bool},
		{"True", Bool},
		{"yes", Text},
		{"2024-03-01", Date},
		{"2024-02-29", Date},
		{"2023-02-29", Text}, // no such day
		{"2024-13-01", Text},
		{"2024-3-1", Text},
		{"2024-03-01T13:45:00", Datetime},
		{"2024-03-01 13:45", Datetime},
		{"2024-03-01T13:45:00.123", Datetime},
		{"2024-03-01T13:45:00,5", Datetime},
		{"2024-03-01T13:45:00Z", Datetime},
		{"2024-03-01T13:45:00+02:00", Datetime},
		{"2024-03-01T13:45:00-0530", Datetime},
		{"2024-03-01T13:45:00+02", Datetime},
		{"2024-03-01T24:00:00", Text},
		{"2024-03-01T13:45:00.", Text},
		{"2024-03-01T13:45:00+2", Text},
		{"2024-03-01X13:45", Text},
		{"13:45:00", Time},
		{"0:00:00.5", Time},
		{"123:59:59", Time}, // a duration
		{"13:45", Text},
		{"13:60:00", Text},
		{"13:45:00.", Text},
		{"13:45:00x", Text},
		{"Smith, J", Text},
		// What the workbook reader writes, and the text cells that misled it.
		{"1e+22", Number},
		{"2024-03-01T13:45:00.250", Datetime},
		{"255:10:10", Time},
		{"-6:00:00", Time}, // a negative duration
		{"-13:45", Text},
		{"nan", Text},
		{"-Inf", Text},
		{"infinity", Text},
		{"0x1p-2", Text},
		{"1_000", Text},
		{"2024-13-45", Text},
		{"TRUE", Bool},
	} {
		if got := Of(tc.v); got != tc.want {
			t.Errorf("Of(%q) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestInfer(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, Text},
		{[]string{"", " "}, Text},
		{[]string{"1", "", "2"}, Integer},
		{[]string{"1", "2.5"}, Number},
		{[]string{"2.5", "1"}, Number},
		{[]string{"1", "x"}, Text},
		{[]string{"1", "007"}, Text},
		{[]string{"2024-03-01", "2024-03-01 10:00"}, Datetime},
		{[]string{"2024-03-01", "10:00:00"}, Text},
		{[]string{"true", "false", ""}, Bool},
		{[]string{"true", "1"}, Text},
		{[]string{"10:00:00", "100:00:00"}, Time},
	} {
		if got := Infer(tc.values); got != tc.want {
			t.Errorf("Infer(%q) = %q, want %q", tc.values, got, tc.want)
		}
	}
}

func TestUnifyIsSymmetric(t *testing.T) {
	types := []string{"", Bool, Integer, Number, Date, Datetime, Time, Text}
	for _, a := range types {
		for _, b := range types {
			if Unify(a, b) != Unify(b, a) {
				t.Errorf("Unify(%q, %q) = %q but Unify(%q, %q) = %q", a, b, Unify(a, b), b, a, Unify(b, a))
			}
		}
	}
}

// FuzzOf checks that a value classified as a number or an integer reads as one.
func FuzzOf(f *testing.F) {
	for _, s := range []string{"1", "-0.5e3", "007", "2024-02-29", "2024-03-01T13:45:00+02:00", "1:00:00.5", "true"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		trimmed := strings.Trim(v, " \t\r\n")
		switch Of(v) {
		case Integer:
			if _, err := strconv.ParseInt(strings.TrimPrefix(trimmed, "+"), 10, 64); err != nil {
				t.Errorf("%q classified integer: %v", v, err)
			}
		case Number:
			if f, err := strconv.ParseFloat(trimmed, 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				t.Errorf("%q classified number: %v", v, err)
			}
		case "":
			if trimmed != "" {
				t.Errorf("%q classified blank", v)
			}
		}
	})
}

func BenchmarkOf(b *testing.B) {
	values := []string{"12345", "-0.25", "2024-03-01", "2024-03-01T13:45:00", "Smith, J", "true", ""}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Of(values[i%len(values)])
	}
}
