package apply

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/lookup"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// openLookups opens the --lookup files as the run's inputs are opened (by content:
// CSV, TSV, workbooks, JSON Lines and whatever else the inputs read), their headers
// read, their rows not yet: the stage reads them once it is compiled, through the
// same runner as the inputs (every core decoding). A reference is read with the
// default CSV settings, not the input's --delimiter or --encoding.
func openLookups(ctx context.Context, o Options) (refs []*lookup.Reference, closeAll func(), err error) {
	var opened []*opened
	closeAll = func() {
		for _, op := range opened {
			op.close()
		}
	}
	limit := o.Memory
	if limit <= 0 {
		limit = DefaultMemory
	}
	for _, spec := range o.Lookups {
		if spec.Path == "-" && slices.Contains(o.Inputs, "-") {
			closeAll()
			return nil, nil, usage(errors.New("--lookup -: standard input is already an input; it can be read only once"))
		}
		ro := Options{Inputs: []string{spec.Path}, Workers: o.Workers, ChunkSize: cmp.Or(o.ChunkSize, referenceChunkSize), Password: o.Password}
		if spec.Sheet != "" {
			ro.Sheets = []string{spec.Sheet}
		}
		op, err := openSources(ro)
		if err != nil {
			closeAll()
			return nil, nil, setupFailure(fmt.Errorf("--lookup: %w", err))
		}
		opened = append(opened, op)
		if len(op.sources) == 0 {
			closeAll()
			return nil, nil, usage(errors.New("--lookup " + spec.Path + ": the workbook holds no sheet to read"))
		}
		if spec.Sheet != "" && op.sources[0].sheet == nil {
			closeAll()
			return nil, nil, usage(fmt.Errorf("--lookup %s: is not a workbook; --lookup-sheet %s chooses the sheet of a workbook reference", spec.Path, spec.Sheet))
		}
		header, err := runColumns(op.sources, false)
		if err != nil {
			closeAll()
			return nil, nil, usage(err)
		}
		read := func(reads []bool, take func(*table.Chunk) (any, error), keep func(any) error) error {
			r := newRunner(ro, op.sources, header, nil, nil, nil, nil) // take and keep have the chunks: no sink
			r.take, r.keep = take, keep
			for i, s := range op.sources {
				if s.conform == nil && (s.csv != nil || s.pq != nil) {
					r.skips[i] = make([]bool, len(reads))
					for j, read := range reads {
						r.skips[i][j] = !read // storing a value is most of decoding it
					}
				}
			}
			return setupFailure(r.run(ctx))
		}
		refs = append(refs, lookup.NewReference(spec, header, limit, read))
	}
	return refs, closeAll, nil
}

// referenceChunkSize is the chunk size a reference is read in unless --chunk-size is
// given. A run waits for its references, and smaller chunks than an input's get both
// cores decoding sooner and keep less fresh memory per decoder: 100k products (3.6 MB)
// took 90 ms of CPU and 2,100 page faults in 64 KiB chunks, 115 ms and 2,450 in 256 KiB.
const referenceChunkSize = 64 << 10

// compileLookups compiles the --lookup stage, which loads the references.
func compileLookups(o Options, columns []string, _ []expr.Type) (transforms.Stage, error) {
	stage, err := lookup.Compile(o.references, columns, exprOptions(o))
	if le := (*lookup.LoadError)(nil); errors.As(err, &le) {
		return nil, setupFailure(le.Err) // the reference's data, as a reading error is
	}
	return stage, err
}
