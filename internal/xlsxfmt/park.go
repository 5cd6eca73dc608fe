package xlsxfmt

import (
	"fmt"
	"os"
)

// Park closes the workbook's file while no sheet is being split, and from then on
// after each split, so that a run of many workbooks keeps only those open that it
// reads. A split opens the file again, after checking that the path still leads to
// the file opened, unchanged: the sheets' headers and the shared strings came from it.
func (b *Book) Park() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.parking = true
	return b.parkIdle()
}

// parkIdle closes the file of a parking book that no split reads.
func (b *Book) parkIdle() error {
	if !b.parking || b.users > 0 || b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	return err
}

// use counts one more reader of the book's parts, opening its file again if parked.
func (b *Book) use() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return fmt.Errorf("internal: reading a closed workbook")
	}
	if b.file == nil && b.decrypted == nil {
		f, err := os.Open(b.Path)
		if err != nil {
			return err
		}
		st, err := f.Stat()
		if err == nil && !(os.SameFile(st, b.info) && st.Size() == b.info.Size() && st.ModTime().Equal(b.info.ModTime())) {
			err = fmt.Errorf("the file changed after its sheets were read (replaced or rewritten during the run); run again once it is complete")
		}
		if err == nil {
			b.pkg, err = openPackage(f, nil, b.opts.Limits)
		}
		if err != nil {
			f.Close()
			return err
		}
		b.file = f
	}
	b.users++
	return nil
}

// done counts one reader less, and parks a parking book after the last.
func (b *Book) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.users--
	b.parkIdle()
}

// Close releases the workbook's file.
func (b *Book) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	return err
}
