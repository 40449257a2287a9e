//go:debug rsa1024min=0

package chain_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// A 512-bit RSA issuer key is below MinRsaPubKeyBitLength (1023, spec §8):
// the certificate it signed gets HAS_WEAK_SIGNATURE | IS_NOT_SIGNATURE_VALID
// and the policy reports TRUST_E_CERT_SIGNATURE; with the registry value
// 0xFFFFFFFF the check is off.
func TestWeakRSAIssuerKey(t *testing.T) {
	root := testpki.NewRoot("Weak Root", testpki.ECDSA)
	weakKey, err := rsa.GenerateKey(rand.Reader, 512)
	require.NoError(t, err)
	weakCA := root.IssueWithKey(testpki.Template("Weak CA", true), weakKey)
	leaf := weakCA.NewLeaf("weak.example.test", testpki.ECDSA)
	cfg := chain.Config{Root: chain.NewStore("Root", root.Cert), CA: chain.NewStore("CA", weakCA.Cert)}
	cc := build(t, cfg, leaf.Cert, chain.Params{})
	assert.Equal(t, []chain.ErrorStatus{chain.HasWeakSignature | chain.IsNotSignatureValid, 0, 0}, elementErrors(cc))
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.TRUST_E_CERT_SIGNATURE, st.Error)
	assert.Equal(t, 0, st.ElementIndex)

	cfg.MinRSAPubKeyBitLength = 0xFFFFFFFF
	cc = build(t, cfg, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
}

// Name constraint forms Windows does not support (x400Address, and a
// maximum) give HAS_NOT_SUPPORTED_NAME_CONSTRAINT on the CA (spec §1.6).
func TestUnsupportedNameConstraintForms(t *testing.T) {
	x400 := asn1.RawValue{Class: 2, Tag: 3, IsCompound: true, Bytes: []byte{0x30, 0x00}}
	x400DER, err := asn1.Marshal(x400)
	require.NoError(t, err)
	subtree, err := asn1.Marshal(asn1.RawValue{Class: 0, Tag: 16, IsCompound: true, Bytes: x400DER})
	require.NoError(t, err)
	nc, err := asn1.Marshal(asn1.RawValue{Class: 0, Tag: 16, IsCompound: true,
		Bytes: mustMarshal(t, asn1.RawValue{Class: 2, Tag: 0, IsCompound: true, Bytes: subtree})})
	require.NoError(t, err)
	root := testpki.NewRoot("NC Root", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 30}, Critical: true, Value: nc}}
	})
	require.NotNil(t, root.Cert.NameConstraints)
	leaf := root.NewLeaf("nc.example.test", testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.HasNotSupportedNameConstraint, elementErrors(cc)[1])
	assert.Equal(t, chain.CERT_E_INVALID_NAME, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	require.NoError(t, err)
	return b
}

// CERT_CHAIN_TIMESTAMP_TIME: the end certificate is judged at pTime, the CAs
// at the machine clock (spec §1.4).
func TestTimestampTimeFlag(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cfg := chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}
	late := testpki.Epoch.AddDate(12, 0, 0) // every certificate expired
	cfg.Clock = clock.Fixed(testTime)
	cc := build(t, cfg, k.leaf.Cert, chain.Params{Time: late, Flags: chain.TimestampTime})
	assert.Equal(t, []chain.ErrorStatus{chain.IsNotTimeValid, 0, 0}, elementErrors(cc), "CAs judged at the machine clock")
	cc = build(t, cfg, k.leaf.Cert, chain.Params{Time: late})
	assert.Equal(t, []chain.ErrorStatus{chain.IsNotTimeValid, chain.IsNotTimeValid, chain.IsNotTimeValid}, elementErrors(cc))
}
