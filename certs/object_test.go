package certs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
)

// testdataDir holds the AIA object vectors written by aia TestGenerateTestdata.
const testdataDir = "../testdata/aia"

// DecodeObject on the shared vectors: what each format yields, or why it is
// ignored (spec §6, §11.2).
func TestDecodeObject_Vectors(t *testing.T) {
	cases := []struct {
		file         string
		format       string
		inner        string
		n            int
		err          error
		errorMessage string
	}{
		{file: "inter.der", format: certs.FormatDER, n: 1},
		{file: "inter.pem", format: certs.FormatPEM, inner: certs.FormatDER, n: 1},
		{file: "inter.b64", format: certs.FormatBase64, inner: certs.FormatDER, n: 1},
		{file: "bundle.p7c", format: certs.FormatPKCS7, n: 3},
		{file: "bundle-ber.p7c", format: certs.FormatPKCS7, n: 2},
		{file: "bundle-p7c.pem", format: certs.FormatPEM, inner: certs.FormatPKCS7, n: 1},
		// Only the first PEM block is read, as CryptStringToBinary does.
		{file: "leaf-and-ca.pem", format: certs.FormatPEM, inner: certs.FormatDER, n: 1},
		{file: "eleven.p7c", err: certs.ErrTooManyCertificates, errorMessage: "AIA object: cannot load PKCS#7 bundle: too many certificates in the bundle: more than 10 certificates"},
		{file: "nocerts.p7c", err: certs.ErrNotCertificate, errorMessage: "AIA object: cannot load PKCS#7 bundle: not a certificate: the bundle holds no certificate"},
		{file: "empty.bin", err: certs.ErrEmptyObject, errorMessage: "AIA object: cannot load certificate: empty object"},
		{file: "junk.html", err: certs.ErrNotCertificate, errorMessage: "AIA object: cannot load certificate: not a certificate: first byte 0x3c is neither DER nor base64 text"},
		{file: "pkcs12.pfx", err: certs.ErrNotCertificate, errorMessage: "AIA object: cannot load certificate: not a certificate: PKCS#12 (PFX) is not a certificate object; Windows ignores it in AIA (spec §11.2)"},
		{file: "crl.der", err: certs.ErrNotCertificate},
		{file: "trailing.der", err: certs.ErrNotCertificate, errorMessage: "AIA object: cannot load certificate: not a certificate: 2 bytes after the DER object"},
		{file: "privatekey.pem", err: certs.ErrNotCertificate, errorMessage: `AIA object: cannot load certificate: not a certificate: PEM block "PRIVATE KEY"`},
		{file: "truncated.p7c", err: certs.ErrNotCertificate},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(testdataDir, tc.file))
			require.NoError(t, err)
			d, err := certs.DecodeObject(body, "AIA object", 10)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Nil(t, d)
				var pe *certs.ParseError
				require.True(t, errors.As(err, &pe))
				assert.Equal(t, "AIA object", pe.Input)
				if tc.errorMessage != "" {
					assert.Equal(t, tc.errorMessage, err.Error())
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.format, d.Format)
			assert.Equal(t, tc.inner, d.Inner)
			assert.Len(t, d.Certificates, tc.n)
		})
	}
}

// The limit is a parameter; a lower one refuses what a higher accepts, and
// zero means MaxBundleCertificates.
func TestDecodeObject_LimitParameter(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(testdataDir, "bundle.p7c"))
	require.NoError(t, err)
	_, err = certs.DecodeObject(body, "b.p7c", 2)
	require.ErrorIs(t, err, certs.ErrTooManyCertificates)
	assert.EqualError(t, err, "b.p7c: cannot load PKCS#7 bundle: too many certificates in the bundle: more than 2 certificates")
	d, err := certs.DecodeObject(body, "b.p7c", 3)
	require.NoError(t, err)
	assert.Len(t, d.Certificates, 3)
	eleven, err := os.ReadFile(filepath.Join(testdataDir, "eleven.p7c"))
	require.NoError(t, err)
	d, err = certs.DecodeObject(eleven, "eleven.p7c", 0)
	require.NoError(t, err)
	assert.Len(t, d.Certificates, 11)
}

// FuzzDecodeObject feeds the certificate object decoder arbitrary bytes,
// seeded with the shared vectors. Properties: no panic; success means
// 1..limit certificates; failure means a *ParseError naming the input,
// wrapping one of the three sentinels, and no result.
func FuzzDecodeObject(f *testing.F) {
	entries, err := os.ReadDir(testdataDir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(testdataDir, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0))
		f.Add(b, uint8(1))
	}
	// Deep and large BER (issue 15): past MaxBERDepth, at it, and wide.
	f.Add(deepP7(certs.MaxBERDepth+1, nil), uint8(0))
	f.Add(deepP7(certs.MaxBERDepth, []byte{0x06, 0x01, 0x00}), uint8(0))
	f.Add(deepP7(4, bytes.Repeat([]byte{0x04, 0x00}, 50_000)), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, limit uint8) {
		maxCerts := int(limit % 12)
		d, err := certs.DecodeObject(body, "fuzz", maxCerts)
		if maxCerts == 0 {
			maxCerts = certs.MaxBundleCertificates
		}
		if err != nil {
			if d != nil {
				t.Fatalf("result with error %v", err)
			}
			var pe *certs.ParseError
			if !errors.As(err, &pe) || pe.Input != "fuzz" {
				t.Fatalf("error %T does not name the input: %v", err, err)
			}
			if !errors.Is(err, certs.ErrEmptyObject) && !errors.Is(err, certs.ErrNotCertificate) && !errors.Is(err, certs.ErrTooManyCertificates) {
				t.Fatalf("error wraps no sentinel: %v", err)
			}
			return
		}
		if n := len(d.Certificates); n == 0 || n > maxCerts {
			t.Fatalf("%d certificates, limit %d", n, maxCerts)
		}
		for _, c := range d.Certificates {
			if c == nil || c.X == nil {
				t.Fatal("nil certificate")
			}
		}
	})
}
