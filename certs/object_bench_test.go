package certs_test

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/winchain/winchain/certs"
)

// BenchmarkDecodeObject: the AIA object decoder on the shared vectors, with
// the baseline in the same run: crypto/x509 parsing the same certificates
// alone (x509.ParseCertificate, what the bundle reader adds its structure
// walk, the BER conversion and the lenient fallback to).
//
//	go test -run '^$' -bench DecodeObject -benchmem ./certs
func BenchmarkDecodeObject(b *testing.B) {
	der, err := os.ReadFile(filepath.Join(testdataDir, "bundle.p7c"))
	if err != nil {
		b.Fatal(err)
	}
	o, err := certs.DecodeObject(der, "bundle.p7c", 0)
	if err != nil {
		b.Fatal(err)
	}
	var raws [][]byte
	for _, c := range o.Certificates {
		raws = append(raws, c.X.Raw)
	}
	b.Run("x509-baseline", func(b *testing.B) {
		for b.Loop() {
			for _, r := range raws {
				if _, err := x509.ParseCertificate(r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	// certs.Parse of the same certificates: what the bundle reader costs
	// on top of the certificate loader is der-bundle minus this.
	b.Run("certs.Parse", func(b *testing.B) {
		for b.Loop() {
			for _, r := range raws {
				if _, err := certs.Parse(r); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("der-bundle", func(b *testing.B) {
		for b.Loop() {
			if _, err := certs.DecodeObject(der, "bundle.p7c", 0); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The same bundle with indefinite lengths at every level: converted
	// to DER, then read.
	ber := indefinite(b, der)
	b.Run("ber-bundle", func(b *testing.B) {
		for b.Loop() {
			if _, err := certs.DecodeObject(ber, "bundle-ber.p7c", 0); err != nil {
				b.Fatal(err)
			}
		}
	})
}
