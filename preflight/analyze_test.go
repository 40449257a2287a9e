//go:debug rsa1024min=0

package preflight_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/preflight"
	"github.com/winchain/winchain/scenario"
)

// swapAt is the planned swap time of the tests.
var swapAt = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

const (
	rootCRL = "http://pki.contoso.test/root.crl"
	crlURL  = "http://pki.contoso.test/issuing1.crl"
	aiaURL  = "http://pki.contoso.test/issuing1.crt"
	host    = "mail.contoso.test"
	newCRL  = "http://pki2.contoso.test/issuing2.crl"
	newAIA  = "http://pki2.contoso.test/issuing2.crt"
	oldSANs = "autodiscover.contoso.test"
)

// pkiEnv is a PKI and the clients' network on one manual clock: a root in
// the clients' Root store, an issuing CA the server sends, a CRL served at
// crlURL, and the old certificate of the seed story (SAN mail +
// autodiscover).
type pkiEnv struct {
	clk   *clock.Manual
	net   *netsim.Network
	root  *testpki.CA
	inter *testpki.CA
	old   *testpki.CA
}

func newEnv(t *testing.T) *pkiEnv {
	t.Helper()
	e := &pkiEnv{clk: clock.NewManual(swapAt)}
	e.net = netsim.New(e.clk)
	e.root = testpki.NewRoot("Contoso Root CA", testpki.ECDSA)
	e.serveCRL(e.root, rootCRL)
	e.inter = e.newCA("Contoso Issuing CA 1", testpki.ECDSA)
	e.old = e.leaf(e.inter, host, oldSANs)
	e.serveCRL(e.inter, crlURL)
	return e
}

// newCA issues an intermediate of the root with the root's CDP.
func (e *pkiEnv) newCA(cn string, kt testpki.KeyType) *testpki.CA {
	return e.root.NewIntermediate(cn, kt, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{rootCRL} })
}

// leaf issues the mail server's certificate with the given SANs, the CDP
// crlURL and the AIA aiaURL; mods edit the template.
func (e *pkiEnv) leaf(ca *testpki.CA, sans ...any) *testpki.CA {
	var names []string
	var mods []func(*x509.Certificate)
	for _, s := range sans {
		switch v := s.(type) {
		case string:
			names = append(names, v)
		case func(*x509.Certificate):
			mods = append(mods, v)
		}
	}
	return ca.NewLeaf(host, testpki.ECDSA, append([]func(*x509.Certificate){func(c *x509.Certificate) {
		c.DNSNames = names
		c.CRLDistributionPoints = []string{crlURL}
		c.IssuingCertificateURL = []string{aiaURL}
		c.NotBefore = swapAt.AddDate(0, -6, 0)
		c.NotAfter = swapAt.AddDate(1, 0, 0)
	}}, mods...)...)
}

// serveCRL publishes ca's CRL (valid a week around the swap) at url.
func (e *pkiEnv) serveCRL(ca *testpki.CA, url string, revoked ...*big.Int) {
	e.net.Serve(url, ca.CRL(1, swapAt.Add(-24*time.Hour), swapAt.Add(6*24*time.Hour), swapAt.Add(-time.Hour), revoked...))
}

func (e *pkiEnv) evaluator() *preflight.ClientEvaluator {
	return &preflight.ClientEvaluator{
		Config: client.Config{Network: e.net, Root: chain.NewStore("Root", e.root.Cert)},
		Clock:  e.clk,
		Flags:  chain.RevocationCheckChainExclRoot,
	}
}

func presented(cs ...*testpki.CA) *preflight.Chain {
	ch := &preflight.Chain{Source: "test"}
	for _, c := range cs {
		ch.Certs = append(ch.Certs, c.Cert)
	}
	return ch
}

func (e *pkiEnv) analyze(t *testing.T, old, new *preflight.Chain, o preflight.Options) *preflight.Report {
	t.Helper()
	o.At = swapAt
	if o.ServerName == "" {
		o.ServerName = host
	}
	if o.Evaluator == nil {
		o.Evaluator = e.evaluator()
	}
	r, err := preflight.Analyze(context.Background(), old, new, o)
	require.NoError(t, err)
	return r
}

// The seed's swap: same subject, new key, one SAN changed
// (autodiscover.contoso.test → owa.contoso.test). The chain is fine for
// every client, but Outlook profiles requiring the removed name fail:
// principal-name, blocking, CERT_E_CN_NO_MATCH; the server name still
// matches; the session reset and the new key are reported.
func TestSeedSwapPrincipalName(t *testing.T) {
	e := newEnv(t)
	newLeaf := e.leaf(e.inter, host, "owa.contoso.test")
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{
		PrincipalNames: []string{"msstd:autodiscover.contoso.test", "msstd:mail.contoso.test"},
	})
	assert.Equal(t, "trusted", r.Old.Result)
	assert.Equal(t, "trusted", r.New.Result, "the chain itself is fine")
	assert.True(t, r.Blocking)
	f := r.Find(preflight.IDPrincipalName)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "CERT_E_CN_NO_MATCH", f.Result)
	assert.Equal(t, "msstd:autodiscover.contoso.test", f.Name)
	assert.Contains(t, f.Detail, "matches the old certificate")
	assert.Contains(t, f.Affected, "Only connect to proxy servers that have this principal name in their certificate")
	n := 0
	for _, g := range r.Findings {
		if g.ID == preflight.IDPrincipalName {
			n++
		}
	}
	assert.Equal(t, 1, n, "msstd:mail.contoso.test still matches")
	assert.False(t, r.Has(preflight.IDNameMismatch))
	assert.True(t, r.Has(preflight.IDKeyChanged))
	assert.True(t, r.Has(preflight.IDSessionReset))
	assert.False(t, r.Has(preflight.IDNewRevocationURL), "same CDP")
	assert.Contains(t, r.Steps[0], "msstd:autodiscover.contoso.test")

	// The server name dropped too: name-mismatch, from the chain policy as well.
	r = e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{ServerName: oldSANs})
	f = r.Find(preflight.IDNameMismatch)
	require.NotNil(t, f)
	assert.Equal(t, "CERT_E_CN_NO_MATCH", f.Result)
	assert.Equal(t, "CERT_E_CN_NO_MATCH", r.New.Result)
	assert.False(t, r.Has(preflight.IDNewChain), "the name finding explains the policy error")
}

// A new intermediate that only AIA gives: the server sends the leaf alone.
// With the AIA URL served, the chain builds (warning aia-needed, naming the
// URL); with it offline, clients cannot build it (blocking new-issuer).
func TestNewIntermediateOnlyByAIA(t *testing.T) {
	e := newEnv(t)
	inter2 := e.newCA("Contoso Issuing CA 2", testpki.ECDSA)
	e.serveCRL(inter2, newCRL)
	newLeaf := e.leaf(inter2, host, oldSANs, func(c *x509.Certificate) {
		c.CRLDistributionPoints = []string{newCRL}
		c.IssuingCertificateURL = []string{newAIA}
	})
	e.net.Serve(newAIA, inter2.Cert.X.Raw)
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf), preflight.Options{})
	assert.Equal(t, "trusted", r.New.Result)
	f := r.Find(preflight.IDAIANeeded)
	require.NotNil(t, f, "%+v %+v", r.Findings, r.New)
	assert.Equal(t, preflight.Warning, f.Severity)
	assert.Equal(t, newAIA, f.URL)
	assert.Contains(t, f.Detail, "CN=Contoso Issuing CA 2")
	require.NotNil(t, r.Find(preflight.IDNewIssuer))
	assert.Equal(t, preflight.Info, r.Find(preflight.IDNewIssuer).Severity)
	assert.False(t, r.Blocking)

	e.net.Clear(newAIA)
	e.net.Add(newAIA, netsim.Rule{Response: netsim.Response{Fail: netsim.FailOffline}})
	r = e.analyze(t, presented(e.old, e.inter), presented(newLeaf), preflight.Options{})
	assert.True(t, r.Blocking)
	var blocking *preflight.Finding
	for i, f := range r.Findings {
		if f.ID == preflight.IDNewIssuer && f.Severity == preflight.Blocking {
			blocking = &r.Findings[i]
		}
	}
	require.NotNil(t, blocking, "%+v", r.Findings)
	assert.Contains(t, blocking.Detail, newAIA+" (offline)")
	assert.NotEqual(t, "trusted", r.New.Result)
	assert.Contains(t, r.Steps[0], "intermediate")
}

// A new CDP URL that times out: every client blocks the per-URL timeout
// (15 s) on it at the swap and the revocation check fails offline.
func TestNewCDPTimesOut(t *testing.T) {
	e := newEnv(t)
	newLeaf := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{newCRL} })
	e.net.Add(newCRL, netsim.Rule{Response: netsim.Response{Fail: netsim.FailTimeout}})
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{})
	assert.Equal(t, "trusted", r.New.Result, "a client that validated the old chain has the issuer's CRL cached")
	assert.Equal(t, "CRYPT_E_REVOCATION_OFFLINE", r.FirstConnection.Result)
	f := r.Find(preflight.IDURLUnreachable)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "CRYPT_E_REVOCATION_OFFLINE", f.Result)
	assert.Equal(t, newCRL, f.URL)
	assert.Equal(t, 15.0, f.BlockSeconds)
	assert.Contains(t, f.Detail, "per-URL timeout 15s")
	assert.Contains(t, f.Detail, "clients that validated the old chain pass on what they cached from it until that expires")
	nf := r.Find(preflight.IDNewRevocationURL)
	require.NotNil(t, nf)
	assert.Contains(t, nf.Affected, "no client has this URL cached")
	assert.Equal(t, 15.0, r.FirstConnection.BlockSeconds)
	assert.False(t, r.Has(preflight.IDNewChain))

	// Reachable: a warning with the CRL's size, nothing blocking.
	e.net.Clear(newCRL)
	e.serveCRL(e.inter, newCRL)
	r = e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{})
	assert.False(t, r.Blocking, "%+v", r.Findings)
	nf = r.Find(preflight.IDNewRevocationURL)
	require.NotNil(t, nf)
	assert.Regexp(t, `crl, \d+ bytes`, nf.Detail)
}

// The old certificate is revoked before the revert: the revert fails
// (old-revoked, blocking, CRYPT_E_REVOKED), though the swap itself is fine.
func TestOldRevokedBeforeRevert(t *testing.T) {
	e := newEnv(t)
	newLeaf := e.leaf(e.inter, host, oldSANs)
	// Until half an hour after the swap the CRL lists nothing; then the
	// old certificate (its key "compromised") is on it.
	e.net.Clear(crlURL)
	e.net.Add(crlURL, netsim.Rule{Until: swapAt.Add(30 * time.Minute), Response: netsim.Response{Body: e.inter.CRL(1, swapAt.Add(-24*time.Hour), swapAt.Add(6*24*time.Hour), time.Time{})}})
	e.net.Add(crlURL, netsim.Rule{From: swapAt.Add(30 * time.Minute), Response: netsim.Response{Body: e.inter.CRL(2, swapAt.Add(30*time.Minute), swapAt.Add(7*24*time.Hour), swapAt.Add(30*time.Minute), e.old.Cert.X.SerialNumber)}})
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{})
	assert.Equal(t, "trusted", r.Old.Result)
	assert.Equal(t, "trusted", r.New.Result)
	assert.Equal(t, "trusted", r.Revert.Result, "the client still has the CRL from before the revocation")
	f := r.Find(preflight.IDOldRevoked)
	require.NotNil(t, f)
	assert.Contains(t, f.Affected, "every client that fetches the CRL or OCSP answer after the revocation")
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "CRYPT_E_REVOKED", f.Result)
	assert.Contains(t, f.Detail, "reverting to it at 2026-11-24T10:00:00Z fails")
	assert.True(t, r.Blocking)
	assert.Contains(t, joinSteps(r), "Do not revoke the old certificate")
}

// Weak crypto: a 1024-bit RSA new certificate passes Windows' default
// (MinRsaPubKeyBitLength 1023) and is a warning; SHA-1 is a warning; a
// certificate signed by a 512-bit RSA key is blocking
// (TRUST_E_CERT_SIGNATURE), as the chain engine says too.
func TestWeakCrypto(t *testing.T) {
	e := newEnv(t)
	k1024, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)
	t1024 := testpki.Template(host, false)
	t1024.DNSNames = []string{host, oldSANs}
	t1024.CRLDistributionPoints = []string{crlURL}
	weak := e.inter.IssueWithKey(t1024, k1024)
	r := e.analyze(t, presented(e.old, e.inter), presented(weak, e.inter), preflight.Options{})
	assert.Equal(t, "trusted", r.New.Result)
	f := r.Find(preflight.IDWeakCrypto)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Warning, f.Severity)
	assert.Contains(t, f.Detail, "RSA 1024")
	assert.False(t, r.Blocking)

	rsaCA := e.newCA("Contoso RSA CA", testpki.RSA)
	e.serveCRL(rsaCA, newCRL)
	sha1 := e.leaf(rsaCA, host, oldSANs, func(c *x509.Certificate) {
		c.SignatureAlgorithm = x509.SHA1WithRSA
		c.CRLDistributionPoints = []string{newCRL}
	})
	require.Equal(t, x509.SHA1WithRSA, sha1.Cert.X.SignatureAlgorithm)
	r = e.analyze(t, presented(e.old, e.inter), presented(sha1, rsaCA), preflight.Options{})
	f = r.Find(preflight.IDWeakCrypto)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Warning, f.Severity)
	assert.Contains(t, f.Detail, "SHA1-RSA")

	weakCA, signedWeak := e.weakRSAIssued(t)
	r = e.analyze(t, presented(e.old, e.inter), presented(signedWeak, weakCA), preflight.Options{})
	assert.Equal(t, "TRUST_E_CERT_SIGNATURE", r.New.Result)
	f = r.Find(preflight.IDWeakCrypto)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "TRUST_E_CERT_SIGNATURE", f.Result)
	assert.True(t, r.Blocking)
	assert.Contains(t, r.Steps[0], "strong signature")
}

// weakRSAIssued returns a CA of the root with a 512-bit RSA key (below
// MinRsaPubKeyBitLength's default) and a new certificate it signed, its
// CRL served at newCRL.
func (e *pkiEnv) weakRSAIssued(t *testing.T) (ca, leaf *testpki.CA) {
	t.Helper()
	k512, err := rsa.GenerateKey(rand.Reader, 512)
	require.NoError(t, err)
	tw := testpki.Template("Contoso Weak CA", true)
	tw.CRLDistributionPoints = []string{rootCRL}
	ca = e.root.IssueWithKey(tw, k512)
	e.serveCRL(ca, newCRL)
	return ca, e.leaf(ca, host, oldSANs, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{newCRL} })
}

// The weak-crypto finding applies the clients' MinRsaPubKeyBitLength, as
// their chain engine does: with a .reg setting 4096, a certificate signed
// by a 2048-bit RSA CA is blocking (TRUST_E_CERT_SIGNATURE) and the finding
// names the configured minimum; by default the same chain is fine.
func TestWeakCryptoFollowsRegistry(t *testing.T) {
	e := newEnv(t)
	rsaCA := e.newCA("Contoso RSA CA", testpki.RSA)
	require.Equal(t, 2048, rsaCA.Cert.X.PublicKey.(*rsa.PublicKey).N.BitLen())
	e.serveCRL(rsaCA, newCRL)
	signed := e.leaf(rsaCA, host, oldSANs, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{newCRL} })

	r := e.analyze(t, presented(e.old, e.inter), presented(signed, rsaCA), preflight.Options{})
	assert.Equal(t, "trusted", r.New.Result)
	assert.Nil(t, r.Find(preflight.IDWeakCrypto))

	ev := e.evaluator()
	reg := "Windows Registry Editor Version 5.00\r\n\r\n[" + client.RegLocalConfigKey + "]\r\n\"MinRsaPubKeyBitLength\"=dword:00001000\r\n"
	require.NoError(t, ev.Config.Registry.ApplyRegExport("weak.reg", []byte(reg)))
	require.Equal(t, uint32(4096), ev.Config.Registry.MinRSAPubKeyBitLength)
	r = e.analyze(t, presented(e.old, e.inter), presented(signed, rsaCA), preflight.Options{Evaluator: ev})
	assert.Equal(t, "TRUST_E_CERT_SIGNATURE", r.New.Result)
	f := r.Find(preflight.IDWeakCrypto)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "TRUST_E_CERT_SIGNATURE", f.Result)
	assert.Contains(t, f.Detail, "RSA under 4096 bits, the clients' MinRsaPubKeyBitLength")
	assert.Contains(t, r.Steps[0], "RSA 4096+")

	// 0xFFFFFFFF turns the key check off for the engine and the finding.
	ev = e.evaluator()
	ev.Config.Registry.MinRSAPubKeyBitLength = certs.MinRSAPubKeyBitLengthDisabled
	weakCA, signedWeak := e.weakRSAIssued(t)
	r = e.analyze(t, presented(e.old, e.inter), presented(signedWeak, weakCA), preflight.Options{Evaluator: ev})
	assert.Equal(t, "trusted", r.New.Result)
	for _, f := range r.Findings {
		assert.NotEqual(t, preflight.Blocking, f.Severity, f.Detail)
	}
}

// A new certificate valid from 3 minutes before the swap: fine for exact
// clocks, not yet valid for clients 10 minutes behind.
func TestNotYetValidForSkewedClients(t *testing.T) {
	e := newEnv(t)
	fresh := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.NotBefore = swapAt.Add(-3 * time.Minute) })
	r := e.analyze(t, presented(e.old, e.inter), presented(fresh, e.inter), preflight.Options{ClockSkew: 10 * time.Minute})
	f := r.Find(preflight.IDNotYetValid)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "CERT_E_EXPIRED", f.Result)
	assert.Contains(t, f.Affected, "more than 3m0s behind")
	assert.Equal(t, "trusted", r.New.Result, "a client with the right clock is fine")
	assert.Contains(t, r.Steps[0], "2026-11-24T09:07:00Z")

	r = e.analyze(t, presented(e.old, e.inter), presented(fresh, e.inter), preflight.Options{ClockSkew: time.Minute})
	assert.False(t, r.Has(preflight.IDNotYetValid), "clocks at most 1 min behind")

	// Valid only after the swap: every client.
	late := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.NotBefore = swapAt.Add(time.Hour) })
	r = e.analyze(t, presented(e.old, e.inter), presented(late, e.inter), preflight.Options{})
	f = r.Find(preflight.IDNotYetValid)
	require.NotNil(t, f)
	assert.Contains(t, f.Affected, "every client")
	assert.Equal(t, "CERT_E_EXPIRED", r.New.Result)
}

// EKU without serverAuth is blocking; Analyze refuses a bad principal name.
func TestEKUAndBadInput(t *testing.T) {
	e := newEnv(t)
	clientOnly := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth} })
	r := e.analyze(t, presented(e.old, e.inter), presented(clientOnly, e.inter), preflight.Options{})
	f := r.Find(preflight.IDEKU)
	require.NotNil(t, f)
	assert.Equal(t, "CERT_E_WRONG_USAGE", f.Result)
	assert.True(t, r.Blocking)

	_, err := preflight.Analyze(context.Background(), presented(e.old), presented(clientOnly), preflight.Options{Evaluator: e.evaluator(), PrincipalNames: []string{"autodiscover"}})
	assert.ErrorContains(t, err, "want msstd:NAME")
	_, err = preflight.Analyze(context.Background(), presented(e.old), &preflight.Chain{}, preflight.Options{Evaluator: e.evaluator()})
	assert.ErrorContains(t, err, "new chain")
	_, err = preflight.Analyze(context.Background(), presented(e.old), presented(e.old), preflight.Options{})
	assert.ErrorIs(t, err, preflight.ErrNoEvaluator)
}

func joinSteps(r *preflight.Report) string {
	s := ""
	for _, st := range r.Steps {
		s += st + "\n"
	}
	return s
}

// clientFolderWithNewCRL returns a PKI, a new leaf whose CDP is newCRL,
// and the cache folder of a client that already fetched that CRL
// (pre-fetched).
func clientFolderWithNewCRL(t *testing.T) (*pkiEnv, *testpki.CA, string) {
	t.Helper()
	e := newEnv(t)
	newLeaf := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{newCRL} })
	e.serveCRL(e.inter, newCRL)
	dir := t.TempDir()
	c, err := client.New(client.Config{Clock: e.clk, Network: e.net, Root: chain.NewStore("Root", e.root.Cert), CacheDir: dir})
	require.NoError(t, err)
	_, err = c.Verify(context.Background(), newLeaf.Cert, client.VerifyOptions{Params: chain.Params{Time: swapAt, Flags: chain.RevocationCheckChainExclRoot, Additional: chain.NewStore("Additional", e.inter.Cert)}})
	require.NoError(t, err)
	return e, newLeaf, dir
}

// A cache folder taken from a client (--cache-dir): URLs it holds are not
// "never cached", and the preflight never writes to it.
func TestCacheDirFromAClient(t *testing.T) {
	e, newLeaf, dir := clientFolderWithNewCRL(t)
	before := folderDigest(t, dir)

	ev := e.evaluator()
	ev.Config.CacheDir = dir
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{Evaluator: ev})
	f := r.Find(preflight.IDNewRevocationURL)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Info, f.Severity)
	assert.Contains(t, f.Affected, "the given cache folder has it")
	assert.Equal(t, before, folderDigest(t, dir), "the folder is read, never written")

	r = e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{})
	assert.Equal(t, preflight.Warning, r.Find(preflight.IDNewRevocationURL).Severity, "without the folder")
}

// A torn entry in the cache folder taken from a client is a cache-problem
// finding (info) naming the file, what is wrong and what the clients did;
// the folder is still never written.
func TestCacheDirFromAClient_TornEntry(t *testing.T) {
	e, newLeaf, dir := clientFolderWithNewCRL(t)
	content := filepath.Join(dir, urlcache.ContentDir, urlcache.URLName(newCRL))
	body, err := os.ReadFile(content)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(content, body[:len(body)/2], 0o600))
	before := folderDigest(t, dir)

	ev := e.evaluator()
	ev.Config.CacheDir = dir
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{Evaluator: ev})
	var got []preflight.Finding
	for _, f := range r.Findings {
		if f.ID == preflight.IDCacheProblem {
			got = append(got, f)
		}
	}
	require.Len(t, got, 1, "one finding per problem, however many clients met it: %+v", r.Findings)
	f := got[0]
	assert.Equal(t, preflight.Info, f.Severity)
	assert.Equal(t, newCRL, f.URL)
	assert.Regexp(t, "^"+regexp.QuoteMeta(content)+": Content is \\d+ bytes but MetaData ContentSize is \\d+; ignored, treated as a miss$", f.Detail)
	assert.Equal(t, before, folderDigest(t, dir), "the folder is read, never written")

	// Without the folder there is nothing to report.
	r = e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{})
	assert.False(t, r.Has(preflight.IDCacheProblem))
}

// folderDigest lists every file of dir with its size and content.
func folderDigest(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %x\n", p, len(data), sha256.Sum256(data))
		return nil
	}))
	return b.String()
}

// A new certificate that expires within 30 days is a warning; one already
// expired is blocking.
func TestExpiresSoon(t *testing.T) {
	e := newEnv(t)
	soon := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.NotAfter = swapAt.Add(10 * 24 * time.Hour) })
	r := e.analyze(t, presented(e.old, e.inter), presented(soon, e.inter), preflight.Options{})
	f := r.Find(preflight.IDExpiresSoon)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Warning, f.Severity)
	assert.Contains(t, f.Detail, "expires 240h0m0s after the swap")
	expired := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.NotAfter = swapAt.Add(-time.Hour) })
	r = e.analyze(t, presented(e.old, e.inter), presented(expired, e.inter), preflight.Options{})
	f = r.Find(preflight.IDExpiresSoon)
	require.NotNil(t, f)
	assert.Equal(t, preflight.Blocking, f.Severity)
	assert.Equal(t, "CERT_E_EXPIRED", f.Result)
}

// Clients with CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT: the report
// gives their budget instead of the per-URL sum.
func TestAccumulativeTimeout(t *testing.T) {
	e := newEnv(t)
	newLeaf := e.leaf(e.inter, host, oldSANs, func(c *x509.Certificate) { c.CRLDistributionPoints = []string{newCRL} })
	e.net.Add(newCRL, netsim.Rule{Response: netsim.Response{Fail: netsim.FailTimeout}})
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{})
	f := r.Find(preflight.IDURLUnreachable)
	require.NotNil(t, f)
	assert.Contains(t, f.Detail, "1 failing URL(s) × the per-URL timeout = 15s per connection; a client with CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT stops at 20s")
	ev := e.evaluator()
	ev.Flags |= chain.RevocationAccumulativeTimeout
	r = e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{Evaluator: ev})
	f = r.Find(preflight.IDURLUnreachable)
	require.NotNil(t, f)
	assert.Contains(t, f.Detail, "these clients set CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT: at most 20s over the chain")
	assert.LessOrEqual(t, f.BlockSeconds, 20.0)
}

// LoadChain reads PEM bundles (end certificate first), DER and PKCS#7.
func TestLoadChainFormats(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "chain.pem")
	require.NoError(t, os.WriteFile(pemFile, testpki.PEM(e.old.Cert, e.inter.Cert), 0o644))
	derFile := filepath.Join(dir, "leaf.cer")
	require.NoError(t, os.WriteFile(derFile, e.old.Cert.X.Raw, 0o644))
	p7, err := pkcs7.DegenerateCertificate(append(append([]byte(nil), e.inter.Cert.X.Raw...), e.old.Cert.X.Raw...))
	require.NoError(t, err)
	p7File := filepath.Join(dir, "chain.p7b")
	require.NoError(t, os.WriteFile(p7File, p7, 0o644))
	for _, f := range []string{pemFile, derFile, p7File} {
		ch, err := preflight.LoadChain(f)
		require.NoError(t, err, f)
		assert.Equal(t, e.old.Cert.SHA1, ch.Leaf().SHA1, "%s: the end certificate first", f)
		assert.Equal(t, f, ch.Source)
	}
	_, err = preflight.LoadChain(filepath.Join(dir, "missing.pem"))
	assert.ErrorContains(t, err, "missing.pem")
}

// WriteScenario turns the seed swap's preflight into a scenario that the
// simulator runs: the principal-name group fails between the swap and the
// revert, the plain group does not.
func TestWriteScenarioRuns(t *testing.T) {
	e := newEnv(t)
	newLeaf := e.leaf(e.inter, host, "owa.contoso.test")
	r := e.analyze(t, presented(e.old, e.inter), presented(newLeaf, e.inter), preflight.Options{PrincipalNames: []string{"msstd:autodiscover.contoso.test"}})
	path := filepath.Join(t.TempDir(), "swap.yaml")
	require.NoError(t, preflight.WriteScenario(path, r, preflight.ScenarioOptions{Clients: 20, Roots: []*certs.Certificate{e.root.Cert}}))
	s, err := scenario.Load(path)
	require.NoError(t, err)
	rep, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	require.Len(t, rep.Summary, 2)
	var failed []bool
	for _, a := range rep.Asserts {
		failed = append(failed, !a.Pass)
	}
	assert.Equal(t, []bool{false, false, true, false}, failed, "only the principal-name group after the swap")
	assert.False(t, rep.Passed())
	assert.ErrorContains(t, preflight.WriteScenario(path, &preflight.Report{}, preflight.ScenarioOptions{}), "needs a report from Analyze")
}
