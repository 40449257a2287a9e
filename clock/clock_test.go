package clock_test

import (
	"sync"
	"testing"
	"time"

	"github.com/winchain/winchain/clock"
)

func TestManual(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	m := clock.NewManual(t0)
	m.Advance(15 * time.Second)
	m.Advance(-time.Hour) // ignored: time does not run backwards by advancing
	if got := m.Now(); !got.Equal(t0.Add(15 * time.Second)) {
		t.Fatalf("Now = %v", got)
	}
	m.Set(t0.Add(-time.Hour)) // a clock jump backwards is a Set
	if got := m.Now(); !got.Equal(t0.Add(-time.Hour)) {
		t.Fatalf("Now after Set = %v", got)
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); m.Advance(time.Second) }()
	}
	wg.Wait()
	if got := m.Now(); !got.Equal(t0.Add(-time.Hour + 8*time.Second)) {
		t.Fatalf("concurrent Advance lost updates: %v", got)
	}
	if !clock.Fixed(t0).Now().Equal(t0) {
		t.Fatal("Fixed")
	}
	var _ clock.Advancer = m
}
