package revocation_test

import (
	"crypto"
	"crypto/sha1"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/revocation"
)

// TestOCSPRequest: the request Cryptnet sends (spec §3.4) has one CertID
// hashed with SHA-1: the issuer's name and subjectPublicKey bits, the
// certificate's serial.
func TestOCSPRequest(t *testing.T) {
	ca := testpki.NewRoot("Request CA", testpki.ECDSA)
	leaf := ca.NewLeaf("leaf.example.test", testpki.ECDSA)
	der, err := revocation.OCSPRequest(leaf.Cert, ca.Cert)
	require.NoError(t, err)
	req, err := ocsp.ParseRequest(der)
	require.NoError(t, err)
	require.Equal(t, crypto.SHA1, req.HashAlgorithm)
	require.Equal(t, 0, req.SerialNumber.Cmp(leaf.Cert.X.SerialNumber))
	nameHash := sha1.Sum(ca.Cert.X.RawSubject)
	require.Equal(t, nameHash[:], req.IssuerNameHash)
	bits, ok := certs.PublicKeyBits(ca.Cert.X.RawSubjectPublicKeyInfo)
	require.True(t, ok)
	keyHash := sha1.Sum(bits)
	require.Equal(t, keyHash[:], req.IssuerKeyHash)
}
