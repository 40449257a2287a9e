package aia_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

// testdataDir holds the shared AIA object vectors; certs' object decoder
// tests and fuzz seeds read them too.
const testdataDir = "../testdata/aia"

var update = flag.Bool("update", false, "regenerate ../testdata/aia")

// TestGenerateTestdata writes the shared AIA object vectors (read by certs/object_test.go too) with -update;
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
