package aia_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

const testdataDir = "../testdata/aia"

var update = flag.Bool("update", false, "regenerate ../testdata/aia")

// TestGenerateTestdata writes the shared AIA object vectors with -update;
// otherwise it only checks they are there. The vectors are fixed files so
// the fuzz seeds and other tools see the same bytes every run.
func TestGenerateTestdata(t *testing.T) {
	if !*update {
		_, err := os.Stat(filepath.Join(testdataDir, "inter.der"))
		require.NoError(t, err, "run go test ./aia -run TestGenerateTestdata -update")
		return
	}
	p := newPKI("http://pki.example.test/inter.crt")
	other := testpki.NewRoot("Unrelated CA", testpki.RSA)
	var eleven []*certs.Certificate
	for i := range 11 {
		eleven = append(eleven, testpki.NewRoot(fmt.Sprintf("Filler %d", i), testpki.ECDSA).Cert)
	}
	files := map[string][]byte{
		"leaf.der":        p.leaf.Cert.X.Raw,
		"inter.der":       p.inter.Cert.X.Raw,
		"inter.pem":       testpki.PEM(p.inter.Cert),
		"inter.b64":       b64(p.inter.Cert.X.Raw),
		"bundle.p7c":      p7c(t, p.inter.Cert, p.root.Cert, other.Cert),
		"bundle-ber.p7c":  berP7C(t, p7c(t, p.inter.Cert, p.root.Cert)),
		"bundle-p7c.pem":  []byte("-----BEGIN PKCS7-----\n" + string(b64(p7c(t, p.inter.Cert))) + "-----END PKCS7-----\n"),
		"eleven.p7c":      p7c(t, eleven...),
		"nocerts.p7c":     p7c(t),
		"empty.bin":       {},
		"junk.html":       []byte("<html><body>404 Not Found</body></html>\n"),
		"pkcs12.pfx":      pfx(),
		"crl.der":         p.inter.CRL(1, testTime, testTime.AddDate(0, 0, 7), testTime),
		"trailing.der":    append(append([]byte(nil), p.inter.Cert.X.Raw...), 0, 0),
		"privatekey.pem":  []byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"),
		"truncated.p7c":   p7c(t, p.inter.Cert)[:200],
		"leaf-and-ca.pem": testpki.PEM(p.leaf.Cert, p.inter.Cert),
	}
	require.NoError(t, os.MkdirAll(testdataDir, 0o755))
	for name, b := range files {
		require.NoError(t, os.WriteFile(filepath.Join(testdataDir, name), b, 0o644))
	}
}

// DecodeBody on the shared vectors: what each format yields, or why it is
// ignored.
func TestDecodeBody_Vectors(t *testing.T) {
	cases := []struct {
		file         string
		format       string
		inner        string
		n            int
		err          error
		errorMessage string
	}{
		{file: "inter.der", format: aia.FormatDER, n: 1},
		{file: "inter.pem", format: aia.FormatPEM, inner: aia.FormatDER, n: 1},
		{file: "inter.b64", format: aia.FormatBase64, inner: aia.FormatDER, n: 1},
		{file: "bundle.p7c", format: aia.FormatPKCS7, n: 3},
		{file: "bundle-ber.p7c", format: aia.FormatPKCS7, n: 2},
		{file: "bundle-p7c.pem", format: aia.FormatPEM, inner: aia.FormatPKCS7, n: 1},
		// Only the first PEM block is read, as CryptStringToBinary does.
		{file: "leaf-and-ca.pem", format: aia.FormatPEM, inner: aia.FormatDER, n: 1},
		{file: "eleven.p7c", err: aia.ErrTooManyCertificates, errorMessage: "pkcs7 AIA object: too many certificates in one AIA object (more than 10 certificates (MaxAIAUrlRetrievalCertCount))"},
		{file: "nocerts.p7c", err: aia.ErrNotCertificate, errorMessage: "pkcs7 AIA object: not a certificate or a PKCS#7 certificate bundle (the bundle holds no certificate)"},
		{file: "empty.bin", err: aia.ErrEmptyBody, errorMessage: "empty AIA object: empty AIA object"},
		{file: "junk.html", err: aia.ErrNotCertificate, errorMessage: "unknown AIA object: not a certificate or a PKCS#7 certificate bundle (first byte 0x3c is neither DER nor base64 text)"},
		{file: "pkcs12.pfx", err: aia.ErrNotCertificate, errorMessage: "pkcs12 AIA object: not a certificate or a PKCS#7 certificate bundle (PKCS#12 (PFX) is not an AIA object type; Windows ignores it (spec §11.2))"},
		{file: "crl.der", err: aia.ErrNotCertificate},
		{file: "trailing.der", err: aia.ErrNotCertificate, errorMessage: "unknown AIA object: not a certificate or a PKCS#7 certificate bundle (2 bytes after the DER object)"},
		{file: "privatekey.pem", err: aia.ErrNotCertificate, errorMessage: `pem AIA object: not a certificate or a PKCS#7 certificate bundle (PEM block "PRIVATE KEY")`},
		{file: "truncated.p7c", err: aia.ErrNotCertificate},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(testdataDir, tc.file))
			require.NoError(t, err)
			d, err := aia.DecodeBody(body, 0)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				assert.Nil(t, d)
				var be *aia.BodyError
				require.True(t, errors.As(err, &be))
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

// The limit is a parameter; a lower one refuses what the default accepts.
func TestDecodeBody_LimitParameter(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(testdataDir, "bundle.p7c"))
	require.NoError(t, err)
	_, err = aia.DecodeBody(body, 2)
	var be *aia.BodyError
	require.ErrorAs(t, err, &be)
	assert.Equal(t, 3, be.Count)
	assert.Equal(t, 2, be.Limit)
	d, err := aia.DecodeBody(body, 3)
	require.NoError(t, err)
	assert.Len(t, d.Certificates, 3)
}

// FuzzDecodeBody feeds the AIA object decoder arbitrary bytes, seeded with
// the shared vectors. Properties: no panic; success means 1..limit
// certificates; failure means a *BodyError wrapping one of the three
// sentinels and no result.
func FuzzDecodeBody(f *testing.F) {
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
	f.Add(nestedBER(aia.MaxBERDepth+1, nil), uint8(0))
	f.Add(nestedBER(aia.MaxBERDepth, []byte{0x06, 0x01, 0x00}), uint8(0))
	f.Add(nestedBER(2, bytes.Repeat([]byte{0x04, 0x00}, 50_000)), uint8(0))
	f.Fuzz(func(t *testing.T, body []byte, limit uint8) {
		maxCerts := int(limit % 12)
		d, err := aia.DecodeBody(body, maxCerts)
		if maxCerts == 0 {
			maxCerts = aia.DefaultMaxRetrievalCertCount
		}
		if err != nil {
			if d != nil {
				t.Fatalf("result with error %v", err)
			}
			var be *aia.BodyError
			if !errors.As(err, &be) {
				t.Fatalf("error %T is not a *BodyError: %v", err, err)
			}
			if !errors.Is(err, aia.ErrEmptyBody) && !errors.Is(err, aia.ErrNotCertificate) && !errors.Is(err, aia.ErrTooManyCertificates) {
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
