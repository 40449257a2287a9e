package certs

import (
	"bytes"
	"crypto"
	"crypto/dsa" //nolint:staticcheck // DSA is under test (PKITS 4.1.4-4.1.6).
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pkitsDir holds the NIST PKITS certificates shared by the whole module.
const pkitsDir = "../testdata/pkits/certs"

// ---- keys, generated once per test binary ----

type testKeys struct {
	rootRSA  *rsa.PrivateKey
	leafRSA  *rsa.PrivateKey
	leafEC   *ecdsa.PrivateKey
	dsaCA    *dsa.PrivateKey
	dsaInher *dsa.PrivateKey // same group as dsaCA: its certificate omits the parameters
}

var (
	keysOnce sync.Once
	keys     testKeys
	keysErr  error
)

func getKeys(tb testing.TB) *testKeys {
	tb.Helper()
	keysOnce.Do(func() {
		if keys.rootRSA, keysErr = rsa.GenerateKey(rand.Reader, 2048); keysErr != nil {
			return
		}
		if keys.leafRSA, keysErr = rsa.GenerateKey(rand.Reader, 2048); keysErr != nil {
			return
		}
		if keys.leafEC, keysErr = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); keysErr != nil {
			return
		}
		var params dsa.Parameters
		if keysErr = dsa.GenerateParameters(&params, rand.Reader, dsa.L1024N160); keysErr != nil {
			return
		}
		keys.dsaCA = &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: params}}
		keys.dsaInher = &dsa.PrivateKey{PublicKey: dsa.PublicKey{Parameters: params}}
		if keysErr = dsa.GenerateKey(keys.dsaCA, rand.Reader); keysErr != nil {
			return
		}
		keysErr = dsa.GenerateKey(keys.dsaInher, rand.Reader)
	})
	require.NoError(tb, keysErr)
	return &keys
}

// ---- DER helpers built on cryptobyte ----

func tlv(tag cbasn1.Tag, parts ...[]byte) []byte {
	b := cryptobyte.NewBuilder(nil)
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, p := range parts {
			b.AddBytes(p)
		}
	})
	return b.BytesOrPanic()
}

func seq(parts ...[]byte) []byte { return tlv(cbasn1.SEQUENCE, parts...) }

func bitString(b []byte) []byte { return tlv(cbasn1.BIT_STRING, []byte{0}, b) }

func mustMarshal(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := asn1.Marshal(v)
	require.NoError(tb, err)
	return b
}

// elements splits the contents of a DER SEQUENCE into its elements.
func elements(tb testing.TB, der []byte) [][]byte {
	tb.Helper()
	in := cryptobyte.String(der)
	var body cryptobyte.String
	require.True(tb, in.ReadASN1(&body, cbasn1.SEQUENCE), "not a SEQUENCE")
	var out [][]byte
	for !body.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		require.True(tb, body.ReadAnyASN1Element(&el, &tag))
		out = append(out, append([]byte(nil), el...))
	}
	return out
}

// Indexes of the TBSCertificate elements of a v3 certificate made by
// crypto/x509.
const (
	tbsVersion = iota
	tbsSerial
	tbsSigAlg
	tbsIssuer
	tbsValidity
	tbsSubject
	tbsSPKI
	tbsExtensions
)

func algID(tb testing.TB, oid asn1.ObjectIdentifier, params ...[]byte) []byte {
	return seq(append([][]byte{mustMarshal(tb, oid)}, params...)...)
}

func sigAlgID(tb testing.TB, alg x509.SignatureAlgorithm) []byte {
	null := []byte{0x05, 0x00}
	switch alg {
	case x509.SHA256WithRSA:
		return algID(tb, oidSigSHA256WithRSA, null)
	case x509.SHA1WithRSA:
		return algID(tb, oidSigSHA1WithRSA, null)
	case x509.ECDSAWithSHA256:
		return algID(tb, oidSigECDSAWithSHA256)
	case x509.DSAWithSHA256:
		return algID(tb, oidSigDSAWithSHA256)
	case x509.DSAWithSHA1:
		return algID(tb, oidSigDSAWithSHA1)
	}
	tb.Fatalf("no AlgorithmIdentifier for %v", alg)
	return nil
}

func hashFor(alg x509.SignatureAlgorithm) crypto.Hash {
	h, _, _, _ := signatureHash(alg)
	return h
}

// sign signs tbs with key for alg, the way a CA would.
func sign(tb testing.TB, tbs []byte, alg x509.SignatureAlgorithm, key any) []byte {
	tb.Helper()
	h := hashFor(alg)
	var digest []byte
	if h != 0 {
		hh := newHash(h)
		hh.Write(tbs)
		digest = hh.Sum(nil)
	}
	switch k := key.(type) {
	case *dsa.PrivateKey:
		d := digest
		if n := k.Q.BitLen() / 8; len(d) > n {
			d = d[:n]
		}
		r, s, err := dsa.Sign(rand.Reader, k, d)
		require.NoError(tb, err)
		return mustMarshal(tb, struct{ R, S *big.Int }{r, s})
	case ed25519.PrivateKey:
		return ed25519.Sign(k, tbs)
	case crypto.Signer:
		var opts crypto.SignerOpts = h
		switch alg {
		case x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS:
			opts = &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: h}
		}
		sig, err := k.Sign(rand.Reader, digest, opts)
		require.NoError(tb, err)
		return sig
	}
	tb.Fatalf("cannot sign with %T", key)
	return nil
}

// resign rebuilds a certificate from (mutated) TBS elements and signs it.
// The outer signatureAlgorithm is copied from the TBS one.
func resign(tb testing.TB, tbsElems [][]byte, alg x509.SignatureAlgorithm, key any) []byte {
	tb.Helper()
	sigIdx := tbsSigAlg
	if len(tbsElems) > 0 && tbsElems[0][0] != 0xa0 { // no [0] version: v1
		sigIdx = tbsSigAlg - 1
	}
	tbs := seq(tbsElems...)
	return seq(tbs, tbsElems[sigIdx], bitString(sign(tb, tbs, alg, key)))
}

// tbsElements returns the TBSCertificate elements of der.
func tbsElements(tb testing.TB, der []byte) [][]byte {
	tb.Helper()
	return elements(tb, elements(tb, der)[0])
}

// replaceExtension swaps the extnValue of the extension oid inside an
// [3] EXPLICIT Extensions element.
func replaceExtension(tb testing.TB, extsElem []byte, oid asn1.ObjectIdentifier, value []byte) []byte {
	tb.Helper()
	in := cryptobyte.String(extsElem)
	var wrap, exts cryptobyte.String
	require.True(tb, in.ReadASN1(&wrap, tagCtx3C) && wrap.ReadASN1(&exts, cbasn1.SEQUENCE))
	var out [][]byte
	found := false
	for !exts.Empty() {
		var e cryptobyte.String
		require.True(tb, exts.ReadASN1Element(&e, cbasn1.SEQUENCE))
		parts := elements(tb, e)
		var id asn1.ObjectIdentifier
		_, err := asn1.Unmarshal(parts[0], &id)
		require.NoError(tb, err)
		if id.Equal(oid) {
			found = true
			parts[len(parts)-1] = tlv(cbasn1.OCTET_STRING, value)
			out = append(out, seq(parts...))
			continue
		}
		out = append(out, append([]byte(nil), e...))
	}
	require.True(tb, found, "extension %v not present", oid)
	return tlv(tagCtx3C, seq(out...))
}

func rsaSPKINoNull(tb testing.TB, k *rsa.PublicKey) []byte {
	pkcs1 := mustMarshal(tb, struct {
		N *big.Int
		E int
	}{k.N, k.E})
	return seq(algID(tb, oidPublicKeyRSA), bitString(pkcs1))
}

func dsaSPKI(tb testing.TB, k *dsa.PublicKey, withParams bool) []byte {
	var ai []byte
	if withParams {
		ai = algID(tb, oidPublicKeyDSA, mustMarshal(tb, struct{ P, Q, G *big.Int }{k.P, k.Q, k.G}))
	} else {
		ai = algID(tb, oidPublicKeyDSA)
	}
	return seq(ai, bitString(mustMarshal(tb, k.Y)))
}

// ---- certificates ----

type testPKI struct {
	root    *x509.Certificate
	rootDER []byte
	leaf    *x509.Certificate // the well-formed leaf every defect starts from
	leafDER []byte
}

var (
	pkiOnce sync.Once
	pki     testPKI
	pkiErr  error
)

func leafTemplate() *x509.Certificate {
	return &x509.Certificate{
		SerialNumber:          big.NewInt(0x1234567890),
		Subject:               pkix.Name{CommonName: "leaf.example", Organization: []string{"Winchain Test"}, Country: []string{"DE"}},
		NotBefore:             time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		NotAfter:              time.Date(2034, 1, 2, 3, 4, 5, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 311, 10, 3, 4}},
		BasicConstraintsValid: true,
		SubjectKeyId:          []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
		DNSNames:              []string{"leaf.example", "*.leaf.example"},
		EmailAddresses:        []string{"ops@leaf.example"},
		IPAddresses:           []net.IP{net.IPv4(192, 0, 2, 1).To4(), net.ParseIP("2001:db8::1")},
		URIs:                  []*url.URL{{Scheme: "https", Host: "leaf.example", Path: "/id"}},
		CRLDistributionPoints: []string{"http://crl.example/root.crl"},
		OCSPServer:            []string{"http://ocsp.example"},
		IssuingCertificateURL: []string{"http://aia.example/root.cer"},
		Policies:              []x509.OID{mustOID("2.23.140.1.2.1"), mustOID("1.3.6.1.4.1.99999.1.18446744073709551615")},
	}
}

func mustOID(s string) x509.OID {
	o, err := x509.ParseOID(s)
	if err != nil {
		panic(err)
	}
	return o
}

func getPKI(tb testing.TB) *testPKI {
	tb.Helper()
	k := getKeys(tb)
	pkiOnce.Do(func() {
		rootTmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "Winchain Test Root", Organization: []string{"Winchain Test"}},
			NotBefore:             time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2040, 1, 1, 0, 0, 0, 0, time.UTC),
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
			BasicConstraintsValid: true,
			IsCA:                  true,
			MaxPathLen:            2,
			SubjectKeyId:          []byte{0xaa, 0xbb, 0xcc, 0xdd},
		}
		if pki.rootDER, pkiErr = x509.CreateCertificate(rand.Reader, rootTmpl, rootTmpl, &k.rootRSA.PublicKey, k.rootRSA); pkiErr != nil {
			return
		}
		if pki.root, pkiErr = x509.ParseCertificate(pki.rootDER); pkiErr != nil {
			return
		}
		if pki.leafDER, pkiErr = x509.CreateCertificate(rand.Reader, leafTemplate(), pki.root, &k.leafEC.PublicKey, k.rootRSA); pkiErr != nil {
			return
		}
		pki.leaf, pkiErr = x509.ParseCertificate(pki.leafDER)
	})
	require.NoError(tb, pkiErr)
	return &pki
}

// defect is one re-encoding of the well-formed leaf that crypto/x509 refuses
// and Windows loads (spec §11.3, PKITS "Points to watch").
type defect struct {
	name   string
	mutate func(tb testing.TB, k *testKeys, elems [][]byte) [][]byte
	// check asserts what differs from the original leaf; every other field
	// must be unchanged (see assertSameFields and skip).
	check func(t *testing.T, k *testKeys, orig *x509.Certificate, c *Certificate)
	skip  map[string]bool
}

var nulCN = "evil\x00.example"

func defects() []defect {
	return []defect{
		{
			name: "RSA SPKI without NULL parameters",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				e[tbsSPKI] = rsaSPKINoNull(tb, &k.leafRSA.PublicKey)
				return e
			},
			skip: map[string]bool{"key": true},
			check: func(t *testing.T, k *testKeys, _ *x509.Certificate, c *Certificate) {
				assert.Equal(t, x509.RSA, c.X.PublicKeyAlgorithm)
				assert.True(t, k.leafRSA.PublicKey.Equal(c.X.PublicKey), "RSA key differs")
			},
		},
		{
			name: "negative serial number",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				e[tbsSerial] = mustMarshal(tb, big.NewInt(-0x1234567890))
				return e
			},
			skip: map[string]bool{"serial": true},
			check: func(t *testing.T, _ *testKeys, _ *x509.Certificate, c *Certificate) {
				assert.Equal(t, "-1234567890", c.X.SerialNumber.Text(16))
				assert.Equal(t, "EDCBA98770", c.SerialHex(), "the DER two's-complement bytes, as stored")
			},
		},
		{
			name: "NUL in a PrintableString CN",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				cn := seq(mustMarshal(tb, asn1.ObjectIdentifier{2, 5, 4, 3}), tlv(cbasn1.PrintableString, []byte(nulCN)))
				o := seq(mustMarshal(tb, asn1.ObjectIdentifier{2, 5, 4, 10}), tlv(cbasn1.UTF8String, []byte("Winchain Test")))
				e[tbsSubject] = seq(tlv(cbasn1.SET, o), tlv(cbasn1.SET, cn))
				return e
			},
			skip: map[string]bool{"subject": true},
			check: func(t *testing.T, _ *testKeys, _ *x509.Certificate, c *Certificate) {
				assert.Equal(t, nulCN, c.X.Subject.CommonName)
				assert.Equal(t, []string{"Winchain Test"}, c.X.Subject.Organization)
			},
		},
		{
			name: "malformed AKI (SEQUENCE length 0x18 over 0x16 bytes)",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				// 30 18 | 80 14 <20 bytes>: the SEQUENCE claims two
				// bytes more than the extnValue holds.
				aki := append([]byte{0x30, 0x18, 0x80, 0x14}, bytes.Repeat([]byte{0xaa}, 20)...)
				e[tbsExtensions] = replaceExtension(tb, e[tbsExtensions], OIDAuthorityKeyID, aki)
				return e
			},
			skip: map[string]bool{"aki": true},
			check: func(t *testing.T, _ *testKeys, _ *x509.Certificate, c *Certificate) {
				assert.Nil(t, c.X.AuthorityKeyId)
				assert.True(t, c.AKIMalformed)
				assert.Nil(t, c.AKI)
			},
		},
		{
			name: "CDP with nameRelativeToCRLIssuer",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				rdn := tlv(cbasn1.SET, seq(mustMarshal(tb, asn1.ObjectIdentifier{2, 5, 4, 3}), tlv(cbasn1.PrintableString, []byte("CRL1"))))
				relative := seq(tlv(tagCtx0C, tlv(tagCtx1C, rdn[2:]))) // [1] IMPLICIT SET
				full := seq(tlv(tagCtx0C, tlv(tagCtx0C, tlv(cbasn1.Tag(6).ContextSpecific(), []byte("http://crl.example/root.crl")))))
				e[tbsExtensions] = replaceExtension(tb, e[tbsExtensions], asn1.ObjectIdentifier{2, 5, 29, 31}, seq(relative, full))
				return e
			},
		},
		{
			name: "v1 certificate without extensions (RSA key without NULL, like Wine chain0_0)",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				e[tbsSPKI] = rsaSPKINoNull(tb, &k.leafRSA.PublicKey)
				return e[tbsSerial:tbsExtensions] // drop [0] version and [3] extensions
			},
			skip: map[string]bool{"key": true, "extensions": true},
			check: func(t *testing.T, k *testKeys, _ *x509.Certificate, c *Certificate) {
				assert.Equal(t, 1, c.X.Version)
				assert.Empty(t, c.X.Extensions)
				assert.False(t, c.X.BasicConstraintsValid)
				assert.Empty(t, c.X.DNSNames)
				assert.Zero(t, c.X.KeyUsage)
				assert.True(t, k.leafRSA.PublicKey.Equal(c.X.PublicKey), "RSA key differs")
			},
		},
		{
			name: "DSA key without parameters",
			mutate: func(tb testing.TB, k *testKeys, e [][]byte) [][]byte {
				e[tbsSPKI] = dsaSPKI(tb, &k.dsaInher.PublicKey, false)
				return e
			},
			skip: map[string]bool{"key": true},
			check: func(t *testing.T, k *testKeys, _ *x509.Certificate, c *Certificate) {
				assert.Equal(t, x509.DSA, c.X.PublicKeyAlgorithm)
				pub, ok := c.X.PublicKey.(*dsa.PublicKey)
				require.True(t, ok, "key is %T", c.X.PublicKey)
				assert.Zero(t, pub.Y.Cmp(k.dsaInher.Y))
				assert.Nil(t, pub.P)
				assert.Nil(t, pub.Q)
				assert.Nil(t, pub.G)
			},
		},
	}
}

// assertSameFields compares the fields the lenient parser fills with what
// crypto/x509 produced for the same certificate.
func assertSameFields(t *testing.T, want, got *x509.Certificate, skip map[string]bool) {
	t.Helper()
	if !skip["serial"] {
		assert.Zero(t, want.SerialNumber.Cmp(got.SerialNumber), "serial %v != %v", got.SerialNumber, want.SerialNumber)
	}
	if !skip["subject"] {
		assert.Equal(t, want.RawSubject, got.RawSubject)
		assert.Equal(t, want.Subject.String(), got.Subject.String())
	}
	assert.Equal(t, want.RawIssuer, got.RawIssuer)
	assert.Equal(t, want.Issuer.String(), got.Issuer.String())
	assert.True(t, want.NotBefore.Equal(got.NotBefore), "NotBefore %v != %v", got.NotBefore, want.NotBefore)
	assert.True(t, want.NotAfter.Equal(got.NotAfter), "NotAfter %v != %v", got.NotAfter, want.NotAfter)
	assert.Equal(t, want.SignatureAlgorithm, got.SignatureAlgorithm)
	if !skip["key"] {
		assert.Equal(t, want.PublicKeyAlgorithm, got.PublicKeyAlgorithm)
		if k, ok := want.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); ok {
			assert.True(t, k.Equal(got.PublicKey), "public key differs")
		}
		assert.Equal(t, want.RawSubjectPublicKeyInfo, got.RawSubjectPublicKeyInfo)
	}
	if skip["extensions"] {
		return
	}
	assert.Equal(t, want.Version, got.Version)
	assert.Equal(t, want.SubjectKeyId, got.SubjectKeyId)
	if !skip["aki"] {
		assert.Equal(t, want.AuthorityKeyId, got.AuthorityKeyId)
	}
	assert.Equal(t, want.KeyUsage, got.KeyUsage)
	assert.Equal(t, want.ExtKeyUsage, got.ExtKeyUsage)
	assert.Equal(t, want.UnknownExtKeyUsage, got.UnknownExtKeyUsage)
	assert.Equal(t, want.BasicConstraintsValid, got.BasicConstraintsValid)
	assert.Equal(t, want.IsCA, got.IsCA)
	assert.Equal(t, want.MaxPathLen, got.MaxPathLen)
	assert.Equal(t, want.MaxPathLenZero, got.MaxPathLenZero)
	assert.Equal(t, want.DNSNames, got.DNSNames)
	assert.Equal(t, want.EmailAddresses, got.EmailAddresses)
	assert.Equal(t, len(want.IPAddresses), len(got.IPAddresses))
	for i := range want.IPAddresses {
		if i < len(got.IPAddresses) {
			assert.True(t, want.IPAddresses[i].Equal(got.IPAddresses[i]), "IP %v != %v", got.IPAddresses[i], want.IPAddresses[i])
		}
	}
	assert.Equal(t, urlStrings(want.URIs), urlStrings(got.URIs))
	assert.Equal(t, want.CRLDistributionPoints, got.CRLDistributionPoints)
	assert.Equal(t, want.OCSPServer, got.OCSPServer)
	assert.Equal(t, want.IssuingCertificateURL, got.IssuingCertificateURL)
	assert.Equal(t, want.PolicyIdentifiers, got.PolicyIdentifiers)
	assert.Equal(t, len(want.Policies), len(got.Policies))
	for i := range want.Policies {
		if i < len(got.Policies) {
			assert.True(t, want.Policies[i].Equal(got.Policies[i]))
		}
	}
	assert.Equal(t, want.PermittedDNSDomains, got.PermittedDNSDomains)
	assert.Equal(t, want.ExcludedDNSDomains, got.ExcludedDNSDomains)
	assert.Equal(t, want.PermittedEmailAddresses, got.PermittedEmailAddresses)
	assert.Equal(t, want.ExcludedEmailAddresses, got.ExcludedEmailAddresses)
	assert.Equal(t, want.PermittedURIDomains, got.PermittedURIDomains)
	assert.Equal(t, want.ExcludedURIDomains, got.ExcludedURIDomains)
	assert.Equal(t, ipNetStrings(want.PermittedIPRanges), ipNetStrings(got.PermittedIPRanges))
	assert.Equal(t, ipNetStrings(want.ExcludedIPRanges), ipNetStrings(got.ExcludedIPRanges))
	assert.Equal(t, want.PermittedDNSDomainsCritical, got.PermittedDNSDomainsCritical)
	assert.Equal(t, want.RequireExplicitPolicy, got.RequireExplicitPolicy)
	assert.Equal(t, want.RequireExplicitPolicyZero, got.RequireExplicitPolicyZero)
	assert.Equal(t, want.InhibitPolicyMapping, got.InhibitPolicyMapping)
	assert.Equal(t, want.InhibitPolicyMappingZero, got.InhibitPolicyMappingZero)
	assert.Equal(t, want.InhibitAnyPolicy, got.InhibitAnyPolicy)
	assert.Equal(t, want.InhibitAnyPolicyZero, got.InhibitAnyPolicyZero)
	assert.Equal(t, len(want.PolicyMappings), len(got.PolicyMappings))
	assert.Equal(t, want.UnhandledCriticalExtensions, got.UnhandledCriticalExtensions)
	assert.Equal(t, len(want.Extensions), len(got.Extensions))
}

func urlStrings(us []*url.URL) []string {
	var out []string
	for _, u := range us {
		out = append(out, u.String())
	}
	return out
}

func ipNetStrings(ns []*net.IPNet) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.String())
	}
	return out
}

// defectDER builds the certificate of one defect, signed by the test root.
func defectDER(tb testing.TB, d defect) []byte {
	tb.Helper()
	k := getKeys(tb)
	p := getPKI(tb)
	return resign(tb, d.mutate(tb, k, tbsElements(tb, p.leafDER)), x509.SHA256WithRSA, k.rootRSA)
}

func TestParseLenientDefects(t *testing.T) {
	k := getKeys(t)
	p := getPKI(t)
	rootCert, err := Parse(p.rootDER)
	require.NoError(t, err)
	for _, d := range defects() {
		t.Run(d.name, func(t *testing.T) {
			der := defectDER(t, d)
			_, xerr := x509.ParseCertificate(der)
			require.Error(t, xerr, "crypto/x509 must refuse this certificate for the test to mean anything")

			c, err := Parse(der)
			require.NoError(t, err)
			require.NotNil(t, c.X)
			assert.True(t, c.Lenient)
			assert.NotEmpty(t, c.Warnings)
			assert.Equal(t, der, c.X.Raw)
			assertSameFields(t, p.leaf, c.X, d.skip)
			if d.check != nil {
				d.check(t, k, p.leaf, c)
			}

			// The re-signed TBS verifies with the root's key.
			require.NoError(t, c.CheckSignatureFrom(rootCert, nil))
			require.NoError(t, CheckSignature(c.X.SignatureAlgorithm, c.X.RawTBSCertificate, c.X.Signature, &k.rootRSA.PublicKey))
		})
	}
}

// TestParseLenientMatchesX509 runs the lenient parser on every certificate
// crypto/x509 accepts and requires the same fields: the lenient path must not
// drift from the normal one.
func TestParseLenientMatchesX509(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(pkitsDir, "*.crt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	p := getPKI(t)
	inputs := map[string][]byte{"root": p.rootDER, "leaf": p.leafDER}
	for _, f := range files {
		der, err := os.ReadFile(f)
		require.NoError(t, err)
		inputs[filepath.Base(f)] = der
	}
	n := 0
	for name, der := range inputs {
		want, err := x509.ParseCertificate(der)
		if err != nil {
			continue
		}
		n++
		got, warnings, field, err := parseLenientWarnings(der)
		if !assert.NoError(t, err, "%s: field %s", name, field) {
			continue
		}
		assert.Empty(t, warnings, name)
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, want.Raw, got.Raw)
			assert.Equal(t, want.RawTBSCertificate, got.RawTBSCertificate)
			assert.Equal(t, want.Signature, got.Signature)
			assertSameFields(t, want, got, nil)
			for i := range want.Extensions {
				if i < len(got.Extensions) {
					assert.Equal(t, want.Extensions[i], got.Extensions[i])
				}
			}
		})
	}
	assert.Greater(t, n, 390)
}

// The seven PKITS certificates crypto/x509 refuses (PKITS README, "Points to
// watch") load leniently.
func TestParsePKITSRefusedByX509(t *testing.T) {
	for _, tc := range []struct {
		file  string
		check func(t *testing.T, c *Certificate)
	}{
		{"DSAParametersInheritedCACert.crt", func(t *testing.T, c *Certificate) {
			k, ok := c.X.PublicKey.(*dsa.PublicKey)
			require.True(t, ok)
			assert.NotNil(t, k.Y)
			assert.Nil(t, k.P)
			assert.True(t, c.X.IsCA)
		}},
		{"ValidDSAParameterInheritanceTest5EE.crt", func(t *testing.T, c *Certificate) {
			k, ok := c.X.PublicKey.(*dsa.PublicKey)
			require.True(t, ok)
			assert.Nil(t, k.P)
			assert.Equal(t, x509.DSAWithSHA1, c.X.SignatureAlgorithm)
		}},
		{"InvalidNegativeSerialNumberTest15EE.crt", func(t *testing.T, c *Certificate) {
			assert.Equal(t, -1, c.X.SerialNumber.Sign())
		}},
		{"ValiddistributionPointTest4EE.crt", nil},
		{"ValiddistributionPointTest5EE.crt", nil},
		{"InvaliddistributionPointTest6EE.crt", nil},
		{"ValidcRLIssuerTest29EE.crt", nil},
	} {
		t.Run(tc.file, func(t *testing.T) {
			cs, err := LoadFile(filepath.Join(pkitsDir, tc.file))
			require.NoError(t, err)
			require.Len(t, cs, 1)
			c := cs[0]
			_, xerr := x509.ParseCertificate(c.X.Raw)
			require.Error(t, xerr)
			assert.True(t, c.Lenient)
			assert.NotNil(t, c.X.SerialNumber)
			assert.NotEmpty(t, c.X.RawSubject)
			assert.False(t, c.X.NotAfter.IsZero())
			assert.NotEmpty(t, c.X.SubjectKeyId)
			assert.NotEmpty(t, c.X.AuthorityKeyId)
			assert.Empty(t, c.X.UnhandledCriticalExtensions)
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

func TestParseLenientCRLIssuerNames(t *testing.T) {
	// These PKITS certificates name their CRL with
	// nameRelativeToCRLIssuer only: no URI, and no error either.
	for _, f := range []string{"ValiddistributionPointTest4EE.crt", "ValiddistributionPointTest5EE.crt", "InvaliddistributionPointTest6EE.crt", "ValidcRLIssuerTest29EE.crt"} {
		cs, err := LoadFile(filepath.Join(pkitsDir, f))
		require.NoError(t, err, f)
		assert.Empty(t, cs[0].X.CRLDistributionPoints, f)
		assert.True(t, cs[0].Lenient, f)
	}
}

func TestParseLenientIgnoresDataAfterExtensions(t *testing.T) {
	// crypto/x509 ignores it too; with a second defect only the lenient
	// parser is left to decide.
	p := getPKI(t)
	k := getKeys(t)
	e := tbsElements(t, p.leafDER)
	e[tbsSerial] = mustMarshal(t, big.NewInt(-5))
	e = append(e, tlv(cbasn1.INTEGER, []byte{1}))
	der := resign(t, e, x509.SHA256WithRSA, k.rootRSA)
	x, warnings, _, err := parseLenientWarnings(der)
	require.NoError(t, err)
	assert.Len(t, warnings, 2)
	assert.Equal(t, int64(-5), x.SerialNumber.Int64())
}

func TestParseErrors(t *testing.T) {
	p := getPKI(t)
	k := getKeys(t)
	mut := func(f func(e [][]byte) [][]byte) []byte {
		return resign(t, f(tbsElements(t, p.leafDER)), x509.SHA256WithRSA, k.rootRSA)
	}
	outer := elements(t, p.leafDER)
	for _, tc := range []struct {
		name  string
		der   []byte
		field string
	}{
		{"empty", nil, "certificate"},
		{"garbage", []byte("this is not a certificate"), "certificate"},
		{"truncated", p.leafDER[:len(p.leafDER)/2], "certificate"},
		{"one byte short", p.leafDER[:len(p.leafDER)-1], "certificate"},
		{"trailing data", append(append([]byte(nil), p.leafDER...), 0, 0), "certificate"},
		{"TBS not a SEQUENCE", seq(tlv(cbasn1.INTEGER, []byte{1}), outer[1], outer[2]), "tbsCertificate"},
		{"no signature", seq(outer[0], outer[1]), "signatureValue"},
		{"bad signature algorithm", seq(outer[0], tlv(cbasn1.INTEGER, []byte{1}), outer[2]), "signatureAlgorithm"},
		{"version 4", mut(func(e [][]byte) [][]byte { e[tbsVersion] = tlv(tagCtx0C, mustMarshal(t, 3)); return e }), "version"},
		{"serial not an INTEGER", mut(func(e [][]byte) [][]byte { e[tbsSerial] = tlv(cbasn1.OCTET_STRING, []byte{1}); return e }), "serialNumber"},
		{"inner algorithm differs", mut(func(e [][]byte) [][]byte {
			e[tbsSigAlg] = sigAlgID(t, x509.SHA1WithRSA)
			return e
		}), ""},
		{"issuer not a Name", mut(func(e [][]byte) [][]byte { e[tbsIssuer] = seq(tlv(cbasn1.INTEGER, []byte{1})); return e }), "issuer"},
		{"validity garbage", mut(func(e [][]byte) [][]byte {
			e[tbsValidity] = seq(tlv(cbasn1.UTCTime, []byte("garbage")), tlv(cbasn1.UTCTime, []byte("340101000000Z")))
			return e
		}), "validity"},
		{"validity one time", mut(func(e [][]byte) [][]byte {
			e[tbsValidity] = seq(tlv(cbasn1.UTCTime, []byte("240101000000Z")))
			return e
		}), "validity"},
		{"subject missing", mut(func(e [][]byte) [][]byte { e[tbsSubject] = tlv(cbasn1.INTEGER, []byte{1}); return e }), "subject"},
		{"SPKI not a SEQUENCE", mut(func(e [][]byte) [][]byte { e[tbsSPKI] = tlv(cbasn1.INTEGER, []byte{1}); return e }), "subjectPublicKeyInfo"},
		{"SPKI without key", mut(func(e [][]byte) [][]byte { e[tbsSPKI] = seq(algID(t, oidPublicKeyRSA)); return e }), "subjectPublicKeyInfo"},
		{"extension wrapper broken", mut(func(e [][]byte) [][]byte {
			e[tbsExtensions] = tlv(tagCtx3C, seq(seq(tlv(cbasn1.INTEGER, []byte{1}))))
			return e
		}), "extensions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			field := tc.field
			if tc.name == "inner algorithm differs" {
				// The outer identifier is copied from the TBS by
				// resign; rewrite it to SHA-256 to differ.
				o := elements(t, tc.der)
				tc.der = seq(o[0], sigAlgID(t, x509.SHA256WithRSA), o[2])
				field = "signature"
			}
			_, err := Parse(tc.der)
			require.Error(t, err)
			var pe *ParseError
			require.True(t, errors.As(err, &pe), "%T", err)
			assert.Equal(t, field, pe.Field)
			assert.Contains(t, pe.Error(), field)
		})
	}
}

func TestParseLenientToleratesBrokenExtensions(t *testing.T) {
	p := getPKI(t)
	k := getKeys(t)
	for _, tc := range []struct {
		name  string
		oid   asn1.ObjectIdentifier
		check func(t *testing.T, x *x509.Certificate)
	}{
		{"key usage", asn1.ObjectIdentifier{2, 5, 29, 15}, func(t *testing.T, x *x509.Certificate) { assert.Zero(t, x.KeyUsage) }},
		{"basic constraints", asn1.ObjectIdentifier{2, 5, 29, 19}, func(t *testing.T, x *x509.Certificate) { assert.False(t, x.BasicConstraintsValid) }},
		{"SAN", OIDSubjectAltName, func(t *testing.T, x *x509.Certificate) { assert.Empty(t, x.DNSNames) }},
		{"EKU", asn1.ObjectIdentifier{2, 5, 29, 37}, func(t *testing.T, x *x509.Certificate) { assert.Empty(t, x.ExtKeyUsage) }},
		{"SKI", asn1.ObjectIdentifier{2, 5, 29, 14}, func(t *testing.T, x *x509.Certificate) { assert.Nil(t, x.SubjectKeyId) }},
		{"CDP", asn1.ObjectIdentifier{2, 5, 29, 31}, func(t *testing.T, x *x509.Certificate) { assert.Empty(t, x.CRLDistributionPoints) }},
		{"AIA", oidAuthorityInfoAccess, func(t *testing.T, x *x509.Certificate) { assert.Empty(t, x.OCSPServer) }},
		{"policies", asn1.ObjectIdentifier{2, 5, 29, 32}, func(t *testing.T, x *x509.Certificate) { assert.Empty(t, x.PolicyIdentifiers) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tbsElements(t, p.leafDER)
			e[tbsExtensions] = replaceExtension(t, e[tbsExtensions], tc.oid, []byte{0x30, 0x05, 0x01})
			der := resign(t, e, x509.SHA256WithRSA, k.rootRSA)
			_, xerr := x509.ParseCertificate(der)
			require.Error(t, xerr)
			x, warnings, _, err := parseLenientWarnings(der)
			require.NoError(t, err)
			assert.Len(t, warnings, 1)
			tc.check(t, x)
			// Everything else still decodes.
			assert.Equal(t, p.leaf.Subject.String(), x.Subject.String())
			assert.Equal(t, p.leaf.AuthorityKeyId, x.AuthorityKeyId)
			// KeyUsage and BasicConstraints are critical in
			// x509-made certificates: a broken critical extension
			// must surface.
			if tc.name == "basic constraints" || tc.name == "key usage" {
				assert.Equal(t, []asn1.ObjectIdentifier{tc.oid}, x.UnhandledCriticalExtensions)
			} else {
				assert.Empty(t, x.UnhandledCriticalExtensions)
			}
		})
	}
}

func TestReadTimeLenient(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	for _, tc := range []struct {
		tag  cbasn1.Tag
		in   string
		want time.Time
	}{
		{cbasn1.UTCTime, "491231235959Z", utc(2049, 12, 31, 23, 59, 59)},
		{cbasn1.UTCTime, "500101000000Z", utc(1950, 1, 1, 0, 0, 0)},
		{cbasn1.UTCTime, "680229120000Z", utc(1968, 2, 29, 12, 0, 0)},
		{cbasn1.UTCTime, "9912312359Z", utc(1999, 12, 31, 23, 59, 0)},
		{cbasn1.UTCTime, "240101120000+0100", utc(2024, 1, 1, 11, 0, 0)},
		{cbasn1.UTCTime, "240101120000", utc(2024, 1, 1, 12, 0, 0)},
		{cbasn1.GeneralizedTime, "20500101000000Z", utc(2050, 1, 1, 0, 0, 0)},
		{cbasn1.GeneralizedTime, "20500101000000.5Z", utc(2050, 1, 1, 0, 0, 0).Add(500 * time.Millisecond)},
		{cbasn1.GeneralizedTime, "205001010000Z", utc(2050, 1, 1, 0, 0, 0)},
		{cbasn1.GeneralizedTime, "99991231235959Z", utc(9999, 12, 31, 23, 59, 59)},
	} {
		s := cryptobyte.String(tlv(tc.tag, []byte(tc.in)))
		got, err := readTimeLenient(&s)
		if assert.NoError(t, err, tc.in) {
			assert.True(t, tc.want.Equal(got), "%s: %v != %v", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "garbage", "241301000000Z", "240230000000Z", "24010100Z"} {
		s := cryptobyte.String(tlv(cbasn1.UTCTime, []byte(bad)))
		_, err := readTimeLenient(&s)
		assert.Error(t, err, bad)
	}
	s := cryptobyte.String(tlv(cbasn1.INTEGER, []byte{1}))
	_, err := readTimeLenient(&s)
	assert.Error(t, err)
}

func TestParseNameLenientStringTypes(t *testing.T) {
	attr := func(tag cbasn1.Tag, v []byte) []byte {
		return tlv(cbasn1.SET, seq(mustMarshal(t, asn1.ObjectIdentifier{2, 5, 4, 3}), tlv(tag, v)))
	}
	for _, tc := range []struct {
		name string
		rdn  []byte
		want any
	}{
		{"printable NUL", attr(cbasn1.PrintableString, []byte("a\x00b")), "a\x00b"},
		{"BMP", attr(cbasn1.Tag(asn1.TagBMPString), []byte{0, 'h', 0, 'i', 0x00, 0xe9}), "hié"},
		{"universal", attr(tagUniversalString, []byte{0, 0, 0, 'x', 0, 1, 0xf6, 0x00}), "x\U0001F600"},
		{"T61 latin1", attr(cbasn1.T61String, []byte{'c', 0xe9}), "cé"},
		{"bad UTF-8", attr(cbasn1.UTF8String, []byte{0xff, 'a'}), "\xffa"},
		{"INTEGER value", attr(cbasn1.INTEGER, []byte{5}), asn1.RawValue{Class: 0, Tag: 2, Bytes: []byte{5}, FullBytes: []byte{2, 1, 5}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parseNameLenient(seq(tc.rdn))
			require.NoError(t, err)
			require.Len(t, n.Names, 1)
			assert.Equal(t, tc.want, n.Names[0].Value)
		})
	}
	_, err := parseNameLenient(seq(tlv(cbasn1.SET, seq(tlv(cbasn1.INTEGER, []byte{1})))))
	assert.Error(t, err)
}

// TestParseLenientNoPanicOnMutations flips and truncates every byte of
// the defect certificates: the parser must never panic, and what loads
// must be self-consistent.
func TestParseLenientNoPanicOnMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	for _, d := range defects() {
		der := defectDER(t, d)
		for i := range der {
			m := append([]byte(nil), der...)
			m[i] ^= 0xff
			checkParseInvariants(t, m)
			checkParseInvariants(t, der[:i])
		}
	}
}

// checkParseInvariants is the property FuzzParse checks.
func checkParseInvariants(t testing.TB, der []byte) {
	t.Helper()
	c, err := Parse(der)
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %T is not a *ParseError: %v", err, err)
		}
		return
	}
	if c == nil || c.X == nil {
		t.Fatalf("Parse returned no certificate and no error")
	}
	if !bytes.Equal(c.X.Raw, der) {
		t.Fatalf("Raw is not the input")
	}
	if !bytes.Contains(c.X.Raw, c.X.RawTBSCertificate) || len(c.X.RawTBSCertificate) == 0 {
		t.Fatalf("RawTBSCertificate not inside Raw")
	}
	for _, part := range [][]byte{c.X.RawSubject, c.X.RawIssuer, c.X.RawSubjectPublicKeyInfo} {
		if !bytes.Contains(c.X.RawTBSCertificate, part) {
			t.Fatalf("raw field not inside RawTBSCertificate")
		}
	}
	if c.X.SerialNumber == nil {
		t.Fatalf("nil serial")
	}
	// Exercise everything that reads the parsed fields.
	_ = c.Subject() + c.Issuer() + c.SerialHex() + c.Thumbprint()
	_ = c.IsSelfIssued()
	_ = IsWeakSignature(c.X.SignatureAlgorithm, c.X.PublicKey, 0)
	_ = c.CheckSignatureFrom(c, nil)
	for _, n := range c.SAN {
		_ = n.String()
	}
}
