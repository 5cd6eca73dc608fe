package table

import (
	"math"
	"testing"
)

func TestAppendFloatShortestForm(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	tests := []struct {
		f    float64
		want string
	}{
		{21, "21"},
		{0.5, "0.5"},
		{-0.0, "0"},
		{3.5, "3.5"},
		{tenth + fifth, "0.30000000000000004"},
		{1e21, "1e+21"},
		{123456789012345680000, "123456789012345680000"},
		{1e-7, "1e-07"},
		{0.000001, "0.000001"},
		{-2.5e-3, "-0.0025"},
		{math.MaxInt64, "9223372036854776000"}, // 2^63: the shortest digits that read back as it,
		{math.NaN(), "NaN"},
		{math.Inf(1), "Inf"},
		{math.Inf(-1), "-Inf"},
	}
	for _, tt := range tests {
		if got := string(AppendFloat(nil, tt.f)); got != tt.want {
			t.Errorf("AppendFloat(%v) = %s, want %s", tt.f, got, tt.want)
		}
	}
}

func TestAppendDateAndTimestamp(t *testing.T) {
	if got := string(AppendDate(nil, 19783)); got != "2024-03-01" {
		t.Errorf("date = %s", got)
	}
	if got := string(AppendDate(nil, -1)); got != "1969-12-31" {
		t.Errorf("date = %s", got)
	}
	micros := int64(19783*86400+13*3600+45*60) * 1e6
	if got := string(AppendTimestamp(nil, micros)); got != "2024-03-01T13:45:00" {
		t.Errorf("timestamp = %s", got)
	}
	if got := string(AppendTimestamp(nil, micros+250000)); got != "2024-03-01T13:45:00.25" {
		t.Errorf("timestamp = %s", got)
	}
}
