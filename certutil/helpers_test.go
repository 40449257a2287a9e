package certutil

import (
	"bytes"
	"context"
	"crypto/x509"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
)

var (
	update = flag.Bool("update", false, "rewrite testdata/certutil/golden")
	gen    = flag.Bool("gen", false, "regenerate the fixed PKI in testdata/certutil/pki (then run -update)")
)

const (
	fixtures = "../testdata/certutil"
	pkiDir   = fixtures + "/pki"
)

// at is the validation time and machine clock of every scenario.
var at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// URLs of the fixed PKI.
const (
	urlRootCRT = "http://pki.certutil.test/root.crt"
	urlRootCRL = "http://pki.certutil.test/root.crl"
	urlIssCRT  = "http://pki.certutil.test/issuing.crt"
	urlCRL1    = "http://crl1.certutil.test/issuing.crl"
	urlCRL2    = "http://crl2.certutil.test/issuing.crl"
	urlOCSP    = "http://ocsp.certutil.test"
)

// TestGeneratePKI writes the fixed PKI once: a root, an issuing CA with AIA
// and CDP, two leaves (one revoked) with AIA, two CDP URLs and an OCSP URL,
// and the CRLs. Keys are not kept; hashes and serials stay stable between
// runs because the files are committed.
func TestGeneratePKI(t *testing.T) {
	if !*gen {
		t.Skip("run with -gen to regenerate testdata/certutil/pki")
	}
	require.NoError(t, os.MkdirAll(pkiDir, 0o755))
	root := testpki.NewRoot("Certutil Test Root", testpki.ECDSA)
	inter := root.NewIntermediate("Certutil Test Issuing CA", testpki.ECDSA, func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{urlRootCRT}
		c.CRLDistributionPoints = []string{urlRootCRL}
	})
	leafMods := func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{urlIssCRT}
		c.CRLDistributionPoints = []string{urlCRL1, urlCRL2}
		c.OCSPServer = []string{urlOCSP}
	}
	leaf := inter.NewLeaf("www.certutil.test", testpki.ECDSA, leafMods)
	revoked := inter.NewLeaf("revoked.certutil.test", testpki.ECDSA, leafMods)
	this := at.Add(-24 * time.Hour)
	write := func(name string, data []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(pkiDir, name), data, 0o644))
	}
	write("root.pem", testpki.PEM(root.Cert))
	write("inter.pem", testpki.PEM(inter.Cert))
	write("inter.der", inter.Cert.X.Raw)
	write("leaf.pem", testpki.PEM(leaf.Cert))
	write("revoked.pem", testpki.PEM(revoked.Cert))
	write("issuing.crl", inter.CRL(0x067e, this, this.Add(7*24*time.Hour), this, revoked.X().SerialNumber))
	write("issuing-expired.crl", inter.CRL(0x067d, this.Add(-10*24*time.Hour), this.Add(-3*24*time.Hour), this, revoked.X().SerialNumber))
	write("root.crl", root.CRL(0x0c, this, this.Add(30*24*time.Hour), time.Time{}, []*big.Int{}...))
}

func loadCert(t testing.TB, name string) *certs.Certificate {
	t.Helper()
	cs, err := certs.LoadFile(filepath.Join(pkiDir, name))
	require.NoError(t, err)
	return cs[0]
}

func readPKI(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pkiDir, name))
	require.NoError(t, err)
	return b
}

// scenario is one chain build on the fixed PKI.
type scenario struct {
	name string
	leaf string
	// noCA leaves the issuing CA out of the CA store (AIA must find it).
	noCA bool
	// net maps URL → response; URLs not in it are offline.
	net func(t testing.TB) map[string]netsim.Response
}

func serve(t testing.TB, file string) netsim.Response {
	return netsim.Response{Body: readPKI(t, file)}
}

var scenarios = []scenario{
	{name: "good", leaf: "leaf.pem", net: func(t testing.TB) map[string]netsim.Response {
		return map[string]netsim.Response{
			urlCRL1:    {Fail: netsim.FailTimeout},
			urlCRL2:    serve(t, "issuing.crl"),
			urlRootCRL: serve(t, "root.crl"),
		}
	}},
	{name: "offline", leaf: "leaf.pem", net: func(t testing.TB) map[string]netsim.Response {
		return map[string]netsim.Response{
			urlCRL2:    {Status: 404},
			urlRootCRL: serve(t, "root.crl"),
		}
	}},
	{name: "revoked", leaf: "revoked.pem", net: func(t testing.TB) map[string]netsim.Response {
		return map[string]netsim.Response{
			urlCRL1:    serve(t, "issuing.crl"),
			urlRootCRL: serve(t, "root.crl"),
		}
	}},
	{name: "expired-crl", leaf: "leaf.pem", net: func(t testing.TB) map[string]netsim.Response {
		return map[string]netsim.Response{
			urlCRL1:    serve(t, "issuing-expired.crl"),
			urlCRL2:    serve(t, "issuing-expired.crl"),
			urlRootCRL: serve(t, "root.crl"),
		}
	}},
	{name: "aia-fetched", leaf: "leaf.pem", noCA: true, net: func(t testing.TB) map[string]netsim.Response {
		return map[string]netsim.Response{
			urlIssCRT:  serve(t, "inter.der"),
			urlCRL1:    serve(t, "issuing.crl"),
			urlRootCRL: serve(t, "root.crl"),
		}
	}},
	{name: "aia-partial", leaf: "leaf.pem", noCA: true, net: func(t testing.TB) map[string]netsim.Response {
		return map[string]netsim.Response{}
	}},
}

// run builds and checks the scenario's chain the way `winchain verify`
// does: BASE policy, CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT.
func (s scenario) run(t testing.TB) (*chain.ChainContext, chain.PolicyStatus) {
	t.Helper()
	clk := clock.NewManual(at)
	n := netsim.New(clk)
	for u, r := range s.net(t) {
		n.Handle(u, r)
	}
	cfg := client.Config{Clock: clk, Network: n, Root: chain.NewStore("Root", loadCert(t, "root.pem"))}
	if !s.noCA {
		cfg.CA = chain.NewStore("CA", loadCert(t, "inter.pem"))
	}
	c, err := client.New(cfg)
	require.NoError(t, err)
	res, err := c.Verify(context.Background(), loadCert(t, s.leaf), client.VerifyOptions{
		Params: chain.Params{Time: at, Flags: chain.RevocationCheckChainExclRoot}})
	require.NoError(t, err)
	return res.Chain, res.Policy
}

func render(t testing.TB, cc *chain.ChainContext, st chain.PolicyStatus) string {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, RenderVerify(&buf, cc, st, RenderOptions{ChainFlags: DefaultChainFlags}))
	return buf.String()
}

func sampleFiles(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(fixtures, "sample*.txt"))
	require.NoError(t, err)
	require.NotEmpty(t, m)
	return m
}
