package offheap

import "golang.org/x/sys/unix"

// adviseHugePages asks for transparent huge pages where the system gives them on
// request: a fault per 2 MiB rather than per 4 KiB is most of the cost of filling a
// region.
func adviseHugePages(b []byte) { unix.Madvise(b, unix.MADV_HUGEPAGE) }
