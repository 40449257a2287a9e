package chain_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/testpki"
)

// A store built from a PKCS#7 bundle (certmgr's .p7b export, read by
// certs.ParseAll) holds all its certificates and finds the issuing CA.
func TestLoadStoreFiles_PKCS7(t *testing.T) {
	root := testpki.NewRoot("P7 Root", testpki.ECDSA)
	inter := root.NewIntermediate("P7 Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("p7.example.test", testpki.ECDSA)
	path := filepath.Join(t.TempDir(), "a.p7b")
	require.NoError(t, os.WriteFile(path, testpki.PKCS7(append(append([]byte(nil), root.Cert.X.Raw...), inter.Cert.X.Raw...)), 0o644))
	s, err := chain.LoadStoreFiles("CA", path)
	require.NoError(t, err)
	require.Equal(t, 2, s.Len())
	issuers := s.IssuersOf(leaf.Cert)
	require.Len(t, issuers, 1)
	require.True(t, issuers[0].Cert.Equal(inter.Cert))
}
