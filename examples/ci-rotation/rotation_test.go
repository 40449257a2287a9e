// Package rotation is an example to copy into your own repository: a Go
// test that rehearses a certificate rotation with winchain before it
// happens. It rotates the leaf and the issuing CA of a TLS endpoint and
// asserts that every group of Windows clients trusts the new chain within a
// few minutes, with the library API and testify.
//
// Replace newPKI with your own certificates (PEM files and the CA keys that
// sign your CRLs), the groups with your client profiles, and run it in CI
// with `go test`.
package rotation

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/scenario"
)

// The rotation: at T+1h the server starts presenting a new leaf issued by a
// new issuing CA (same root). Both issuing CAs publish CRLs; the new CA's
// certificate is in nobody's CA store, so clients must get it from the
// server's handshake (hAdditionalStore).
const rotation = `
name: rotate-leaf-and-intermediate
start: 2026-11-24T08:00:00Z
duration: 6h
step: 1m
seed: 1
pki:
  certs: {root: root.pem, ca1: ca1.pem, ca2: ca2.pem, leaf1: leaf1.pem, leaf2: leaf2.pem}
  keys: {root: root.key, ca1: ca1.key, ca2: ca2.key}
crls:
  - {url: http://pki.example.test/root.crl, issuer: root, firstPublish: -1h, publishEvery: 168h}
  - {url: http://pki.example.test/ca1.crl, issuer: ca1, firstPublish: -1h}
  - {url: http://pki.example.test/ca2.crl, issuer: ca2, firstPublish: -1h}
endpoints:
  - {name: web, host: www.example.test, chain: [leaf1, ca1]}
groups:
  - {name: laptops, count: 500, connectEvery: 10m, roots: [root], ca: [ca1]}
  - {name: kiosks, count: 50, connectEvery: 60m, roots: [root], ca: [ca1], profile: {revocation: end, negativeCache: seed-8h}}
  - {name: servers, count: 20, connectEvery: 5m, roots: [root], profile: {revocation: chain, tlsSessionLifetime: 0s}}
events:
  - {at: 1h, swap: {endpoint: web, chain: [leaf2, ca2]}}
asserts:
  # Every group trusts the new chain within one connection period.
  - {by: 2h1m, outcome: trusted, atLeast: 100%}
`

func TestRotationIsSeamless(t *testing.T) {
	spec, err := scenario.Parse("rotation.yaml", []byte(rotation))
	require.NoError(t, err)
	spec.UseFiles(newPKI(t))
	rep, err := scenario.Run(context.Background(), spec, scenario.Options{})
	require.NoError(t, err)

	for _, s := range rep.Summary {
		require.Zerof(t, s.EverFailed, "%s: %d clients failed during the rotation", s.Group, s.EverFailed)
		require.Zerof(t, s.HungConnections, "%s: %d connections hung", s.Group, s.HungConnections)
	}
	require.True(t, rep.Passed(), "%+v", rep.Asserts)
	// After the swap, every client that connected validated the new chain.
	last := rep.Timeline[len(rep.Timeline)-1]
	for _, g := range last.Groups {
		require.Equal(t, map[string]int{"trusted": g.State["trusted"]}, g.State, g.Group)
	}
}

// newPKI makes the PKI of the rotation with crypto/x509: a root, two
// issuing CAs with CRL distribution points, and a leaf under each.
func newPKI(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	nb := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	serial := int64(100)
	issue := func(name string, tmpl, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, crypto.Signer) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		serial++
		tmpl.SerialNumber = big.NewInt(serial)
		tmpl.NotBefore, tmpl.NotAfter = nb, nb.AddDate(5, 0, 0)
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, key.Public(), parentKey)
		require.NoError(t, err)
		files[name+".pem"] = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		k, err := x509.MarshalPKCS8PrivateKey(key)
		require.NoError(t, err)
		files[name+".key"] = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k})
		c, err := x509.ParseCertificate(der)
		require.NoError(t, err)
		return c, key
	}
	ca := func(cn string) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	}
	leaf := func(cdp string) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: "www.example.test"}, DNSNames: []string{"www.example.test"},
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			CRLDistributionPoints: []string{cdp}}
	}
	root, rootKey := issue("root", ca("Example Root"), nil, nil)
	ca1t := ca("Example Issuing CA 1")
	ca1t.CRLDistributionPoints = []string{"http://pki.example.test/root.crl"}
	ca1, ca1Key := issue("ca1", ca1t, root, rootKey)
	ca2t := ca("Example Issuing CA 2")
	ca2t.CRLDistributionPoints = []string{"http://pki.example.test/root.crl"}
	ca2, ca2Key := issue("ca2", ca2t, root, rootKey)
	issue("leaf1", leaf("http://pki.example.test/ca1.crl"), ca1, ca1Key)
	issue("leaf2", leaf("http://pki.example.test/ca2.crl"), ca2, ca2Key)
	return files
}
