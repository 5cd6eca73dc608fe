package offheap

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"
)

// A region is advised for transparent huge pages: its mapping's VmFlags carry "hg".
func TestMapAdvisesHugePages(t *testing.T) {
	b, err := Map(4 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer Unmap(b)
	b[0], b[len(b)-1] = 1, 1
	start := fmt.Sprintf("%x-", uintptr(unsafe.Pointer(&b[0])))
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	in := false
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		in = in || strings.HasPrefix(line, start) // its first VmFlags line is the region's
		if in && strings.HasPrefix(line, "VmFlags:") {
			if !strings.Contains(line+" ", " hg ") {
				t.Errorf("region not advised for huge pages: %s", line)
			}
			return
		}
	}
	t.Errorf("no mapping starts at %s in /proc/self/smaps", start)
}
