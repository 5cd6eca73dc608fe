package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ptransform/ptransform/internal/output"
)

// RunStats are the figures of one run, as --stats prints them on one line and
// --stats-json writes them for schedulers (README "Run summary" documents the fields).
type RunStats struct {
	OK            bool    `json:"ok"`              // the run succeeded and its output is in place
	Error         string  `json:"error,omitempty"` // why it failed
	Inputs        int     `json:"inputs"`          // inputs given (files, or - for standard input)
	Sources       int     `json:"sources"`         // tables read: one per CSV input, one per sheet
	RowsIn        int64   `json:"rows_in"`         // data rows read
	RowsOut       int64   `json:"rows_out"`        // data rows written (after --where, --on-error skip, the grouping, --having, --limit)
	RowErrors     int64   `json:"row_errors"`      // rows that --on-error skip or null let through
	BytesIn       int64   `json:"bytes_in"`        // bytes decoded: CSV text (after decompression), sheet XML
	Seconds       float64 `json:"seconds"`         // wall-clock time from start to end of the run
	RowsPerSecond float64 `json:"rows_per_second"` // rows_in / seconds
}

func (r *runner) stats(err error) RunStats {
	s := RunStats{OK: err == nil, Inputs: len(r.o.Inputs), Sources: len(r.sources),
		RowsIn: r.progress.rowsIn, RowsOut: r.progress.rowsOut, RowErrors: r.errCount.count,
		BytesIn: r.progress.bytesIn, Seconds: r.progress.elapsed().Seconds()}
	if err != nil {
		s.Error = err.Error()
	}
	if s.Seconds > 0 {
		s.RowsPerSecond = float64(s.RowsIn) / s.Seconds
	}
	return s
}

// summary is the one line --stats prints: "3 inputs, 1.2M rows in, 1.1M rows out,
// 12 row errors, 4.2s, 293k rows/s".
func (s RunStats) summary() string {
	return fmt.Sprintf("ptransform: %d %s, %d rows in, %d rows out, %d row errors, %s, %s rows/s",
		s.Inputs, plural(int64(s.Inputs), "input", "inputs"), s.RowsIn, s.RowsOut, s.RowErrors,
		(time.Duration(s.Seconds * float64(time.Second))).Round(time.Millisecond), humanCount(s.RowsPerSecond))
}

// report prints the summary where asked (or after a progress bar, on its terminal) and
// writes the --stats-json file; it reports only a failure to write that file.
func (r *runner) report(runErr error) error {
	s := r.stats(runErr)
	switch {
	case r.o.Stats != nil:
		fmt.Fprintln(r.o.Stats, s.summary())
	case r.progress.shownBar && runErr == nil:
		fmt.Fprintln(r.o.Progress, s.summary())
	}
	if r.o.StatsJSON == "" {
		return nil
	}
	return writeStatsJSON(r.o.StatsJSON, r.o.readPaths(), s)
}

func writeStatsJSON(path string, inputs []string, s RunStats) error {
	// The figures are written when the run has ended, also by a signal: not under the
	// run's context.
	dst, err := output.Create(context.Background(), path, inputs)
	if errors.Is(err, output.ErrOutputIsInput) {
		return usage(fmt.Errorf("--stats-json: %w", err))
	}
	if err != nil {
		return fmt.Errorf("--stats-json: %w", err)
	}
	b, _ := json.MarshalIndent(s, "", "  ") // plain numbers and strings always marshal
	if _, err := dst.Write(append(b, '\n')); err != nil {
		dst.Abort()
		return fmt.Errorf("--stats-json: %w", err)
	}
	if err := dst.Commit(); err != nil {
		return fmt.Errorf("--stats-json: %w", err)
	}
	return nil
}
