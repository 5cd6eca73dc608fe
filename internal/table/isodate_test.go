package table

import "testing"

func TestParseISODatetime(t *testing.T) {
	tests := []struct {
		s       string
		micros  int64
		hasTime bool
		ok      bool
	}{
		{"1970-01-02", 86400e6, false, true},
		{"1970-01-01T00:00:01.5", 1.5e6, true, true},
		{"1970-01-01 01:00+01:00", 0, true, true},
		{"0001-01-01", MinMicros, false, true},
		{"9999-12-31T23:59:59.999999", MaxMicros, true, true},
		{"0000-01-01", 0, false, false},
		{"0001-01-01T00:30:00+01:00", 0, false, false},
		{"9999-12-31T23:30:00-01:00", 0, false, false},
		{"2024-02-30", 0, false, false},
		{"2023-02-29", 0, false, false},
		{"2024-02-29T24:00", 0, false, false},
		{"2024-02-29T", 0, false, false},
		{"24-02-29", 0, false, false},
	}
	for _, tc := range tests {
		m, hasTime, ok := ParseISODatetime(tc.s)
		if m != tc.micros || hasTime != tc.hasTime || ok != tc.ok {
			t.Errorf("ParseISODatetime(%q) = %d, %v, %v; want %d, %v, %v", tc.s, m, hasTime, ok, tc.micros, tc.hasTime, tc.ok)
		}
	}
}
