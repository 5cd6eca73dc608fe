// Package offheap maps anonymous memory outside the Go heap, in transparent huge pages
// where the system gives them on request (Linux with THP in "madvise" mode, as here).
//
// Why: a page fault on first touch costs 10–20 µs of CPU in this machine's VM (a
// Firecracker guest: the host backs each fresh guest page on its own fault), about as
// much as encoding a hundred rows, and a fault per 2 MiB instead of per 4 KiB is ~60×
// cheaper per byte (docs/performance.md, session 11). Memory that a run fills once and
// reuses (a sort's run buffer, a Parquet writer's column buffers) pays it once per page.
//
// A region's pages cost memory only once written (whole 2 MiB pages where huge), and
// Unmap returns them to the system at once: nothing may use the region after it.
package offheap
