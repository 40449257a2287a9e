package certs_test

import (
	"bytes"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winchain/winchain/certs"
)

// FuzzParseCRLs feeds arbitrary bytes to ParseCRLs, the loader of --crl
// files (one DER CRL or PEM "X509 CRL" blocks). Properties: it never
// panics; an error is a *certs.ParseError naming the input; a success
// returns at least one CRL and no more than the PEM blocks (one for DER),
// none nil.
//
// Seeds: every PKITS CRL, one as PEM, and a PEM bundle of two.
func FuzzParseCRLs(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(filepath.Join("..", "testdata", "pkits"), "crls", "*.crl"))
	var two [][]byte
	for _, name := range files {
		der, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		f.Add(der)
		if len(two) < 2 {
			two = append(two, pemCRL(der))
		}
	}
	f.Add(bytes.Join(two, nil))
	f.Add([]byte("-----BEGIN X509 CRL-----\n-----END X509 CRL-----\n"))
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		crls, err := certs.ParseCRLs(data, "fuzz.crl")
		if err != nil {
			var ie *certs.ParseError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), "fuzz.crl") {
				t.Fatalf("error does not name the input: %T %v", err, err)
			}
			return
		}
		max := 1
		if bytes.Contains(data, []byte("-----BEGIN ")) {
			max = bytes.Count(data, []byte("-----BEGIN "))
		}
		if len(crls) == 0 || len(crls) > max {
			t.Fatalf("%d CRLs from input with %d blocks", len(crls), max)
		}
		for _, c := range crls {
			if c == nil {
				t.Fatal("nil CRL")
			}
			// Every entry walked is found again by its serial.
			n := 0
			for e := range c.Entries() {
				n++
				if _, ok := c.Lookup(e.SerialNumber); !ok {
					t.Fatalf("entry %d (serial %x) not found by its serial", n, e.SerialNumber)
				}
			}
			if n != c.Len() {
				t.Fatalf("%d entries walked, %d indexed", n, c.Len())
			}
		}
	})
}

func pemCRL(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
}
