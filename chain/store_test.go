package chain_test

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/smallstep/pkcs7"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/testpki"
)

// A store built from a PKCS#7 bundle (certmgr's .p7b export, read by
// certs.ParseAll) holds all its certificates and finds the issuing CA.
func TestLoadStoreFiles_PKCS7(t *testing.T) {
	root := testpki.NewRoot("P7 Root", testpki.ECDSA)
	inter := root.NewIntermediate("P7 Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("p7.example.test", testpki.ECDSA)
	path := writeBundle(t, filepath.Join(t.TempDir(), "a.p7b"), "", root.Cert, inter.Cert)
	s, err := chain.LoadStoreFiles("CA", path)
	require.NoError(t, err)
	require.Equal(t, 2, s.Len())
	issuers := s.IssuersOf(leaf.Cert)
	require.Len(t, issuers, 1)
	require.True(t, issuers[0].Cert.Equal(inter.Cert))
}

// writeBundle writes cs as a PKCS#7 certs-only bundle at path, DER or in
// PEM armour of type pemType.
func writeBundle(t *testing.T, path, pemType string, cs ...*certs.Certificate) string {
	t.Helper()
	var der []byte
	for _, c := range cs {
		der = append(der, c.X.Raw...)
	}
	p7, err := pkcs7.DegenerateCertificate(der)
	require.NoError(t, err)
	if pemType != "" {
		p7 = pem.EncodeToMemory(&pem.Block{Type: pemType, Bytes: p7})
	}
	require.NoError(t, os.WriteFile(path, p7, 0o644))
	return path
}
