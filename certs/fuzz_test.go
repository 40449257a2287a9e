package certs

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary DER to Parse (crypto/x509, then the lenient
// parser) and to everything that reads a parsed certificate, including the
// signature code. It must never panic; what loads must be consistent (see
// checkParseInvariants: X non-nil, Raw the input, RawTBSCertificate and the
// raw names and key inside it).
//
// Seeds: the PKITS certificates, the test defects (each one re-encoding that
// crypto/x509 refuses) and findings kept in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(pkitsDir, "*.crt"))
	for _, name := range files {
		if der, err := os.ReadFile(name); err == nil {
			f.Add(der)
		}
	}
	for _, d := range defects() {
		f.Add(defectDER(f, d))
	}
	f.Add([]byte{})
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x80, 0x00, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		checkParseInvariants(t, der)
	})
}
