package apply

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progressDelay is how long a run goes on before a bar appears: short runs, most of
// them, finish without a flash of output.
const progressDelay = time.Second

// progress counts what a run has finished and, on a terminal, shows it while the run
// goes on: bytes done of the total where the inputs' size is known (CSV files, and
// compressed files by the compressed bytes read), else the rows done, which is what a
// stream or a sheet can tell. It is fed by the writer only, so it counts what is really
// finished (a compressed file's count runs a few blocks ahead of that).
type progress struct {
	w     io.Writer // where the bar goes; nil for none
	total int64     // bytes of the inputs, -1 when unknown
	// measured counts the bytes of total finished in the files read in ranges;
	// compressedRead, when set, polls the bytes read of the compressed ones.
	measured       int64
	compressedRead func() int64
	now            func() time.Time
	start          time.Time
	// bar is made at the first chunk, so that its rate counts from there, and drawn
	// (visible) once progressDelay has passed.
	bar     *progressbar.ProgressBar
	visible bool
	shown   time.Time // when the description was last updated
	// shownBar tells, after finish, that a bar was shown: the summary line then follows.
	shownBar bool

	rowsIn, rowsOut, bytesIn int64
}

func newProgress(w io.Writer, total int64) *progress {
	return &progress{w: w, total: total, now: time.Now, start: time.Now()}
}

// add counts one finished chunk: the bytes it was decoded from, those of them that
// count towards total (a file read in ranges), the rows decoded and the rows written.
func (p *progress) add(bytes, measured, rowsIn, rowsOut int64) {
	p.bytesIn += bytes
	p.measured += measured
	p.rowsIn += rowsIn
	p.rowsOut += rowsOut
	if p.w == nil {
		return
	}
	now := p.now()
	if p.bar == nil {
		// The bar's clock (the library's, not p.now) starts here: made only when it
		// is first drawn, it showed a second's bytes done in no time, an absurd rate.
		p.bar = p.newBar()
		p.bar.StartWithoutRender()
	}
	if !p.visible {
		if now.Sub(p.start) < progressDelay {
			return
		}
		p.visible = true
	}
	if p.total >= 0 {
		done := p.measured
		if p.compressedRead != nil {
			done += p.compressedRead()
		}
		p.bar.Set64(min(done, p.total))
	} else {
		p.bar.Set64(p.rowsIn)
	}
	if now.Sub(p.shown) >= 200*time.Millisecond {
		p.shown = now
		rate := float64(p.rowsIn) / now.Sub(p.start).Seconds()
		p.bar.Describe(fmt.Sprintf("%s rows, %s rows/s", humanCount(float64(p.rowsIn)), humanCount(rate)))
	}
}

func (p *progress) newBar() *progressbar.ProgressBar {
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionThrottle(200 * time.Millisecond),
		progressbar.OptionClearOnFinish(),
	}
	if p.total >= 0 {
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30), progressbar.OptionSetPredictTime(true))
	} else {
		// A spinner: how far the run has come is known, how far it has to go is not.
		opts = append(opts, progressbar.OptionSetPredictTime(false), progressbar.OptionSetElapsedTime(false))
	}
	return progressbar.NewOptions64(p.total, opts...)
}

// humanCount writes 1234567 as 1.2M.
func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.0fk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

// restart counts from zero again: the run reads its inputs again from the start.
func (p *progress) restart() {
	p.bytesIn, p.measured, p.rowsIn, p.rowsOut = 0, 0, 0, 0
}

// finish clears the bar, if one is shown; shownBar then tells that there was one.
func (p *progress) finish() {
	if p.visible {
		p.bar.Finish()
		p.shownBar = true
	}
	p.bar, p.visible = nil, false
}

// elapsed is how long the run has taken so far.
func (p *progress) elapsed() time.Duration { return p.now().Sub(p.start) }
