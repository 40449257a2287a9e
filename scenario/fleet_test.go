package scenario_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/scenario"
)

// fleetSpec is the fleet-scale scenario of issue 16: the demo PKI and
// outage, `clients` Outlook clients connecting every 15 min, over `days`
// days at 5-minute steps, with `events` partial-fleet events spread evenly
// — reboots, app restarts, URL-cache deletes and clock jumps (±4 min), each
// on 10–40 % of the fleet.
func fleetSpec(tb testing.TB, clients, days, events int) *scenario.Spec {
	tb.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, `name: fleet-scale
start: 2026-11-24T08:00:00Z
duration: %dh
step: 5m
seed: 16
%sgroups:
  - name: outlook
    count: %d
    connectEvery: 15m
    roots: [root]
    profile: {revocation: chain-exclude-root, negativeCache: seed-8h, crlValidityExtension: 0s}
events:
`, 24*days, demoOutage, clients)
	kinds := []string{"reboot: true", "appRestart: true", "urlcacheDelete: true", "clockJump: 4m", "appRestart: true", "clockJump: -4m"}
	span := time.Duration(days) * 24 * time.Hour
	for i := 0; i < events; i++ {
		at := span * time.Duration(i+1) / time.Duration(events+1)
		fmt.Fprintf(&b, "  - {at: %s, %s, fraction: %d%%}\n", at.Round(5*time.Minute), kinds[i%len(kinds)], 10+(i*7)%31)
	}
	s, err := scenario.Parse("fleet-scale.yaml", []byte(b.String()))
	require.NoError(tb, err)
	s.UseFiles(demoOutageFiles(tb))
	return s
}

// demoOutage is the demo's PKI, publishers and CDP outage (T+50m to T+8h)
// as scenario YAML sections, for test scenarios that add their own groups.
const demoOutage = `pki:
  certs: {root: root.pem, issuing: issuing.pem, mail-old: mail-old.pem}
  keys: {root: root.key, issuing: issuing.key}
crls:
  - {url: "http://pki.contoso.test/issuing1.crl", issuer: issuing, firstPublish: -22h, publishEvery: 24h, validity: 24h}
  - {url: "http://pki.contoso.test/root.crl", issuer: root, firstPublish: -240h, publishEvery: 720h, validity: 1440h}
aia:
  - {url: "http://pki.contoso.test/issuing1.crt", cert: issuing}
network:
  - {url: "http://pki.contoso.test/issuing1.crl", from: 50m, until: 8h, fail: timeout}
endpoints:
  - {name: mail, host: mail.contoso.test, chain: [mail-old, issuing]}
`

// demoOutageFiles returns the demo files demoOutage names.
func demoOutageFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	files := map[string][]byte{}
	for _, n := range []string{"root.pem", "issuing.pem", "mail-old.pem", "root.key", "issuing.key"} {
		data, err := scenario.DemoFile(n)
		require.NoError(tb, err)
		files[n] = data
	}
	return files
}

// The fleet scenario, bounded for every test run: shared evaluation equals
// per-client evaluation byte for byte (splits and merges included), the
// states merge back (far fewer states than clients), and the shared run
// does a fraction of the work.
func TestFleetScaleBounded(t *testing.T) {
	s := fleetSpec(t, 60, 2, 12)
	shared, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	per, err := scenario.Run(context.Background(), fleetSpec(t, 60, 2, 12), scenario.Options{PerClient: true})
	require.NoError(t, err)
	var a, b bytes.Buffer
	require.NoError(t, shared.WriteJSON(&a))
	require.NoError(t, per.WriteJSON(&b))
	require.Equal(t, b.String(), a.String())
	require.Len(t, shared.Events, 12+0)
	require.Less(t, shared.Evaluations, per.Evaluations/2)
	require.Less(t, shared.FinalStates, 60)
	t.Logf("shared: %d evaluations, states max %d end %d; per-client: %d evaluations", shared.Evaluations, shared.MaxStates, shared.FinalStates, per.Evaluations)
}

// States that become equal again merge: with TLS session reuse off (no
// session times to tell clients apart) and CRLs re-published daily,
// clients rebooted, restarted or with their URL cache deleted hold the same
// objects again once they have fetched them anew, and join the others. At
// the end there is one state per connection phase, whatever the number of
// clients. (Clock jumps are left out: a skewed clock is a lasting
// difference; so is a cache delete while a CRL stays fresh in memory, which
// is why the root CRL here lives one day.)
func TestFleetStatesMergeBack(t *testing.T) {
	for _, n := range []int{50, 5000} {
		s := fleetSpec(t, n, 3, 18)
		zero := scenario.Duration(0)
		s.Groups[0].Profile.TLSSessionLifetime = &zero
		day := scenario.Duration(24 * time.Hour)
		s.CRLs[1].PublishEvery, s.CRLs[1].Validity, s.CRLs[1].FirstPublish = day, day, 0
		events := s.Events[:0]
		for _, e := range s.Events {
			if e.ClockJump == 0 && e.At < 2*day {
				events = append(events, e)
			}
		}
		s.Events = events
		r, err := scenario.Run(context.Background(), s, scenario.Options{})
		require.NoError(t, err)
		require.Equal(t, 3, r.FinalStates, "clients=%d: one state per phase (connectEvery 15m / step 5m) at the end", n)
		require.Greater(t, r.MaxStates, 3, "the events did split the fleet")
	}
}

// The clients' cache folders are written to WorkDir only when the run
// ends, one per state, in the CryptnetUrlCache layout that `winchain
// urlcache` reads.
func TestFleetWorkDir(t *testing.T) {
	dir := t.TempDir()
	s := fleetSpec(t, 20, 1, 2)
	r, err := scenario.Run(context.Background(), s, scenario.Options{WorkDir: dir})
	require.NoError(t, err)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, r.FinalStates)
	crls, err := filepath.Glob(filepath.Join(dir, ents[0].Name(), "MetaData", "*"))
	require.NoError(t, err)
	require.NotEmpty(t, crls, "the folder holds the fetched CRLs")
	f, err := urlcache.Open(filepath.Join(dir, ents[0].Name()), urlcache.Options{ReadOnly: true})
	require.NoError(t, err)
	list, problems, err := f.List()
	require.NoError(t, err)
	require.Empty(t, problems)
	require.NotEmpty(t, list)
}

// When events split the fleet into more states than the limit, the run
// stops with an error naming the time, the number and the limit; a
// per-client run of too many clients is refused before set-up.
func TestFleetStateLimit(t *testing.T) {
	_, err := scenario.Run(context.Background(), fleetSpec(t, 200, 1, 6), scenario.Options{MaxStates: 10})
	require.Error(t, err)
	require.Regexp(t, `^fleet-scale.yaml: events: at T\+\d+:\d\d the clients are in \d+ different states, above the limit of 10 \(Options.MaxStates\): use fewer partial-fleet events \(fraction\) or fewer clients, or raise Options.MaxStates \(up to 20000, MaxCohorts\)$`, err.Error())

	_, err = scenario.Run(context.Background(), fleetSpec(t, 200, 1, 0), scenario.Options{PerClient: true, MaxStates: 100})
	require.Error(t, err)
	require.Contains(t, err.Error(), "groups[0].count: 200 clients evaluated one by one (per-client) start in up to 200 separate states")
	require.Contains(t, err.Error(), "the limit is 100 (Options.MaxStates): raise Options.MaxStates (up to 20000, MaxCohorts)")

	// The caller names the limit as its users know it.
	_, err = scenario.Run(context.Background(), fleetSpec(t, 200, 1, 0), scenario.Options{PerClient: true, MaxStates: 100, MaxStatesName: "--max-states"})
	require.ErrorContains(t, err, "the limit is 100 (--max-states)")
}
