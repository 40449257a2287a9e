package scenario_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/scenario"
)

// regExport is a `reg export` of the local chain engine Config key with the
// given REG_DWORD values.
func regExport(values map[string]uint32) []byte {
	var b strings.Builder
	b.WriteString("Windows Registry Editor Version 5.00\r\n\r\n[" + client.RegLocalConfigKey + "]\r\n")
	for name, v := range values {
		fmt.Fprintf(&b, "%q=dword:%08x\r\n", name, v)
	}
	return []byte(b.String())
}

// registrySpec is the demo's story, small: 20 clients over 4 h without
// negative caching, so from T+2h (the CRL in the caches expired, its URL
// hanging) every connection blocks on the CDP and, without a CRL validity
// extension, fails. profile is the group's
// profile in YAML flow form; reg, when set, is its registry export.
func registrySpec(t *testing.T, hungAfter, profile string, reg []byte) *scenario.Spec {
	t.Helper()
	yaml := fmt.Sprintf(`name: registry
start: 2026-11-24T08:00:00Z
duration: 4h
step: 5m
seed: 13
hungAfter: %s
%sgroups:
  - name: outlook
    count: 20
    connectEvery: 15m
    roots: [root]
    profile: {revocation: chain-exclude-root, tlsSessionLifetime: 0s%s}
`, hungAfter, demoOutage, profile)
	s, err := scenario.Parse("registry.yaml", []byte(yaml))
	require.NoError(t, err)
	files := demoOutageFiles(t)
	if reg != nil {
		files["config.reg"] = reg
	}
	s.UseFiles(files)
	return s
}

// TestRegistryValuesReachTheSimulator: the URL timeouts of a profile's
// registry export (ChainUrlRetrievalTimeoutMilliseconds,
// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds; spec §3.7, §8)
// change what the simulated clients see, as they do for a client.Client
// (client.TestRegistryValuesReachTheirLayer); a urlTimeout the scenario
// writes wins over the export. Observed: the connections blocked at least
// hungAfter on the hanging CDP.
func TestRegistryValuesReachTheSimulator(t *testing.T) {
	const reg = ", registry: config.reg"
	cases := []struct {
		name               string
		hungAfter, profile string
		reg                map[string]uint32
		wantHung           bool
	}{
		// Each hanging fetch blocks for the whole per-URL timeout: 15 s by
		// default, 2 s under the export.
		{"default per-URL timeout", "15s", "", nil, true},
		{"ChainUrlRetrievalTimeoutMilliseconds 2000", "15s", reg, map[string]uint32{"ChainUrlRetrievalTimeoutMilliseconds": 2000}, false},
		{"urlTimeout written beats the export", "15s", reg + ", urlTimeout: 15s", map[string]uint32{"ChainUrlRetrievalTimeoutMilliseconds": 2000}, true},
		{"urlTimeout written alone", "15s", ", urlTimeout: 2s", nil, false},
		// Under CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT the hanging URL
		// gets half the budget: 10 s of the default 20 s, 2 s of 4 s (a
		// budget of the 15 s per-URL timeout would give 7.5 s).
		{"accumulative, default budget", "9s", ", accumulativeTimeout: true", nil, true},
		{"accumulative, ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds 4000", "5s", ", accumulativeTimeout: true" + reg,
			map[string]uint32{"ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds": 4000}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var data []byte
			if tc.reg != nil {
				data = regExport(tc.reg)
			}
			rep, err := scenario.Run(context.Background(), registrySpec(t, tc.hungAfter, ", crlValidityExtension: 0s"+tc.profile, data), scenario.Options{})
			require.NoError(t, err)
			sum := rep.Summary[0]
			require.Positive(t, sum.EverFailed, "the CDP hangs after the CRL expired: the clients fail")
			if tc.wantHung {
				require.Positive(t, sum.HungConnections, "connections blocked at least %s", tc.hungAfter)
			} else {
				require.Zero(t, sum.HungConnections, "no connection blocked %s", tc.hungAfter)
			}
		})
	}
}

// TestProfileCRLExtensionBeatsTheExport: crlValidityExtension written in the
// profile wins over the export's CRLValidityExtensionPeriod, as urlTimeout
// does over ChainUrlRetrievalTimeoutMilliseconds. Under the export's 24 h
// the CRL that expired at T+2h is still used (nobody fails); the profile's
// 1 h ends that at T+3h.
func TestProfileCRLExtensionBeatsTheExport(t *testing.T) {
	reg := regExport(map[string]uint32{"CRLValidityExtensionPeriod": 24})
	for _, tc := range []struct {
		profile    string
		wantFailed bool
	}{
		{", registry: config.reg", false},
		{", registry: config.reg, crlValidityExtension: 1h", true},
	} {
		rep, err := scenario.Run(context.Background(), registrySpec(t, "15s", tc.profile, reg), scenario.Options{})
		require.NoError(t, err)
		require.Equal(t, tc.wantFailed, rep.Summary[0].EverFailed > 0, "profile %q: %+v", tc.profile, rep.Summary[0])
	}
}

// TestRegistryExportSizeLimit: a profile's registry export is read with the
// .reg limit of every other reader (client.MaxRegExportSize), not the
// certificate-file one: one byte over is refused naming the file and field.
func TestRegistryExportSizeLimit(t *testing.T) {
	dir := t.TempDir()
	for n, data := range demoOutageFiles(t) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), data, 0o644))
	}
	reg := filepath.Join(dir, "config.reg")
	require.NoError(t, os.WriteFile(reg, regExport(map[string]uint32{"ChainUrlRetrievalTimeoutMilliseconds": 2000}), 0o644))
	yaml := `pki: {certs: {root: root.pem, issuing: issuing.pem, mail-old: mail-old.pem}}
endpoints: [{host: mail.contoso.test, chain: [mail-old, issuing]}]
groups: [{count: 1, roots: [root], profile: {revocation: none, registry: config.reg}}]
duration: 10m
`
	file := filepath.Join(dir, "s.yaml")
	require.NoError(t, os.WriteFile(file, []byte(yaml), 0o644))
	run := func() error {
		s, err := scenario.Load(file)
		require.NoError(t, err)
		_, err = scenario.Run(context.Background(), s, scenario.Options{})
		return err
	}
	require.NoError(t, run(), "a small export is applied")
	// Sparse: the size is checked before anything is read.
	require.NoError(t, os.Truncate(reg, client.MaxRegExportSize+1))
	err := run()
	require.Error(t, err)
	require.Contains(t, err.Error(), "groups[0].profile.registry")
	require.Contains(t, err.Error(), fmt.Sprintf("over the limit of %d bytes", client.MaxRegExportSize))
}
