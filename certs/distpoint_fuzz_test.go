package certs

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// pkitsExtensions returns the values of extension oid in the PKITS CRLs and
// certificates (fuzz seeds from testdata).
func pkitsExtensions(oid asn1.ObjectIdentifier) [][]byte {
	var out [][]byte
	crls, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "crls", "*.crl"))
	for _, p := range crls {
		der, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if crl, err := ParseCRL(der); err == nil {
			for _, e := range crl.Extensions {
				if e.Id.Equal(oid) {
					out = append(out, e.Value)
				}
			}
		}
	}
	cs, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "certs", "*distributionPoint*.crt"))
	more, _ := filepath.Glob(filepath.Join("..", "testdata", "pkits", "certs", "*cRLIssuer*.crt"))
	for _, p := range append(cs, more...) {
		der, _ := os.ReadFile(p)
		if c, err := x509.ParseCertificate(der); err == nil {
			for _, e := range c.Extensions {
				if e.Id.Equal(oid) {
					out = append(out, e.Value)
				}
			}
		}
	}
	return out
}

// uriCDP is a CRL distribution points value with one fullName of URIs.
func uriCDP(uris ...string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(tagCtx0C, func(b *cryptobyte.Builder) {
				b.AddASN1(tagCtx0C, func(b *cryptobyte.Builder) {
					for _, u := range uris {
						b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(u)) })
					}
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// FuzzParseIssuingDistributionPoint: the IssuingDistributionPoint parser
// never panics, and what it accepts keeps its invariants (reasons within
// ReasonFlags bits 1-8; relative names expand to one directoryName).
func FuzzParseIssuingDistributionPoint(f *testing.F) {
	for _, v := range pkitsExtensions(OIDIssuingDistPoint) {
		f.Add(v)
	}
	f.Add([]byte{0x30, 0x03, 0x81, 0x01, 0xff})
	f.Add([]byte{0x30, 0x00})
	base := []byte{0x30, 0x0f, 0x31, 0x0d, 0x30, 0x0b, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x04, 'F', 'u', 'z', 'z'}
	f.Fuzz(func(t *testing.T, der []byte) {
		idp, err := ParseIssuingDistributionPoint(der)
		if err != nil {
			return
		}
		if idp.Reasons&^AllReasons != 0 {
			t.Fatalf("reasons %#x outside ReasonFlags", idp.Reasons)
		}
		if idp.Name != nil && idp.Name.Relative != nil {
			if n := idp.Name.Names(base); len(n) > 1 {
				t.Fatalf("relative name expanded to %d names", len(n))
			}
		}
	})
}

// FuzzParseDistributionPoints: the CDP / Freshest CRL parser never panics;
// URIs it returns are the bytes of the input; and the lenient view
// (x509.Certificate.CRLDistributionPoints of a leniently parsed
// certificate) accepts whatever the strict one does, with the same URIs
// (the strict view also reads a constructed [6], which crypto/x509 and the
// lenient view skip, so equality is checked when no 0xa6 byte occurs).
func FuzzParseDistributionPoints(f *testing.F) {
	for _, v := range pkitsExtensions(asn1.ObjectIdentifier{2, 5, 29, 31}) {
		f.Add(v)
	}
	for _, v := range pkitsExtensions(OIDFreshestCRL) {
		f.Add(v)
	}
	f.Add(uriCDP("http://pki.example.test/a.crl", "ldap://x"))
	f.Fuzz(func(t *testing.T, der []byte) {
		lenient, lerr := distributionPointURIs(der)
		dps, err := ParseDistributionPoints(der)
		if err != nil {
			return
		}
		var strict []string
		for i := range dps {
			if dps[i].Reasons&^AllReasons != 0 {
				t.Fatalf("reasons %#x outside ReasonFlags", dps[i].Reasons)
			}
			for _, u := range dps[i].URIs() {
				if !bytes.Contains(der, []byte(u)) {
					t.Fatalf("URI %q not in the input", u)
				}
				strict = append(strict, u)
			}
		}
		if lerr != nil {
			t.Fatalf("strict parse accepted what the lenient view refuses: %v", lerr)
		}
		if bytes.IndexByte(der, 0xa6) < 0 && !slices.Equal(strict, lenient) {
			t.Fatalf("strict URIs %q, lenient %q", strict, lenient)
		}
	})
}
