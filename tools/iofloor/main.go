// Command iofloor measures the least time any design of a job's input and output can take
// on this machine: the bytes moved the way ptransform moves them, by the same number of
// goroutines, with nothing decoded or encoded. It tells a bar the machine cannot meet
// from one the program does not: when the floor alone is slower than a bar, no work
// saved in the decoder or the encoder meets it.
//
//	iofloor copy IN OUT [WORKERS]      pread each 1 MiB range of IN, pwrite it whole to OUT
//	                                   at the same offset, writers at once: CSV → CSV
//	                                   identity without its decode
//	iofloor copy1 IN OUT [WORKERS]     the same, one write at a time (a mutex), each in
//	                                   256 KiB pieces (fileio.WriteAt), as ptransform writes
//	                                   any other run's file
//	iofloor cfr IN OUT [WORKERS]       pread each range (as the decoder must, to check it),
//	                                   then copy_file_range it into OUT: the kernel's copy
//	                                   instead of pwrite's
//	iofloor write OUT BYTES [WORKERS]  pwrite BYTES of text from memory, 1 MiB a range in
//	                                   256 KiB pieces: an output of that size without the
//	                                   input or encoding
//
// WORKERS defaults to 2. The ranges are handed out in order, one at a time, as the chunk
// engine hands out chunks, and every read and write goes through internal/fileio, as the
// workers' do. It prints the wall time, and the user and system CPU time of the process.
// Run it beside `cp` and the job in interleaved rounds (scripts/rounds.sh), after
// `rm -f OUT; sync`: the page cache's state moves every one of them.
package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ptransform/ptransform/internal/fileio"
)

const rangeSize = 1 << 20 // a CSV file's default chunk size (apply.DefaultChunkSize)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "iofloor:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("usage: iofloor copy|cfr IN OUT [WORKERS] | iofloor write OUT BYTES [WORKERS]")
	}
	workers := 2
	if len(args) > 3 {
		n, err := strconv.Atoi(args[3])
		if err != nil || n < 1 {
			return fmt.Errorf("WORKERS must be a positive number, not %q", args[3])
		}
		workers = n
	}
	start := time.Now()
	var err error
	switch args[0] {
	case "copy", "copy1", "cfr":
		err = copyRanges(args[1], args[2], workers, args[0])
	case "write":
		size, perr := strconv.ParseInt(args[2], 10, 64)
		if perr != nil || size < 0 {
			return fmt.Errorf("BYTES must be a number of bytes, not %q", args[2])
		}
		err = writeText(args[1], size, workers)
	default:
		return fmt.Errorf("unknown mode %q: copy, cfr or write", args[0])
	}
	if err != nil {
		return err
	}
	wall := time.Since(start)
	var use syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &use); err != nil {
		return err
	}
	seconds := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	fmt.Printf("%s wall %.3f s  user %.3f s  sys %.3f s\n", args[0], wall.Seconds(), seconds(use.Utime), seconds(use.Stime))
	return nil
}

// eachRange runs do(i) for i = 0, 1, ... n-1 on the given number of goroutines, the
// indexes handed out in order; the first error stops the hand-out.
func eachRange(n int64, workers int, do func(i int64, buf []byte) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, rangeSize)
			for {
				i := next.Add(1) - 1
				if i >= n {
					return
				}
				if err := do(i, buf); err != nil {
					errs[w] = err
					next.Store(n)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func copyRanges(inPath, outPath string, workers int, mode string) error {
	in, err := os.Open(inPath)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.Create(outPath)
	if err != nil {
		return err
	}
	size := info.Size()
	var writing sync.Mutex
	err = eachRange((size+rangeSize-1)/rangeSize, workers, func(i int64, buf []byte) error {
		off := i * rangeSize
		n, err := fileio.ReadAt(in, buf[:min(rangeSize, size-off)], off)
		if err != nil && err != io.EOF {
			return err
		}
		switch mode {
		case "copy":
			_, err = fileio.WriteAtOnce(out, buf[:n], off)
			return err
		case "copy1":
			writing.Lock()
			defer writing.Unlock()
			_, err = fileio.WriteAt(out, buf[:n], off)
			return err
		}
		for done := 0; done < n; {
			from, to := off+int64(done), off+int64(done)
			k, err := unix.CopyFileRange(int(in.Fd()), &from, int(out.Fd()), &to, n-done, 0)
			if err != nil {
				return &os.PathError{Op: "copy_file_range", Path: outPath, Err: err}
			}
			if k == 0 {
				return fmt.Errorf("copy_file_range into %s: no progress at %d", outPath, to)
			}
			done += k
		}
		return nil
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

func writeText(outPath string, size int64, workers int) error {
	out, err := os.Create(outPath)
	if err != nil {
		return err
	}
	line := []byte(`{"id":1,"a":819.867505,"b":573,"category":"blue","name":" eaEkzh","date":"2012-01-31","flag":true,"c":-2634758.6336,"d":8611428462,"e":0.4674159401}` + "\n")
	err = eachRange((size+rangeSize-1)/rangeSize, workers, func(i int64, buf []byte) error {
		if buf[0] != '{' { // each goroutine's buffer, filled once
			for k := range buf {
				buf[k] = line[k%len(line)]
			}
		}
		off := i * rangeSize
		_, err := fileio.WriteAt(out, buf[:min(rangeSize, size-off)], off)
		return err
	})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}
