package scenario_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

// TestWorkDirEstimate: a per-client run of 20,000 clients whose cache
// folders would each hold about 80 KiB (20 AIA URLs) would write about
// 1.5 GiB under WorkDir, above MaxWorkDirBytes: it is refused before the
// run with the folder, the states, the estimate and the limit named, and
// nothing is written. Without a work dir the same scenario is accepted.
func TestWorkDirEstimate(t *testing.T) {
	const urls, clients = 20, 20000
	s := workDirSpec(t, urls, clients, false) // within every bound without a work dir

	dir := filepath.Join(t.TempDir(), "work")
	_, err := scenario.Run(context.Background(), s, scenario.Options{PerClient: true, WorkDir: dir})
	require.Error(t, err)
	var se *scenario.Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, dir, se.File)
	// (1 CRL + 20 AIA + 1) objects × 4 KiB per folder, one folder per client.
	per := int64(urls+2) * 4096
	assert.Equal(t, fmt.Sprintf("%s: the cache folders of %d client states would take about %d bytes (%d each); the limit is %d (MaxWorkDirBytes)", dir, clients, per*clients, per, int64(scenario.MaxWorkDirBytes)), err.Error())
	_, statErr := os.Stat(dir)
	assert.True(t, os.IsNotExist(statErr), "nothing is written under the work dir")
}

// workDirSpec is a per-client fleet of clients whose cache folders are
// estimated at (1 CRL + aia URLs + 1) × 4 KiB each, plus 64 bytes per
// revoked certificate of the CRL.
func workDirSpec(t *testing.T, aia, clients int, revoked bool) *scenario.Spec {
	t.Helper()
	var b strings.Builder
	b.WriteString(`name: workdir-boundary
start: 2026-11-24T08:00:00Z
duration: 10m
step: 5m
pki:
  certs: {root: root.pem, issuing: issuing.pem, mail-old: mail-old.pem}
  keys: {root: root.key, issuing: issuing.key}
crls:
  - {url: "http://pki.contoso.test/issuing1.crl", issuer: issuing, firstPublish: -22h, publishEvery: 24h, validity: 24h`)
	if revoked {
		b.WriteString(`, revoked: [{cert: mail-old, at: 1h}]`)
	}
	b.WriteString("}\naia:\n")
	for i := 0; i < aia; i++ {
		fmt.Fprintf(&b, "  - {url: \"http://pki.contoso.test/issuing%03d.crt\", cert: issuing}\n", i)
	}
	fmt.Fprintf(&b, `endpoints:
  - {name: mail, host: mail.contoso.test, chain: [mail-old, issuing]}
groups:
  - {name: outlook, count: %d, connectEvery: 15m, roots: [root]}
`, clients)
	s, err := scenario.Parse("workdir-boundary.yaml", []byte(b.String()))
	require.NoError(t, err)
	files := map[string][]byte{}
	for _, n := range []string{"root.pem", "issuing.pem", "mail-old.pem", "root.key", "issuing.key"} {
		data, err := scenario.DemoFile(n)
		require.NoError(t, err)
		files[n] = data
	}
	s.UseFiles(files)
	return s
}

// TestWorkDirEstimateBoundary: MaxWorkDirBytes is the most a work dir may
// receive, so a run whose estimate is exactly the limit runs and writes its
// folders, and the smallest estimate above it is refused before the run.
// 1,024 per-client folders of (1 CRL + 254 AIA URLs + 1) × 4 KiB = 1 MiB
// each make exactly 1 GiB; one revoked certificate on the CRL adds 64
// bytes to each folder's estimate (the estimate moves in steps of 64 bytes
// per folder: 65,536 bytes here is the smallest step over).
func TestWorkDirEstimateBoundary(t *testing.T) {
	const aia, clients = 254, 1024
	per := int64(1+aia+1) * 4096
	require.Equal(t, int64(scenario.MaxWorkDirBytes), per*clients, "the fleet is sized to the limit")

	dir := filepath.Join(t.TempDir(), "over")
	_, err := scenario.Run(context.Background(), workDirSpec(t, aia, clients, true), scenario.Options{PerClient: true, WorkDir: dir})
	var se *scenario.Error
	require.ErrorAs(t, err, &se)
	per += 64
	assert.Equal(t, fmt.Sprintf("%s: the cache folders of %d client states would take about %d bytes (%d each); the limit is %d (MaxWorkDirBytes)", dir, clients, per*clients, per, int64(scenario.MaxWorkDirBytes)), err.Error())
	assert.Equal(t, int64(scenario.MaxWorkDirBytes)+64*clients, per*clients)
	_, statErr := os.Stat(dir)
	assert.True(t, os.IsNotExist(statErr), "nothing is written under the work dir")

	if testing.Short() {
		t.Skip("the run at the limit writes 1,024 cache folders (about 5 s)")
	}
	dir = filepath.Join(t.TempDir(), "at-limit")
	rep, err := scenario.Run(context.Background(), workDirSpec(t, aia, clients, false), scenario.Options{PerClient: true, WorkDir: dir})
	require.NoError(t, err, "an estimate of exactly MaxWorkDirBytes is within the limit")
	require.NotNil(t, rep)
	folders, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, folders, clients, "one cache folder per client state is written")
}
