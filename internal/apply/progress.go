package apply

import (
	"io"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows bytes done of total, throughput and time left while a run goes on. It
// is fed by the writer only, so it counts what is really finished.
type progress struct {
	bar *progressbar.ProgressBar
}

func newProgress(w io.Writer, total int64) *progress {
	if w == nil {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) add(n int64) {
	if p.bar != nil {
		p.bar.Add64(n)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}
