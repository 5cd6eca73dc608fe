package apply

import (
	"fmt"
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows bytes done of total, rows per second and time left while a run goes
// on. It is fed by the writer only, so it counts what is really finished.
type progress struct {
	bar   *progressbar.ProgressBar
	start time.Time
	rows  int64
	shown time.Time
}

func newProgress(w io.Writer, total int64) *progress {
	if w == nil {
		return &progress{}
	}
	return &progress{start: time.Now(), bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) add(bytes, rows int64) {
	if p.bar == nil {
		return
	}
	p.rows += rows
	if now := time.Now(); now.Sub(p.shown) >= 200*time.Millisecond {
		p.shown = now
		rate := float64(p.rows) / now.Sub(p.start).Seconds()
		p.bar.Describe(fmt.Sprintf("%d rows, %s rows/s", p.rows, humanCount(rate)))
	}
	p.bar.Add64(bytes)
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

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
