package table

import (
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestAppendFloatShortestForm(t *testing.T) {
	tenth, fifth := 0.1, 0.2 // variables: constant arithmetic would be exact
	tests := []struct {
		f    float64
		want string
	}{
		{21, "21"},
		{0.5, "0.5"},
		{math.Copysign(0, -1), "0"},
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

// TestAppendTextMatchesAppender formats whole columns, with nulls and sliced, and
// compares with NewAppender value by value.
func TestAppendTextMatchesAppender(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{-3, 42, 0, math.MinInt64, 7}, []bool{true, true, false, true, true})
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{0.5, 21, 0, 864.197523, math.NaN()}, []bool{true, true, false, true, true})
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false, true, false, true}, []bool{true, false, true, true, true})
	db := array.NewDate32Builder(mem)
	db.AppendValues([]arrow.Date32{19783, 0, -1, 1, 2}, []bool{true, true, true, false, true})
	tb := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Microsecond})
	tb.AppendValues([]arrow.Timestamp{1709300700000000, 1709300700500000, 0, 1, 2}, []bool{false, true, true, true, true})
	sb := array.NewStringBuilder(mem)
	sb.AppendValues([]string{"a", "", "b,c", "d", "e"}, []bool{true, true, false, true, true})
	for _, full := range []arrow.Array{ib.NewArray(), fb.NewArray(), bb.NewArray(), db.NewArray(), tb.NewArray(), sb.NewArray(), array.NewNull(5)} {
		for _, col := range []arrow.Array{full, array.NewSlice(full, 1, 4)} {
			app, err := NewAppender(col)
			if err != nil {
				t.Fatal(err)
			}
			data, ends, err := AppendText([]byte("prefix"), []int32{6}, col)
			if err != nil || len(ends) != col.Len()+1 {
				t.Fatalf("%s: %d ends, %v", col.DataType(), len(ends), err)
			}
			for i := range col.Len() {
				if got, want := string(data[ends[i]:ends[i+1]]), string(app(nil, i)); got != want {
					t.Errorf("%s row %d: %q, want %q", col.DataType(), i, got, want)
				}
			}
		}
	}
	if _, _, err := AppendText(nil, []int32{0}, array.NewUint8Builder(mem).NewArray()); err == nil {
		t.Error("uint8 column formatted")
	}
}

// AppendDate's own digits agree with time's formatting over the whole range.
func TestAppendDateMatchesTime(t *testing.T) {
	for days := DaysFromCivil(1, 1, 1) - 3; days <= DaysFromCivil(9999, 12, 31)+3; days += 7 {
		want := time.Unix(days*86400, 0).UTC().Format("2006-01-02")
		if got := string(AppendDate(nil, arrow.Date32(days))); got != want {
			t.Fatalf("day %d: %s, want %s", days, got, want)
		}
	}
	for _, days := range []int64{-1, 0, 1, 59, 60, 11016, 19782, 2932896} {
		want := time.Unix(days*86400, 0).UTC().Format("2006-01-02")
		if got := string(AppendDate(nil, arrow.Date32(days))); got != want {
			t.Fatalf("day %d: %s, want %s", days, got, want)
		}
	}
}
