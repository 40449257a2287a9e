package certs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// fuzzPEMSeeds are the PEM files of testdata: single certificates, bundles,
// a private key (wrong type) and a PKCS#7 in PEM.
func fuzzPEMSeeds() [][]byte {
	var out [][]byte
	for _, pat := range []string{"../testdata/demo/*.pem", "../testdata/aia/*.pem"} {
		files, _ := filepath.Glob(pat)
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

// FuzzParseAll feeds arbitrary bytes to ParseAll, the loader behind every
// --root/--ca/--extra file and the verified certificate (DER or a PEM
// bundle). Properties: it never panics; an error is a *ParseError whose
// message starts with the input name; a success returns at least one
// certificate, no more than the PEM blocks in the input (one for DER), each
// one satisfying the Parse invariants.
//
// Seeds: the demo and AIA PEM files (single, bundle, private key, PKCS#7),
// a handful of PKITS DER certificates, and both glued together.
func FuzzParseAll(f *testing.F) {
	pems := fuzzPEMSeeds()
	for _, b := range pems {
		f.Add(b)
	}
	files, _ := filepath.Glob(filepath.Join(pkitsDir, "*.crt"))
	for i, name := range files {
		if i%40 != 0 { // a sample: the FuzzParse corpus already has all of them
			continue
		}
		if der, err := os.ReadFile(name); err == nil {
			f.Add(der)
		}
	}
	f.Add(bytes.Join(pems, []byte("\n")))
	// PKCS#7 bundles, DER, BER and PEM (the AIA object vectors).
	for _, name := range []string{"bundle.p7c", "bundle-ber.p7c", "bundle-p7c.pem", "nocerts.p7c", "truncated.p7c"} {
		if b, err := os.ReadFile(filepath.Join("..", "testdata", "aia", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("-----BEGIN "))
	f.Add([]byte(" \n\t"))
	f.Add([]byte{0x30})
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseAll(data, "fuzz.pem")
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, not *ParseError: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "fuzz.pem") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		if len(cs) == 0 {
			t.Fatal("no error and no certificate")
		}
		max := 1
		if LooksPEM(data) {
			max = bytes.Count(data, []byte("-----BEGIN "))
		}
		// A PKCS#7 bundle (DER, BER or a PEM PKCS7/CMS block) holds up to
		// MaxBundleCertificates.
		if LooksPKCS7(data) || indefinite(data) || bytes.Contains(data, []byte("-----BEGIN PKCS7")) || bytes.Contains(data, []byte("-----BEGIN CMS")) {
			max *= MaxBundleCertificates
		}
		if len(cs) > max {
			t.Fatalf("%d certificates from %d PEM blocks or bundles", len(cs), max)
		}
		for _, c := range cs {
			if c == nil || c.X == nil || len(c.X.Raw) == 0 {
				t.Fatal("nil or empty certificate")
			}
			checkParseInvariants(t, c.X.Raw)
		}
	})
}

// extensionValues returns the raw values of the extensions with the given
// OID in the PKITS certificates: seeds for the GeneralNames and name
// constraints parsers.
func extensionValues(tb testing.TB, want []int) [][]byte {
	var out [][]byte
	files, _ := filepath.Glob(filepath.Join(pkitsDir, "*.crt"))
	for _, name := range files {
		der, err := os.ReadFile(name)
		if err != nil {
			continue
		}
		c, err := Parse(der)
		if err != nil {
			continue
		}
		for _, e := range c.X.Extensions {
			if e.Id.Equal(want) {
				out = append(out, e.Value)
			}
		}
	}
	return out
}

// FuzzNameConstraints feeds arbitrary DER to the name constraints and
// GeneralNames parsers (the lenient ones that keep every subtree form
// crypto/x509 drops). Properties: they never panic; every decoded name
// prints (String); an accepted NameConstraints re-encodes its subtrees to
// the same count when parsed again from a rebuilt SEQUENCE.
//
// Seeds: the nameConstraints and subjectAltName extension values of the
// PKITS certificates (section 4.13 has every form).
func FuzzNameConstraints(f *testing.F) {
	for _, v := range extensionValues(f, []int{2, 5, 29, 30}) {
		f.Add(v)
	}
	for _, v := range extensionValues(f, []int{2, 5, 29, 17}) {
		f.Add(v)
	}
	f.Add([]byte{0x30, 0x00})
	f.Add([]byte{0x30, 0x04, 0xa0, 0x02, 0x30, 0x00})
	f.Fuzz(func(t *testing.T, der []byte) {
		if gns, err := parseGeneralNames(der); err == nil {
			for _, g := range gns {
				_ = g.String()
				_ = g.IsUPN()
			}
		}
		nc, err := parseNameConstraints(der)
		if err != nil {
			return
		}
		// Rebuild the extension from what was kept and parse it again: the
		// same number of subtrees must come back.
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for i, sts := range [][]Subtree{nc.Permitted, nc.Excluded} {
				if len(sts) == 0 {
					continue
				}
				b.AddASN1(cbasn1.Tag(i).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, st := range sts {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
							b.AddBytes(encodeGeneralName(st.Base))
						})
					}
				})
			}
		})
		again, err := parseNameConstraints(b.BytesOrPanic())
		if err != nil {
			t.Fatalf("re-encoded name constraints do not parse: %v", err)
		}
		if len(again.Permitted) != len(nc.Permitted) || len(again.Excluded) != len(nc.Excluded) {
			t.Fatalf("subtrees %d/%d became %d/%d", len(nc.Permitted), len(nc.Excluded), len(again.Permitted), len(again.Excluded))
		}
		for _, st := range append(append([]Subtree(nil), nc.Permitted...), nc.Excluded...) {
			_ = st.Base.String()
		}
	})
}

// encodeGeneralName re-encodes a decoded GeneralName (for the round trip).
func encodeGeneralName(g GeneralName) []byte {
	var b cryptobyte.Builder
	tag := cbasn1.Tag(g.Type).ContextSpecific()
	switch g.Type {
	case NameRFC822, NameDNS, NameURI:
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes([]byte(g.Value)) })
	case NameOther:
		return g.Raw // the full element
	case NameDirectory:
		b.AddASN1(tag.Constructed(), func(b *cryptobyte.Builder) { b.AddBytes(g.Raw) })
	default:
		b.AddASN1(tag, func(b *cryptobyte.Builder) { b.AddBytes(g.Raw) })
	}
	return b.BytesOrPanic()
}
