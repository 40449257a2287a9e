package certs_test

import (
	"bytes"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

// ocspWithResponder returns a good response for serial 7 from ca, signed by a
// delegated responder whose certificate has a negative serial, and the
// responder.
func ocspWithResponder(tb testing.TB) ([]byte, *testpki.CA) {
	ca := testpki.NewRoot("OCSP Split CA", testpki.ECDSA)
	rc := ca.WithSerial(ca.NewLeaf("Negative Serial Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}), []byte{0xFF, 0x7B})
	this := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	der, err := ocsp.CreateResponse(ca.Cert.X, rc.Cert.X, ocsp.Response{
		Status: ocsp.Good, SerialNumber: big.NewInt(7), ThisUpdate: this, NextUpdate: this.Add(time.Hour),
		Certificate: rc.Cert.X,
	}, rc.Key)
	require.NoError(tb, err)
	return der, rc
}

func TestSplitOCSPCerts(t *testing.T) {
	der, rc := ocspWithResponder(t)
	_, err := ocsp.ParseResponse(der, nil)
	require.Error(t, err, "x/crypto/ocsp must refuse the negative-serial responder for this test to mean anything")

	stripped, list := certs.SplitOCSPCerts(der)
	require.Len(t, list, 1)
	require.Equal(t, rc.Cert.X.Raw, list[0])
	c, err := certs.Parse(list[0])
	require.NoError(t, err)
	require.Equal(t, int64(-133), c.X.SerialNumber.Int64())

	resp, err := ocsp.ParseResponse(stripped, nil)
	require.NoError(t, err)
	require.Nil(t, resp.Certificate)
	require.Equal(t, big.NewInt(7), resp.SerialNumber)
	// The signed part is untouched: the responder's signature still verifies.
	require.NoError(t, resp.CheckSignatureFrom(c.X))

	// Without certs, or not a response: unchanged, nothing split.
	for _, body := range [][]byte{stripped, {0x30, 0x03, 0x0a, 0x01, 0x01}, []byte("not DER"), nil, append(bytes.Clone(der), 0)} {
		got, list := certs.SplitOCSPCerts(body)
		require.Equal(t, body, got)
		require.Empty(t, list)
	}
}

// FuzzSplitOCSPCerts: SplitOCSPCerts never panics; what it returns without
// certificates is its input; what it splits re-parses (with x/crypto/ocsp)
// to the same signed response data whenever the original parses.
func FuzzSplitOCSPCerts(f *testing.F) {
	der, _ := ocspWithResponder(f)
	f.Add(der)
	stripped, _ := certs.SplitOCSPCerts(der)
	f.Add(stripped)
	f.Add([]byte{0x30, 0x03, 0x0a, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, body []byte) {
		got, list := certs.SplitOCSPCerts(body)
		if list == nil && !bytes.Equal(got, body) {
			t.Fatalf("nothing split but the body changed")
		}
		for _, c := range list {
			_, _ = certs.Parse(c)
		}
		orig, err := ocsp.ParseResponse(body, nil)
		if err != nil {
			return
		}
		resp, err := ocsp.ParseResponse(got, nil)
		if err != nil {
			t.Fatalf("the original parses, the split one does not: %v", err)
		}
		if !bytes.Equal(orig.TBSResponseData, resp.TBSResponseData) || !bytes.Equal(orig.Signature, resp.Signature) {
			t.Fatalf("the split changed the signed response")
		}
	})
}

// TestParseOCSPResponse: the one OCSP parse loads the certs field with
// Parse (a negative serial loads), keeps a certificate that does not load
// as an error beside the others, and picks the responder the responderID
// names wherever it stands; a responder's error status is an
// ocsp.ResponseError.
func TestParseOCSPResponse(t *testing.T) {
	ca := testpki.NewRoot("OCSP Parse CA", testpki.ECDSA)
	rc := ca.WithSerial(ca.NewLeaf("Negative Serial Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}), []byte{0xFF, 0x7B})
	bystander := ca.NewLeaf("Bystander", testpki.ECDSA)
	this := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	respond := func(raw ...[]byte) []byte {
		der, err := ocsp.CreateResponse(ca.Cert.X, rc.Cert.X, ocsp.Response{
			Status: ocsp.Good, SerialNumber: big.NewInt(7), ThisUpdate: this, NextUpdate: this.Add(time.Hour),
			Certificate: &x509.Certificate{Raw: bytes.Join(raw, nil)},
		}, rc.Key)
		require.NoError(t, err)
		return der
	}

	r, err := certs.ParseOCSPResponse(respond(bystander.Cert.X.Raw, []byte{0x30, 0x03, 0x02, 0x01, 0x01}, rc.Cert.X.Raw), nil)
	require.NoError(t, err)
	require.Equal(t, ocsp.Good, r.Status)
	require.Nil(t, r.Certificate, "x/crypto never sees the certs field")
	require.Len(t, r.Certificates, 3)
	require.NoError(t, r.CertErrors[0])
	require.Error(t, r.CertErrors[1])
	require.Nil(t, r.Certificates[1])
	require.Equal(t, big.NewInt(-133), r.Certificates[2].X.SerialNumber)
	got, err := r.Responder()
	require.NoError(t, err)
	require.Equal(t, rc.Cert.SHA1, got.SHA1, "the responderID names the responder, not the first")
	require.True(t, r.NamesResponder(rc.Cert.X))
	require.False(t, r.NamesResponder(bystander.Cert.X))
	require.NoError(t, r.CheckSignatureFrom(rc.Cert.X))

	// No certificate named: the first that loads, as x/crypto takes it.
	r, err = certs.ParseOCSPResponse(respond([]byte{0x30, 0x03, 0x02, 0x01, 0x01}, bystander.Cert.X.Raw), nil)
	require.NoError(t, err)
	got, err = r.Responder()
	require.NoError(t, err)
	require.Equal(t, bystander.Cert.SHA1, got.SHA1)
	// None loads: the first error.
	r, err = certs.ParseOCSPResponse(respond([]byte{0x30, 0x03, 0x02, 0x01, 0x01}), nil)
	require.NoError(t, err)
	got, err = r.Responder()
	require.Nil(t, got)
	require.Error(t, err)
	// No certs field: none, no error.
	der, err := ocsp.CreateResponse(ca.Cert.X, ca.Cert.X, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(7), ThisUpdate: this}, ca.Key)
	require.NoError(t, err)
	r, err = certs.ParseOCSPResponse(der, nil)
	require.NoError(t, err)
	got, err = r.Responder()
	require.NoError(t, err)
	require.Nil(t, got)
	require.True(t, r.NamesResponder(ca.Cert.X))

	_, err = certs.ParseOCSPResponse([]byte{0x30, 0x03, 0x0a, 0x01, 0x06}, nil) // unauthorized
	var re ocsp.ResponseError
	require.ErrorAs(t, err, &re)
	require.Equal(t, ocsp.Unauthorized, re.Status)
}
