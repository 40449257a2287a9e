package scenario_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

func runDemo(t testing.TB, model string, edit func(*scenario.Spec)) *scenario.Report {
	t.Helper()
	s, err := scenario.Demo()
	require.NoError(t, err)
	if edit != nil {
		edit(s)
	}
	rep, err := scenario.Run(context.Background(), s, scenario.Options{NegativeCache: model})
	require.NoError(t, err)
	return rep
}

// stateAt returns the group's client counts by state at offset d.
func stateAt(t testing.TB, r *scenario.Report, d time.Duration) map[string]int {
	t.Helper()
	at := r.Start.Add(d)
	for _, s := range r.Timeline {
		if s.At.Equal(at) {
			return s.Groups[0].State
		}
	}
	t.Fatalf("no step at %s", d)
	return nil
}

func failing(st map[string]int, total int) int { return total - st["trusted"] }

// The seed story with no negative caching: the revert at T+2h meets an
// expired CRL whose URL hangs, so clients fail (and hang 15 s) until the
// URL is back at T+8h; then every client recovers at its next connection.
func TestDemoStoryWithoutNegativeCache(t *testing.T) {
	r := runDemo(t, "none", nil)
	assert.Equal(t, 0, failing(stateAt(t, r, 110*time.Minute), 3000), "before the CRL expires nobody fails")
	assert.Greater(t, failing(stateAt(t, r, 3*time.Hour), 3000), 2900, "after the revert, with the CRL expired and its URL hanging")
	assert.Greater(t, failing(stateAt(t, r, 7*time.Hour+55*time.Minute), 3000), 2900, "until the URL is back")
	assert.Equal(t, 0, failing(stateAt(t, r, 8*time.Hour+15*time.Minute), 3000), "one connection period after the URL is back")
	sum := r.Summary[0]
	assert.Greater(t, sum.HungConnections, 3000, "every failing connection hangs for the 15 s timeout")
	assert.Equal(t, 0, sum.StillFailing)
	require.NotEmpty(t, r.Recoveries)
	assert.Contains(t, r.Recoveries[0].Outcome, "CRYPT_E_REVOCATION_OFFLINE")
	assert.Contains(t, r.Recoveries[0].Cause, "http://pki.contoso.test/issuing1.crl")
}

// The same story under the "up to 8 h, reboot does not clear it" model:
// clients that failed during the outage keep failing after the URL is back
// until their back-off ends; the reboot at T+8:30 does not clear it (the
// records are on disk); the cache flush at T+9h does.
func TestDemoStoryWithSeed8h(t *testing.T) {
	r := runDemo(t, "seed-8h", nil)
	afterOutage := failing(stateAt(t, r, 8*time.Hour+20*time.Minute), 3000)
	assert.Greater(t, afterOutage, 2900, "after the URL is back, the back-off still hides it")
	beforeReboot := failing(stateAt(t, r, 8*time.Hour+25*time.Minute), 3000)
	afterReboot := failing(stateAt(t, r, 8*time.Hour+45*time.Minute), 3000)
	assert.Greater(t, beforeReboot, 0)
	assert.InDelta(t, beforeReboot, afterReboot, float64(beforeReboot)*0.05+1, "a reboot does not clear disk-scoped records")
	var flushed int
	for _, rc := range r.Recoveries {
		if rc.After == "certutil -urlcache * delete" {
			flushed += rc.Clients
		}
	}
	assert.Greater(t, flushed, 400, "clients whose cache was flushed recover right after")
	for _, rc := range r.Recoveries {
		if rc.After == "certutil -urlcache * delete" {
			assert.True(t, rc.RecoveredAt >= "T+9:00" && rc.RecoveredAt <= "T+9:15", rc.RecoveredAt)
		}
	}
	assert.Equal(t, 0, r.Summary[0].StillFailing)
	assert.Equal(t, "T+11:10", r.Summary[0].AllTrustedAgainAt, "the last back-off ends hours after the URL is back")
	assert.Greater(t, r.Summary[0].EverFailed, 2900)
	assert.Contains(t, strings.Join(causes(r), "\n"), "offline-URL record (seed-8h)")
	// Compared with no negative caching, the failures last longer but hang
	// less (skipped URLs fail at once).
	none := runDemo(t, "none", nil)
	assert.Less(t, r.Summary[0].HungConnections, none.Summary[0].HungConnections)
	assert.Greater(t, totalFailing(r), totalFailing(none))
}

func causes(r *scenario.Report) []string {
	var out []string
	for _, rc := range r.Recoveries {
		out = append(out, rc.Cause, rc.LastCause)
	}
	return out
}

func totalFailing(r *scenario.Report) int {
	n := 0
	for _, s := range r.Timeline {
		n += failing(s.Groups[0].State, r.Groups[0].Clients)
	}
	return n
}

// Without the outage, the swap and the revert cause no failure at all.
func TestDemoWithoutOutageHasNoFailures(t *testing.T) {
	r := runDemo(t, "seed-8h", func(s *scenario.Spec) { s.Network = nil })
	assert.Equal(t, 0, r.Summary[0].EverFailed)
	assert.Equal(t, 0, r.Summary[0].HungConnections)
	assert.Empty(t, r.Recoveries)
	// Resumed sessions show that clients did not revalidate between swaps.
	resumed := 0
	for _, s := range r.Timeline {
		resumed += s.Groups[0].Resumed
	}
	assert.Greater(t, resumed, 0)
}

// Clients in the same state share one evaluation; the results must equal a
// per-client evaluation, byte for byte in the JSON — with every kind of
// event, each on a part of the fleet, so every split path is exercised.
func TestSharedEqualsPerClient(t *testing.T) {
	half := scenario.Percent(0.5)
	third := scenario.Percent(0.34)
	edit := func(s *scenario.Spec) {
		s.Groups[0].Count = 12
		s.Duration = scenario.Duration(10 * time.Hour)
		s.Step = scenario.Duration(15 * time.Minute)
		s.Asserts = nil
		s.Events = append(s.Events,
			scenario.EventSpec{At: scenario.Duration(3 * time.Hour), AppRestart: true, Fraction: &half},
			scenario.EventSpec{At: scenario.Duration(4 * time.Hour), ClearSSLState: true, Fraction: &third},
			scenario.EventSpec{At: scenario.Duration(5 * time.Hour), ClockJump: scenario.Duration(26 * time.Hour), Fraction: &third},
			scenario.EventSpec{At: scenario.Duration(9 * time.Hour), Resync: true, Fraction: &half},
		)
	}
	shared := runDemo(t, "seed-8h", edit)
	s, err := scenario.Demo()
	require.NoError(t, err)
	edit(s)
	per, err := scenario.Run(context.Background(), s, scenario.Options{NegativeCache: "seed-8h", PerClient: true})
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, shared.WriteJSON(&a))
	require.NoError(t, per.WriteJSON(&b))
	assert.Equal(t, b.String(), a.String())
	assert.Less(t, shared.Evaluations, per.Evaluations, "sharing must save work")
	assert.Len(t, shared.Events, 8)
}

// An app restart ends a process-scoped back-off, a reboot a service-scoped
// one; neither ends a disk-scoped one (spec §5.3 explanations a–c).
func TestNegativeCacheScopes(t *testing.T) {
	recoveredAfter := func(model string, restart, reboot bool) string {
		r := runDemo(t, model, func(s *scenario.Spec) {
			s.Groups[0].Count = 60
			s.Duration = scenario.Duration(12 * time.Hour)
			s.Asserts = nil
			s.Network[0].Until = scenario.Duration(8*time.Hour + 20*time.Minute)
			s.Events = s.Events[:2] // swap and revert only
			at := scenario.Duration(8*time.Hour + 25*time.Minute)
			if restart {
				s.Events = append(s.Events, scenario.EventSpec{At: at, AppRestart: true})
			}
			if reboot {
				s.Events = append(s.Events, scenario.EventSpec{At: at, Reboot: true})
			}
		})
		return r.Summary[0].AllTrustedAgainAt
	}
	// process-backoff: caps at 1 h; a restart right after the outage clears it.
	assert.Less(t, recoveredAfter("process-backoff", true, false), recoveredAfter("process-backoff", false, false))
	// service-backoff: a restart does not clear it, a reboot does.
	assert.Equal(t, recoveredAfter("service-backoff", false, false), recoveredAfter("service-backoff", true, false))
	assert.Less(t, recoveredAfter("service-backoff", false, true), recoveredAfter("service-backoff", false, false))
	// seed-8h (disk): a reboot does not clear it.
	assert.Equal(t, recoveredAfter("seed-8h", false, false), recoveredAfter("seed-8h", false, true))
}

// Same input and seed → byte-identical JSON.
func TestDeterministicJSON(t *testing.T) {
	edit := func(s *scenario.Spec) { s.Groups[0].Count = 200; s.Duration = scenario.Duration(8 * time.Hour) }
	var a, b bytes.Buffer
	require.NoError(t, runDemo(t, "seed-8h", edit).WriteJSON(&a))
	require.NoError(t, runDemo(t, "seed-8h", edit).WriteJSON(&b))
	assert.Equal(t, a.String(), b.String())
	// Another seed gives other phases.
	var c bytes.Buffer
	require.NoError(t, runDemo(t, "seed-8h", func(s *scenario.Spec) { edit(s); s.Seed = 7 }).WriteJSON(&c))
	assert.NotEqual(t, a.String(), c.String())
}

func TestAsserts(t *testing.T) {
	r := runDemo(t, "none", nil)
	require.Len(t, r.Asserts, 2)
	assert.True(t, r.Asserts[0].Pass, r.Asserts[0].Detail)
	assert.True(t, r.Asserts[1].Pass, r.Asserts[1].Detail)
	assert.True(t, r.Passed())
	// A stricter assert fails and says by how much.
	r = runDemo(t, "none", func(s *scenario.Spec) {
		p := scenario.Percent(0.999)
		s.Asserts = []scenario.AssertSpec{{By: scenario.Duration(3 * time.Hour), Group: "outlook", Outcome: "trusted", AtLeast: &p}}
	})
	assert.False(t, r.Passed())
	assert.Contains(t, r.Asserts[0].Detail, "of 3000 clients")
}

func TestReportsRender(t *testing.T) {
	r := runDemo(t, "seed-8h", func(s *scenario.Spec) { s.Groups[0].Count = 100 })
	var txt, html bytes.Buffer
	r.WriteText(&txt)
	assert.Contains(t, txt.String(), "Failure episodes")
	assert.Contains(t, txt.String(), "CRYPT_E_REVOCATION_OFFLINE")
	require.NoError(t, r.WriteHTML(&html))
	h := html.String()
	assert.Contains(t, h, "<svg")
	assert.Contains(t, h, "CRYPT_E_REVOCATION_OFFLINE")
	assert.NotContains(t, h, "<script", "self-contained, no scripts")
	assert.NotContains(t, h, "http://www.w3.org/2000/svg\" href", "no external resources")
}
