package offheap

import "unsafe"

// Slabs cuts buffers from regions mapped in huge pages (Map): the many middling buffers
// of a pool or a table cost a fault per huge page, not one per 4 KiB page each. A cut
// buffer is never handed back to the slabs; Release unmaps them all at once, when
// nothing points into them any more. The zero value is ready; a Slabs is not safe for
// concurrent use: its owner holds its lock.
type Slabs struct {
	regions [][]byte // every slab and every region of its own (Own), unmapped by Release
	rest    []byte   // what is left of the last slab
}

// Cut returns n bytes of the last slab, or of a new one of size bytes (n ≤ size) when
// too few are left; they are zeroed when the slab is fresh.
func (s *Slabs) Cut(n, size int) ([]byte, error) {
	if len(s.rest) < n {
		b, err := Map(size)
		if err != nil {
			return nil, err
		}
		s.regions = append(s.regions, b)
		s.rest = b
	}
	b := s.rest[:n:n]
	s.rest = s.rest[n:]
	return b, nil
}

// Own maps n bytes for one buffer too large to cut from a slab, unmapped with the
// slabs by Release.
func (s *Slabs) Own(n int) ([]byte, error) {
	b, err := Map(n)
	if err == nil {
		s.regions = append(s.regions, b)
	}
	return b, err
}

// Contains reports whether b lies in a region of s (not on the Go heap).
func (s *Slabs) Contains(b []byte) bool {
	at := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	for _, r := range s.regions {
		if start := uintptr(unsafe.Pointer(unsafe.SliceData(r))); start <= at && at < start+uintptr(len(r)) {
			return true
		}
	}
	return false
}

// Release unmaps every region: nothing may use a buffer of s after it.
func (s *Slabs) Release() {
	for _, r := range s.regions {
		Unmap(r)
	}
	s.regions, s.rest = nil, nil
}

// Regions is the number of regions mapped and not yet released.
func (s *Slabs) Regions() int { return len(s.regions) }
