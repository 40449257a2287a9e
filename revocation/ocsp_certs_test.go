package revocation

import (
	"bytes"
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/internal/testpki"
)

// TestVerifyOCSP_CertsField: the certs field of a BasicOCSPResponse is loaded
// with the lenient parser, may hold several certificates (the one the
// responderID names signs), and a field none of whose certificates loads
// makes the response unusable with a reason that says so.
func TestVerifyOCSP_CertsField(t *testing.T) {
	ca := testpki.NewRoot("Certs Field CA", testpki.ECDSA)
	leaf := ca.NewLeaf("leaf.example.test", testpki.ECDSA)
	rc := ca.WithSerial(ca.NewLeaf("Negative Serial Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}), []byte{0xFF, 0x7B})
	other := ca.NewLeaf("Bystander", testpki.ECDSA)
	this := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	// respond signs with rc and embeds raw as the certs field's contents
	// (x/crypto/ocsp writes Certificate.Raw as one element: several
	// concatenated certificates become several elements).
	respond := func(raw ...[]byte) []byte {
		der, err := ocsp.CreateResponse(ca.Cert.X, rc.Cert.X, ocsp.Response{
			Status: ocsp.Revoked, SerialNumber: leaf.Cert.X.SerialNumber, RevokedAt: this.Add(-time.Hour),
			ThisUpdate: this, NextUpdate: this.Add(time.Hour), Certificate: &x509.Certificate{Raw: bytes.Join(raw, nil)},
		}, rc.Key)
		require.NoError(t, err)
		return der
	}
	for _, tc := range []struct {
		name    string
		raw     [][]byte
		wantErr string
	}{
		{"the responder alone", [][]byte{rc.Cert.X.Raw}, ""},
		{"the responder after another certificate", [][]byte{other.Cert.X.Raw, rc.Cert.X.Raw}, ""},
		{"the responder before the CA certificate", [][]byte{rc.Cert.X.Raw, ca.Cert.X.Raw}, ""},
		{"only a certificate that does not load", [][]byte{{0x30, 0x03, 0x02, 0x01, 0x01}}, "the responder certificate does not load"},
		{"only another certificate", [][]byte{other.Cert.X.Raw}, "lacks id-kp-OCSPSigning"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := verifyOCSP(respond(tc.raw...), leaf.Cert.X, ca.Cert.X, ca.Cert.X.PublicKey, this.Add(time.Minute), 12*time.Hour)
			if tc.wantErr != "" {
				require.ErrorContains(t, v.err, tc.wantErr)
				return
			}
			require.NoError(t, v.err)
			require.NotNil(t, v.responder)
			require.Equal(t, big.NewInt(-133), v.responder.X.SerialNumber)
			require.Equal(t, ocsp.Revoked, v.resp.Status)
		})
	}
}
