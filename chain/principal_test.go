package chain_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/testpki"
)

// The msstd: rules of MatchPrincipalName: subject CN or SAN dNSName,
// case-insensitive and literal (a wildcard certificate needs the wildcard
// as the principal name), e-mail names only for a name with an @.
func TestMatchPrincipalName(t *testing.T) {
	root := testpki.NewRoot("PN Root", testpki.ECDSA)
	leaf := root.NewLeaf("mail.contoso.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.DNSNames = []string{"mail.contoso.test", "owa.contoso.test", "*.apps.contoso.test"}
		c.EmailAddresses = []string{"exchange@contoso.test"}
	})
	cnOnly := root.NewLeaf("legacy.contoso.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.DNSNames = nil
		c.Subject = pkix.Name{CommonName: "legacy.contoso.test"}
	})
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"mail.contoso.test", true},
		{"OWA.Contoso.Test", true},     // case-insensitive
		{"owa.contoso.test.", true},    // trailing dot
		{"x.apps.contoso.test", false}, // literal: no wildcard expansion
		{"*.apps.contoso.test", true},
		{"autodiscover.contoso.test", false},
		{"exchange@contoso.test", true},
		{"contoso.test", false},
	} {
		assert.Equal(t, tc.want, chain.MatchPrincipalName(leaf.Cert, tc.name), tc.name)
	}
	assert.True(t, chain.MatchPrincipalName(cnOnly.Cert, "legacy.contoso.test"), "subject CN without a SAN")
	assert.False(t, chain.MatchPrincipalName(nil, "x"))
}

func TestParsePrincipalName(t *testing.T) {
	n, err := chain.ParsePrincipalName("msstd:mail.contoso.test")
	require.NoError(t, err)
	assert.Equal(t, "mail.contoso.test", n)
	n, err = chain.ParsePrincipalName("MSSTD:mail.contoso.test")
	require.NoError(t, err)
	assert.Equal(t, "mail.contoso.test", n)
	for _, bad := range []string{"mail.contoso.test", "msstd:", "msfull:CN=x", ""} {
		_, err := chain.ParsePrincipalName(bad)
		var pe *chain.PrincipalNameError
		require.ErrorAs(t, err, &pe, bad)
		assert.Contains(t, err.Error(), "msstd:", bad)
	}
}
