package fileio

import "os"

// WritePiece is the most bytes one system call writes into a file: WriteAt and Pieces
// cut larger writes into pieces this size.
//
// Linux (6.x, ext4 among others) caches a write in folios as large as the write, up
// to 2 MiB. Large folios are carved from large free blocks, and on the VM the project
// measures on those are what the kernel has reported free to the host, which takes
// the memory back and faults it in again page by page on the next write to it. Writes
// of 1 MiB then ran at a third to a fifth of their speed in bursts that came and went
// every few runs: a derive of 1 GB to a file took 1.02–1.87 s against 0.82–0.91 s with
// 256 KiB writes, and 0.78–0.88 s with its 1 MiB chunks written in 256 KiB pieces
// (9 interleaved rounds; `dd bs=1M` 0.20 s or 1.2–1.4 s, `bs=256K` 0.22 s or
// 0.9–1.05 s, `bs=64K` 0.27–0.41 s; docs/performance.md, "Writes in 256 KiB pieces
// (session 15)"). Smaller pieces cost more system calls and gained nothing more.
const WritePiece = 256 << 10

// Pieces is an io.Writer that writes to File in pieces of at most WritePiece bytes:
// the buffered, sequential writes of an output file, as WriteAt is for positional ones.
type Pieces struct{ File *os.File }

func (w Pieces) Write(p []byte) (int, error) {
	return inPieces(p, func(piece []byte, _ int64) (int, error) { return w.File.Write(piece) })
}

// inPieces calls write on the successive pieces of p of at most WritePiece bytes, each
// with its offset in p, until all of p is written or a call fails; it returns the bytes
// written.
func inPieces(p []byte, write func(piece []byte, at int64) (int, error)) (int, error) {
	n := 0
	for n < len(p) {
		k, err := write(p[n:min(len(p), n+WritePiece)], int64(n))
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
