package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ptransform/ptransform/internal/output"
	"github.com/ptransform/ptransform/internal/sink"
)

// One output per source (--out-dir) and one sheet per source (--sheet-per-source).
//
// The engine runs once per part, one part after the other in source order: a part is
// the sources that go into one output, or into one sheet of an xlsx output, and has its
// own columns, transforms and schema (sampled from its own rows). The runs share the
// --errors log, the figures (--stats, --stats-json, --max-errors) and the progress bar,
// so these cover the whole run. Each output is a temporary file (internal/output) that
// is kept until every part has succeeded; then all are put in place, in order. A failed
// run leaves none of them, nor the directory if the run created it.

// defaultOutName is --out-name's default.
const defaultOutName = "{stem}.{ext}"

// outNamePlaceholders are what --out-name may hold, as README.md documents them.
var outNamePlaceholders = []string{"{stem}", "{sheet}", "{index}", "{ext}"}

// maxOutNameBytes bounds an output's name, its extension included, below the 255 bytes
// that file systems allow, leaving room for the suffix that makes it unique.
const maxOutNameBytes = 240

// runPart is one run of the engine: sources with the same columns (the run's, or their
// union with --union) into one output or one sheet of it.
type runPart struct {
	sources  []*source
	header   []string
	pipeline *pipeline
	sheet    string // an xlsx output's sheet name ("" for Sheet1)
}

// runTarget is one output of the run and the parts written into it, in order.
type runTarget struct {
	path  string // the file in --out-dir; "" for Options.Output
	parts []*runPart
	dst   *output.Destination
}

// outputFormat is the run's output format: --to, else -o's extension; with --out-dir,
// --to, else --out-name's extension where it is written out ('{stem}.parquet'), else
// csv. It also refuses the flags of one output mode given with the other's.
func outputFormat(o Options) (sink.Format, error) {
	if o.OutDir == "" {
		switch {
		case o.OutName != "":
			return sink.Format{}, errors.New("--out-name names the outputs of --out-dir: give --out-dir DIR too")
		case o.Overwrite:
			return sink.Format{}, errors.New("--overwrite is for --out-dir (-o always replaces its file)")
		}
	} else if o.Output != "" {
		return sink.Format{}, errors.New("-o and --out-dir cannot be used together: -o writes one output, --out-dir one per source")
	}
	var format sink.Format
	var err error
	if ext := filepath.Ext(o.OutName); o.OutDir != "" && (ext == "" || strings.ContainsAny(ext, "{}")) {
		format, err = sink.Lookup(o.To, "")
	} else if o.OutDir != "" {
		format, err = sink.Lookup(o.To, o.OutName)
	} else {
		format, err = sink.Lookup(o.To, o.Output)
	}
	if err != nil {
		return format, err
	}
	if o.SheetName != "" && format.Name != "xlsx" {
		return format, fmt.Errorf("--sheet-name names the sheet of an xlsx output; the output is %s (write to a .xlsx file or give --to xlsx)", format.Name)
	}
	if o.SheetPerSource {
		switch {
		case format.Name != "xlsx":
			return format, fmt.Errorf("--sheet-per-source makes the sheets of an xlsx output; the output is %s (write to a .xlsx file or give --to xlsx)", format.Name)
		case o.SheetName != "":
			return format, errors.New("--sheet-name names the one sheet of an xlsx output; with --sheet-per-source each sheet is named after its source")
		}
	}
	return format, nil
}

// runPerSource runs the engine once per part into the outputs of --out-dir, or into the
// sheets of one xlsx output with --sheet-per-source.
func runPerSource(ctx context.Context, o Options, format sink.Format, sources []*source) (err error) {
	targets, warnings, err := planTargets(ctx, o, format, sources)
	if err != nil {
		return usage(err)
	}
	if format.Typed {
		if err := checkSchemaColumns(o, targets); err != nil {
			return usage(err)
		}
	}
	if o.Explain {
		return explainTargets(ctx, o, format, targets)
	}
	if o.OutDir != "" {
		if err := checkTargets(o, targets); err != nil {
			return usage(err)
		}
	}
	created, err := makeOutDir(o.OutDir)
	if err != nil {
		return err
	}
	single, errs, err := createOutputs(ctx, o)
	if err != nil {
		removeDirs(created)
		return err
	}
	if single != nil {
		targets[0].dst = single
	}
	if o.Stderr != nil {
		for _, w := range warnings {
			fmt.Fprintf(o.Stderr, "ptransform: warning: %s\n", w)
		}
	}
	// whole counts the figures of every part, and tells what planning the sources
	// warns about (newRunner) once.
	whole := newRunner(o, sources, nil, nil, nil, nil, errs)
	defer func() {
		if err != nil {
			errs.abort()
			wrote := false
			for _, t := range targets {
				if t.dst != nil {
					wrote = wrote || t.dst.Wrote()
					t.dst.Abort()
				}
			}
			if wrote {
				err = &PartialOutputError{err}
			}
			removeDirs(created)
		}
		whole.progress.finish()
		if serr := whole.report(err); err == nil {
			err = serr
		}
	}()
	var sinkWarnings []string
	for _, t := range targets {
		if t.dst == nil {
			if t.dst, err = output.Create(ctx, t.path, o.Inputs); err != nil {
				return err
			}
		}
		w, err := runTargetParts(ctx, o, format, t, errs, whole)
		if err != nil {
			return err
		}
		sinkWarnings = append(sinkWarnings, w...)
		// Finished, the output waits for the others: its buffer goes, its file stays.
		if err := t.dst.Release(); err != nil {
			return err
		}
	}
	whole.progress.finish()
	if err := commitTargets(targets); err != nil {
		return err
	}
	if err := errs.commit(); err != nil {
		return fmt.Errorf("the outputs were written, but not the --errors file: %w", err)
	}
	whole.reportWarnings()
	if o.Stderr != nil {
		for _, w := range sinkWarnings {
			fmt.Fprintf(o.Stderr, "ptransform: warning: %s\n", w)
		}
	}
	return nil
}

// runTargetParts runs the parts of one output, and returns what its sinks warn about,
// naming the output.
func runTargetParts(ctx context.Context, o Options, format sink.Format, t *runTarget, errs *rowErrorLog, whole *runner) ([]string, error) {
	var book *sink.Workbook
	if o.SheetPerSource {
		var err error
		if book, err = sink.NewWorkbook(t.dst); err != nil {
			return nil, err
		}
	}
	var msgs []string
	for _, p := range t.parts {
		w, err := runOnePart(ctx, o, format, p, t.dst, book, errs, whole)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, w...)
	}
	if book != nil {
		if err := book.Close(); err != nil {
			return nil, err
		}
		msgs = book.Warnings()
	}
	for i, m := range msgs {
		msgs[i] = targetName(o, t) + ": " + m
	}
	return msgs, nil
}

// targetName names an output for the user.
func targetName(o Options, t *runTarget) string {
	switch {
	case t.path != "":
		return t.path
	case o.Output == "" || o.Output == "-":
		return "standard output"
	}
	return o.Output
}

// runOnePart runs the engine over one part into dst, through the format's sink or
// through a sheet of book, counting into whole's figures.
func runOnePart(ctx context.Context, o Options, format sink.Format, p *runPart, dst *output.Destination,
	book *sink.Workbook, errs *rowErrorLog, whole *runner) (warnings []string, err error) {
	sch, err := runSchema(ctx, o, format, p.sources, p.header, p.pipeline)
	if err != nil {
		return nil, err
	}
	cfg := sinkConfig(o, sch, p.sheet)
	var out sink.Sink
	if book != nil {
		out = book.Sheet(cfg)
	} else if out, err = format.New(cfg); err != nil {
		return nil, usage(err)
	}
	defer func() {
		if a, ok := out.(sink.Aborter); ok && err != nil {
			a.Abort()
		}
	}()
	// whole has said what the planning of these sources warns about.
	quiet := o
	quiet.Stderr = nil
	r := newRunner(quiet, p.sources, p.header, p.pipeline, out, dst, errs)
	if out.Typed() {
		r.schema = format.ConformSchema(sch)
	}
	r.progress, r.errCount, r.reshaped = whole.progress, whole.errCount, whole.reshaped
	defer func() { whole.errCount, whole.reshaped = r.errCount, r.reshaped }()
	if err := out.Begin(dst); err != nil {
		return nil, err
	}
	if err := r.run(ctx); err != nil {
		return nil, err
	}
	if err := out.Finish(dst); err != nil {
		return nil, err
	}
	if w, ok := out.(sink.Warner); ok {
		warnings = w.Warnings()
	}
	return warnings, nil
}

// commitTargets puts every output in place, in order. Should that fail (the directory
// made read-only, a file system error), the outputs before stay in place and the rest
// are removed: the error says how many were placed.
func commitTargets(targets []*runTarget) error {
	for i, t := range targets {
		if err := t.dst.Commit(); err != nil {
			for _, rest := range targets[i+1:] {
				rest.dst.Abort()
			}
			switch {
			case len(targets) == 1:
				return err
			case i == 0:
				return fmt.Errorf("putting output 1 of %d in place: %w (no output was put in place)", len(targets), err)
			}
			placed := fmt.Sprintf("outputs 1 to %d are", i)
			if i == 1 {
				placed = "output 1 is"
			}
			return fmt.Errorf("putting output %d of %d in place: %w (%s in place, the others were removed)", i+1, len(targets), err, placed)
		}
	}
	return nil
}

// planTargets groups the sources into outputs and parts and compiles each part's
// transforms against its columns, before any data is read. warnings say which names
// were made unique.
func planTargets(ctx context.Context, o Options, format sink.Format, sources []*source) ([]*runTarget, []string, error) {
	pattern := o.OutName
	if pattern == "" {
		pattern = defaultOutName
	}
	var perSheet bool
	if o.OutDir != "" {
		var err error
		if perSheet, err = checkOutName(pattern); err != nil {
			return nil, nil, err
		}
	}
	// Sources go to outputs: all to one, or each to its own (perSheet), or a workbook's
	// sheets to one per file.
	var groups [][]*source
	for i, s := range sources {
		if o.OutDir == "" && i > 0 || o.OutDir != "" && !perSheet && i > 0 && s.input == sources[i-1].input {
			groups[len(groups)-1] = append(groups[len(groups)-1], s)
			continue
		}
		groups = append(groups, []*source{s})
	}
	targets := make([]*runTarget, len(groups))
	names := make([]string, len(groups))
	for k, g := range groups {
		t := &runTarget{}
		if o.SheetPerSource {
			for _, s := range g {
				t.parts = append(t.parts, &runPart{sources: []*source{s}, sheet: sourceSheetName(o, s)})
			}
		} else {
			t.parts = []*runPart{{sources: g, sheet: outputSheetName(o, g)}}
		}
		for _, p := range t.parts {
			header, err := runColumns(p.sources, o.Union)
			if err != nil && o.OutDir != "" && !perSheet {
				err = fmt.Errorf("%w, or {sheet} in --out-name writes each sheet to its own output", err)
			}
			if err != nil {
				return nil, nil, err
			}
			if o.cells, err = aggregatedCellTypes(ctx, o, p.sources, header); err != nil {
				return nil, nil, err
			}
			if p.pipeline, err = compile(o, header); err != nil {
				if len(groups) > 1 || len(t.parts) > 1 {
					err = fmt.Errorf("%s: %w", p.sources[0].name(), err)
				}
				return nil, nil, err
			}
			p.header = header
		}
		if o.OutDir != "" {
			names[k] = outFileName(pattern, outNameValues{stem: inputStem(o.Inputs[g[0].input]), sheet: sourceSheetName(o, g[0]),
				index: k + 1, ext: strings.TrimPrefix(format.Extensions[0], ".")})
		}
		targets[k] = t
	}
	var warnings []string
	if o.OutDir != "" {
		unique := uniqueNames(names)
		for k, t := range targets {
			t.path = filepath.Join(o.OutDir, unique[k])
			if unique[k] != names[k] {
				warnings = append(warnings, fmt.Sprintf("--out-name gives an earlier output the name %s too (letter case aside): %s is written to %s",
					names[k], groups[k][0].name(), t.path))
			}
		}
	}
	return targets, warnings, nil
}

// sourceSheetName names a source's sheet with --sheet-per-source, and is its {sheet} in
// --out-name: its own sheet's name, or a CSV input's file stem.
func sourceSheetName(o Options, s *source) string {
	if s.sheet != nil {
		return s.sheet.Name
	}
	return inputStem(o.Inputs[s.input])
}

// explainTargets prints the plan of every part, under the output and sheet it goes to.
func explainTargets(ctx context.Context, o Options, format sink.Format, targets []*runTarget) error {
	var b strings.Builder
	for _, t := range targets {
		for _, p := range t.parts {
			sch, err := runSchema(ctx, o, format, p.sources, p.header, p.pipeline)
			if err != nil {
				return err
			}
			where := targetName(o, t)
			if o.SheetPerSource {
				where += fmt.Sprintf(", sheet %q", p.sheet)
			}
			fmt.Fprintf(&b, "== %s, from %s\n%s", where, describeSources(p.sources), explainRun(p.pipeline, format, sch))
		}
	}
	_, err := io.WriteString(o.Stdout, b.String())
	return err
}

func describeSources(sources []*source) string {
	names := make([]string, len(sources))
	for i, s := range sources {
		names[i] = s.name()
	}
	return strings.Join(names, "; ")
}

// checkTargets refuses, before any data is read, outputs that would replace an input
// or another file the run writes (the rule of CheckWrittenPaths, which Run has applied
// to the others), or (without --overwrite) a file that is there.
func checkTargets(o Options, targets []*runTarget) error {
	written := o.writtenPaths()
	for _, t := range targets {
		written = append(written, WrittenPath{"output", t.path})
	}
	if err := checkWritten(o, written); err != nil {
		return fmt.Errorf("%w (choose another --out-dir or --out-name)", err)
	}
	if o.Overwrite {
		return nil
	}
	var inTheWay []string
	for _, t := range targets {
		if _, err := os.Lstat(t.path); err == nil {
			inTheWay = append(inTheWay, t.path)
		}
	}
	switch len(inTheWay) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("output %s exists: remove it, choose another --out-dir or --out-name, or give --overwrite to replace it", inTheWay[0])
	}
	return fmt.Errorf("outputs %s and %d more exist: remove them, choose another --out-dir or --out-name, or give --overwrite to replace them",
		inTheWay[0], len(inTheWay)-1)
}

// makeOutDir makes --out-dir and its missing parents, as mkdir -p does, and returns
// those it made, deepest first, for a failed run to remove again.
func makeOutDir(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	st, err := os.Stat(dir)
	if err == nil {
		if !st.IsDir() {
			return nil, fmt.Errorf("--out-dir %s is not a directory", dir)
		}
		return nil, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("--out-dir %s: %w", dir, err)
	}
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o777); err != nil {
		removeDirs(missing)
		return nil, fmt.Errorf("--out-dir %s: %w", dir, err)
	}
	return missing, nil
}

// removeDirs removes the directories a failed run made, deepest first, each only
// if it is empty.
func removeDirs(dirs []string) {
	for _, d := range dirs {
		os.Remove(d)
	}
}

// checkOutName refuses an --out-name that is not one file name or has an unknown
// placeholder, and reports whether it holds {sheet}: then each sheet is an output.
func checkOutName(pattern string) (perSheet bool, err error) {
	if strings.ContainsAny(pattern, `/\`) {
		return false, fmt.Errorf("--out-name %q is a file name, without a directory: the directory is --out-dir's", pattern)
	}
	for rest := pattern; ; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			break
		}
		ph := rest[open : open+end+1]
		known := false
		for _, p := range outNamePlaceholders {
			known = known || ph == p
		}
		if !known {
			return false, fmt.Errorf("--out-name %q: unknown placeholder %s (use %s)", pattern, ph, strings.Join(outNamePlaceholders, ", "))
		}
		rest = rest[open+end+1:]
	}
	return strings.Contains(pattern, "{sheet}"), nil
}

// outNameValues are what an output's placeholders stand for.
type outNameValues struct {
	stem, sheet string
	index       int
	ext         string
}

// outFileName expands pattern (checked by checkOutName) and makes the result a safe
// file name (safeFileName).
func outFileName(pattern string, v outNameValues) string {
	name := strings.NewReplacer("{stem}", v.stem, "{sheet}", v.sheet, "{index}", strconv.Itoa(v.index), "{ext}", v.ext).Replace(pattern)
	return safeFileName(name)
}

// inputStem is an input's file name without its directory, a compression suffix
// (.gz, .zst) and its extension; "stdin" for standard input.
func inputStem(path string) string {
	if path == "-" {
		return "stdin"
	}
	base := filepath.Base(path)
	for _, ext := range []string{".gz", ".gzip", ".zst", ".zstd"} {
		if trimmed, ok := cutSuffixFold(base, ext); ok {
			base = trimmed
			break
		}
	}
	if stem := strings.TrimSuffix(base, filepath.Ext(base)); stem != "" {
		return stem
	}
	return base
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) > len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// safeFileName makes name a file name that stays in its directory and lists cleanly:
// path separators, control characters and bytes that are not UTF-8 become _, so do
// leading dots (no hidden file, no ".."); an empty name becomes _; a name longer than
// maxOutNameBytes is cut before its extension, on a character boundary.
func safeFileName(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '/' || r == '\\' || r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			b.WriteByte('_')
		case r == utf8.RuneError && !strings.HasPrefix(name[i:], "\uFFFD"):
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if trimmed := strings.TrimLeft(s, "."); len(trimmed) < len(s) {
		s = strings.Repeat("_", len(s)-len(trimmed)) + trimmed
	}
	if s == "" {
		return "_"
	}
	if len(s) <= maxOutNameBytes {
		return s
	}
	ext := filepath.Ext(s)
	if len(ext) > 16 {
		ext = "" // not an extension, just a dot in a long name
	}
	return truncateUTF8(strings.TrimSuffix(s, ext), maxOutNameBytes-len(ext)) + ext
}

// truncateUTF8 cuts s to at most n bytes, on a character boundary.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// uniqueNames returns names with each one that repeats an earlier one (without regard
// to case, as case-insensitive file systems compare them) given the first free suffix
// -2, -3, ... before its extension: a.csv, a-2.csv, a-3.csv.
func uniqueNames(names []string) []string {
	taken := make(map[string]bool, len(names))
	unique := make([]string, len(names))
	for i, name := range names {
		ext := filepath.Ext(name)
		stem := strings.TrimSuffix(name, ext)
		candidate := name
		for k := 2; taken[strings.ToLower(candidate)]; k++ {
			candidate = stem + "-" + strconv.Itoa(k) + ext
		}
		taken[strings.ToLower(candidate)] = true
		unique[i] = candidate
	}
	return unique
}
