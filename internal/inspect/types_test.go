package inspect

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestValueType(t *testing.T) {
	for _, tc := range []struct{ v, want string }{
		{"", ""},
		{"   ", ""},
		{"0", TypeInteger},
		{"42", TypeInteger},
		{"-42", TypeInteger},
		{"+42", TypeInteger},
		{" 42 ", TypeInteger},
		{"9223372036854775807", TypeInteger},
		{"9223372036854775808", TypeNumber}, // beyond int64: still a number
		{"007", TypeText},                   // a code, not a number
		{"-01", TypeText},
		{"0.5", TypeNumber},
		{".5", TypeNumber},
		{"5.", TypeNumber},
		{"-1.5e-3", TypeNumber},
		{"1E6", TypeNumber},
		{"1e400", TypeText}, // overflows float64
		{"1e", TypeText},
		{".", TypeText},
		{"-", TypeText},
		{"+-1", TypeText},
		{"1,000", TypeText},
		{"0x1F", TypeText},
		{"NaN", TypeText},
		{"Inf", TypeText},
		{"true", TypeBool},
		{"FALSE", TypeBool},
		{"True", TypeBool},
		{"yes", TypeText},
		{"2024-03-01", TypeDate},
		{"2024-02-29", TypeDate},
		{"2023-02-29", TypeText}, // no such day
		{"2024-13-01", TypeText},
		{"2024-3-1", TypeText},
		{"2024-03-01T13:45:00", TypeDatetime},
		{"2024-03-01 13:45", TypeDatetime},
		{"2024-03-01T13:45:00.123", TypeDatetime},
		{"2024-03-01T13:45:00,5", TypeDatetime},
		{"2024-03-01T13:45:00Z", TypeDatetime},
		{"2024-03-01T13:45:00+02:00", TypeDatetime},
		{"2024-03-01T13:45:00-0530", TypeDatetime},
		{"2024-03-01T13:45:00+02", TypeDatetime},
		{"2024-03-01T24:00:00", TypeText},
		{"2024-03-01T13:45:00.", TypeText},
		{"2024-03-01T13:45:00+2", TypeText},
		{"2024-03-01X13:45", TypeText},
		{"13:45:00", TypeTime},
		{"0:00:00.5", TypeTime},
		{"123:59:59", TypeTime}, // a duration
		{"13:45", TypeText},
		{"13:60:00", TypeText},
		{"13:45:00.", TypeText},
		{"13:45:00x", TypeText},
		{"Smith, J", TypeText},
	} {
		if got := ValueType(tc.v); got != tc.want {
			t.Errorf("ValueType(%q) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestInferType(t *testing.T) {
	for _, tc := range []struct {
		values []string
		want   string
	}{
		{nil, TypeText},
		{[]string{"", " "}, TypeText},
		{[]string{"1", "", "2"}, TypeInteger},
		{[]string{"1", "2.5"}, TypeNumber},
		{[]string{"2.5", "1"}, TypeNumber},
		{[]string{"1", "x"}, TypeText},
		{[]string{"1", "007"}, TypeText},
		{[]string{"2024-03-01", "2024-03-01 10:00"}, TypeDatetime},
		{[]string{"2024-03-01", "10:00:00"}, TypeText},
		{[]string{"true", "false", ""}, TypeBool},
		{[]string{"true", "1"}, TypeText},
		{[]string{"10:00:00", "100:00:00"}, TypeTime},
	} {
		if got := InferType(tc.values); got != tc.want {
			t.Errorf("InferType(%q) = %q, want %q", tc.values, got, tc.want)
		}
	}
}

func TestUnifyIsSymmetric(t *testing.T) {
	types := []string{"", TypeBool, TypeInteger, TypeNumber, TypeDate, TypeDatetime, TypeTime, TypeText}
	for _, a := range types {
		for _, b := range types {
			if Unify(a, b) != Unify(b, a) {
				t.Errorf("Unify(%q, %q) = %q but Unify(%q, %q) = %q", a, b, Unify(a, b), b, a, Unify(b, a))
			}
		}
	}
}

// FuzzValueType checks that a value classified as a number or an integer reads as one.
func FuzzValueType(f *testing.F) {
	for _, s := range []string{"1", "-0.5e3", "007", "2024-02-29", "2024-03-01T13:45:00+02:00", "1:00:00.5", "true"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		trimmed := strings.Trim(v, " \t\r\n")
		switch ValueType(v) {
		case TypeInteger:
			if _, err := strconv.ParseInt(strings.TrimPrefix(trimmed, "+"), 10, 64); err != nil {
				t.Errorf("%q classified integer: %v", v, err)
			}
		case TypeNumber:
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

func BenchmarkValueType(b *testing.B) {
	values := []string{"12345", "-0.25", "2024-03-01", "2024-03-01T13:45:00", "Smith, J", "true", ""}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		ValueType(values[i%len(values)])
	}
}
