package scenario

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/winchain/winchain/clock"
)

// Progress reports of a long run (issue 17: `simulate --progress`). The
// work is counted in steps (every step visits every client state); the time
// left is the wall-clock time per step so far times the steps left. The
// wall clock is Options.WallClock, so tests move it instead of sleeping.

// DefaultProgressEvery is how often a plain progress line is written when
// the output is not a terminal (CI logs): often enough to show the run is
// alive, rarely enough to stay readable.
const DefaultProgressEvery = 5 * time.Second

// barRedraw is the least wall time between two redraws of the bar.
const barRedraw = 200 * time.Millisecond

// progressMeter writes the reports of one run.
type progressMeter struct {
	w      io.Writer
	bar    bool
	every  time.Duration
	wall   clock.Clock
	start  time.Time
	last   time.Time
	total  int // steps
	wrote  bool
	sStart time.Time // simulated start, for the T+ offset
	step   time.Duration
}

func newProgress(opts Options, s *Spec) *progressMeter {
	if opts.Progress == nil {
		return nil
	}
	p := &progressMeter{w: opts.Progress, bar: opts.ProgressBar, every: opts.ProgressEvery, wall: opts.WallClock,
		total: int(s.Duration / s.Step), sStart: s.Start, step: s.Step.D()}
	if p.wall == nil {
		p.wall = clock.System()
	}
	if p.every <= 0 {
		p.every = DefaultProgressEvery
	}
	p.start = p.wall.Now()
	return p
}

// update reports that step (0-based) is done, with the client states held.
func (p *progressMeter) update(step, states int) {
	if p == nil {
		return
	}
	now := p.wall.Now()
	final := step >= p.total
	gap := p.every
	if p.bar {
		gap = barRedraw
	}
	if p.wrote && !final && now.Sub(p.last) < gap {
		return
	}
	p.last, p.wrote = now, true
	done := step + 1
	total := p.total + 1
	pct := 100 * done / total
	elapsed := now.Sub(p.start)
	left := "unknown"
	if done > 0 && elapsed > 0 {
		left = roundDuration(time.Duration(float64(elapsed) / float64(done) * float64(total-done))).String()
	}
	at := offset(p.sStart, p.sStart.Add(time.Duration(step)*p.step))
	if p.bar {
		const width = 30
		n := width * done / total
		fmt.Fprintf(p.w, "\r[%s%s] %3d%% step %d/%d %s, %d client states, %s left   ",
			strings.Repeat("#", n), strings.Repeat(".", width-n), pct, done, total, at, states, left)
		if final {
			fmt.Fprintln(p.w)
		}
		return
	}
	fmt.Fprintf(p.w, "progress: step %d/%d (%d%%) at %s, %d client states, %s elapsed, %s left\n",
		done, total, pct, at, states, roundDuration(elapsed), left)
}

// roundDuration keeps a duration readable: whole seconds (tenths below 10 s).
func roundDuration(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}
