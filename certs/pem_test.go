package certs_test

import (
	"encoding/pem"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

func TestPEMKindOf(t *testing.T) {
	for label, want := range map[string]certs.PEMKind{
		"CERTIFICATE":         certs.PEMCertificate,
		"X509 CERTIFICATE":    certs.PEMCertificate,
		"TRUSTED CERTIFICATE": certs.PEMCertificate,
		"PKCS7":               certs.PEMPKCS7,
		"CMS":                 certs.PEMPKCS7,
		"X509 CRL":            certs.PEMCRL,
		"PRIVATE KEY":         certs.PEMOther,
		"CERTIFICATE REQUEST": certs.PEMOther,
		"certificate":         certs.PEMOther, // labels are case-sensitive (RFC 7468)
		"":                    certs.PEMOther,
	} {
		assert.Equal(t, want, certs.PEMKindOf(label), label)
	}
	assert.True(t, certs.LooksPEM([]byte("junk before\n-----BEGIN X509 CRL-----\n")))
	assert.False(t, certs.LooksPEM([]byte{0x30, 0x03, 0x02, 0x01, 0x00}))
	assert.False(t, certs.LooksPEM([]byte("-----BEGIN")), "no space: not a PEM line")
}

// DecodeCRLBody takes the first "X509 CRL" block of a PEM body, not the
// first block: a certificate placed before the CRL (a web server's
// combined file) is skipped.
func TestDecodeCRLBodyTakesTheCRLBlock(t *testing.T) {
	ca := testpki.NewRoot("PEM CRL CA", testpki.ECDSA)
	der := ca.CRL(1, crlT0, crlT0.Add(24*time.Hour), crlT0)
	crlPEM := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})

	assert.Equal(t, der, certs.DecodeCRLBody(der), "DER is returned as is")
	assert.Equal(t, der, certs.DecodeCRLBody(crlPEM))

	mixed := append(append([]byte("comment line\n"), testpki.PEM(ca.Cert)...), crlPEM...)
	got := certs.DecodeCRLBody(mixed)
	assert.Equal(t, der, got, "the X509 CRL block, not the CERTIFICATE before it")
	c, err := certs.ParseCRL(got)
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Number.Int64())

	// No X509 CRL block: the body itself, which the CRL parser refuses.
	certOnly := testpki.PEM(ca.Cert)
	assert.Equal(t, certOnly, certs.DecodeCRLBody(certOnly))
	_, err = certs.ParseCRL(certs.DecodeCRLBody(certOnly))
	assert.Error(t, err)
}
