// Package parquetout writes a Parquet file from typed Arrow record batches, encoding its
// column chunks in parallel while the rows stay in input order.
//
// The engine's seam:
//
//	w, err := parquetout.New(out, s, parquetout.Options{Compression: "zstd", RowGroupRows: n, Workers: k})
//	part, err := w.EncodeChunk(batch) // on the workers, concurrently
//	err = w.Append(part)              // on one goroutine, in input order
//	err = w.Close()                   // the footer; or w.Abort() when the run failed
//
// The batches have the columns of s with the Arrow types of schema.Type.ArrowType; a null
// is an empty cell. A part keeps the batch's fixed-width arrays and a copy of its text
// until its rows are written. Parquet types:
//
//	string    BYTE_ARRAY  STRING
//	int       INT64
//	float     DOUBLE
//	bool      BOOLEAN
//	date      INT32       DATE
//	datetime  INT64       TIMESTAMP(MICROS, isAdjustedToUTC=false)
//	time      INT64       TIME(MICROS, isAdjustedToUTC=false)
//	duration  INT64       microseconds, no logical type
//
// Parquet has no logical type for an exact elapsed time (its legacy INTERVAL keeps only
// milliseconds), so a duration is its count of microseconds: DuckDB and Spark read a BIGINT,
// Arrow readers an int64. The footer's key-value metadata names these columns under the
// key DurationKey (a JSON array of column names). No Arrow schema is stored ("ARROW:schema"):
// with it pyarrow would read duration[us], but arrow-go refuses to read such a column.
//
// Every column is OPTIONAL. Encodings are the standard ones, data pages v1 of up to 1 MiB
// of values, definition levels RLE: a column chunk is dictionary encoded (a PLAIN dictionary
// page, RLE_DICTIONARY indices) when at most 7/8 of the non-null values among its first
// 4096 are distinct and the dictionary stays within 1 MiB; otherwise DELTA_BINARY_PACKED
// for INT64 columns (int, datetime, time, duration: what DuckDB, pyarrow, arrow-go and
// Spark 3.3+'s vectorised reader read) and PLAIN for the others; booleans are PLAIN. Statistics (min, max, null count) are in every page header and in the footer, in
// arrow-go's statistics types. Compression is zstd (level 1, the fastest) by default, snappy, gzip or
// none: what DuckDB, pyarrow and Spark read (the tests read the files back with DuckDB and
// arrow-go, and compare the statistics with those arrow-go's own writer gives).
//
// Row groups hold RowGroupRows rows each (the last one the rest), whatever the chunks: Append
// gathers rows from several chunks into a row group, and splits a chunk across two. When a
// row group is full, its columns become encoding tasks, which Workers goroutines of the
// writer's own take in turn (started with the first row group, ended by Close or Abort).
// EncodeChunk only checks a chunk and returns at once: a worker that encoded a column chunk
// (up to a few milliseconds) before handing in its part held back the run's window of
// chunks, and the other workers waited. The engine sets GOMAXPROCS to its workers, so the
// encoders share the same cores: they run while the workers wait, and the workers while
// the encoders do. The writer goroutine only copies finished column chunks to out in order;
// it waits when a row group is still being encoded as the next one is full (which bounds
// the memory: one row group in flight, one being gathered), and at Close. All the encoders
// take the columns of that one row group: encoding it takes a fraction of the time the
// workers take to gather the next, so it is done before the next is full. With Workers
// row groups in flight (as before), two workers kept a third row group of conformed
// columns and copied text, about 10 MB of rows_1m.csv, fresh memory faulted in: 20% more
// page faults for the same rows.
//
// A task encodes one column chunk into memory at a provisional offset (encode.go: pages
// straight from the Arrow buffers of the row group's chunks, never concatenated, in buffers
// reused across tasks); the writer places the chunk and moves its offsets in the footer,
// which arrow-go's metadata builder writes. The bytes depend only on the rows, the schema
// and the options, never on the chunking or the number of workers: pages are cut by rows of
// the row group, and the footer carries no time (created_by is "ptransform").
package parquetout

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	pqschema "github.com/apache/arrow-go/v18/parquet/schema"

	"github.com/ptransform/ptransform/internal/schema"
)

// DefaultRowGroupRows is the row group size when Options.RowGroupRows is 0: 128 Ki rows,
// near DuckDB's 122,880, small enough that the row group in flight and the one gathered
// stay a few tens of MB for typical rows.
const DefaultRowGroupRows = 128 * 1024

// Compressions are the names Options.Compression accepts, the default first.
var Compressions = []string{"zstd", "snappy", "gzip", "none"}

// CheckCompression accepts "" (zstd) and the names of Compressions.
func CheckCompression(name string) error {
	if _, ok := codecs[name]; name != "" && !ok {
		return fmt.Errorf("parquet: unknown compression %q (want one of %s)", name, strings.Join(Compressions, ", "))
	}
	return nil
}

var codecs = map[string]compress.Compression{
	"zstd":   compress.Codecs.Zstd,
	"snappy": compress.Codecs.Snappy,
	"gzip":   compress.Codecs.Gzip,
	"none":   compress.Codecs.Uncompressed,
}

// zstdLevel is zstd's level: 1, klauspost/compress's fastest, about twice the speed of its
// default (3) for files a few percent larger.
const zstdLevel = 1

// CreatedBy is the footer's created_by: the writer's name, no version or time, so that the
// same rows give the same bytes.
const CreatedBy = "ptransform"

// Options tune a Writer; the zero value is zstd, DefaultRowGroupRows and GOMAXPROCS workers.
type Options struct {
	Compression  string // one of Compressions; "" is zstd
	RowGroupRows int    // rows per row group; 0 is DefaultRowGroupRows
	Workers      int    // goroutines encoding column chunks; 0 is GOMAXPROCS
}

// maxInFlight is how many row groups may be dispatched and not yet written: one, whatever
// the workers (see the package doc).
const maxInFlight = 1

// chunkBase is the provisional offset of every column chunk while a task encodes it, that of
// a first chunk after the file's magic: arrow-go's metadata takes offset 0 for "no
// dictionary page", so a chunk may not start at 0.
const chunkBase = int64(len(magic))

// magic starts and ends a Parquet file.
const magic = "PAR1"

// Writer writes one Parquet file. EncodeChunk may be called concurrently; Append, Close and
// Abort belong to one goroutine.
type Writer struct {
	out      io.Writer
	pos      int64 // bytes written to out
	schema   schema.Schema
	meta     *metadata.FileMetaDataBuilder
	encoders []chunkEncoder // one a column
	// Memory of column chunks written, per column: a chunk's buffer serves the same
	// column's next chunk, of about its size (from a list shared by the columns, a
	// buffer that had held a column of booleans grew again, copied, to hold one of ids).
	chunks  []*freeList[[]byte]
	buffers bufferPool // memory of the columns parts keep: copied text, conformed values

	rowGroupRows int
	workers      int

	pending     []arrow.RecordBatch // slices gathered for the next row group
	pendingRows int
	inFlight    []*rowGroup // dispatched, not yet written, in order
	ordinal     int         // of the next row group
	tasks       chan columnTask
	encoding    bool // the encoders were started
	stopped     bool // tasks is closed: Close or Abort
	aborted     atomic.Bool
	err         error // the first failure; the writer refuses further work after it
}

// Part is a checked chunk, ready for Append.
type Part struct{ batch arrow.RecordBatch }

// rowGroup is one row group from dispatch to write.
type rowGroup struct {
	ordinal int
	slices  []arrow.RecordBatch
	rows    int
	meta    *metadata.RowGroupMetaDataBuilder
	columns []*metadata.ColumnChunkMetaDataBuilder
	chunks  [][]byte // encoded column chunks, at offset chunkBase
	errs    []error
	left    atomic.Int32 // columns not yet encoded
	done    chan struct{}
}

type columnTask struct {
	rg     *rowGroup
	column int
}

// New starts a Parquet file of schema s on out (it writes the magic bytes).
func New(out io.Writer, s schema.Schema, opt Options) (*Writer, error) {
	if len(s) == 0 {
		return nil, errors.New("parquet: no columns to write (a Parquet file needs at least one)")
	}
	name := opt.Compression
	if name == "" {
		name = Compressions[0]
	}
	if err := CheckCompression(name); err != nil {
		return nil, err
	}
	codec := codecs[name]
	if opt.RowGroupRows < 0 {
		return nil, fmt.Errorf("parquet: row group size %d: want a positive number of rows", opt.RowGroupRows)
	}
	rowGroupRows := opt.RowGroupRows
	if rowGroupRows == 0 {
		rowGroupRows = DefaultRowGroupRows
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	settings := []parquet.WriterProperty{
		parquet.WithCompression(codec),
		parquet.WithCreatedBy(CreatedBy),
		parquet.WithRootRepetition(parquet.Repetitions.Required),
		parquet.WithStats(true),
	}
	if codec == compress.Codecs.Zstd {
		settings = append(settings, parquet.WithCompressionLevel(zstdLevel))
	}
	root, err := parquetSchema(s)
	if err != nil {
		return nil, err
	}
	pqSchema := pqschema.NewSchema(root)
	encoders := make([]chunkEncoder, len(s))
	for i := range encoders {
		descr := pqSchema.Column(i)
		encoders[i] = chunkEncoder{descr: descr, level: compress.DefaultCompressionLevel,
			signed: descr.SortOrder() == pqschema.SortSIGNED,
			delta:  descr.PhysicalType() == parquet.Types.Int64}
		if encoders[i].delta { // the encoding the footer lists for chunks without a dictionary
			settings = append(settings, parquet.WithEncodingFor(descr.Path(), parquet.Encodings.DeltaBinaryPacked))
		}
		switch codec {
		case compress.Codecs.Zstd:
			encoders[i].zstd = true
			// Measured doubles and bit-packed integer differences are random bytes to
			// Huffman coding: the attempt cost most of zstd's time on them and gained nothing.
			encoders[i].entropyCodedLiterals = descr.PhysicalType() != parquet.Types.Double && !encoders[i].delta
		case compress.Codecs.Uncompressed:
		default:
			if encoders[i].codec, err = compress.GetCodec(codec); err != nil {
				return nil, err
			}
		}
	}
	props := parquet.NewWriterProperties(settings...)
	kv, err := keyValues(s)
	if err != nil {
		return nil, err
	}
	w := &Writer{
		out:          out,
		schema:       s,
		meta:         metadata.NewFileMetadataBuilder(pqSchema, props, kv),
		encoders:     encoders,
		chunks:       make([]*freeList[[]byte], len(s)),
		rowGroupRows: rowGroupRows,
		workers:      workers,
		tasks:        make(chan columnTask, maxInFlight*len(s)),
	}
	for i := range w.chunks {
		w.chunks[i] = newFreeList(workers, func() []byte { return nil })
	}
	if err := w.write([]byte(magic)); err != nil {
		return nil, err
	}
	return w, nil
}

// DurationKey is the footer's key-value metadata key naming the duration columns.
const DurationKey = "ptransform:duration-microseconds"

// keyValues is the footer's key-value metadata of s: DurationKey when it has durations.
func keyValues(s schema.Schema) (metadata.KeyValueMetadata, error) {
	kv := metadata.NewKeyValueMetadata()
	var durations []string
	for _, c := range s {
		if c.Type == schema.Duration {
			durations = append(durations, c.Name)
		}
	}
	if durations == nil {
		return kv, nil
	}
	names, err := json.Marshal(durations)
	if err != nil {
		return nil, err
	}
	return kv, kv.Append(DurationKey, string(names))
}

// parquetSchema is the Parquet schema of s (the table in the package doc).
func parquetSchema(s schema.Schema) (*pqschema.GroupNode, error) {
	fields := make(pqschema.FieldList, len(s))
	for i, c := range s {
		physical, logical := parquet.Types.ByteArray, pqschema.LogicalType(pqschema.StringLogicalType{})
		switch c.Type {
		case schema.Int, schema.Duration:
			physical, logical = parquet.Types.Int64, pqschema.NoLogicalType{}
		case schema.Float:
			physical, logical = parquet.Types.Double, pqschema.NoLogicalType{}
		case schema.Bool:
			physical, logical = parquet.Types.Boolean, pqschema.NoLogicalType{}
		case schema.Date:
			physical, logical = parquet.Types.Int32, pqschema.DateLogicalType{}
		case schema.Datetime:
			physical, logical = parquet.Types.Int64, pqschema.NewTimestampLogicalType(false, pqschema.TimeUnitMicros)
		case schema.Time:
			physical, logical = parquet.Types.Int64, pqschema.NewTimeLogicalType(false, pqschema.TimeUnitMicros)
		}
		node, err := pqschema.NewPrimitiveNodeLogical(c.Name, parquet.Repetitions.Optional, logical, physical, -1, -1)
		if err != nil {
			return nil, fmt.Errorf("parquet: column %q: %w", c.Name, err)
		}
		fields[i] = node
	}
	return pqschema.NewGroupNode("schema", parquet.Repetitions.Required, fields, -1)
}

// EncodeChunk checks a chunk against the schema and keeps it for Append: its fixed-width
// columns as they are, a copy of its text columns (the chunk's own text buffers are free
// for reuse once it returns). Safe for concurrent use.
func (w *Writer) EncodeChunk(batch arrow.RecordBatch) (Part, error) {
	if int(batch.NumCols()) != len(w.schema) {
		return Part{}, fmt.Errorf("parquet: chunk has %d columns, the output has %d", batch.NumCols(), len(w.schema))
	}
	for i, c := range w.schema {
		if got, want := batch.Column(i).DataType(), c.Type.ArrowType(); !arrow.TypeEqual(got, want) {
			return Part{}, fmt.Errorf("parquet: column %q: chunk holds %s, the schema says %s (%s)", c.Name, got, c.Type, want)
		}
	}
	return Part{batch: w.ownText(batch)}, nil
}

// Memory is the allocator the workers conform chunks with (schema.Schema.ConformWith):
// the arrays of a part that EncodeChunk keeps give their memory back to it once their row
// group is written, for the chunks after it. Safe for concurrent use.
func (w *Writer) Memory() memory.Allocator { return &w.buffers }

// ownText is batch with its text columns copied into memory of their own (the fixed-width
// ones are kept as they are): a CSV decoder's text, which a part would otherwise hold until
// its row group is written, goes back to the decoder for its next chunk (sink.RetainsTyped),
// instead of every chunk decoding into fresh memory, zeroed and faulted in. The copy is
// the text of the two or three string columns a row usually has.
func (w *Writer) ownText(batch arrow.RecordBatch) arrow.RecordBatch {
	cols := make([]arrow.Array, batch.NumCols())
	for i, col := range batch.Columns() {
		if str, ok := col.(*array.String); ok {
			cols[i] = copyString(str, &w.buffers)
		} else {
			col.Retain()
			cols[i] = col
		}
	}
	owned := array.NewRecordBatch(batch.Schema(), cols, batch.NumRows())
	for _, col := range cols {
		col.Release()
	}
	return owned
}

// copyString copies a string array into new buffers of pool, its offsets from 0.
func copyString(str *array.String, pool memory.Allocator) arrow.Array {
	n := str.Len()
	offsets := str.ValueOffsets()
	ownOffsets := pool.Allocate(4 * (n + 1))
	own := arrow.Int32Traits.CastFromBytes(ownOffsets)
	for i, o := range offsets {
		own[i] = o - offsets[0]
	}
	text := str.ValueBytes()
	data := pool.Allocate(len(text))
	copy(data, text)
	buffers := []*memory.Buffer{nil, memory.NewBufferWithAllocator(ownOffsets, pool), memory.NewBufferWithAllocator(data, pool)}
	if str.NullN() > 0 {
		bits := pool.Allocate(int(bitutil.BytesForBits(int64(n))))
		clear(bits) // the bits past the last row too: the same bytes whatever the memory held
		bitutil.CopyBitmap(str.NullBitmapBytes(), str.Data().Offset(), n, bits, 0)
		buffers[0] = memory.NewBufferWithAllocator(bits, pool)
	}
	d := array.NewData(str.DataType(), n, buffers, nil, str.NullN(), 0)
	for _, b := range buffers { // d holds them now
		if b != nil {
			b.Release()
		}
	}
	defer d.Release()
	return array.MakeFromData(d)
}

// Append adds a part's rows after those of the parts before it.
func (w *Writer) Append(p Part) error {
	if p.batch == nil {
		return w.fail(errors.New("parquet: Append of a part that EncodeChunk did not make"))
	}
	defer p.batch.Release()
	if w.err != nil {
		return w.err
	}
	rows := int(p.batch.NumRows())
	for start := 0; start < rows; {
		end := min(rows, start+w.rowGroupRows-w.pendingRows)
		w.pending = append(w.pending, p.batch.NewSlice(int64(start), int64(end)))
		w.pendingRows += end - start
		start = end
		if w.pendingRows == w.rowGroupRows {
			if err := w.dispatch(); err != nil {
				return w.fail(err)
			}
		}
	}
	return w.fail(w.writeFinished(false))
}

// Close encodes the last rows, writes the row groups left and the footer. It does not close out.
func (w *Writer) Close() error {
	defer w.releaseMemory()
	if w.err != nil {
		w.Abort()
		return w.err
	}
	if w.pendingRows > 0 {
		if err := w.dispatch(); err != nil {
			w.Abort()
			return w.fail(err)
		}
	}
	if err := w.writeFinished(true); err != nil {
		w.Abort()
		return w.fail(err)
	}
	w.stopEncoders()
	return w.fail(w.writeFooter())
}

// Abort stops the work of a failed run: queued tasks are dropped, gathered rows released,
// the encoders end once their current task is done. The bytes written so far are not a
// Parquet file.
func (w *Writer) Abort() {
	defer w.releaseMemory()
	w.aborted.Store(true)
	w.stopEncoders()
	for _, b := range w.pending {
		b.Release()
	}
	// The row groups in flight give their rows back once their tasks are done (dropped,
	// or the one an encoder is busy with): the pool unmaps its memory when all is back.
	for _, rg := range w.inFlight {
		<-rg.done
		rg.release()
		for _, data := range rg.chunks {
			if data != nil {
				w.buffers.Free(data)
			}
		}
	}
	w.pending, w.pendingRows, w.inFlight = nil, 0, nil
	if w.err == nil {
		w.err = errors.New("parquet: writer aborted")
	}
}

// releaseMemory gives the column chunks' buffers back to the pool and closes it: its
// memory is unmapped once every buffer is back.
func (w *Writer) releaseMemory() {
	for _, chunks := range w.chunks {
		chunks.drain(w.buffers.Free)
	}
	w.buffers.close()
}

func (w *Writer) fail(err error) error {
	if err != nil && w.err == nil {
		w.err = err
	}
	return err
}

// dispatch turns the gathered rows into a row group whose columns are queued for encoding,
// after making room among the row groups in flight.
func (w *Writer) dispatch() error {
	if w.stopped {
		return errors.New("parquet: rows appended after Close")
	}
	if len(w.inFlight) >= maxInFlight {
		if err := w.writeRowGroup(w.inFlight[0]); err != nil {
			return err
		}
		w.inFlight = w.inFlight[1:]
	}
	if w.ordinal > math.MaxInt16 {
		return fmt.Errorf("parquet: more than %d row groups; raise the row group size", math.MaxInt16+1)
	}
	rg := &rowGroup{
		ordinal: w.ordinal,
		slices:  w.pending,
		rows:    w.pendingRows,
		meta:    w.meta.AppendRowGroup(),
		columns: make([]*metadata.ColumnChunkMetaDataBuilder, len(w.schema)),
		chunks:  make([][]byte, len(w.schema)),
		errs:    make([]error, len(w.schema)),
		done:    make(chan struct{}),
	}
	w.ordinal++
	w.pending, w.pendingRows = nil, 0
	rg.left.Store(int32(len(w.schema)))
	for i := range rg.columns {
		rg.columns[i] = rg.meta.NextColumnChunk()
	}
	w.inFlight = append(w.inFlight, rg)
	w.startEncoders()
	for i := range rg.columns {
		w.tasks <- columnTask{rg: rg, column: i} // never blocks: capacity is maxInFlight row groups
	}
	return nil
}

// writeFinished writes the row groups in flight whose columns are all encoded, in order;
// with wait, it waits for all of them.
func (w *Writer) writeFinished(wait bool) error {
	for len(w.inFlight) > 0 {
		rg := w.inFlight[0]
		if !wait {
			select {
			case <-rg.done:
			default:
				return nil
			}
		}
		if err := w.writeRowGroup(rg); err != nil {
			return err
		}
		w.inFlight = w.inFlight[1:]
	}
	return nil
}

// writeRowGroup waits for a row group's columns and writes its column chunks at the end of
// the file, moving their offsets there.
func (w *Writer) writeRowGroup(rg *rowGroup) error {
	<-rg.done
	if err := errors.Join(rg.errs...); err != nil {
		return err
	}
	for i, data := range rg.chunks {
		chunk := rg.columns[i].Contents()
		shift := w.pos - chunkBase
		chunk.FileOffset += shift
		chunk.MetaData.DataPageOffset += shift
		if chunk.MetaData.DictionaryPageOffset != nil {
			*chunk.MetaData.DictionaryPageOffset += shift
		}
		// arrow-go lists the page encoding stats from a map: sort them for stable bytes.
		sortByString(chunk.MetaData.EncodingStats)
		if err := w.write(data); err != nil {
			return err
		}
		w.chunks[i].put(data[:0])
		rg.chunks[i] = nil
	}
	rg.meta.SetNumRows(rg.rows)
	if err := rg.meta.Finish(0, int16(rg.ordinal)); err != nil {
		return err
	}
	rg.release()
	return nil
}

// release gives back the row group's rows (their pooled memory); once is enough.
func (rg *rowGroup) release() {
	for _, b := range rg.slices {
		b.Release()
	}
	rg.slices = nil
}

// writeFooter writes the file metadata; a row group starts where its first column chunk does.
func (w *Writer) writeFooter() error {
	fileMeta, err := w.meta.Finish()
	if err != nil {
		return err
	}
	for _, rg := range fileMeta.RowGroups {
		start := rg.Columns[0].FileOffset
		rg.FileOffset = &start
	}
	footer := &countingWriter{w: w.out}
	if _, err := fileMeta.WriteTo(footer, nil); err != nil {
		return fmt.Errorf("parquet: writing the footer: %w", err)
	}
	w.pos += footer.n
	if footer.n > math.MaxUint32 {
		return errors.New("parquet: footer over 4 GiB")
	}
	return w.write(binary.LittleEndian.AppendUint32(nil, uint32(footer.n)), []byte(magic))
}

// sortByString sorts thrift values (whose types arrow-go keeps internal) by their text.
func sortByString[T fmt.Stringer](values []T) {
	slices.SortFunc(values, func(a, b T) int { return strings.Compare(a.String(), b.String()) })
}

func (w *Writer) write(parts ...[]byte) error {
	for _, p := range parts {
		n, err := w.out.Write(p)
		w.pos += int64(n)
		if err != nil {
			return err
		}
	}
	return nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// startEncoders starts the Workers goroutines that encode the queued column chunks, once.
// Each keeps its own scratch memory and zstd encoders, warm in its core's cache from one
// task to the next (a shared free list handed every task the one used longest ago).
func (w *Writer) startEncoders() {
	if w.encoding {
		return
	}
	w.encoding = true
	tasks := w.tasks
	for range w.workers {
		go func() {
			sc := &scratch{pool: &w.buffers}
			for t := range tasks {
				w.run(sc, t)
			}
		}()
	}
}

// stopEncoders ends the encoders once the tasks queued are done (or dropped, after Abort).
// Nothing is queued after it: Append and Close refuse to work after Close or Abort.
func (w *Writer) stopEncoders() {
	if !w.stopped {
		close(w.tasks)
		w.stopped = true
	}
}

func (w *Writer) run(sc *scratch, t columnTask) {
	rg := t.rg
	if !w.aborted.Load() {
		rg.chunks[t.column], rg.errs[t.column] = w.encodeColumn(sc, rg, t.column)
	}
	if rg.left.Add(-1) == 0 {
		close(rg.done)
	}
}

// encodeColumn encodes one column chunk of a row group, compressed, at offset chunkBase,
// and completes its metadata.
func (w *Writer) encodeColumn(sc *scratch, rg *rowGroup, column int) ([]byte, error) {
	arrays := make([]arrow.Array, len(rg.slices))
	for i, b := range rg.slices {
		arrays[i] = b.Column(column)
	}
	chunk, err := w.encoders[column].encode(sc, arrays, w.chunks[column].get())
	if err != nil {
		return nil, fmt.Errorf("parquet: column %q: %w", w.schema[column].Name, err)
	}
	colMeta := rg.columns[column]
	if chunk.stats.IsSet() {
		colMeta.SetStats(chunk.stats)
	}
	encodings := metadata.EncodingStats{DataEncodingStats: map[parquet.Encoding]int32{w.encoders[column].valueEncoding(): chunk.pages}}
	if chunk.dict {
		encodings = metadata.EncodingStats{
			DictEncodingStats: map[parquet.Encoding]int32{parquet.Encodings.Plain: 1},
			DataEncodingStats: map[parquet.Encoding]int32{parquet.Encodings.RLEDict: chunk.pages},
		}
	}
	if err := colMeta.Finish(chunk.info, chunk.dict, false, encodings); err != nil {
		return nil, fmt.Errorf("parquet: column %q: %w", w.schema[column].Name, err)
	}
	return chunk.data, nil
}
