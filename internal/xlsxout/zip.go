package xlsxout

import (
	"bufio"
	"encoding/binary"
	"io"
	"math"
)

// zipWriter writes a zip archive sequentially: entries known whole (the small package
// parts) with their sizes in the local header, streamed entries (worksheets) with a
// data descriptor after their data. Every entry is deflated and dated 1980-01-01
// 00:00, so the bytes depend on the contents only. Zip64 fields appear only where a
// size, an offset or the entry count needs them, as Go's archive/zip does: the local
// header of a streamed entry has none, its data descriptor then holds 8-byte sizes.
type zipWriter struct {
	bw      *bufio.Writer
	off     int64 // bytes written so far
	entries []zipEntry
	open    *zipEntry // the streamed entry being written
	zip64   bool      // tests: write Zip64 fields for every entry, as if all were large
}

type zipEntry struct {
	name            string
	offset          int64 // of the local header
	crc             uint32
	packed, inflate int64
	descriptor      bool
}

const (
	dosDate1980   = 0x21 // 1980-01-01 in MS-DOS date format; time 00:00 is 0
	methodDeflate = 8
	flagDataDesc  = 0x8
	max32         = math.MaxUint32
	max16         = math.MaxUint16
)

func newZipWriter(w io.Writer) *zipWriter {
	return &zipWriter{bw: bufio.NewWriterSize(w, 256<<10)}
}

func (z *zipWriter) write(p []byte) error {
	n, err := z.bw.Write(p)
	z.off += int64(n)
	return err
}

// flush hands what the writer buffered to the output.
func (z *zipWriter) flush() error { return z.bw.Flush() }

// begin starts a streamed entry: write its deflated data with write, then end it.
func (z *zipWriter) begin(name string) error {
	z.entries = append(z.entries, zipEntry{name: name, offset: z.off, descriptor: true})
	z.open = &z.entries[len(z.entries)-1]
	return z.localHeader(z.open)
}

// end closes the streamed entry with its CRC-32 and sizes.
func (z *zipWriter) end(crc uint32, packed, inflated int64) error {
	e := z.open
	z.open = nil
	e.crc, e.packed, e.inflate = crc, packed, inflated
	b := make([]byte, 0, 24)
	b = binary.LittleEndian.AppendUint32(b, 0x08074b50)
	b = binary.LittleEndian.AppendUint32(b, crc)
	if z.needs64(e) {
		b = binary.LittleEndian.AppendUint64(b, uint64(packed))
		b = binary.LittleEndian.AppendUint64(b, uint64(inflated))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(packed))
		b = binary.LittleEndian.AppendUint32(b, uint32(inflated))
	}
	return z.write(b)
}

// whole writes an entry whose deflated data, CRC and sizes are known.
func (z *zipWriter) whole(name string, deflated []byte, crc uint32, inflated int64) error {
	z.entries = append(z.entries, zipEntry{name: name, offset: z.off, crc: crc,
		packed: int64(len(deflated)), inflate: inflated})
	if err := z.localHeader(&z.entries[len(z.entries)-1]); err != nil {
		return err
	}
	return z.write(deflated)
}

func (z *zipWriter) needs64(e *zipEntry) bool {
	return z.zip64 || e.packed >= max32 || e.inflate >= max32
}

func (z *zipWriter) localHeader(e *zipEntry) error {
	b := make([]byte, 0, 30+len(e.name))
	b = binary.LittleEndian.AppendUint32(b, 0x04034b50)
	b = binary.LittleEndian.AppendUint16(b, 20) // version needed: deflate
	flags := uint16(0)
	if e.descriptor {
		flags = flagDataDesc
	}
	b = binary.LittleEndian.AppendUint16(b, flags)
	b = binary.LittleEndian.AppendUint16(b, methodDeflate)
	b = binary.LittleEndian.AppendUint16(b, 0) // time
	b = binary.LittleEndian.AppendUint16(b, dosDate1980)
	b = binary.LittleEndian.AppendUint32(b, e.crc) // zero for a streamed entry
	b = binary.LittleEndian.AppendUint32(b, uint32(e.packed))
	b = binary.LittleEndian.AppendUint32(b, uint32(e.inflate))
	b = binary.LittleEndian.AppendUint16(b, uint16(len(e.name)))
	b = binary.LittleEndian.AppendUint16(b, 0) // extra
	b = append(b, e.name...)
	return z.write(b)
}

// close writes the central directory and flushes.
func (z *zipWriter) close() error {
	start := z.off
	for i := range z.entries {
		e := &z.entries[i]
		var extra []byte
		packed, inflated, offset := uint32(e.packed), uint32(e.inflate), uint32(e.offset)
		if z.needs64(e) {
			inflated, packed = max32, max32
			extra = binary.LittleEndian.AppendUint64(extra, uint64(e.inflate))
			extra = binary.LittleEndian.AppendUint64(extra, uint64(e.packed))
		}
		if z.zip64 || e.offset >= max32 {
			offset = max32
			extra = binary.LittleEndian.AppendUint64(extra, uint64(e.offset))
		}
		version := uint16(20)
		if extra != nil {
			version = 45
			extra = append(binary.LittleEndian.AppendUint16(binary.LittleEndian.AppendUint16(nil, 1), uint16(len(extra))), extra...)
		}
		b := make([]byte, 0, 46+len(e.name)+len(extra))
		b = binary.LittleEndian.AppendUint32(b, 0x02014b50)
		b = binary.LittleEndian.AppendUint16(b, version) // made by: MS-DOS host
		b = binary.LittleEndian.AppendUint16(b, version)
		flags := uint16(0)
		if e.descriptor {
			flags = flagDataDesc
		}
		b = binary.LittleEndian.AppendUint16(b, flags)
		b = binary.LittleEndian.AppendUint16(b, methodDeflate)
		b = binary.LittleEndian.AppendUint16(b, 0)
		b = binary.LittleEndian.AppendUint16(b, dosDate1980)
		b = binary.LittleEndian.AppendUint32(b, e.crc)
		b = binary.LittleEndian.AppendUint32(b, packed)
		b = binary.LittleEndian.AppendUint32(b, inflated)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(e.name)))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(extra)))
		b = append(b, 0, 0, 0, 0, 0, 0)            // comment length, disk, internal attributes
		b = binary.LittleEndian.AppendUint32(b, 0) // external attributes
		b = binary.LittleEndian.AppendUint32(b, offset)
		b = append(b, e.name...)
		b = append(b, extra...)
		if err := z.write(b); err != nil {
			return err
		}
	}
	end := z.off
	size := end - start
	count := len(z.entries)
	var b []byte
	if z.zip64 || count >= max16 || start >= max32 || size >= max32 {
		b = binary.LittleEndian.AppendUint32(b, 0x06064b50) // Zip64 end of central directory
		b = binary.LittleEndian.AppendUint64(b, 44)
		b = binary.LittleEndian.AppendUint16(b, 45)
		b = binary.LittleEndian.AppendUint16(b, 45)
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint64(b, uint64(count))
		b = binary.LittleEndian.AppendUint64(b, uint64(count))
		b = binary.LittleEndian.AppendUint64(b, uint64(size))
		b = binary.LittleEndian.AppendUint64(b, uint64(start))
		b = binary.LittleEndian.AppendUint32(b, 0x07064b50) // its locator
		b = binary.LittleEndian.AppendUint32(b, 0)
		b = binary.LittleEndian.AppendUint64(b, uint64(end))
		b = binary.LittleEndian.AppendUint32(b, 1)
		count, size, start = max16, max32, max32
	}
	b = binary.LittleEndian.AppendUint32(b, 0x06054b50)
	b = binary.LittleEndian.AppendUint32(b, 0) // disk numbers
	b = binary.LittleEndian.AppendUint16(b, uint16(min(count, max16)))
	b = binary.LittleEndian.AppendUint16(b, uint16(min(count, max16)))
	b = binary.LittleEndian.AppendUint32(b, uint32(min(size, max32)))
	b = binary.LittleEndian.AppendUint32(b, uint32(min(start, max32)))
	b = binary.LittleEndian.AppendUint16(b, 0) // comment length
	if err := z.write(b); err != nil {
		return err
	}
	return z.bw.Flush()
}
