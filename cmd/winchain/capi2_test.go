package main

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf16"

	"github.com/winchain/winchain/internal/testpki"
)

// writeCAPI2Logs copies the CAPI2 logs of testdata/capi2 into dir/capi2 for
// the scripts, with two forms a script cannot hold as text: a UTF-16LE copy
// with a BOM (PowerShell Out-File) and a binary .evtx header.
func writeCAPI2Logs(dir string) error {
	src := filepath.Join("..", "..", "testdata", "capi2")
	dst := filepath.Join(dir, "capi2")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "*.xml"))
	if err != nil {
		return err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			return err
		}
	}
	data, err := os.ReadFile(filepath.Join(src, "stale-crl-cache-only.xml"))
	if err != nil {
		return err
	}
	// The stale-CRL log with the CRL fresh after all: winchain finds it
	// good where the log says offline (a disagreement for --replay).
	fresh := strings.ReplaceAll(string(data), "2026-11-08T06:00:00Z", "2026-12-08T06:00:00Z")
	if err := os.WriteFile(filepath.Join(dst, "fresh-but-offline.xml"), []byte(fresh), 0o644); err != nil {
		return err
	}
	u := append([]uint16{0xFEFF}, utf16.Encode([]rune(string(data)))...)
	le := make([]byte, 0, 2*len(u))
	for _, c := range u {
		le = append(le, byte(c), byte(c>>8))
	}
	if err := os.WriteFile(filepath.Join(dst, "stale-utf16.xml"), le, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dst, "capi2.evtx"), append([]byte("ElfFile\x00"), make([]byte, 120)...), 0o644); err != nil {
		return err
	}
	return writeRealCAPI2(string(data), dst)
}

// writeRealCAPI2 writes dst/real.xml and dst/real-certs/: the stale-CRL log
// with its certificate and CRL thumbprints replaced by those of a real PKI
// built like the one the log describes (same URLs, same CRL times), and
// that PKI's certificates and CRLs as exported for --certs.
func writeRealCAPI2(log, dst string) error {
	at := time.Date(2026, 11, 24, 10, 5, 12, 0, time.UTC)
	root := testpki.NewRoot("Contoso Root CA", testpki.ECDSA, func(t *x509.Certificate) { t.NotBefore = at.AddDate(-1, 0, 0) })
	inter := root.NewIntermediate("Contoso Issuing CA 01", testpki.ECDSA, func(t *x509.Certificate) {
		t.NotBefore = at.AddDate(-1, 0, 0)
		t.CRLDistributionPoints = []string{"http://pki.contoso.test/crl/ContosoRootCA.crl"}
	})
	leaf := inter.NewLeaf("mail.contoso.test", testpki.ECDSA, func(t *x509.Certificate) {
		t.NotBefore = at.AddDate(0, -6, 0)
		t.CRLDistributionPoints = []string{"http://pki.contoso.test/crl/ContosoIssuingCA01.crl"}
	})
	day := func(s string) time.Time {
		t, _ := time.Parse(time.RFC3339, s)
		return t
	}
	interCRL := inter.CRL(0x2A, day("2026-11-01T06:00:00Z"), day("2026-11-08T06:00:00Z"), time.Time{})
	rootCRL := root.CRL(5, day("2026-11-20T08:00:00Z"), day("2027-02-18T08:00:00Z"), time.Time{})
	thumb := func(der []byte) string {
		h := sha1.Sum(der)
		return strings.ToUpper(hex.EncodeToString(h[:]))
	}
	for old, c := range map[string]*testpki.CA{
		"5D0B7E1C9A2F3B4C6D8E0F1A2B3C4D5E6F708192": leaf, "A1B2C3D4E5F60718293A4B5C6D7E8F9001122334": inter,
		"0F1E2D3C4B5A69788796A5B4C3D2E1F001234567": root,
	} {
		log = strings.ReplaceAll(log, old, c.Cert.Thumbprint())
	}
	log = strings.ReplaceAll(log, "44649D4C2634C2B5BD91AB9E0A70C5EAFC8B8640", thumb(interCRL))
	log = strings.ReplaceAll(log, "7A7B7C7D7E7F808182838485868788898A8B8C8D", thumb(rootCRL))
	if err := os.WriteFile(filepath.Join(dst, "real.xml"), []byte(log), 0o644); err != nil {
		return err
	}
	dir := filepath.Join(dst, "real-certs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{
		leaf.Cert.Thumbprint() + ".cer": leaf.X().Raw, "chain.pem": testpki.PEM(inter.Cert, root.Cert),
		thumb(interCRL) + ".crl": interCRL, "root.crl": rootCRL,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
