package certs_test

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

// LoadFile reads PKCS#7 certs-only bundles (certmgr's .p7b export). A
// bundle's certificates are a SET OF (RFC 5652 §5.1), so the order in the
// file means nothing: the end certificate comes first when it is the only
// certificate that issued none of the others, else the file's order stays.
func TestLoadFile_PKCS7(t *testing.T) {
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
			got, err := certs.LoadFile(c.path)
			require.NoError(t, err)
			require.Len(t, got, len(c.want))
			for i := range got {
				require.True(t, got[i].Equal(c.want[i]), "certificate %d is %s, want %s", i, got[i].X.Subject, c.want[i].X.Subject)
			}
		})
	}

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
	got, err := certs.LoadFile(write("big.p7b", "", big...))
	require.NoError(t, err)
	require.Len(t, got, len(big))
	require.True(t, got[0].Equal(bigLeaf.Cert), "end certificate first, got %s", got[0].X.Subject)
	require.True(t, got[1].Equal(root.Cert), "the others keep their order")

	// A bundle over MaxBundleCertificates is refused as a whole, naming the file.
	many := make([]*certs.Certificate, certs.MaxBundleCertificates+1)
	for i := range many {
		many[i] = leaf.Cert
	}
	_, err = certs.LoadFile(write("many.p7b", "", many...))
	require.EqualError(t, err, filepath.Join(dir, "many.p7b")+": cannot load PKCS#7 bundle: more than 10000 certificates (certs.MaxBundleCertificates)")
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

// berOuter re-encodes the outer ContentInfo of a DER PKCS#7 with an
// indefinite length, as BER producers write it.
func berOuter(t *testing.T, der []byte) []byte {
	t.Helper()
	require.Equal(t, byte(0x30), der[0])
	hdr := 2
	if der[1]&0x80 != 0 {
		hdr += int(der[1] & 0x7f)
	}
	return append(append([]byte{0x30, 0x80}, der[hdr:]...), 0, 0)
}

// ParseAll reads bundles in every form a certificate file takes: DER, BER
// (indefinite lengths), and PEM "PKCS7" blocks among CERTIFICATE blocks,
// every block of the file. A bundle entry that does not load refuses the
// file, naming it.
func TestParseAll_Bundles(t *testing.T) {
	root := testpki.NewRoot("PA Root", testpki.RSA)
	inter := root.NewIntermediate("PA Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("pa.example.test", testpki.ECDSA)
	der, err := pkcs7.DegenerateCertificate(append(append([]byte(nil), root.Cert.X.Raw...), inter.Cert.X.Raw...))
	require.NoError(t, err)

	ber := berOuter(t, der)
	require.True(t, certs.LooksPKCS7(ber))
	cs, err := certs.ParseAll(ber, "ber.p7b")
	require.NoError(t, err)
	require.Len(t, cs, 2)
	require.True(t, cs[0].Equal(inter.Cert), "end certificate first")

	mixed := append(testpki.PEM(leaf.Cert), pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der})...)
	cs, err = certs.ParseAll(mixed, "mixed.pem")
	require.NoError(t, err)
	require.Len(t, cs, 3)
	require.True(t, cs[0].Equal(leaf.Cert))
	require.True(t, cs[1].Equal(inter.Cert))
	require.True(t, cs[2].Equal(root.Cert))

	// A bundle with an entry that is DER but no certificate.
	bad := testpki.PKCS7(append(append([]byte(nil), root.Cert.X.Raw...), 0x30, 0x03, 0x02, 0x01, 0x05))
	_, err = certs.ParseAll(bad, "bad.p7b")
	var pe *certs.ParseError
	require.ErrorAs(t, err, &pe)
	require.Equal(t, "bad.p7b", pe.Input)
	require.EqualError(t, err, "bad.p7b: cannot load PKCS#7 bundle: 1 of its 2 entries are not certificates that load")
}

// ParseCRLs reads the CRLs of a BER bundle as of a DER one (the form of
// issue 14 that --crl refused).
func TestParseCRLs_BERBundle(t *testing.T) {
	root := testpki.NewRoot("PC Root", testpki.ECDSA)
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	crl := root.CRL(1, now, now.AddDate(0, 0, 7), now)
	der := testpki.PKCS7(root.Cert.X.Raw, crl)
	ber := indefinite(t, der) // every constructed element, down to the CRL's own
	require.NotEqual(t, der, ber)
	for _, in := range [][]byte{der, ber} {
		crls, err := certs.ParseCRLs(in, "crls.p7b")
		require.NoError(t, err)
		require.Len(t, crls, 1)
		require.Equal(t, crl, crls[0].Raw)
	}
	// Converted within the bounds: past MaxBERDepth the file is refused,
	// naming it and the limit.
	_, err := certs.ParseCRLs(deepP7(certs.MaxBERDepth+1, nil), "deep.p7b")
	require.ErrorIs(t, err, certs.ErrBERLimit)
	require.ErrorContains(t, err, "deep.p7b: cannot load PKCS#7 bundle: ")
}
