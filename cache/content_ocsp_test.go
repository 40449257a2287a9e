package cache_test

import (
	"crypto/x509"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/internal/testpki"
)

// An OCSP response whose delegated responder certificate crypto/x509 refuses
// (a negative serial, which Windows loads, spec §11.3) still expires at its
// nextUpdate in the cache: x/crypto/ocsp alone would not parse it.
func TestObjectExpiry_OCSPResponderWithNegativeSerial(t *testing.T) {
	ca := testpki.NewRoot("Expiry CA", testpki.ECDSA)
	rc := ca.WithSerial(ca.NewLeaf("Negative Serial Responder", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
	}), []byte{0xFF, 0x7B})
	this := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	next := this.Add(36 * time.Hour)
	der, err := ocsp.CreateResponse(ca.Cert.X, rc.Cert.X, ocsp.Response{
		Status: ocsp.Good, SerialNumber: big.NewInt(7), ThisUpdate: this, NextUpdate: next, Certificate: rc.Cert.X,
	}, rc.Key)
	require.NoError(t, err)
	_, err = ocsp.ParseResponse(der, nil)
	require.Error(t, err, "x/crypto/ocsp must refuse it for this test to mean anything")

	require.Equal(t, cache.ContentOCSP, cache.ContentKind(der))
	for _, kind := range []cache.Kind{cache.KindOCSP, cache.KindCRL} {
		require.Equal(t, next, cache.ObjectExpiry(kind, der, this, time.Hour), "kind %v", kind)
	}
}
