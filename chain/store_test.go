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

// LoadCertFile reads PKCS#7 certs-only bundles (certmgr's .p7b export). A
// bundle's certificates are a SET OF (RFC 5652 §5.1), so the order in the
// file means nothing: the end certificate comes first when it is the only
// certificate that issued none of the others, else the file's order stays.
func TestLoadCertFile_PKCS7(t *testing.T) {
	root := testpki.NewRoot("P7 Root", testpki.ECDSA)
	inter := root.NewIntermediate("P7 Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("p7.example.test", testpki.ECDSA)
	leaf2 := inter.NewLeaf("p7-2.example.test", testpki.ECDSA)
	dir := t.TempDir()
	write := func(name string, pemType string, cs ...*certs.Certificate) string {
		return writeBundle(t, filepath.Join(dir, name), pemType, cs...)
	}
	cases := []struct {
		name string
		path string
		want []*certs.Certificate
	}{
		{"DER, root first", write("a.p7b", "", root.Cert, inter.Cert, leaf.Cert), []*certs.Certificate{leaf.Cert, root.Cert, inter.Cert}},
		{"PEM PKCS7, mixed order", write("b.p7b", "PKCS7", inter.Cert, leaf.Cert, root.Cert), []*certs.Certificate{leaf.Cert, inter.Cert, root.Cert}},
		{"PEM CMS, leaf first already", write("c.p7b", "CMS", leaf.Cert, inter.Cert), []*certs.Certificate{leaf.Cert, inter.Cert}},
		{"two end certificates: file order", write("d.p7b", "", inter.Cert, leaf.Cert, leaf2.Cert), []*certs.Certificate{inter.Cert, leaf.Cert, leaf2.Cert}},
		{"roots only: file order", write("e.p7b", "", root.Cert), []*certs.Certificate{root.Cert}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := chain.LoadCertFile(c.path)
			require.NoError(t, err)
			require.Len(t, got, len(c.want))
			for i := range got {
				require.True(t, got[i].Equal(c.want[i]), "certificate %d is %s, want %s", i, got[i].X.Subject, c.want[i].X.Subject)
			}
		})
	}

	// A store built from a bundle finds the issuing CA.
	s, err := chain.LoadStoreFiles("CA", cases[0].path)
	require.NoError(t, err)
	require.Equal(t, 3, s.Len())

	// A big bundle whose end certificate comes last, after 2,000 CA
	// certificates of one name: found in one pass (the first version
	// compared every pair, O(n²) name comparisons at MaxBundleCertificates).
	big := []*certs.Certificate{root.Cert}
	for i := 0; i < 2000; i++ {
		big = append(big, root.Issue(testpki.Template("P7 Big CA", true), testpki.ECDSA).Cert)
	}
	bigCA := root.Issue(testpki.Template("P7 Big CA", true), testpki.ECDSA)
	bigLeaf := bigCA.NewLeaf("big.example.test", testpki.ECDSA)
	big = append(big, bigLeaf.Cert)
	got, err := chain.LoadCertFile(write("big.p7b", "", big...))
	require.NoError(t, err)
	require.Len(t, got, len(big))
	require.True(t, got[0].Equal(bigLeaf.Cert), "end certificate first, got %s", got[0].X.Subject)
	require.True(t, got[1].Equal(root.Cert), "the others keep their order")

	// A bundle over MaxBundleCertificates is refused as a whole, naming the file.
	many := make([]*certs.Certificate, chain.MaxBundleCertificates+1)
	for i := range many {
		many[i] = leaf.Cert
	}
	_, err = chain.LoadCertFile(write("many.p7b", "", many...))
	require.EqualError(t, err, filepath.Join(dir, "many.p7b")+": cannot load certificate: PKCS#7 bundle: more than 10000 certificates (chain.MaxBundleCertificates)")
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
