// Command cpuceiling measures what two goroutines get from this machine's two CPUs for
// four kinds of work, to tell a machine limit from a program's: an integer loop in
// registers (compute), a pass over 256 KiB that stays in the core's cache (cache), a
// strided read-modify-write of 64 MiB (memory) and memcpy of 64 MiB (copy). Each
// goroutine does the same work whatever their number, so with two equal, independent
// cores the time for two equals the time for one.
//
//	go run ./tools/cpuceiling                   # every kind, 1 then 2 goroutines
//	taskset -c 1 go run ./tools/cpuceiling 1    # one goroutine on CPU 1 only
//
// It prints one line per kind: the seconds for one goroutine, for two, and the
// throughput two give over one (2.00 when the cores are equal and share nothing).
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

// kind is one sort of work: prepare allocates and touches its memory (untimed, so that
// page faults are not measured) and returns the work itself.
type kind struct {
	name    string
	prepare func() func() uint64
}

var kinds = []kind{
	{"compute", func() func() uint64 { return func() uint64 { return xorshift(400_000_000) } }},
	{"cache", func() func() uint64 {
		buf := touched(256 << 10)
		return func() uint64 { return hashPasses(buf, 1500) }
	}},
	{"memory", func() func() uint64 {
		buf := touched(64 << 20)
		return func() uint64 { return strided(buf, 200) }
	}},
	{"copy", func() func() uint64 {
		src, dst := touched(64<<20), touched(64<<20)
		return func() uint64 { return copies(src, dst, 150) }
	}},
}

func touched(size int) []byte {
	buf := make([]byte, size)
	for i := range buf {
		buf[i] = byte(i)
	}
	return buf
}

func xorshift(n int) uint64 {
	x := uint64(88172645463325252)
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func hashPasses(buf []byte, passes int) uint64 {
	var s uint64
	for range passes {
		for _, b := range buf {
			s = s*31 + uint64(b)
		}
	}
	return s
}

// strided touches one byte of every 64-byte line, so each access is a cache miss.
func strided(buf []byte, passes int) uint64 {
	var s uint64
	for p := range passes {
		for i := 0; i+8 <= len(buf); i += 64 {
			buf[i] ^= byte(p)
			s += uint64(buf[i+7])
		}
	}
	return s
}

func copies(src, dst []byte, passes int) uint64 {
	for range passes {
		copy(dst, src)
	}
	return uint64(dst[len(dst)-1])
}

// timed runs k on n goroutines at once, once all are prepared, and returns the wall
// time of the slowest.
func timed(k kind, n int) time.Duration {
	work := make([]func() uint64, n)
	for g := range work {
		work[g] = k.prepare()
	}
	var wg sync.WaitGroup
	sums := make([]uint64, n) // the results are kept, so no loop can be dropped as dead
	start := time.Now()
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[g] = work[g]()
		}()
	}
	wg.Wait()
	return time.Since(start)
}

func main() {
	counts := []int{1, 2}
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 1 {
			fmt.Fprintln(os.Stderr, "usage: cpuceiling [GOROUTINES]")
			os.Exit(2)
		}
		counts = []int{n}
	}
	for _, k := range kinds {
		fmt.Printf("%-8s", k.name)
		var first time.Duration
		for i, n := range counts {
			d := timed(k, n)
			fmt.Printf("  %d: %.3f s", n, d.Seconds())
			if i == 0 {
				first = d
			} else {
				fmt.Printf("  throughput x%.2f", float64(n)*first.Seconds()/d.Seconds())
			}
		}
		fmt.Println()
	}
}
