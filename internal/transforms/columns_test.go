package transforms

import (
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/table"
)

func TestCompileColumns(t *testing.T) {
	cols := []string{"id", "name", "price", "qty"}
	tests := []struct {
		name          string
		selected      string
		dropped       string
		renames       string
		want, wantErr string
		wantIdentity  bool
	}{
		{name: "nothing", want: "id,name,price,qty", wantIdentity: true},
		{name: "select reorders", selected: "qty,id", want: "qty,id"},
		{name: "select repeats", selected: "id,id", wantErr: `two columns named "id"`},
		{name: "drop", dropped: "name,qty", want: "id,price"},
		{name: "rename", renames: "price=unit_price", want: "id,name,unit_price,qty"},
		{name: "swap names", renames: "id=name,name=id", want: "name,id,price,qty"},
		{name: "select then rename", selected: "price", renames: "price=p", want: "p"},
		{name: "rename a dropped column", dropped: "price", renames: "price=p", wantErr: `column "price" is not in the output`},
		{name: "rename onto existing", renames: "price=qty", wantErr: `two columns named "qty"`},
		{name: "unknown select", selected: "id,prcie", wantErr: `unknown column "prcie" (did you mean "price"?)`},
		{name: "unknown drop", dropped: "nmae", wantErr: `unknown column "nmae" (did you mean "name"?)`},
		{name: "unknown rename", renames: "qyt=q", wantErr: `--rename: unknown column "qyt" (did you mean "qty"?)`},
		{name: "both", selected: "id", dropped: "name", wantErr: "cannot be used together"},
		{name: "select ignores case as expressions do", selected: "QTY,Id", want: "qty,id"},
		{name: "drop ignores case", dropped: "Name", want: "id,price,qty"},
		{name: "rename ignores case", renames: "PRICE=p", want: "id,name,p,qty"},
		{name: "drop every column", dropped: "id,name,price,QTY", wantErr: "--drop would remove every column"},
	}
	split := func(s string) []string {
		if s == "" {
			return nil
		}
		return strings.Split(s, ",")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var renames []Rename
			if tt.renames != "" {
				var err error
				if renames, err = ParseRenames(tt.renames); err != nil {
					t.Fatal(err)
				}
			}
			c, err := CompileColumns(cols, split(tt.selected), split(tt.dropped), renames)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(c.Names(), ","); got != tt.want {
				t.Errorf("names %s, want %s", got, tt.want)
			}
			if c.Identity(cols) != tt.wantIdentity {
				t.Errorf("Identity = %v", !tt.wantIdentity)
			}
		})
	}
}

func TestParseRenamesRejectsMalformed(t *testing.T) {
	for _, spec := range []string{"a", "a=", "=b", "a=b,", "a=b,c"} {
		if _, err := ParseRenames(spec); err == nil {
			t.Errorf("%q: no error", spec)
		}
	}
}

func TestColumnsApplyRearrangesWithoutCopying(t *testing.T) {
	col := func(vals ...string) *array.String {
		b := array.NewStringBuilder(memory.DefaultAllocator)
		b.AppendValues(vals, nil)
		return b.NewStringArray()
	}
	a, b := col("1", "2"), col("x", "y")
	c := &table.Chunk{Batch: array.NewRecordBatch(table.StringSchema([]string{"a", "b"}), []arrow.Array{a, b}, 2), Lines: []int64{2, 3}}
	cols, err := CompileColumns([]string{"a", "b"}, []string{"b", "a"}, nil, []Rename{{"a", "A"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err := cols.Apply(c)
	if err != nil {
		t.Fatal(err)
	}
	if out.Batch.Schema().Field(1).Name != "A" || out.Batch.Column(0) != b || out.Batch.Column(1) != a || out.Lines[1] != 3 {
		t.Fatalf("got %v", out.Batch)
	}
}

// TestColumnNamesAmbiguous: a name that matches two columns only ignoring case is refused,
// as in expressions, and an exact match wins over case-insensitive ones.
func TestColumnNamesAmbiguous(t *testing.T) {
	cols := []string{"Total", "total", "TOTAL "}
	if _, err := CompileColumns(cols, []string{"ToTaL"}, nil, nil); err == nil || !strings.Contains(err.Error(), "ambiguous") {
		t.Errorf("ambiguous select: %v", err)
	}
	c, err := CompileColumns(cols, []string{"total"}, nil, nil)
	if err != nil || strings.Join(c.Names(), ",") != "total" {
		t.Errorf("exact select: %v %v", c, err)
	}
}
