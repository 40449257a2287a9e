package revocation

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/internal/testpki"
)

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
