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
	require.EqualError(t, err, "bad.p7b: cannot load PKCS#7 bundle: 1 of its 2 entries are not certificates that load (certificate entry 2: tbsCertificate: malformed TBSCertificate)")
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

// Review cases (issue 13): what the one bundle reader refuses and accepts
// at its edges.
func TestBundleEdges(t *testing.T) {
	root := testpki.NewRoot("BE Root", testpki.ECDSA)
	inter := root.NewIntermediate("BE Issuing CA", testpki.ECDSA)
	der := testpki.PKCS7(append(append([]byte(nil), root.Cert.X.Raw...), inter.Cert.X.Raw...))

	t.Run("bytes after a DER bundle are refused", func(t *testing.T) {
		trail := append(append([]byte(nil), der...), 0, 0)
		_, err := certs.DecodeObject(trail, "t.p7c", 10)
		require.ErrorIs(t, err, certs.ErrNotCertificate)
		require.EqualError(t, err, "t.p7c: cannot load PKCS#7 bundle: not a certificate: 2 bytes after the DER object")
		_, err = certs.ParseAll(trail, "t.p7b")
		require.EqualError(t, err, "t.p7b: cannot load PKCS#7 bundle: 2 bytes after the bundle")
	})

	t.Run("a CRL-only PKCS7 block beside certificates is skipped", func(t *testing.T) {
		crl := root.CRL(1, time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC), time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC))
		crlOnly := pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: testpki.PKCS7(nil, crl)})
		cs, err := certs.ParseAll(append(testpki.PEM(inter.Cert), crlOnly...), "mix.pem")
		require.NoError(t, err)
		require.Len(t, cs, 1)
		_, err = certs.ParseAll(crlOnly, "crls.pem")
		require.EqualError(t, err, "crls.pem: cannot load certificate: not a certificate: PEM holds PKCS7 without certificates, no CERTIFICATE block")
		// A PKCS7 block that is broken is named by its place.
		broken := pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: der[:40]})
		_, err = certs.ParseAll(append(testpki.PEM(inter.Cert), broken...), "mix.pem")
		require.ErrorContains(t, err, "mix.pem (PKCS7 block 1): cannot load PKCS#7 bundle: ")
	})

	t.Run("DER bundles have only the file limit", func(t *testing.T) {
		// A DER bundle over MaxBERSize with a bad byte gets the DER error,
		// not a BER limit; so does DER nested past MaxBERDepth.
		big := make([]byte, certs.MaxBERSize+16)
		n := len(big) - 6
		copy(big, []byte{0x30, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
		_, err := certs.ParsePKCS7(big, 0)
		require.Error(t, err)
		require.NotErrorIs(t, err, certs.ErrBERLimit)
		require.ErrorContains(t, err, "malformed ContentInfo")

		deep := []byte{0x05, 0x00}
		for range certs.MaxBERDepth + 10 {
			n := len(deep)
			hdr := []byte{0x30, byte(n)}
			if n >= 0x80 {
				hdr = []byte{0x30, 0x82, byte(n >> 8), byte(n)}
			}
			deep = append(hdr, deep...)
		}
		_, err = certs.ParsePKCS7(deep, 0)
		require.Error(t, err)
		require.NotErrorIs(t, err, certs.ErrBERLimit)
	})

	t.Run("non-minimal lengths are read as BER", func(t *testing.T) {
		// The outer length in a longer form than DER allows (0x83 0x00 ...).
		hdr := 2
		if der[1]&0x80 != 0 {
			hdr += int(der[1] & 0x7f)
		}
		n := len(der) - hdr
		long := append([]byte{0x30, 0x84, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, der[hdr:]...)
		o, err := certs.DecodeObject(long, "long.p7c", 10)
		require.NoError(t, err)
		require.Equal(t, certs.FormatPKCS7, o.Format)
		require.Len(t, o.Certificates, 2)
	})

	t.Run("LooksPKCS7 reads inside the element", func(t *testing.T) {
		oid := []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}
		require.False(t, certs.LooksPKCS7(append([]byte{0x30, 0x00}, oid...)))
		require.True(t, certs.LooksPKCS7(append([]byte{0x30, byte(len(oid))}, oid...)))
		require.True(t, certs.LooksPKCS7(append([]byte{0x30, 0x80}, oid...)))
		require.False(t, certs.LooksPKCS7(der[:40]), "a truncated DER bundle")
	})
}

// Certificate and CRL files follow one rule (parseFile): a PKCS#7 block
// that holds none of the file's kind is skipped beside blocks of the kind,
// and refused alone.
func TestCRLFileSkipsCertOnlyBundle(t *testing.T) {
	root := testpki.NewRoot("CF Root", testpki.ECDSA)
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	crl := root.CRL(1, now, now.AddDate(0, 0, 7), now)
	certOnly := pem.EncodeToMemory(&pem.Block{Type: "PKCS7", Bytes: testpki.PKCS7(root.Cert.X.Raw)})
	mixed := append(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}), certOnly...)
	crls, err := certs.ParseCRLs(mixed, "mixed.pem")
	require.NoError(t, err)
	require.Len(t, crls, 1)
	_, err = certs.ParseCRLs(certOnly, "certs.pem")
	require.EqualError(t, err, "certs.pem: cannot load CRL: no X509 CRL PEM block")
	_, err = certs.ParseCRLs(testpki.PKCS7(root.Cert.X.Raw), "certs.p7b")
	require.EqualError(t, err, "certs.p7b: cannot load CRL: the PKCS#7 bundle holds no CRL")
}
