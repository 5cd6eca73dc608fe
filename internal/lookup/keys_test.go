package lookup

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/ptransform/ptransform/internal/schema"
	"github.com/ptransform/ptransform/internal/valuetype"
)

func textKey(t *testing.T, v string) ([]byte, bool) {
	t.Helper()
	return appendTextKey(nil, v)
}

// TestKeysTyped pins the key rule of docs/lookups.md: numbers by value, bools by
// truth, everything else by its exact text; blank is no key.
func TestKeysTyped(t *testing.T) {
	same := [][]string{
		{"42", " 42", "42.0", "4.2e1", "+42", "42\t"},
		{"0.5", ".5", "0.50", "5e-1"},
		{"true", "TRUE", "True"},
		{"-7", "-7.0"},
		{"0", "-0", "0.0"},
	}
	for _, group := range same {
		want, ok := textKey(t, group[0])
		if !ok {
			t.Fatalf("%q: no key", group[0])
		}
		for _, v := range group[1:] {
			if got, ok := textKey(t, v); !ok || !bytes.Equal(got, want) {
				t.Errorf("%q and %q should be one key", group[0], v)
			}
		}
	}
	different := []string{"42", "042", "abc", "ABC", "abc ", "false", "2024-03-01", "2024-03-01T00:00:00", "42.5", "1e400"}
	seen := map[string]string{}
	for _, v := range different {
		k, ok := textKey(t, v)
		if !ok {
			t.Fatalf("%q: no key", v)
		}
		if other, dup := seen[string(k)]; dup {
			t.Errorf("%q and %q should be different keys", other, v)
		}
		seen[string(k)] = v
	}
	for _, blank := range []string{"", " ", "\t "} {
		if _, ok := textKey(t, blank); ok {
			t.Errorf("%q should be no key", blank)
		}
	}
}

// TestPlainIntAgrees checks the fast path of appendTextKey against valuetype's reading.
func TestPlainIntAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	digits := "0123456789-+. e"
	for range 200000 {
		b := make([]byte, 1+r.IntN(20))
		for i := range b {
			b[i] = digits[r.IntN(len(digits))]
		}
		v := string(b)
		n, ok := plainInt(v)
		if !ok {
			continue
		}
		if valuetype.Of(v) != valuetype.Integer {
			t.Fatalf("plainInt reads %q, valuetype says %s", v, valuetype.Of(v))
		}
		if want, _ := schema.ParseInt(v); want != n {
			t.Fatalf("plainInt(%q) = %d, want %d", v, n, want)
		}
	}
}

// TestTypedColumnsMatchText checks that typed Arrow key columns (a Parquet or JSON
// number, a computed int) find the same keys as their text.
func TestTypedColumnsMatchText(t *testing.T) {
	mem := memory.DefaultAllocator
	ib := array.NewInt64Builder(mem)
	ib.AppendValues([]int64{42, -7}, nil)
	ib.AppendNull()
	fb := array.NewFloat64Builder(mem)
	fb.AppendValues([]float64{42, -7, 0.5}, nil)
	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true}, nil)
	db := array.NewDate32Builder(mem)
	db.Append(arrow.Date32(19783)) // 2024-03-01
	for _, tc := range []struct {
		col  arrow.Array
		text []string // "" for no key
	}{
		{ib.NewArray(), []string{"42", "-7", ""}},
		{fb.NewArray(), []string{"42", "-7.0", "0.5"}},
		{bb.NewArray(), []string{"true"}},
		{db.NewArray(), []string{"2024-03-01"}},
	} {
		read, err := newKeyColumn(tc.col)
		if err != nil {
			t.Fatal(err)
		}
		for i, text := range tc.text {
			got, ok := read(nil, i)
			want, wantOK := appendTextKey(nil, text)
			if ok != wantOK || !bytes.Equal(got, want) {
				t.Errorf("%s row %d: key %x %v, want that of %q", tc.col.DataType(), i, got, ok, text)
			}
		}
	}
}

func TestKeyTable(t *testing.T) {
	kt := newKeyTable()
	keys := func(i int) [][]byte {
		return [][]byte{appendIntKey(nil, int64(i*7)), keyOf("k" + strconv.Itoa(i)), append(appendIntKey(nil, int64(i)), appendBoolKey(nil, true)...)}
	}
	for i := range 10000 {
		for _, k := range keys(i) {
			if found := kt.insert(k, int32(i)); found != nil {
				t.Fatalf("key %x added twice", k)
			}
		}
	}
	kt.finish()
	if kt.words.dense != nil {
		t.Fatal("keys 0, 7, 14, ... are not dense")
	}
	if kt.len() != 30000 {
		t.Fatalf("%d keys, want 30000", kt.len())
	}
	for i := range 10000 {
		for _, k := range keys(i) {
			if row := kt.find(k); row != int32(i) {
				t.Fatalf("key %x: row %d, want %d", k, row, i)
			}
		}
		if row := kt.find(keyOf(strconv.Itoa(i * 7))); row != int32(i) {
			t.Fatalf("the text %d is not the number's key", i*7)
		}
		if row := kt.find(appendIntKey(nil, int64(i*7+1))); row >= 0 && (i*7+1)%7 != 0 {
			t.Fatalf("key %d found", i*7+1)
		}
	}
	if found := kt.insert(appendIntKey(nil, 7), 99); found == nil || *found != 1 {
		t.Fatalf("a second 7 should find row 1")
	}
	dense := newKeyTable()
	for i := range 1000 {
		if i%3 != 0 {
			dense.insert(appendIntKey(nil, int64(i-500)), int32(i))
		}
	}
	dense.finish()
	if dense.words.dense == nil {
		t.Fatal("keys -499..499 should be dense")
	}
	for i := -600; i < 600; i++ {
		want := int32(i + 500)
		if i < -500 || i >= 500 || (i+500)%3 == 0 {
			want = -1
		}
		if got := dense.find(appendIntKey(nil, int64(i))); got != want {
			t.Fatalf("dense key %d: row %d, want %d", i, got, want)
		}
	}
}

// keyOf is the key of a text value.
func keyOf(v string) []byte { k, _ := appendTextKey(nil, v); return k }

// TestBuildKeyTable checks that a table built at its size finds what inserts in row
// order find, dense or not, and words mixed with other keys, with a duplicate kept
// first or last; and that a duplicate error names the earliest second row, whatever
// its kind.
func TestBuildKeyTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, spread := range []int{1, 3, 1000} { // ids dense, a third of their range, sparse
		for _, last := range []bool{false, true} {
			var list keyList
			inserted := newKeyTable()
			var keys [][]byte
			for row := range int32(5000) {
				var key []byte
				if rng.IntN(4) == 0 {
					key = keyOf("code" + strconv.Itoa(rng.IntN(1500)))
				} else {
					key = appendIntKey(nil, int64(rng.IntN(3000)*spread)-700)
				}
				keys = append(keys, key)
				list.add(key, row)
				if found := inserted.insert(key, row); found != nil && last {
					*found = row
				}
			}
			inserted.finish()
			built, err := buildKeyTable(&list, nil, func(found *int32, row int32) error {
				if last {
					*found = row
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if (built.words.dense != nil) != (spread < 4) {
				t.Errorf("spread %d: dense %v", spread, built.words.dense != nil)
			}
			if built.len() != inserted.len() {
				t.Errorf("spread %d: %d keys, want %d", spread, built.len(), inserted.len())
			}
			for _, key := range append(keys, appendIntKey(nil, -701), keyOf("code-1")) {
				if got, want := built.find(key), inserted.find(key); got != want {
					t.Fatalf("spread %d, last %v: key %x finds row %d, want %d", spread, last, key, got, want)
				}
			}
		}
	}
	var list keyList
	for row, key := range [][]byte{keyOf("a"), appendIntKey(nil, 1), appendIntKey(nil, 1), keyOf("a")} {
		list.add(key, int32(row))
	}
	_, err := buildKeyTable(&list, nil, func(found *int32, row int32) error { return fmt.Errorf("rows %d and %d", *found, row) })
	if err == nil || err.Error() != "rows 1 and 2" {
		t.Errorf("error %v, want the duplicate of rows 1 and 2", err)
	}
}

// TestBuildKeyTableWithoutIntegerKeys: a table built from no integer keys (a reference
// of text keys only, or of no rows) finds no integer key and no absent text key; its
// empty integer part once made find index an empty array.
func TestBuildKeyTableWithoutIntegerKeys(t *testing.T) {
	for _, keys := range [][][]byte{nil, {keyOf("abc")}, {keyOf("4.5"), keyOf("x")}} {
		var list keyList
		for row, key := range keys {
			list.add(key, int32(row))
		}
		built, err := buildKeyTable(&list, nil, func(*int32, int32) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range [][]byte{appendIntKey(nil, 0), appendIntKey(nil, 42), appendIntKey(nil, -7), keyOf("absent")} {
			if got := built.find(key); got != -1 {
				t.Errorf("keys %q: %x finds row %d, want none", keys, key, got)
			}
		}
		for row, key := range keys {
			if got := built.find(key); got != int32(row) {
				t.Errorf("keys %q: %q finds row %d, want %d", keys, key, got, row)
			}
		}
	}
}
