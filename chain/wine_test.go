package chain_test

// Behaviour pinned by Wine's chain.c tests, whose expectations are real
// Windows results (spec §11.1). Each test names its item and Wine chain.

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/internal/testpki"
)

// noAKI makes a root without SKI (Go adds one to every CA), so its leaves carry no AKI.
func noAKI(c *x509.Certificate) {
	c.SubjectKeyId = nil
	c.BasicConstraintsValid = false
	c.IsCA = false
}

// §11.1 item 3, chain8: without the additional store the chain is one
// element, error 0, info 0x4 (name match, from the lookup form), chain 0x10000.
func TestWinePartialChainInfoBits(t *testing.T) {
	root := testpki.NewRoot("Wine Root", testpki.ECDSA, noAKI)
	leaf := root.NewLeaf("leaf", testpki.ECDSA)
	require.Nil(t, leaf.Cert.AKI, "no AKI when the issuer has no SKI")
	cc := build(t, chain.Config{}, leaf.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 1)
	assert.Equal(t, chain.TrustStatus{ErrorStatus: 0, InfoStatus: chain.HasNameMatchIssuer}, cc.Chains[0].Elements[0].TrustStatus)
	assert.Equal(t, chain.IsPartialChain, cc.TrustStatus.ErrorStatus)
	// Every issued element carries 0x4 when the issuer has no SKI (item 1).
	cc = build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.HasNameMatchIssuer|chain.HasPreferredIssuer, elementInfo(cc)[0])
}

// §11.1 item 2: the untrusted root is reported in preference to
// INVALID_BASIC_CONSTRAINTS (chain3/chain4/chain8) under BASE and SSL.
func TestWineUntrustedRootBeforeBasicConstraints(t *testing.T) {
	root := testpki.NewRoot("Wine Root", testpki.ECDSA)
	notCA := root.NewIntermediate("Not a CA", testpki.ECDSA, func(c *x509.Certificate) { c.IsCA = false })
	leaf := notCA.NewLeaf("leaf", testpki.ECDSA)
	cc := build(t, chain.Config{}, leaf.Cert, chain.Params{Additional: chain.NewStore("x", notCA.Cert, root.Cert)})
	assert.Equal(t, chain.InvalidBasicConstraints|chain.IsUntrustedRoot, cc.TrustStatus.ErrorStatus)
	for _, pol := range []chain.Policy{chain.PolicyBase, chain.PolicySSL} {
		st := chain.VerifyPolicy(cc, pol, chain.PolicyPara{})
		assert.Equal(t, chain.CERT_E_UNTRUSTEDROOT, st.Error, pol)
		assert.Equal(t, [2]int{0, 2}, [2]int{st.ChainIndex, st.ElementIndex})
	}
	st := chain.VerifyPolicy(cc, chain.PolicyBasicConstraints, chain.PolicyPara{})
	assert.Equal(t, chain.TRUST_E_BASIC_CONSTRAINTS, st.Error)
	assert.Equal(t, [2]int{0, 1}, [2]int{st.ChainIndex, st.ElementIndex})
}

// §11.1 item 2, chain12-style: a bad signature on element 1 beats the
// untrusted root: TRUST_E_CERT_SIGNATURE at 0/1.
func TestWineBadRootSignature(t *testing.T) {
	root := testpki.NewRoot("Wine Root", testpki.ECDSA)
	// Corrupt the root's signature and re-parse.
	der := append([]byte(nil), root.Cert.X.Raw...)
	der[len(der)-3] ^= 0xff
	bad, err := certs.Parse(der)
	require.NoError(t, err)
	leaf := root.NewLeaf("leaf", testpki.ECDSA)
	cc := build(t, chain.Config{}, leaf.Cert, chain.Params{Additional: chain.NewStore("x", bad)})
	require.Len(t, cc.Chains[0].Elements, 2)
	assert.Equal(t, chain.IsNotSignatureValid|chain.IsUntrustedRoot, elementErrors(cc)[1])
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.TRUST_E_CERT_SIGNATURE, st.Error)
	assert.Equal(t, [2]int{0, 1}, [2]int{st.ChainIndex, st.ElementIndex})
}

// §11.1 item 5: IS_NOT_TIME_NESTED (0x2) is never set; a leaf outliving its
// issuer is fine while both are valid at pTime (chain2/chain8/chain13).
func TestWineNoTimeNesting(t *testing.T) {
	root := testpki.NewRoot("Short Root", testpki.ECDSA, func(c *x509.Certificate) { c.NotAfter = testTime.AddDate(0, 1, 0) })
	leaf := root.NewLeaf("long", testpki.ECDSA, func(c *x509.Certificate) { c.NotAfter = testTime.AddDate(5, 0, 0) })
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	// Later, only the expired root carries NOT_TIME_VALID.
	cc = build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{Time: testTime.AddDate(0, 2, 0)})
	assert.Equal(t, []chain.ErrorStatus{0, chain.IsNotTimeValid}, elementErrors(cc))
}

// §11.1 items 6 and 9: the obsolete SAN 2.5.29.7 is honoured like 2.5.29.17,
// for name constraints and for SSL name matching (chain29).
func TestWineObsoleteSAN(t *testing.T) {
	sanDER, err := asn1.Marshal([]asn1.RawValue{{Class: 2, Tag: 2, Bytes: []byte("*.winehq.org")}})
	require.NoError(t, err)
	root := testpki.NewRoot("Wine Root", testpki.ECDSA, func(c *x509.Certificate) { c.PermittedDNSDomains = []string{"winehq.org"} })
	leaf := root.NewLeaf("Cert2", testpki.ECDSA, func(c *x509.Certificate) {
		c.DNSNames = nil
		c.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 7}, Critical: true, Value: sanDER}}
	})
	require.True(t, leaf.Cert.HasSAN)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus, "a critical 2.5.29.7 is supported")
	assert.NotZero(t, elementInfo(cc)[1]&chain.HasValidNameConstraints)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "test.winehq.org"}).OK())
	assert.Equal(t, chain.CERT_E_CN_NO_MATCH, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "winehq.org"}).Error)
	assert.Equal(t, chain.CERT_E_CN_NO_MATCH, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{ServerName: "a.b.winehq.org"}).Error)
}

// §11.1 item 7: a self-signed root without basicConstraints is fine.
func TestWineRootWithoutBasicConstraints(t *testing.T) {
	root := testpki.NewRoot("No BC Root", testpki.ECDSA, func(c *x509.Certificate) { c.BasicConstraintsValid = false; c.IsCA = false })
	leaf := root.NewLeaf("leaf", testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
}

// §11.1 item 10: success indexes are -1/-1 for BASE, SSL and
// BASIC_CONSTRAINTS.
func TestWineSuccessIndexes(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}, k.leaf.Cert, chain.Params{})
	for _, pol := range []chain.Policy{chain.PolicyBase, chain.PolicySSL, chain.PolicyBasicConstraints} {
		st := chain.VerifyPolicy(cc, pol, chain.PolicyPara{})
		assert.Equal(t, chain.PolicyStatus{Policy: pol, ChainIndex: -1, ElementIndex: -1}, st, pol)
	}
}

// §11.1 item 14: a bare TBSCertificate does not load (Windows:
// CRYPT_E_ASN1_BADTAG); the error names the input.
func TestWineBareTBSDoesNotLoad(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	_, err := certs.ParseAll(k.leaf.Cert.X.RawTBSCertificate, "tbs.der")
	require.Error(t, err)
	var pe *certs.ParseError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, "tbs.der", pe.Input)
}

// The SSL policy reports the revocation bits the engine set: offline →
// CRYPT_E_REVOCATION_OFFLINE, unknown alone → CRYPT_E_NO_REVOCATION_CHECK,
// and the position decides the ignore flag (spec §2.3).
func TestPolicyRevocationBits(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}, k.leaf.Cert, chain.Params{})
	set := func(i int, bits chain.ErrorStatus) {
		cc.Chains[0].Elements[i].TrustStatus.ErrorStatus |= bits
		cc.Chains[0].TrustStatus.ErrorStatus |= bits
		cc.TrustStatus.ErrorStatus |= bits
	}
	set(1, chain.RevocationStatusUnknown|chain.IsOfflineRevocation)
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CRYPT_E_REVOCATION_OFFLINE, st.Error)
	assert.Equal(t, 1, st.ElementIndex)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreCARevUnknown}).OK())
	assert.False(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreEndRevUnknown}).OK())
	set(0, chain.RevocationStatusUnknown)
	st = chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreCARevUnknown})
	assert.Equal(t, chain.CRYPT_E_NO_REVOCATION_CHECK, st.Error)
	assert.Equal(t, 0, st.ElementIndex)
	set(0, chain.IsRevoked)
	st = chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreAllRevUnknown | chain.IgnoreAllNotTimeValid | chain.IgnoreWrongUsage})
	assert.Equal(t, chain.CRYPT_E_REVOKED, st.Error, "revoked is not ignorable in BASE (S29)")
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{SSLChecks: chain.SSLIgnoreRevocation}).OK())
}

// spec §11.3: a CRL that writes version 0 (v1) explicitly is refused by
// crypto/x509 ("unsupported crl version"); Windows loads v1 CRLs, and so
// does winchain's one CRL parser.
func TestV1CRLLoads(t *testing.T) {
	root := testpki.NewRoot("CRL Root", testpki.ECDSA)
	der := root.CRL(1, testTime, testTime.Add(time.Hour), time.Time{})
	// TBSCertList starts SEQUENCE { INTEGER 1 (v2) ...: make it INTEGER 0.
	i := bytes.Index(der, []byte{0x02, 0x01, 0x01})
	require.Positive(t, i)
	der[i+2] = 0
	_, xerr := x509.ParseRevocationList(der)
	require.ErrorContains(t, xerr, "unsupported crl version")
	crls, err := certs.ParseCRLs(der, "old.crl")
	require.NoError(t, err)
	assert.Equal(t, 1, crls[0].Version)
}
