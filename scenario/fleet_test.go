package scenario_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
pki:
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
groups:
  - name: outlook
    count: %d
    connectEvery: 15m
    roots: [root]
    profile: {revocation: chain-exclude-root, negativeCache: seed-8h, crlValidityExtension: 0s}
events:
`, 24*days, clients)
	kinds := []string{"reboot: true", "appRestart: true", "urlcacheDelete: true", "clockJump: 4m", "appRestart: true", "clockJump: -4m"}
	span := time.Duration(days) * 24 * time.Hour
	for i := 0; i < events; i++ {
		at := span * time.Duration(i+1) / time.Duration(events+1)
		fmt.Fprintf(&b, "  - {at: %s, %s, fraction: %d%%}\n", at.Round(5*time.Minute), kinds[i%len(kinds)], 10+(i*7)%31)
	}
	s, err := scenario.Parse("fleet-scale.yaml", []byte(b.String()))
	require.NoError(tb, err)
	files := map[string][]byte{}
	for _, n := range []string{"root.pem", "issuing.pem", "mail-old.pem", "root.key", "issuing.key"} {
		data, err := scenario.DemoFile(n)
		require.NoError(tb, err)
		files[n] = data
	}
	s.UseFiles(files)
	return s
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
