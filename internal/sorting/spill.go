package sorting

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// spillFile is one partial's temporary file: the sorted runs it spilled, one after
// the other. Each row is written as
//
//	uvarint(key length) uvarint(values length) position (8 bytes LE) key values
//
// The file has no name where the system allows (see createTemp), so nothing is left
// behind however the process ends; otherwise its name is removed at once, or, where
// an open file cannot be removed, when the partial is released.
type spillFile struct {
	dir  string
	f    *os.File
	name string // "" once the file has no name
	w    *bufio.Writer
	size int64
	runs []run
}

// run is where one sorted run lies in a spill file.
type run struct {
	off, size int64
	rows      int64
}

const spillBufferSize = 1 << 20

func newSpillFile(dir string) (*spillFile, error) {
	f, name, err := createTemp(dir)
	if err != nil {
		return nil, fmt.Errorf("sorting: cannot create a temporary file in %s: %w (choose another directory with --temp-dir)", dir, unwrapPath(err))
	}
	return &spillFile{dir: dir, f: f, name: name, w: bufio.NewWriterSize(f, spillBufferSize)}, nil
}

// unwrapPath drops the os.PathError's path (the message names the directory already).
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func (s *spillFile) writeRun(b *runBuffer, rows []entry) error {
	r := run{off: s.size, rows: int64(len(rows))}
	var head [2*binary.MaxVarintLen32 + 8]byte
	for k := range rows {
		e := &rows[k]
		h := binary.AppendUvarint(head[:0], uint64(e.keyLen))
		h = binary.AppendUvarint(h, uint64(e.recLen-e.keyLen))
		h = binary.LittleEndian.AppendUint64(h, e.pos)
		s.w.Write(h)
		s.w.Write(b.region[e.off : e.off+uint64(e.recLen)])
		r.size += int64(len(h)) + int64(e.recLen)
	}
	if err := s.w.Flush(); err != nil {
		return s.writeError(err)
	}
	s.size += r.size
	s.runs = append(s.runs, r)
	return nil
}

func (s *spillFile) writeError(err error) error {
	return fmt.Errorf("sorting: cannot write a sorted run to a temporary file in %s: %w (free space there or choose another directory with --temp-dir)", s.dir, unwrapPath(err))
}

func (s *spillFile) close() {
	s.f.Close()
	if s.name != "" {
		os.Remove(s.name)
	}
}

// createNamedTemp makes a temporary file in dir and removes its name at once, which
// Unix systems allow while the file is open; where they do not, the name is returned
// for removal when the file is closed.
func createNamedTemp(dir string) (*os.File, string, error) {
	f, err := os.CreateTemp(dir, ".ptransform-sort-*.tmp")
	if err != nil {
		return nil, "", err
	}
	if os.Remove(f.Name()) == nil {
		return f, "", nil
	}
	return f, f.Name(), nil
}

// fileRun reads one spilled run back, row by row.
type fileRun struct {
	r    *bufio.Reader
	left int64
	rec  []byte
	dir  string
}

func (s *spillFile) open(rn run, bufSize int) *fileRun {
	return &fileRun{r: bufio.NewReaderSize(io.NewSectionReader(s.f, rn.off, rn.size), bufSize), left: rn.rows, dir: s.dir}
}

func (r *fileRun) next() (record, bool, error) {
	if r.left == 0 {
		return record{}, false, nil
	}
	r.left--
	keyLen, err := binary.ReadUvarint(r.r)
	if err != nil {
		return record{}, false, r.readError(err)
	}
	valLen, err := binary.ReadUvarint(r.r)
	if err != nil {
		return record{}, false, r.readError(err)
	}
	n := 8 + int(keyLen) + int(valLen)
	if cap(r.rec) < n {
		r.rec = make([]byte, n)
	}
	rec := r.rec[:n]
	if _, err := io.ReadFull(r.r, rec); err != nil {
		return record{}, false, r.readError(err)
	}
	key := rec[8 : 8+keyLen]
	return record{head: headOf(key), pos: binary.LittleEndian.Uint64(rec), key: key, payload: rec[8+keyLen:], transient: true}, true, nil
}

func (r *fileRun) readError(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("sorting: cannot read back a sorted run from a temporary file in %s: %w", r.dir, unwrapPath(err))
}
