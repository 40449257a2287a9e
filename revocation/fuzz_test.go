package revocation

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/internal/testpki"
)

// pkitsExtensions returns the values of extension oid in the PKITS CRLs and
// certificates (fuzz seeds from testdata).
func pkitsExtensions(f *testing.F, oid []int) [][]byte {
	var out [][]byte
	crls, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "crls", "*.crl"))
	for _, p := range crls {
		der, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if crl, err := x509.ParseRevocationList(der); err == nil {
			for _, e := range crl.Extensions {
				if e.Id.Equal(oid) {
					out = append(out, e.Value)
				}
			}
		}
	}
	cs, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "certs", "*distributionPoint*.crt"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "certs", "*cRLIssuer*.crt"))
	for _, p := range append(cs, more...) {
		der, _ := os.ReadFile(p)
		if c, err := x509.ParseCertificate(der); err == nil {
			for _, e := range c.Extensions {
				if e.Id.Equal(oid) {
					out = append(out, e.Value)
				}
			}
		}
	}
	return out
}

// FuzzParseIDP: the IssuingDistributionPoint parser never panics, and what
// it accepts keeps its invariants (reasons within ReasonFlags bits 1-8;
// relative names expand to one directoryName).
func FuzzParseIDP(f *testing.F) {
	for _, v := range pkitsExtensions(f, oidIssuingDistPoint) {
		f.Add(v)
	}
	f.Add(idpValue(true, false, false))
	f.Add(idpValue(false, true, true))
	f.Add([]byte{0x30, 0x00})
	base := testpki.NewRoot("Fuzz CRL Issuer", testpki.ECDSA).Cert.X.RawSubject
	f.Fuzz(func(t *testing.T, der []byte) {
		idp, err := parseIDP(der)
		if err != nil {
			return
		}
		if idp.reasons&^allReasons != 0 {
			t.Fatalf("reasons %#x outside ReasonFlags", idp.reasons)
		}
		if idp.name != nil && idp.name.relative != nil {
			if n := idp.name.names(base); len(n) > 1 {
				t.Fatalf("relative name expanded to %d names", len(n))
			}
		}
	})
}

// FuzzParseDistributionPoints: the CDP / Freshest CRL parser never panics;
// URIs it returns are the bytes of the input.
func FuzzParseDistributionPoints(f *testing.F) {
	for _, v := range pkitsExtensions(f, oidCRLDistributionPoints) {
		f.Add(v)
	}
	for _, v := range pkitsExtensions(f, oidFreshestCRL) {
		f.Add(v)
	}
	f.Add(dpExtValue("http://pki.example.test/a.crl", "ldap://x"))
	f.Fuzz(func(t *testing.T, der []byte) {
		dps, err := parseDistributionPoints(der)
		if err != nil {
			return
		}
		for i := range dps {
			for _, u := range dps[i].uris() {
				if !bytes.Contains(der, []byte(u)) {
					t.Fatalf("URI %q not in the input", u)
				}
			}
		}
	})
}

// FuzzCRLDoc: parsing and indexing arbitrary CRL bytes never panics, and
// every serial the index holds is found again.
func FuzzCRLDoc(f *testing.F) {
	crls, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "crls", "*.crl"))
	for i, p := range crls {
		if i%8 == 0 {
			der, _ := os.ReadFile(p)
			f.Add(der)
		}
	}
	f.Fuzz(func(t *testing.T, der []byte) {
		d, err := parseCRLDoc(der, nil)
		if err != nil {
			return
		}
		n := 0
		for e := range d.crl.Entries() {
			n++
			if _, ok := d.find(e.SerialNumber); !ok {
				t.Fatalf("entry %d (serial %x) not found by its serial", n, e.SerialNumber)
			}
		}
		if n != d.crl.Len() {
			t.Fatalf("%d entries walked, %d indexed", n, d.crl.Len())
		}
	})
}

// FuzzOCSPResponse: the OCSP response path (x/crypto parse, CertID parse,
// responder checks) never panics, and bytes that are not a response signed
// by the issuer (or its delegate) never give an answer.
func FuzzOCSPResponse(f *testing.F) {
	ca := testpki.NewRoot("Fuzz CA", testpki.ECDSA)
	leaf := ca.NewLeaf("fuzz.test", testpki.ECDSA)
	other := testpki.NewRoot("Other CA", testpki.ECDSA)
	now := t0
	good := ocspAnswer(ca, ca, now.Add(-time.Hour), now.Add(time.Hour), statusOf())(&ocsp.Request{SerialNumber: leaf.Cert.X.SerialNumber})
	revoked := ocspAnswer(ca, ca, now.Add(-time.Hour), now.Add(time.Hour), statusOf(leaf.Cert.X.SerialNumber))(&ocsp.Request{SerialNumber: leaf.Cert.X.SerialNumber})
	forged := ocspAnswer(ca, other, now.Add(-time.Hour), now.Add(time.Hour), statusOf())(&ocsp.Request{SerialNumber: leaf.Cert.X.SerialNumber})
	f.Add(good)
	f.Add(revoked)
	f.Add(forged)
	f.Fuzz(func(t *testing.T, body []byte) {
		v := verifyOCSP(body, leaf.Cert.X, ca.Cert.X, ca.Cert.X.PublicKey, now, cache.DefaultOCSPValidity)
		if v.err == nil && !bytes.Equal(body, good) && !bytes.Equal(body, revoked) {
			// Accepted bytes other than the seeds must still carry a valid
			// issuer signature over the same TBSResponseData.
			if !bytes.Equal(v.resp.TBSResponseData, mustTBS(good)) && !bytes.Equal(v.resp.TBSResponseData, mustTBS(revoked)) {
				t.Fatalf("accepted a response with a new TBSResponseData")
			}
		}
		if v.resp != nil {
			_, _ = parseCertIDs(v.resp.TBSResponseData)
		}
		_, _ = parseCertIDs(body)
	})
}

func mustTBS(der []byte) []byte {
	r, err := ocsp.ParseResponse(der, nil)
	if err != nil {
		return nil
	}
	return r.TBSResponseData
}
