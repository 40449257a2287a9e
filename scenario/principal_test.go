package scenario_test

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/scenario"
)

// The seed story's principal name: Outlook profiles with msstd:autodiscover.contoso.test
// (a SAN of the old certificate that the new one dropped) fail with
// CERT_E_CN_NO_MATCH from the swap to the revert, while clients without the
// setting stay trusted; the revert heals the name check.
func TestPrincipalNameProfile(t *testing.T) {
	r := runDemo(t, "none", func(s *scenario.Spec) {
		s.Network = nil // no CRL outage: only the name check differs
		s.Events = s.Events[:2]
		s.Asserts = nil
		s.Duration = scenario.Duration(3 * time.Hour)
		g := s.Groups[0]
		g.Count = 200
		s.Groups[0].Count = 200
		g.Name = "outlook-msstd"
		g.Profile.PrincipalName = "msstd:autodiscover.contoso.test"
		s.Groups = append(s.Groups, g)
	})
	at := func(d time.Duration) []map[string]int {
		for _, st := range r.Timeline {
			if st.At.Equal(r.Start.Add(d)) {
				return []map[string]int{st.Groups[0].State, st.Groups[1].State}
			}
		}
		t.Fatalf("no step at %s", d)
		return nil
	}
	before, during, after := at(55*time.Minute), at(1*time.Hour+30*time.Minute), at(2*time.Hour+30*time.Minute)
	assert.Equal(t, 200, before[1]["trusted"], "the old certificate has autodiscover.contoso.test")
	assert.Equal(t, 200, during[0]["trusted"], "without the setting the new certificate is fine")
	assert.Equal(t, 200, during[1]["CERT_E_CN_NO_MATCH"], "with msstd:autodiscover.contoso.test every client fails after the swap")
	assert.Equal(t, 200, after[1]["trusted"], "the revert heals them")
	var cause string
	for _, rc := range r.Recoveries {
		if rc.Group == "outlook-msstd" {
			cause = rc.Cause
		}
	}
	require.NotEmpty(t, cause)
	assert.True(t, strings.Contains(cause, "msstd:autodiscover.contoso.test"), cause)
}

func TestPrincipalNameValidated(t *testing.T) {
	_, err := scenario.Parse("bad.yaml", []byte(`
pki: {certs: {leaf: leaf.pem}}
endpoints: [{name: mail, host: mail.contoso.test, chain: [leaf]}]
groups: [{name: outlook, profile: {principalName: "mail.contoso.test"}}]
`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "groups[0].profile.principalName")
	assert.Contains(t, err.Error(), "want msstd:NAME")
}

// static: serves a file as it is (here a CRL whose CA key the scenario does
// not have): clients that need it are trusted while it is valid, and fail
// offline once it expired and nothing newer is served.
func TestStaticObjects(t *testing.T) {
	root := testpki.NewRoot("Static Root", testpki.ECDSA)
	inter := root.NewIntermediate("Static CA", testpki.ECDSA)
	leaf := inter.NewLeaf("mail.fabrikam.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.CRLDistributionPoints = []string{"http://pki.fabrikam.test/ca.crl"}
	})
	start := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	crl := inter.CRL(1, start.Add(-time.Hour), start.Add(2*time.Hour), time.Time{})
	s, err := scenario.Parse("static.yaml", []byte(`
start: 2026-11-24T08:00:00Z
duration: 4h
pki: {certs: {root: root.pem, ca: ca.pem, leaf: leaf.pem}}
static: [{url: http://pki.fabrikam.test/ca.crl, file: ca.crl}]
endpoints: [{name: mail, host: mail.fabrikam.test, chain: [leaf, ca]}]
groups: [{name: g, count: 10, roots: [root], profile: {revocation: end, crlValidityExtension: 0s, tlsSessionLifetime: 0s}}]
`))
	require.NoError(t, err)
	s.UseFiles(map[string][]byte{"root.pem": testpki.PEM(root.Cert), "ca.pem": testpki.PEM(inter.Cert), "leaf.pem": testpki.PEM(leaf.Cert), "ca.crl": crl})
	r, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	assert.Equal(t, 10, stateAt(t, r, time.Hour)["trusted"])
	assert.Equal(t, 10, stateAt(t, r, 3*time.Hour)["CRYPT_E_REVOCATION_OFFLINE"], "%v %v", stateAt(t, r, 3*time.Hour), r.Recoveries)

	_, err = scenario.Parse("bad.yaml", []byte("static: [{url: http://x/}]\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "static[0]: give url and file")
}

// PresentedChain follows swaps and reverts as the simulator does; the
// accessors read the scenario's files.
func TestPresentedChain(t *testing.T) {
	s, err := scenario.Demo()
	require.NoError(t, err)
	for _, tc := range []struct {
		at   time.Duration
		want []string
	}{
		{0, []string{"mail-old", "issuing"}},
		{time.Hour, []string{"mail-new", "issuing"}},
		{90 * time.Minute, []string{"mail-new", "issuing"}},
		{2 * time.Hour, []string{"mail-old", "issuing"}},
	} {
		got, err := s.PresentedChain("mail", tc.at)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, tc.at.String())
	}
	_, err = s.PresentedChain("nope", 0)
	assert.ErrorContains(t, err, `no endpoint named "nope"`)
	c, err := s.Certificate("mail-new")
	require.NoError(t, err)
	assert.Equal(t, "mail.contoso.test", c.X.Subject.CommonName)
	_, err = s.Certificate("nope")
	assert.ErrorContains(t, err, `no certificate named "nope"`)
}
