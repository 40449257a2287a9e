package certs_test

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/winchain/winchain/certs"
)

// TestParseGeneralNamesAndEqual: the one GeneralName decoder reads the
// contents of an IMPLICIT GeneralNames (as a distribution point holds it),
// and Equal compares directory names as NamesEqual does (case and white
// space prepared), URIs by their text.
func TestParseGeneralNamesAndEqual(t *testing.T) {
	name := func(cn string) []byte {
		der, err := asn1.Marshal(pkix.Name{CommonName: cn}.ToRDNSequence())
		require.NoError(t, err)
		return der
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte("http://a.test/x.crl")) })
	b.AddASN1(cbasn1.Tag(4).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(name("Issuing CA")) })
	gns, err := certs.ParseGeneralNames(b.BytesOrPanic())
	require.NoError(t, err)
	require.Len(t, gns, 2)
	require.Equal(t, certs.NameURI, gns[0].Type)
	require.Equal(t, "http://a.test/x.crl", gns[0].Value)
	require.Equal(t, certs.NameDirectory, gns[1].Type)

	require.True(t, gns[1].Equal(certs.GeneralName{Type: certs.NameDirectory, Raw: name("issuing  ca")}))
	require.False(t, gns[1].Equal(certs.GeneralName{Type: certs.NameDirectory, Raw: name("Other CA")}))
	require.True(t, gns[0].Equal(certs.GeneralName{Type: certs.NameURI, Value: "http://a.test/x.crl"}))
	require.False(t, gns[0].Equal(certs.GeneralName{Type: certs.NameURI, Value: "http://a.test/y.crl"}))
	require.False(t, gns[0].Equal(gns[1]))

	_, err = certs.ParseGeneralNames([]byte{0x30, 0x00}) // a universal tag is no GeneralName
	require.Error(t, err)
}
