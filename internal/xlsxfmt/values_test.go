package xlsxfmt

import (
	"testing"
)

func TestClassifyFormat(t *testing.T) {
	for _, tc := range []struct {
		code  string
		class valueClass
		frac  uint8
	}{
		{"General", classNumber, 0},
		{"0.00", classNumber, 0},
		{"0.00E+00", classNumber, 0},
		{`#,##0 "days"`, classNumber, 0},
		{`[Red]0.00;[Blue]-0.00`, classNumber, 0},
		{`_("$"* #,##0.00_)`, classNumber, 0},
		{"@", classNumber, 0},
		{"dd/mm/yyyy", classDate, 0},
		{"yyyy-mm-dd", classDate, 0},
		{"YYYY-MM-DD", classDate, 0},
		{`mmmm" "yyyy`, classDate, 0},
		{"mmm", classDate, 0},
		{`[$-409]mmmm d, yyyy h:mm AM/PM`, classDateTime, 0},
		{`[$-411]ggge"年"m"月"d"日"`, classDate, 0},
		{`yyyy"年"m"月"d"日"`, classDate, 0},
		{"m/d/yy h:mm", classDateTime, 0},
		{"yyyy-mm-dd hh:mm:ss.000", classDateTime, 3},
		{"h:mm", classTime, 0},
		{"mm:ss", classTime, 0},
		{"h:mm:ss AM/PM", classTime, 0},
		{"hh:mm:ss.0", classTime, 1},
		{"[h]:mm:ss", classDuration, 0},
		{"[hh]:mm", classDuration, 0},
		{"[mm]:ss.00", classDuration, 2},
		{`[Color10]dd/mm/yyyy;@`, classDate, 0},
		{`\d\a\y 0`, classNumber, 0},
		// Localized General keywords are General, not g (era) date codes.
		{"G/通用格式", classNumber, 0},
		{`G/通用格式"元"`, classNumber, 0},
		{"G/標準", classNumber, 0},
		{"G/표준", classNumber, 0},
		{`G/通用格式;[Red]-G/通用格式`, classNumber, 0},
		{"[ss].000", classDuration, 3},
		{"[h]:mm:ss.00", classDuration, 2},
		{"[s]", classDuration, 0},
	} {
		if got := classifyFormat(tc.code); got.class != tc.class || got.frac != tc.frac {
			t.Errorf("classifyFormat(%q) = %+v, want class %d frac %d", tc.code, got, tc.class, tc.frac)
		}
	}
	for id, class := range map[int]valueClass{0: classNumber, 2: classNumber, 14: classDate, 17: classDate, 18: classTime, 21: classTime, 22: classDateTime, 45: classTime, 46: classDuration, 47: classTime, 49: classNumber} {
		if got := builtinFormat(id); got.class != class {
			t.Errorf("builtinFormat(%d) = %d, want %d", id, got.class, class)
		}
	}
}

func TestAppendSerial(t *testing.T) {
	date, dt, tm, dur := format{class: classDate}, format{class: classDateTime}, format{class: classTime}, format{class: classDuration}
	for _, tc := range []struct {
		v      float64
		f      format
		d1904  bool
		want   string
		wantOK bool
	}{
		{1, date, false, "1900-01-01", true},
		{59, date, false, "1900-02-28", true},
		{60, date, false, "", false}, // 1900-02-29 exists only in Excel
		{60.5, dt, false, "", false},
		{60.5, tm, false, "12:00:00", true},
		{60, date, true, "1904-03-01", true},
		{61, date, false, "1900-03-01", true},
		{44197, date, false, "2021-01-01", true},
		{42735, date, true, "2021-01-01", true},
		{0, date, true, "1904-01-01", true},
		{45352.5729166667, dt, false, "2024-03-01T13:45:00", true},
		{45352.99999999, dt, false, "2024-03-02T00:00:00", true},
		{0.5729166666666666, tm, false, "13:45:00", true},
		{1.5104166666666667, dur, false, "36:15:00", true},
		{10.6320601851852, dur, true, "255:10:10", true},
		{-0.25, dur, false, "-6:00:00", true},
		{0.25, format{class: classTime, frac: 3}, false, "06:00:00.000", true},
		{2958465, date, false, "9999-12-31", true},
		{2958466, date, false, "", false},
		{-1, date, false, "", false},
		// The bound holds after the 1904 shift: 2957003 is 9999-12-31 there.
		{2957003, date, true, "9999-12-31", true},
		{2957004, date, true, "", false},
		{2958465, dt, true, "", false},
		{2958465.99999999, dt, false, "", false}, // rounds into 10000-01-01
		{2958465.5, tm, false, "12:00:00", true},
		{2957003.5, tm, true, "12:00:00", true},
		{2957004.5, tm, true, "", false}, // a time format shows #### past the last day too
		{2.51 / 86400, format{class: classDuration, frac: 3}, false, "0:00:02.510", true},
	} {
		got, ok := appendSerial(nil, tc.v, tc.f, tc.d1904)
		if string(got) != tc.want || ok != tc.wantOK {
			t.Errorf("appendSerial(%v, %+v, 1904=%v) = %q, %v; want %q, %v", tc.v, tc.f, tc.d1904, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestAppendNumber(t *testing.T) {
	for in, want := range map[string]string{
		"1": "1", "-12": "-12", "0": "0", "-0": "0", "3.0": "3", "0.5": "0.5", "1.50": "1.5",
		"0.30000000000000004": "0.3", "8595602512225": "8595602512225", "1E+22": "1e+22",
		"1.2345678901234567": "1.23456789012346", "123456789012345678": "123456789012346000",
		"0.000001": "0.000001", "1e-7": "1e-07", "2.5E-3": "0.0025", "007": "7", "abc": "abc",
		"12345678901234.5": "12345678901234.5",
		// 15 digits round the largest double past the float64 range.
		"1.7976931348623157E+308": "1.79769313486232e+308", "-1.7976931348623157e308": "-1.79769313486232e+308",
	} {
		if got := string(appendNumber(nil, []byte(in))); got != want {
			t.Errorf("appendNumber(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAppendText(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                 "plain",
		"a&amp;b&lt;&gt;&quot;": `a&b<>"`,
		"&#65;&#x42;&bogus;":    "AB&bogus;",
		"a\r\nb\rc":             "a\nb\nc",
		"&#13;":                 "\r",
		"ABC_x000D_\nDEF":       "ABC\r\nDEF",
		"_x005F_x000D_":         "_x000D_",
		"_xD83D__xDE00_":        "😀",
		"_x00zz_ a_b":           "_x00zz_ a_b",
	} {
		if got := string(appendText(nil, []byte(in), false)); got != want {
			t.Errorf("appendText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRange(t *testing.T) {
	for in, want := range map[string]window{
		"A1:F500":       {1, 500, 0, 5},
		"$B$2:$C$3":     {2, 3, 1, 2},
		"b2":            {2, 2, 1, 1},
		"A:C":           {1, maxRows, 0, 2},
		"A1:XFD1048576": {1, maxRows, 0, maxCols - 1},
	} {
		if got, err := parseRange(in); err != nil || got != want {
			t.Errorf("parseRange(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"F1:A1", "A5:A1", "A1:C", "1:5", "XFE1", "A0"} {
		if _, err := parseRange(bad); err == nil {
			t.Errorf("parseRange(%q): no error", bad)
		}
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", maxCols - 1: "XFD"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", col, got, want)
		}
	}
}
