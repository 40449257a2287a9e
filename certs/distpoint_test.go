package certs_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

var (
	tagDPName    = cbasn1.Tag(0).Constructed().ContextSpecific() // distributionPoint [0]
	tagFullName  = cbasn1.Tag(0).Constructed().ContextSpecific() // fullName [0]
	tagRelative  = cbasn1.Tag(1).Constructed().ContextSpecific() // nameRelativeToCRLIssuer [1]
	tagReasons   = cbasn1.Tag(1).ContextSpecific()               // reasons [1]
	tagCRLIssuer = cbasn1.Tag(2).Constructed().ContextSpecific() // cRLIssuer [2]
	tagDirName   = cbasn1.Tag(4).Constructed().ContextSpecific() // directoryName [4]
	tagURI       = cbasn1.Tag(6).ContextSpecific()               // uniformResourceIdentifier [6]
)

// cdpWithEveryForm is a CRL distribution points extension with the three
// forms a CA writes: (1) a URI with reasons keyCompromise and cACompromise
// and a cRLIssuer directoryName (an indirect CRL, spec §3.3), (2) a
// nameRelativeToCRLIssuer CN=Reasons CRL (PKITS 4.14.4), (3) a fullName
// with a directoryName, an HTTP and an LDAP URI.
func cdpWithEveryForm(t *testing.T, crlIssuer, dirName []byte) []byte {
	rdn, err := asn1.Marshal(pkix.AttributeTypeAndValue{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Reasons CRL"})
	require.NoError(t, err)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(tagDPName, func(b *cryptobyte.Builder) {
				b.AddASN1(tagFullName, func(b *cryptobyte.Builder) {
					b.AddASN1(tagURI, func(b *cryptobyte.Builder) { b.AddBytes([]byte("http://crl.example.test/indirect.crl")) })
				})
			})
			// ReasonFlags keyCompromise (bit 1) and cACompromise (bit 2):
			// one byte 0x60, 5 unused bits.
			b.AddASN1(tagReasons, func(b *cryptobyte.Builder) { b.AddBytes([]byte{0x05, 0x60}) })
			b.AddASN1(tagCRLIssuer, func(b *cryptobyte.Builder) {
				b.AddASN1(tagDirName, func(b *cryptobyte.Builder) { b.AddBytes(crlIssuer) })
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(tagDPName, func(b *cryptobyte.Builder) {
				b.AddASN1(tagRelative, func(b *cryptobyte.Builder) { b.AddBytes(rdn) })
			})
		})
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(tagDPName, func(b *cryptobyte.Builder) {
				b.AddASN1(tagFullName, func(b *cryptobyte.Builder) {
					b.AddASN1(tagDirName, func(b *cryptobyte.Builder) { b.AddBytes(dirName) })
					b.AddASN1(tagURI, func(b *cryptobyte.Builder) { b.AddBytes([]byte("http://crl.example.test/ca.crl")) })
					b.AddASN1(tagURI, func(b *cryptobyte.Builder) {
						b.AddBytes([]byte("ldap:///CN=CA,O=Example?certificateRevocationList"))
					})
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// uriSets lists the URIs of each distribution point, as revocation reads
// them.
func uriSets(dps []certs.DistributionPoint) []string {
	var out []string
	for i := range dps {
		out = append(out, dps[i].URIs()...)
	}
	return out
}

// TestDistributionPointsEveryForm: a certificate whose CDP carries a
// cRLIssuer with reasons and a nameRelativeToCRLIssuer. crypto/x509 refuses
// it (the relative name), so it loads through the lenient parser; its
// CRLDistributionPoints and what revocation reads with
// certs.ParseDistributionPoints come from the one parser and agree.
func TestDistributionPointsEveryForm(t *testing.T) {
	ca := testpki.NewRoot("DP Test CA", testpki.ECDSA)
	other := testpki.NewRoot("Indirect CRL Issuer", testpki.ECDSA)
	value := cdpWithEveryForm(t, other.X().RawSubject, ca.X().RawSubject)
	leaf := ca.NewLeaf("dp.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtraExtensions = append(c.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 31}, Value: value})
	})
	_, x509Err := x509.ParseCertificate(leaf.Cert.X.Raw)
	require.Error(t, x509Err, "crypto/x509 refuses a nameRelativeToCRLIssuer")
	require.True(t, leaf.Cert.Lenient)

	dps, err := certs.ParseDistributionPoints(value)
	require.NoError(t, err)
	require.Len(t, dps, 3)

	require.Equal(t, []string{"http://crl.example.test/indirect.crl"}, dps[0].URIs())
	require.Equal(t, uint16(1<<1|1<<2), dps[0].Reasons)
	require.Len(t, dps[0].CRLIssuer, 1)
	require.True(t, dps[0].CRLIssuer[0].Equal(certs.GeneralName{Type: certs.NameDirectory, Raw: other.X().RawSubject}))

	require.Nil(t, dps[1].URIs())
	require.Equal(t, certs.AllReasons, dps[1].Reasons, "no reasons field: every reason")
	require.Nil(t, dps[1].CRLIssuer)
	names := dps[1].Name.Names(ca.X().RawSubject)
	require.Len(t, names, 1)
	rdn, err := certs.ParseName(names[0].Raw)
	require.NoError(t, err)
	issuerRDN, err := certs.ParseName(ca.X().RawSubject)
	require.NoError(t, err)
	require.Equal(t, issuerRDN, rdn[:len(rdn)-1], "the relative name is appended to the CRL issuer's name")
	require.Equal(t, pkix.RelativeDistinguishedNameSET{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "Reasons CRL"}}, rdn[len(rdn)-1])

	require.Equal(t, []string{"http://crl.example.test/ca.crl", "ldap:///CN=CA,O=Example?certificateRevocationList"}, dps[2].URIs())
	require.Len(t, dps[2].Name.FullName, 3)
	require.Equal(t, certs.NameDirectory, dps[2].Name.FullName[0].Type)

	want := []string{"http://crl.example.test/indirect.crl", "http://crl.example.test/ca.crl",
		"ldap:///CN=CA,O=Example?certificateRevocationList"}
	require.Equal(t, want, uriSets(dps))
	require.Equal(t, want, leaf.Cert.X.CRLDistributionPoints, "the lenient certificate's CDP URLs")
}

// TestDistributionPointsPKITS: for every PKITS certificate with a CRL
// distribution points extension (4.14.x), the one parser reads it, and the
// URLs the certificate carries (crypto/x509's CRLDistributionPoints, or the
// lenient parser's for the ones crypto/x509 refuses) are the URIs
// revocation reads.
func TestDistributionPointsPKITS(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "pkits", "certs", "*.crt"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	seen, relative, withIssuer, lenient := 0, 0, 0, 0
	for _, p := range files {
		der, err := os.ReadFile(p)
		require.NoError(t, err)
		c, err := certs.Parse(der)
		if err != nil {
			continue
		}
		for _, e := range c.X.Extensions {
			if !e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 31}) {
				continue
			}
			seen++
			dps, err := certs.ParseDistributionPoints(e.Value)
			require.NoError(t, err, p)
			for _, dp := range dps {
				if dp.Name != nil && dp.Name.Relative != nil {
					relative++
				}
				if dp.CRLIssuer != nil {
					withIssuer++
				}
			}
			if c.Lenient {
				lenient++
			}
			require.Equal(t, uriSets(dps), c.X.CRLDistributionPoints, p)
		}
	}
	require.Greater(t, seen, 10)
	require.Positive(t, relative, "PKITS 4.14.4-4.14.6 carry nameRelativeToCRLIssuer")
	require.Positive(t, withIssuer, "PKITS 4.14.28-4.14.35 carry cRLIssuer")
	require.Positive(t, lenient, "crypto/x509 refuses the relative names")
}

// TestParseIssuingDistributionPoint reads the IDP of PKITS CRLs: every one
// parses, and reasons stay within AllReasons.
func TestParseIssuingDistributionPoint(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "pkits", "crls", "*.crl"))
	require.NoError(t, err)
	seen, onlySome := 0, 0
	for _, p := range files {
		der, err := os.ReadFile(p)
		require.NoError(t, err)
		crl, err := certs.ParseCRL(der)
		if err != nil {
			continue
		}
		for _, e := range crl.Extensions {
			if !e.Id.Equal(certs.OIDIssuingDistPoint) {
				continue
			}
			seen++
			idp, err := certs.ParseIssuingDistributionPoint(e.Value)
			require.NoError(t, err, p)
			require.Zero(t, idp.Reasons&^certs.AllReasons, p)
			if idp.Reasons != certs.AllReasons {
				onlySome++
			}
		}
	}
	require.Greater(t, seen, 10)
	require.Positive(t, onlySome, "PKITS 4.14.x onlySomeReasons CRLs")
	_, err = certs.ParseIssuingDistributionPoint([]byte{0x30, 0x03, 0x81, 0x01, 0xff, 0x00})
	require.EqualError(t, err, "malformed extension")
}
