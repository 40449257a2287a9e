package chain_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/testpki"
)

// spec §11.1 item 9 and §2.3: SSL name matching.
func TestSSLServerName(t *testing.T) {
	root := testpki.NewRoot("SSL Root", testpki.ECDSA)
	wild := root.NewLeaf("Cert2", testpki.ECDSA, func(c *x509.Certificate) { c.DNSNames = []string{"*.winehq.org"} })
	cases := []struct {
		host string
		want bool
	}{
		{"test.winehq.org", true},
		{"TEST.WineHQ.org", true},
		{"winehq.org", false},
		{"a.b.winehq.org", false},
		{"Cert2", false}, // with a SAN the CN is not used
	}
	for _, c := range cases {
		assert.Equal(t, c.want, chain.MatchServerName(wild.Cert, c.host), c.host)
	}
	// Without a SAN every CN of the subject is tried (Wine chain31).
	multi := root.NewLeaf("foo.com", testpki.ECDSA, func(c *x509.Certificate) {
		c.DNSNames = nil
		c.Subject = pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "foo.com"},
			{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "a.foo.com"},
		}}
	})
	assert.True(t, chain.MatchServerName(multi.Cert, "foo.com"))
	assert.True(t, chain.MatchServerName(multi.Cert, "a.foo.com"))
	assert.False(t, chain.MatchServerName(multi.Cert, "afoo.com"))
	ipLeaf := root.NewLeaf("ip", testpki.ECDSA, func(c *x509.Certificate) { c.DNSNames = nil; c.IPAddresses = []net.IP{net.ParseIP("192.0.2.7")} })
	assert.True(t, chain.MatchServerName(ipLeaf.Cert, "192.0.2.7"))

	// The policy: CERT_E_CN_NO_MATCH at 0/0, only when all else passed, and
	// skipped with SECURITY_FLAG_IGNORE_CERT_CN_INVALID.
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, wild.Cert, chain.Params{})
	st := chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "winehq.org"})
	assert.Equal(t, chain.CERT_E_CN_NO_MATCH, st.Error)
	assert.Equal(t, [2]int{0, 0}, [2]int{st.ChainIndex, st.ElementIndex})
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "winehq.org", SSLChecks: chain.SSLIgnoreCertCNInvalid}).OK())
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "www.winehq.org"}).OK())
	// Untrusted root is reported before the name (Wine).
	cc = build(t, chain.Config{}, wild.Cert, chain.Params{Additional: chain.NewStore("x", root.Cert)})
	assert.Equal(t, chain.CERT_E_UNTRUSTEDROOT, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "winehq.org"}).Error)
}

func TestSSLAuthTypeUsage(t *testing.T) {
	root := testpki.NewRoot("SSL Root", testpki.ECDSA)
	clientOnly := root.NewLeaf("client.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	})
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, clientOnly.Cert, chain.Params{})
	st := chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "client.example.test"})
	assert.Equal(t, chain.CERT_E_WRONG_USAGE, st.Error)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{AuthType: chain.AuthClient}).OK())
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "client.example.test", SSLChecks: chain.SSLIgnoreWrongUsage}).OK())
}

// spec §11.1 item 6: name constraint bits go on the CA that carries the
// constraint; matching is case-insensitive; wildcard constraints permit
// nothing; a SAN with an embedded NUL gives 0x900 on the CA.
func TestNameConstraints(t *testing.T) {
	mk := func(mod func(*x509.Certificate)) *testpki.CA {
		return testpki.NewRoot("NC Root", testpki.ECDSA, mod)
	}
	cases := []struct {
		name      string
		permitted []string
		excluded  []string
		leafDNS   []string
		want      chain.ErrorStatus
	}{
		{"permitted, case-insensitive", []string{"A.com"}, nil, []string{"a.COM"}, 0},
		{"subdomain permitted", []string{"a.com"}, nil, []string{"www.a.com"}, 0},
		{"label boundary (PKITS 4.13.38)", []string{"a.com"}, nil, []string{"xa.com"}, chain.HasNotPermittedNameConstraint},
		{"not permitted", []string{"a.com"}, nil, []string{"b.com"}, chain.HasNotPermittedNameConstraint},
		{"wildcard constraint permits nothing", []string{"*.com"}, nil, []string{"a.com"}, chain.HasNotPermittedNameConstraint},
		{"excluded", nil, []string{"bad.com"}, []string{"www.bad.com"}, chain.HasExcludedNameConstraint},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := mk(func(r *x509.Certificate) {
				r.PermittedDNSDomains = c.permitted
				r.ExcludedDNSDomains = c.excluded
			})
			leaf := root.NewLeaf("nc", testpki.ECDSA, func(l *x509.Certificate) { l.DNSNames = c.leafDNS })
			cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
			errs := elementErrors(cc)
			assert.Equal(t, chain.ErrorStatus(0), errs[0], "never on the leaf")
			assert.Equal(t, c.want, errs[1])
			if c.want == 0 {
				assert.NotZero(t, elementInfo(cc)[1]&chain.HasValidNameConstraints)
				return
			}
			st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
			assert.Equal(t, chain.CERT_E_INVALID_NAME, st.Error)
			assert.Equal(t, 1, st.ElementIndex)
			assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreInvalidName}).OK())
		})
	}
	t.Run("NUL in SAN", func(t *testing.T) {
		root := mk(func(r *x509.Certificate) { r.PermittedDNSDomains = []string{"a.com"} })
		sanDER, err := asn1.Marshal([]asn1.RawValue{{Class: 2, Tag: 2, Bytes: []byte("evil.com\x00.a.com")}})
		require.NoError(t, err)
		leaf := root.NewLeaf("nul", testpki.ECDSA, func(l *x509.Certificate) {
			l.DNSNames = nil
			l.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: sanDER}}
		})
		cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
		assert.Equal(t, chain.InvalidNameConstraints|chain.InvalidExtension, elementErrors(cc)[1]&(chain.InvalidNameConstraints|chain.InvalidExtension))
	})
}
