package revocation

import (
	"crypto/dsa" //nolint:staticcheck // DSA is under test (RFC 3279 §2.3.2, PKITS 4.1.5).
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// dsaWorld is a world whose issuing CA has a DSA key that inherits its
// parameters (RFC 3279 §2.3.2, PKITS 4.1.5): root (ECDSA) → DSA CA (DSA,
// with p, q, g) → inheriting CA (DSA, no parameters) → leaf (ECDSA, OCSP
// only). responder is a delegated OCSP responder of the inheriting CA whose
// DSA key inherits too; params are the DSA CA's parameters, what the chain
// engine passes as Request.InheritedDSAParameters.
func dsaWorld(t *testing.T) (w *world, params *dsa.Parameters, responder, stranger *testpki.CA) {
	w = &world{t: t, clk: clock.NewManual(t0), rs: newResponder(t)}
	w.root = testpki.NewRoot("DSA Test Root", testpki.ECDSA)
	params = testpki.NewDSAParameters()
	caKey := testpki.NewDSAKey(params)
	dsaCA := w.root.IssueRaw(testpki.Template("DSA CA", true), testpki.DSASPKI(&caKey.PublicKey, false), caKey)
	inhKey := testpki.NewDSAKey(params)
	w.inter = dsaCA.IssueRaw(testpki.Template("DSA Parameters Inherited CA", true), testpki.DSASPKI(&inhKey.PublicKey, true), inhKey)

	leafKey := testpki.NewKey(testpki.ECDSA)
	spki, err := x509.MarshalPKIXPublicKey(leafKey.Public())
	require.NoError(t, err)
	lt := testpki.Template("leaf.example.test", false)
	withPointers(w.rs, pointers{ocsp: true}, "", "/ocsp/inter")(lt)
	w.leaf = w.inter.IssueRaw(lt, spki, leafKey)

	responderTemplate := func(cn string) *x509.Certificate {
		rt := testpki.Template(cn, false)
		rt.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		// id-pkix-ocsp-nocheck: the responder's own revocation is not
		// looked up (the CA publishes no CRL here).
		rt.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}, Value: []byte{0x05, 0x00}}}
		return rt
	}
	rKey := testpki.NewDSAKey(params)
	responder = w.inter.IssueRaw(responderTemplate("DSA Inherited Responder"), testpki.DSASPKI(&rKey.PublicKey, true), rKey)
	// A responder certificate for a key with the same parameters that
	// the CA did not issue: signed by a stranger under the CA's name.
	sKey := testpki.NewDSAKey(params)
	stranger = (&testpki.CA{Cert: w.inter.Cert, Key: testpki.NewDSAKey(params)}).IssueRaw(responderTemplate("DSA Stranger Responder"), testpki.DSASPKI(&sKey.PublicKey, true), sKey)

	// The PKI is what it says: the inheriting keys have no parameters,
	// and verify only with the DSA CA's.
	for _, c := range []*testpki.CA{w.inter, responder} {
		k, ok := c.Cert.X.PublicKey.(*dsa.PublicKey)
		require.True(t, ok && k.P == nil, "%s: the DSA key must carry no parameters", c.Cert.X.Subject.CommonName)
	}
	require.NoError(t, w.leaf.Cert.CheckSignatureFrom(w.inter.Cert, params))
	require.Error(t, w.leaf.Cert.CheckSignatureFrom(w.inter.Cert, nil))
	w.restart()
	return w, params, responder, stranger
}

// TestCheck_OCSPInheritedDSA: an OCSP response signed by a DSA key that
// inherits its parameters from the key above it (RFC 3279 §2.3.2; spec
// §11.3, PKITS 4.1.5 for certificates and CRLs) — the issuing CA's own
// key, or a delegated responder's — is verified with the inherited
// parameters, as a CRL signed by that key is: its good and revoked answers
// are used. Without the inherited parameters, or signed by a key the CA
// did not certify, the answer is refused.
func TestCheck_OCSPInheritedDSA(t *testing.T) {
	w, params, responder, stranger := dsaWorld(t)
	this, next := t0.Add(-time.Hour), t0.Add(24*time.Hour)
	inherit := func() *Request {
		r := w.req()
		r.InheritedDSAParameters = params
		return r
	}
	for _, tc := range []struct {
		name   string
		signer *testpki.CA
		revoke bool
		req    func() *Request
		status Status
		detail string
	}{
		{name: "signed by the inheriting CA key, good", signer: w.inter, req: inherit, status: Good},
		{name: "signed by the inheriting CA key, revoked", signer: w.inter, revoke: true, req: inherit, status: Revoked},
		{name: "delegated responder with an inheriting DSA key, good", signer: responder, req: inherit, status: Good, detail: "delegated"},
		{name: "delegated responder with an inheriting DSA key, revoked", signer: responder, revoke: true, req: inherit, status: Revoked},
		{name: "no parameters to inherit", signer: w.inter, req: w.req, status: Offline, detail: "the issuing CA's DSA key has no parameters and none are inherited"},
		{name: "delegated responder, no parameters to inherit", signer: responder, req: w.req, status: Offline, detail: "the issuing CA's DSA key has no parameters and none are inherited"},
		{name: "a responder the CA did not certify", signer: stranger, revoke: true, req: inherit, status: Offline, detail: "not signed by the issuing CA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.restart() // nothing cached from the case before
			if tc.revoke {
				w.interOCSP(tc.signer, this, next, leafSerial(w))
			} else {
				w.interOCSP(tc.signer, this, next)
			}
			res := w.checkLeaf(tc.req())
			t.Logf("%v from %s: %s", res.Status, res.Source, res.Detail)
			assert.Equal(t, tc.status, res.Status, "detail: %s", res.Detail)
			if tc.status != Offline {
				assert.Equal(t, "ocsp", res.Source)
			}
			if tc.detail != "" {
				assert.Contains(t, res.Detail, tc.detail)
			}
		})
	}
}
