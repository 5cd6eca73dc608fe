// Package fileio reads and writes regular files at offsets, as os.File's ReadAt and
// WriteAt do, but without letting the Go runtime hand the calling goroutine's P to
// another thread while the system call runs, and writes no more than WritePiece bytes
// in one system call.
//
// A goroutine in a system call keeps its P only until sysmon looks: when no P is idle,
// sysmon retakes the P of a call older than one of its ticks (20 µs) and starts a thread
// to look for other work, which finds none and sleeps again. A worker's pread or pwrite
// of a 256 KiB chunk from or into the page cache takes 50-450 µs on the 2-vCPU VM the
// project measures on, so with both workers busy nearly every one of them cost a futex
// wake, a futex sleep and two context switches, and sysmon, finding work every tick,
// never slowed its polling down: an identity run of 1 GB made 3,300-5,400 futex calls
// and 4,700-6,600 nanosleeps with os.File, 280-400 and 1,600 with this package; its CPU
// time fell 14% with the cores contended (load 8), a few percent on a quiet machine
// (docs/performance.md, "Identity against `cp` (session 11)").
//
// The price: a read that waits for the disk, or a write throttled by dirty-page
// writeback, keeps its P meanwhile, so the run's other goroutines (the writer, the
// progress bar, the signal handler) may wait for a P that long, and a garbage
// collection waits for the call to end. Use it only where the goroutine has nothing else
// to do while it waits (a worker reading its range, writing its chunk), on regular files
// (never a pipe, a terminal or a socket, which can block indefinitely). Elsewhere than
// Linux the functions are os.File's.
package fileio
