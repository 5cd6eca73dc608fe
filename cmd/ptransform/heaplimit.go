package main

import (
	"os"
	"runtime/debug"

	"github.com/ptransform/ptransform/internal/apply"
)

// limitHeap makes --memory the Go heap's soft limit for a run with a grouping (--distinct
// is one) or a sort. Their state (the groups' aggregates, the rows a top-N keeps) is live until the
// end of the input, and the collector, left to its default, lets the heap grow to about
// twice what is live before it collects: a million groups then cost 900 MB where 450 MB
// are live. With the limit, the collector works harder near it instead. A GOMEMLIMIT
// the user set wins.
func limitHeap(o apply.Options) {
	if o.GroupBy == "" && len(o.Aggs) == 0 && o.Sort == "" && o.Limit == nil && !o.Distinct && o.DistinctOn == "" {
		return
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); set {
		return
	}
	memory := o.Memory
	if memory == 0 {
		memory = apply.DefaultMemory
	}
	debug.SetMemoryLimit(memory)
}
