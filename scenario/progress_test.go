package scenario_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

// tickClock is a wall clock that moves one second each time it is read,
// so a run of N steps "takes" about N seconds without sleeping.
type tickClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *tickClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// Plain progress lines (stderr not a terminal): one after the first step,
// one per ProgressEvery of wall time, and one at the end, each with the
// steps done of the total, the client states and the time left.
func TestProgressPlainLines(t *testing.T) {
	s := fleetSpec(t, 30, 1, 4) // 24 h at 5 min: 289 steps
	var out bytes.Buffer
	_, err := scenario.Run(context.Background(), s, scenario.Options{Progress: &out, ProgressEvery: time.Minute,
		WallClock: &tickClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	// The meter reads the clock once at the start and once per step: a
	// line every 60 steps, plus the first and the last.
	require.Len(t, lines, 1+289/60+1, out.String())
	assert.Equal(t, "progress: step 1/289 (0%) at T+0:00, 3 client states, 1s elapsed, 4m48s left", lines[0])
	assert.Regexp(t, `^progress: step 61/289 \(21%\) at T\+5:00, \d+ client states, 1m1s elapsed, 3m48s left$`, lines[1])
	assert.Regexp(t, `^progress: step 289/289 \(100%\) at T\+24:00, \d+ client states, 4m49s elapsed, 0s left$`, lines[len(lines)-1])
}

// The bar redraws in place (\r) and ends with a newline.
func TestProgressBar(t *testing.T) {
	s := fleetSpec(t, 10, 1, 0)
	var out bytes.Buffer
	_, err := scenario.Run(context.Background(), s, scenario.Options{Progress: &out, ProgressBar: true,
		WallClock: &tickClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	require.NoError(t, err)
	text := out.String()
	assert.Equal(t, 289, strings.Count(text, "\r"), "one redraw per step when each step takes a second")
	assert.True(t, strings.HasSuffix(text, "\n"))
	last := text[strings.LastIndex(text, "\r")+1:]
	assert.Regexp(t, `^\[#{30}\] 100% step 289/289 T\+24:00, \d+ client states, 0s left +\n$`, last)
}
