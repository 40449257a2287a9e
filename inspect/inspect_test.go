package inspect

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/inspect/golden")

const root = "../testdata/inspect/"

func load(t *testing.T, path string) *certs.Certificate {
	t.Helper()
	cs, err := certs.LoadFile(path)
	require.NoError(t, err)
	return cs[0]
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// golden compares the text and JSON dumps of objs with
// testdata/inspect/golden/NAME.{txt,json}.
func golden(t *testing.T, name string, objs []*Object) {
	t.Helper()
	var text bytes.Buffer
	WriteText(&text, objs)
	js, err := json.MarshalIndent(objs, "", "  ")
	require.NoError(t, err)
	for ext, got := range map[string][]byte{".txt": text.Bytes(), ".json": append(js, '\n')} {
		p := filepath.Join(root, "golden", name+ext)
		if *update {
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, got, 0o644))
			continue
		}
		want, err := os.ReadFile(p)
		require.NoError(t, err, "run go test ./inspect -update to create the golden file")
		require.Equal(t, string(want), string(got), p)
	}
}

// TestGoldenPublicCertificates dumps a real intermediate (GTS CA 1C3, from
// the Go standard library's test data) with its real root (GTS Root R1,
// from the Debian CA bundle): the retrieval order, the OCSP GET URL built
// from the pair, the cache names and the certinfo text.
func TestGoldenPublicCertificates(t *testing.T) {
	rootCert := load(t, root+"gts-root-r1.pem")
	objs, err := Inspect(read(t, root+"gts-1c3.pem"), "gts-1c3.pem", Options{Issuer: rootCert})
	require.NoError(t, err)
	require.Len(t, objs, 1)
	o := objs[0]
	require.Equal(t, KindCertificate, o.Kind)
	require.Equal(t, "", o.X509Refuses)
	// Windows' order: AIA for chain building, then OCSP first, then the CDP.
	var kinds []string
	for _, r := range o.Retrievals {
		kinds = append(kinds, r.Kind)
	}
	require.Equal(t, []string{"aia", "ocsp", "crl"}, kinds)
	require.True(t, strings.HasPrefix(o.OCSPGetURL, "http://ocsp.pki.goog/gtsr1/ME"), o.OCSPGetURL)
	require.Equal(t, urlcache.URLName(o.OCSPGetURL), o.CacheNames[o.OCSPGetURL])
	require.Equal(t, urlcache.URLName("http://crl.pki.goog/gtsr1/gtsr1.crl"), o.Retrievals[2].CacheName)
	require.Equal(t, strings.ToUpper("8a747faf85cdee95cd3d9cd0e24614f371351d27"), o.KeyID) // its subjectKeyIdentifier
	require.Contains(t, o.Text, "Subject: C=US,O=Google Trust Services LLC,CN=GTS CA 1C3")
	golden(t, "gts-1c3", objs)

	objs, err = Inspect(read(t, root+"gts-root-r1.pem"), "gts-root-r1.pem", Options{})
	require.NoError(t, err)
	require.Empty(t, objs[0].Retrievals, "a root without AIA or CDP")
	golden(t, "gts-root-r1", objs)
}

// TestOCSPGetURLNeedsIssuer: without --issuer there is no GET URL, and a
// note says why. (revocation's TestPlanIsWhatTheCheckerRetrieves shows the
// GET URL is the one a real check requests.)
func TestOCSPGetURLNeedsIssuer(t *testing.T) {
	objs, err := Inspect(read(t, root+"gts-1c3.pem"), "gts-1c3.pem", Options{})
	require.NoError(t, err)
	o := objs[0]
	require.Empty(t, o.OCSPGetURL)
	require.Empty(t, o.Retrievals[1].Request)
	require.Contains(t, strings.Join(o.Notes, "\n"), "need the issuer certificate (--issuer)")
}

// TestGoldenPKITSCRL dumps a PKITS CRL and the entry of one serial.
func TestGoldenPKITSCRL(t *testing.T) {
	ca := load(t, "../testdata/pkits/certs/GoodCACert.crt")
	objs, err := Inspect(read(t, "../testdata/pkits/crls/GoodCACRL.crl"), "GoodCACRL.crl", Options{Issuer: ca, Serial: big.NewInt(0x0e)})
	require.NoError(t, err)
	o := objs[0]
	require.Equal(t, KindCRL, o.Kind)
	require.Equal(t, 2, *o.Entries)
	require.Equal(t, "2010-01-01T08:30:00Z", o.ThisUpdate)
	require.Equal(t, "2030-12-31T08:30:00Z", o.NextUpdate)
	require.NotNil(t, o.Entry)
	require.Equal(t, "keyCompromise", o.Entry.Reason)
	require.Equal(t, "verifies with the issuer's key", o.Signature)
	golden(t, "pkits-goodca-crl", objs)

	// A serial that is not listed, and the wrong issuer.
	other := load(t, "../testdata/pkits/certs/TrustAnchorRootCertificate.crt")
	objs, err = Inspect(read(t, "../testdata/pkits/crls/GoodCACRL.crl"), "GoodCACRL.crl", Options{Issuer: other, Serial: big.NewInt(1)})
	require.NoError(t, err)
	require.Nil(t, objs[0].Entry)
	require.Contains(t, objs[0].Notes, "serial 01 is not on this CRL")
	require.True(t, strings.HasPrefix(objs[0].Signature, "does not verify"), objs[0].Signature)
}

// demoCA is the scenario demo's issuing CA, whose key is a throw-away test
// key: signatures with it (RSA PKCS #1 v1.5) are deterministic, so the
// OCSP response below is the same bytes on every run.
func demoCA(t *testing.T) (*certs.Certificate, crypto.Signer) {
	t.Helper()
	ca := load(t, "../scenario/demo/issuing.pem")
	b, _ := pem.Decode(read(t, "../scenario/demo/issuing.key"))
	require.NotNil(t, b)
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	require.NoError(t, err)
	return ca, k.(crypto.Signer)
}

// TestGoldenOCSPResponse dumps an OCSP response made here: revoked, with
// its reason, and its signature checked against the issuer.
func TestGoldenOCSPResponse(t *testing.T) {
	ca, key := demoCA(t)
	leaf := load(t, "../scenario/demo/mail-new.pem")
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	der, err := ocsp.CreateResponse(ca.X, ca.X, ocsp.Response{
		Status: ocsp.Revoked, SerialNumber: leaf.X.SerialNumber, ThisUpdate: at, NextUpdate: at.Add(24 * time.Hour),
		ProducedAt: at, RevokedAt: at.Add(-time.Hour), RevocationReason: ocsp.KeyCompromise,
	}, key)
	require.NoError(t, err)
	objs, err := Inspect(der, "mail-new.ocsp", Options{Issuer: ca, Serial: leaf.X.SerialNumber})
	require.NoError(t, err)
	o := objs[0]
	require.Equal(t, KindOCSP, o.Kind)
	require.Equal(t, "revoked", o.OCSP.Status)
	require.Equal(t, "keyCompromise", o.OCSP.Reason)
	require.Equal(t, "2026-11-24T07:00:00Z", o.OCSP.RevokedAt)
	require.True(t, strings.HasPrefix(o.Signature, "verifies"), o.Signature)
	// x/crypto/ocsp stamps producedAt with the wall clock; the rest of
	// the dump is the same on every run.
	produced, err := time.Parse(time.RFC3339, o.OCSP.ProducedAt)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now(), produced, 2*time.Minute)
	o.OCSP.ProducedAt = "(when the test ran)"
	golden(t, "ocsp-revoked", objs)

	// Signed by another key: the content is shown, the signature refused.
	other := load(t, "../scenario/demo/root.pem")
	objs, err = Inspect(der, "mail-new.ocsp", Options{Issuer: other})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(objs[0].Signature, "does not verify"), objs[0].Signature)
	require.Equal(t, "revoked", objs[0].OCSP.Status)
}

// TestPKCS7AndCacheEntry: a certs-only bundle lists its certificates; a
// CryptnetUrlCache entry shows its record and inspects its content.
func TestPKCS7AndCacheEntry(t *testing.T) {
	objs, err := Inspect(read(t, "../testdata/aia/bundle.p7c"), "bundle.p7c", Options{})
	require.NoError(t, err)
	require.Equal(t, KindPKCS7, objs[0].Kind)
	require.NotEmpty(t, objs[0].Objects)
	for _, c := range objs[0].Objects {
		require.Equal(t, KindCertificate, c.Kind)
	}

	crl := read(t, "../testdata/pkits/crls/GoodCACRL.crl")
	url := "http://pki.example.test/good.crl"
	md := urlcache.NewMetaData(url, len(crl), time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), `"etag-1"`)
	name := urlcache.URLName(url)
	o, err := CacheEntry("MetaData/"+name, md.Marshal(), "Content/"+name, crl, Options{})
	require.NoError(t, err)
	require.Equal(t, KindCacheEntry, o.Kind)
	require.Equal(t, url, o.CacheEntry.URL)
	require.Equal(t, name, o.CacheEntry.Name)
	require.Empty(t, o.Notes)
	require.Equal(t, KindCRL, o.Objects[0].Kind)
	require.Equal(t, "2030-12-31T08:30:00Z", o.CacheEntry.Expires) // a CRL lives until its nextUpdate

	// A torn entry and a file name that is not the URL's.
	o, err = CacheEntry("MetaData/0123456789ABCDEF0123456789ABCDEF", md.Marshal(), "Content/x", crl[:10], Options{})
	require.NoError(t, err)
	notes := strings.Join(o.Notes, "\n")
	require.Contains(t, notes, "not the URLName")
	require.Contains(t, notes, "a torn entry")
	require.Contains(t, notes, "content: ")

	_, err = CacheEntry("MetaData/x", []byte{1, 2, 3}, "Content/x", crl, Options{})
	require.Error(t, err)
}

// TestLenientCertificate: a certificate crypto/x509 refuses (a negative
// serial number) and Windows loads is dumped, with crypto/x509's reason.
func TestLenientCertificate(t *testing.T) {
	ca := testpki.NewRoot("Lenient Test Root", testpki.ECDSA)
	tmpl := testpki.Template("negative.example.test", false)
	tmpl.SerialNumber = big.NewInt(0x7e)
	der := ca.Issue(tmpl, testpki.ECDSA).Cert.X.Raw
	// The serial is the first INTEGER of the TBS: 02 01 7E becomes 02 01 FE
	// (-2). The signature no longer matches, which inspect does not check.
	i := bytes.Index(der, []byte{0x02, 0x01, 0x7e})
	require.Positive(t, i)
	bad := append([]byte(nil), der...)
	bad[i+2] = 0xfe
	_, err := x509.ParseCertificate(bad)
	require.Error(t, err, "crypto/x509 must refuse it for the test to mean anything")

	objs, err := Inspect(bad, "negative.der", Options{})
	require.NoError(t, err)
	o := objs[0]
	require.Contains(t, o.X509Refuses, "negative serial number")
	require.Equal(t, "FE", o.Serial)
	var text bytes.Buffer
	WriteText(&text, objs)
	require.Contains(t, text.String(), "crypto/x509:   refuses it: ")
	require.Contains(t, text.String(), "Windows:       loads it")
}

func TestBadInput(t *testing.T) {
	for name, data := range map[string][]byte{
		"empty": {}, "text": []byte("hello"), "junk DER": {0x30, 0x03, 0x02, 0x01, 0x00},
		"cab": []byte("MSCF\x00\x00\x00\x00"),
	} {
		_, err := Inspect(data, name, Options{})
		require.Error(t, err, name)
		require.Contains(t, err.Error(), name)
	}
	_, err := ParseSerial("zz")
	require.ErrorContains(t, err, `serial "zz": not a hex number`)
	n, err := ParseSerial("0a:1B")
	require.NoError(t, err)
	require.Equal(t, int64(0x0a1b), n.Int64())
}

// TestLenientCRL: a CRL crypto/x509 refuses (a malformed second cRLNumber,
// an OCTET STRING where an INTEGER belongs) loads through certs' lenient parser, and inspect says why
// crypto/x509 would refuse it.
func TestLenientCRL(t *testing.T) {
	ca, key := demoCA(t)
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	der, err := x509.CreateRevocationList(nilReader{}, &x509.RevocationList{
		Number: big.NewInt(7), ThisUpdate: at, NextUpdate: at.Add(24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(-5), RevocationTime: at}},
		ExtraExtensions:           []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 20}, Value: []byte{0x04, 0x00}}},
	}, ca.X, key)
	require.NoError(t, err)
	_, err = x509.ParseRevocationList(der)
	require.Error(t, err, "crypto/x509 must refuse it for the test to mean anything")
	objs, err := Inspect(der, "negative.crl", Options{Serial: big.NewInt(-5)})
	require.NoError(t, err)
	o := objs[0]
	require.NotEmpty(t, o.X509Refuses)
	require.NotNil(t, o.Entry, "the negative serial's entry is found")
	require.Nil(t, o.Entry.ReasonCode, "no reasonCode extension")
	var text bytes.Buffer
	WriteText(&text, objs)
	require.Contains(t, text.String(), "Reason:        (no reasonCode)")
	require.Contains(t, text.String(), "crypto/x509:   refuses it: ")
}

// nilReader is an io.Reader for APIs that ask for randomness but do not use
// it with an RSA PKCS #1 v1.5 key.
type nilReader struct{}

func (nilReader) Read(p []byte) (int, error) { return len(p), nil }

// TestOCSPDelegatedLenientResponder: a response signed by a delegated
// responder whose certificate crypto/x509 refuses (a negative serial, which
// Windows loads) is shown, its signature checked through the responder, and
// the responder certificate named with a note; before, x/crypto/ocsp's
// crypto/x509 parse made it "not an OCSP response".
func TestOCSPDelegatedLenientResponder(t *testing.T) {
	ca := testpki.NewRoot("Inspect Delegated CA", testpki.ECDSA)
	leaf := ca.NewLeaf("leaf.example.test", testpki.ECDSA)
	rc := ca.WithSerial(ca.NewLeaf("Negative Serial Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}), []byte{0xFF, 0x7B})
	require.True(t, rc.Cert.Lenient)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	der, err := ocsp.CreateResponse(ca.Cert.X, rc.Cert.X, ocsp.Response{
		Status: ocsp.Good, SerialNumber: leaf.Cert.X.SerialNumber, ThisUpdate: at, NextUpdate: at.Add(time.Hour),
		Certificate: rc.Cert.X,
	}, rc.Key)
	require.NoError(t, err)
	objs, err := Inspect(der, "delegated.ocsp", Options{Issuer: ca.Cert})
	require.NoError(t, err)
	o := objs[0]
	require.Equal(t, KindOCSP, o.Kind)
	require.Equal(t, "good", o.OCSP.Status)
	require.Equal(t, rc.Cert.Subject(), o.OCSP.ResponderCertificate)
	require.True(t, strings.HasPrefix(o.Signature, "verifies"), o.Signature)
	require.Contains(t, strings.Join(o.Notes, "\n"), "crypto/x509 refuses")

	// A responder certificate the issuer did not sign: the content is
	// shown, the signature refused.
	other := testpki.NewRoot("Inspect Other CA", testpki.ECDSA)
	objs, err = Inspect(der, "delegated.ocsp", Options{Issuer: other.Cert})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(objs[0].Signature, "does not verify"), objs[0].Signature)
	require.Equal(t, "good", objs[0].OCSP.Status)
}

// TestOCSPResponderNotFirst: the responder certificate is the one the
// responderID names, as the revocation checker picks it
// (certs.OCSPResponse.Responder), not the first of the certs field: with a
// bystander certificate before it, the response still verifies and names
// the responder. (inspect took the first before, and refused the
// signature.)
func TestOCSPResponderNotFirst(t *testing.T) {
	ca := testpki.NewRoot("Inspect Order CA", testpki.ECDSA)
	leaf := ca.NewLeaf("leaf.example.test", testpki.ECDSA)
	rc := ca.NewLeaf("Order Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	})
	bystander := ca.NewLeaf("Bystander", testpki.ECDSA)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// x/crypto/ocsp writes Certificate.Raw as the certs field's contents:
	// two concatenated certificates become two elements.
	der, err := ocsp.CreateResponse(ca.Cert.X, rc.Cert.X, ocsp.Response{
		Status: ocsp.Good, SerialNumber: leaf.Cert.X.SerialNumber, ThisUpdate: at, NextUpdate: at.Add(time.Hour),
		Certificate: &x509.Certificate{Raw: append(append([]byte(nil), bystander.Cert.X.Raw...), rc.Cert.X.Raw...)},
	}, rc.Key)
	require.NoError(t, err)
	objs, err := Inspect(der, "order.ocsp", Options{Issuer: ca.Cert})
	require.NoError(t, err)
	o := objs[0]
	require.Equal(t, "good", o.OCSP.Status)
	require.Equal(t, rc.Cert.Subject(), o.OCSP.ResponderCertificate)
	require.True(t, strings.HasPrefix(o.Signature, "verifies"), o.Signature)
}

// TestOCSPSignedByDSA: a response signed with DSA (a CA with a DSA key
// carrying its parameters, and a delegated responder whose DSA key
// inherits them) is checked as the revocation checker checks it; before,
// x/crypto/ocsp's CheckSignatureFrom refused DSA and inspect said "does
// not verify" for a response verify accepts.
func TestOCSPSignedByDSA(t *testing.T) {
	root := testpki.NewRoot("Inspect DSA Root", testpki.ECDSA)
	params := testpki.NewDSAParameters()
	caKey := testpki.NewDSAKey(params)
	ca := root.IssueRaw(testpki.Template("Inspect DSA CA", true), testpki.DSASPKI(&caKey.PublicKey, false), caKey)
	leafKey := testpki.NewKey(testpki.ECDSA)
	spki, err := x509.MarshalPKIXPublicKey(leafKey.Public())
	require.NoError(t, err)
	leaf := ca.IssueRaw(testpki.Template("dsa-leaf.example.test", false), spki, leafKey)
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tmpl := ocsp.Response{Status: ocsp.Good, SerialNumber: leaf.Cert.X.SerialNumber, ThisUpdate: at, NextUpdate: at.Add(time.Hour)}

	direct := testpki.OCSPResponse(ca.Cert.X, ca.Cert.X, tmpl, caKey)
	objs, err := Inspect(direct, "dsa.ocsp", Options{Issuer: ca.Cert})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(objs[0].Signature, "verifies"), objs[0].Signature)

	rKey := testpki.NewDSAKey(params)
	rtmpl := testpki.Template("Inspect DSA Responder", false)
	rtmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	responder := ca.IssueRaw(rtmpl, testpki.DSASPKI(&rKey.PublicKey, true), rKey)
	dtmpl := tmpl
	dtmpl.Certificate = responder.Cert.X
	delegated := testpki.OCSPResponse(ca.Cert.X, responder.Cert.X, dtmpl, rKey)
	objs, err = Inspect(delegated, "dsa-delegated.ocsp", Options{Issuer: ca.Cert})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(objs[0].Signature, "verifies"), objs[0].Signature)

	// Signed by another DSA key of the same parameters: refused.
	forged := testpki.OCSPResponse(ca.Cert.X, ca.Cert.X, tmpl, testpki.NewDSAKey(params))
	objs, err = Inspect(forged, "forged.ocsp", Options{Issuer: ca.Cert})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(objs[0].Signature, "does not verify"), objs[0].Signature)
}
