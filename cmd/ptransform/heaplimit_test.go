package main

import (
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/ptransform/ptransform/internal/apply"
)

func TestLimitHeap(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	limit := int64(5)
	tests := []struct {
		name     string
		o        apply.Options
		envLimit bool
		want     int64
	}{
		{"row-wise run keeps the default", apply.Options{Exprs: []string{"x = 1"}}, false, math.MaxInt64},
		{"group-by takes --memory", apply.Options{GroupBy: "a", Memory: 300 << 20}, false, 300 << 20},
		{"sort without --memory takes the default", apply.Options{Sort: "a"}, false, apply.DefaultMemory},
		{"limit alone", apply.Options{Limit: &limit, Memory: 1 << 30}, false, 1 << 30},
		{"GOMEMLIMIT wins", apply.Options{Aggs: []string{"n = count()"}, Memory: 300 << 20}, true, math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(math.MaxInt64)
			if tt.envLimit {
				t.Setenv("GOMEMLIMIT", "2GiB")
			} else {
				t.Setenv("GOMEMLIMIT", "") // restored after the test
				os.Unsetenv("GOMEMLIMIT")
			}
			limitHeap(tt.o)
			if got := debug.SetMemoryLimit(-1); got != tt.want {
				t.Errorf("heap limit %d, want %d", got, tt.want)
			}
		})
	}
}
