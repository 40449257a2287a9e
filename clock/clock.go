// Package clock gives winchain its one notion of "now".
//
// Windows keeps two times apart when it validates a chain: pTime, the time the
// certificate chain is judged at, and the machine clock, which decides whether
// cached CRLs, OCSP responses and offline-URL records are still fresh
// (spec §1.1, §9 item 1). winchain never calls time.Now below its API: every
// package takes a [Clock], so simulations and tests move time by hand and
// never sleep.
package clock

import (
	"sync"
	"time"
)

// Clock tells the machine time.
type Clock interface {
	// Now returns the current machine time.
	Now() time.Time
}

// Advancer is a Clock that a blocking operation can move forward. The URL
// retrieval layer uses it to charge a simulated timeout or latency to the
// caller's clock, so a simulation shows how long a client would have hung.
type Advancer interface {
	Clock
	// Advance moves the clock forward by d (d <= 0 does nothing).
	Advance(d time.Duration)
}

// System returns the real wall clock. Only top-level programs (the CLI)
// should use it; libraries take the Clock they are given.
func System() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Fixed returns a Clock that always answers t.
func Fixed(t time.Time) Clock { return fixedClock{t} }

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

// Manual is a settable Clock for simulations and tests. It is safe for
// concurrent use. The zero value reads as the zero time; use [NewManual].
type Manual struct {
	mu sync.Mutex
	t  time.Time
}

// NewManual returns a Manual clock set to t.
func NewManual(t time.Time) *Manual { return &Manual{t: t} }

// Now returns the clock's current time.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.t
}

// Set moves the clock to t (forward or backward, like a clock jump).
func (m *Manual) Set(t time.Time) {
	m.mu.Lock()
	m.t = t
	m.mu.Unlock()
}

// Advance moves the clock forward by d; d <= 0 does nothing.
func (m *Manual) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	m.mu.Lock()
	m.t = m.t.Add(d)
	m.mu.Unlock()
}
