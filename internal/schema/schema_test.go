package schema

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
)

func TestParseTypeRoundTrip(t *testing.T) {
	for ty := String; ty <= Duration; ty++ {
		got, err := ParseType(" " + ty.String() + " ")
		if err != nil || got != ty {
			t.Errorf("ParseType(%q) = %v, %v", ty.String(), got, err)
		}
	}
	if _, err := ParseType("integer"); err == nil {
		t.Error("ParseType(integer) accepted")
	}
}

func TestArrowSchema(t *testing.T) {
	s := Schema{{Name: "id", Type: Int}, {Name: "when", Type: Datetime}, {Name: "name", Type: String}}.Arrow()
	if s.NumFields() != 3 || !arrow.TypeEqual(s.Field(0).Type, arrow.PrimitiveTypes.Int64) ||
		!arrow.TypeEqual(s.Field(1).Type, arrow.FixedWidthTypes.Timestamp_us) || !s.Field(2).Nullable {
		t.Errorf("schema %v", s)
	}
}
