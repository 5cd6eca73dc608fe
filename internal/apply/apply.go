// Package apply runs one `ptransform apply`: it opens the inputs, compiles the transforms
// against their header, and drives the chunk pipeline from the inputs to one output.
package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ptransform/ptransform/internal/csvfmt"
	"github.com/ptransform/ptransform/internal/expr"
	"github.com/ptransform/ptransform/internal/output"
	"github.com/ptransform/ptransform/internal/table"
	"github.com/ptransform/ptransform/internal/transforms"
)

// Options are the settings of one run, already parsed from the command line.
type Options struct {
	Inputs  []string // paths; "-" is standard input
	Output  string   // "" or "-" is standard output
	To      string   // output format; "" means by Output's extension, else csv
	From    string   // input format when the extension does not say
	Select  []string
	Drop    []string
	Renames []transforms.Rename

	Exprs      []string // --expr assignments, in order
	Wheres     []string // --where filters, all must hold
	OnError    expr.OnError
	ErrorsPath string // where row-level errors go as CSV; "" for nowhere
	Explain    bool   // print the compiled plan instead of running

	Workers   int
	ChunkSize int64
	CSV       csvfmt.Options
	CRLF      bool

	Stdout   io.Writer
	Stderr   io.Writer // warnings (row errors skipped or nulled); nil for none
	Progress io.Writer // where the progress bar goes; nil for none
	Now      time.Time // what now() and today() return; zero for the start of the run
}

// DefaultChunkSize was chosen by measurement (see docs/performance.md): large enough that
// per-chunk costs vanish, small enough that a 2-worker run keeps well under 100 MB.
const DefaultChunkSize = 4 << 20

// Run performs the run described by o.
func Run(ctx context.Context, o Options) (err error) {
	if len(o.Inputs) == 0 {
		return usage(errors.New("no input: give one or more files, or - for standard input"))
	}
	stdinUses := 0
	for _, in := range o.Inputs {
		if in == "-" {
			stdinUses++
		}
	}
	if stdinUses > 1 {
		return usage(errors.New("standard input (-) can be read only once"))
	}
	writer, err := outputFormat(o)
	if err != nil {
		return usage(err)
	}
	inputs, err := openInputs(o)
	if err != nil {
		return err
	}
	defer func() {
		for _, in := range inputs {
			in.Close()
		}
	}()
	header, err := commonHeader(inputs)
	if err != nil {
		return usage(err)
	}
	pipeline, err := compile(o, header)
	if err != nil {
		return usage(err)
	}
	if o.Explain {
		_, err := io.WriteString(o.Stdout, pipeline.explain())
		return err
	}

	var dst *output.Destination
	if o.Output == "" || o.Output == "-" {
		dst = output.Stdout(o.Stdout)
	} else if dst, err = output.Create(o.Output, o.Inputs); err != nil {
		if errors.Is(err, output.ErrOutputIsInput) {
			return usage(err)
		}
		return err
	}
	defer func() {
		if err != nil {
			dst.Abort()
		}
	}()

	var errs *rowErrorLog
	if o.ErrorsPath != "" {
		if errs, err = createRowErrorLog(o.ErrorsPath, o.Inputs); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				errs.abort()
			}
		}()
	}

	r := newRunner(o, inputs, pipeline, writer, dst, errs)
	if _, err := dst.Write(writer.AppendHeader(nil, pipeline.columns.Names())); err != nil {
		return err
	}
	if err := r.run(ctx); err != nil {
		return err
	}
	r.progress.finish()
	if err := errs.commit(); err != nil {
		return err
	}
	if err := dst.Commit(); err != nil {
		return err
	}
	r.reportRowErrors()
	return nil
}

func outputFormat(o Options) (csvfmt.Writer, error) {
	format := strings.ToLower(o.To)
	if format == "" {
		switch strings.ToLower(filepath.Ext(o.Output)) {
		case ".tsv", ".tab":
			format = "tsv"
		default:
			format = "csv"
		}
	}
	switch format {
	case "csv":
		return csvfmt.Writer{Delimiter: ',', CRLF: o.CRLF}, nil
	case "tsv":
		return csvfmt.Writer{Delimiter: '\t', CRLF: o.CRLF}, nil
	}
	return csvfmt.Writer{}, fmt.Errorf("unknown output format %q (want csv or tsv)", o.To)
}

func openInputs(o Options) ([]*csvfmt.Input, error) {
	copts := o.CSV
	switch strings.ToLower(o.From) {
	case "", "csv":
	case "tsv":
		if copts.Delimiter == 0 {
			copts.Delimiter = '\t'
		}
	default:
		return nil, usage(fmt.Errorf("unknown input format %q (want csv or tsv)", o.From))
	}
	var inputs []*csvfmt.Input
	for _, name := range o.Inputs {
		in, err := csvfmt.Open(name, copts)
		if err != nil {
			for _, opened := range inputs {
				opened.Close()
			}
			return nil, err
		}
		inputs = append(inputs, in)
	}
	return inputs, nil
}

// commonHeader is the header all inputs share; inputs whose columns differ are an error
// that names the difference.
func commonHeader(inputs []*csvfmt.Input) ([]string, error) {
	first := table.UniqueNames(inputs[0].Header)
	for _, in := range inputs[1:] {
		h := table.UniqueNames(in.Header)
		if strings.Join(h, "\x00") == strings.Join(first, "\x00") {
			continue
		}
		return nil, fmt.Errorf("%s and %s have different columns (%s)", inputs[0].Name, in.Name, headerDiff(first, h))
	}
	return first, nil
}

func headerDiff(a, b []string) string {
	inA := make(map[string]bool, len(a))
	for _, n := range a {
		inA[n] = true
	}
	inB := make(map[string]bool, len(b))
	for _, n := range b {
		inB[n] = true
	}
	var parts []string
	for _, n := range a {
		if !inB[n] {
			parts = append(parts, fmt.Sprintf("only in the first: %q", n))
		}
	}
	for _, n := range b {
		if !inA[n] {
			parts = append(parts, fmt.Sprintf("only in the second: %q", n))
		}
	}
	if len(parts) == 0 {
		return "same names in another order"
	}
	return strings.Join(parts, ", ")
}

// bufferPool recycles output buffers between workers and the writer, so that steady state
// allocates no chunk-sized memory.
var bufferPool = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}
