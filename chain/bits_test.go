package chain_test

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

var testTime = testpki.Epoch.AddDate(1, 0, 0)

type pki struct {
	root, inter, leaf *testpki.CA
}

func newPKI(t testing.TB, kt testpki.KeyType) *pki {
	t.Helper()
	root := testpki.NewRoot("Test Root", kt)
	inter := root.NewIntermediate("Test Issuing CA", kt)
	leaf := inter.NewLeaf("mail.example.test", kt)
	return &pki{root, inter, leaf}
}

func build(t testing.TB, cfg chain.Config, leaf *certs.Certificate, p chain.Params) *chain.ChainContext {
	t.Helper()
	if cfg.Clock == nil {
		cfg.Clock = clock.Fixed(testTime)
	}
	if p.Time.IsZero() {
		p.Time = testTime
	}
	cc, err := chain.NewEngine(cfg).GetChain(context.Background(), leaf, p)
	require.NoError(t, err)
	return cc
}

func elementErrors(cc *chain.ChainContext) []chain.ErrorStatus {
	var out []chain.ErrorStatus
	for _, el := range cc.Chains[0].Elements {
		out = append(out, el.TrustStatus.ErrorStatus)
	}
	return out
}

func elementInfo(cc *chain.ChainContext) []chain.InfoStatus {
	var out []chain.InfoStatus
	for _, el := range cc.Chains[0].Elements {
		out = append(out, el.TrustStatus.InfoStatus)
	}
	return out
}

// A trusted three-certificate chain: no error, key-match issuers, the root
// self-signed, and HAS_PREFERRED_ISSUER everywhere (spec §7 S35: 0x102 /
// 0x10c; chain level 0x100).
func TestTrustedChainBits(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}, k.leaf.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, []chain.ErrorStatus{0, 0, 0}, elementErrors(cc))
	// Go writes no AKI into a self-signed certificate: the root is a name match.
	assert.Equal(t, []chain.InfoStatus{0x102, 0x102, 0x10c}, elementInfo(cc))
	assert.Equal(t, chain.TrustStatus{ErrorStatus: 0, InfoStatus: 0x100}, cc.TrustStatus)
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.PolicyStatus{Policy: chain.PolicyBase, ChainIndex: -1, ElementIndex: -1}, st)
}

// spec §11.1 item 1: no trusted root → 0x20 on the root only; the chain is
// the OR (leaf 0x1 | root 0x20 when the leaf is expired); the root's info
// is name match | self-signed (0xC) when it has no AKI.
func TestUntrustedRoot(t *testing.T) {
	root := testpki.NewRoot("Untrusted Root", testpki.ECDSA, func(c *x509.Certificate) { c.SubjectKeyId = nil })
	leaf := root.NewLeaf("expired.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.NotAfter = testTime.Add(-time.Hour)
	})
	cc := build(t, chain.Config{}, leaf.Cert, chain.Params{Additional: chain.NewStore("x", root.Cert)})
	assert.Equal(t, []chain.ErrorStatus{chain.IsNotTimeValid, chain.IsUntrustedRoot}, elementErrors(cc))
	assert.Equal(t, chain.ErrorStatus(0x21), cc.TrustStatus.ErrorStatus)
	assert.Equal(t, chain.IsSelfSigned|chain.HasNameMatchIssuer, elementInfo(cc)[1])
	// Untrusted root is reported before the expiry (Wine chain0, 0/1) ...
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_UNTRUSTEDROOT, st.Error)
	assert.Equal(t, [2]int{0, 1}, [2]int{st.ChainIndex, st.ElementIndex})
	// ... and with ALLOW_UNKNOWN_CA the expiry comes next, at 0/0.
	st = chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.AllowUnknownCA})
	assert.Equal(t, chain.CERT_E_EXPIRED, st.Error)
	assert.Equal(t, [2]int{0, 0}, [2]int{st.ChainIndex, st.ElementIndex})
	st = chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{SSLChecks: chain.SSLIgnoreUnknownCA})
	assert.Equal(t, chain.CERT_E_EXPIRED, st.Error)
}

// spec §1.8 / S44a: no issuer found → IS_PARTIAL_CHAIN at chain level only,
// CERT_E_CHAINING at 0/-1 under BASE.
func TestPartialChain(t *testing.T) {
	k := newPKI(t, testpki.RSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", k.root.Cert)}, k.leaf.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 1)
	assert.Equal(t, chain.ErrorStatus(0), elementErrors(cc)[0], "PARTIAL_CHAIN never sits on an element")
	assert.Equal(t, chain.IsPartialChain, cc.TrustStatus.ErrorStatus)
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_CHAINING, st.Error)
	assert.Equal(t, [2]int{0, -1}, [2]int{st.ChainIndex, st.ElementIndex})
	st = chain.VerifyPolicy(cc, chain.PolicySSL, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_UNTRUSTEDROOT, st.Error)
}

func TestTimeValidityInclusive(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	leaf := k.inter.NewLeaf("edge.example.test", testpki.ECDSA, func(c *x509.Certificate) { c.NotAfter = testTime })
	cfg := chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}
	// spec §11.1 item 4: NotAfter == pTime is still valid.
	assert.Equal(t, chain.ErrorStatus(0), build(t, cfg, leaf.Cert, chain.Params{}).TrustStatus.ErrorStatus)
	cc := build(t, cfg, leaf.Cert, chain.Params{Time: testTime.Add(time.Second)})
	assert.Equal(t, chain.IsNotTimeValid, elementErrors(cc)[0])
	// not yet valid is the same bit and CERT_E_EXPIRED too (Wine googleChain).
	cc = build(t, cfg, leaf.Cert, chain.Params{Time: testpki.Epoch.Add(-time.Hour)})
	assert.Equal(t, chain.CERT_E_EXPIRED, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreNotTimeValid}).OK() == false ||
		cc.TrustStatus.ErrorStatus&^chain.IsNotTimeValid == 0)
}

func TestBadSignatureBeatsEverything(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	// Same name and key identifier as the real CA, other key.
	other := testpki.NewRoot("Test Issuing CA", testpki.ECDSA, func(c *x509.Certificate) { c.SubjectKeyId = k.inter.Cert.X.SubjectKeyId })
	// A leaf whose AKI points at the real CA but signed by another key.
	forged := other.NewLeaf("forged.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.NotAfter = testTime.Add(-time.Hour) // also expired: the signature still wins
	})
	cc := build(t, chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}, forged.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, chain.IsNotSignatureValid|chain.IsNotTimeValid, elementErrors(cc)[0])
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.TRUST_E_CERT_SIGNATURE, st.Error)
	assert.Equal(t, [2]int{0, 0}, [2]int{st.ChainIndex, st.ElementIndex})
}

// spec §11.1 item 7.
func TestBasicConstraintsAndKeyUsage(t *testing.T) {
	root := testpki.NewRoot("BC Root", testpki.ECDSA, func(c *x509.Certificate) {
		c.MaxPathLen = 0
		c.MaxPathLenZero = true
	})
	inter := root.NewIntermediate("BC Inter", testpki.ECDSA)
	leaf := inter.NewLeaf("bc.example.test", testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert), CA: chain.NewStore("CA", inter.Cert)}, leaf.Cert, chain.Params{})
	// Wine chain4: pathlen 0 over an intermediate → 0x400 on both.
	assert.Equal(t, []chain.ErrorStatus{0, chain.InvalidBasicConstraints, chain.InvalidBasicConstraints}, elementErrors(cc))
	st := chain.VerifyPolicy(cc, chain.PolicyBasicConstraints, chain.PolicyPara{})
	assert.Equal(t, chain.TRUST_E_BASIC_CONSTRAINTS, st.Error)
	assert.Equal(t, [2]int{0, 1}, [2]int{st.ChainIndex, st.ElementIndex})
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreInvalidBasicConstraints}).OK())

	// A v3 issuer without basicConstraints (Wine chain8/9), and an
	// intermediate whose keyUsage lacks keyCertSign (Wine chain15/18).
	root2 := testpki.NewRoot("KU Root", testpki.ECDSA)
	noBC := root2.NewIntermediate("No BC CA", testpki.ECDSA, func(c *x509.Certificate) { c.BasicConstraintsValid = false; c.IsCA = false })
	leaf2 := noBC.NewLeaf("nobc.example.test", testpki.ECDSA)
	cc = build(t, chain.Config{Root: chain.NewStore("Root", root2.Cert), CA: chain.NewStore("CA", noBC.Cert)}, leaf2.Cert, chain.Params{})
	assert.Equal(t, []chain.ErrorStatus{0, chain.InvalidBasicConstraints, 0}, elementErrors(cc))

	noSign := root2.NewIntermediate("No keyCertSign CA", testpki.ECDSA, func(c *x509.Certificate) { c.KeyUsage = x509.KeyUsageDigitalSignature })
	leaf3 := noSign.NewLeaf("ku.example.test", testpki.ECDSA)
	cc = build(t, chain.Config{Root: chain.NewStore("Root", root2.Cert), CA: chain.NewStore("CA", noSign.Cert)}, leaf3.Cert, chain.Params{})
	assert.Equal(t, []chain.ErrorStatus{0, chain.IsNotValidForUsage, 0}, elementErrors(cc))
	st = chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_WRONG_USAGE, st.Error)
	assert.Equal(t, 1, st.ElementIndex)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreWrongUsage}).OK())

	// Wine chain16: CA:FALSE leaf with keyCertSign → 0x10 on the leaf.
	odd := root2.NewLeaf("odd.example.test", testpki.ECDSA, func(c *x509.Certificate) { c.KeyUsage |= x509.KeyUsageCertSign })
	cc = build(t, chain.Config{Root: chain.NewStore("Root", root2.Cert)}, odd.Cert, chain.Params{})
	assert.Equal(t, []chain.ErrorStatus{chain.IsNotValidForUsage, 0}, elementErrors(cc))
	// Wine chain6: a CA:TRUE end certificate is fine.
	caLeaf := root2.NewIntermediate("ca-as-leaf", testpki.ECDSA)
	cc = build(t, chain.Config{Root: chain.NewStore("Root", root2.Cert)}, caLeaf.Cert, chain.Params{})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
}

// spec §11.1 item 12: AND over {serverAuth, 1.2.3} fails, OR passes.
func TestRequestedUsage(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cfg := chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)}
	both := []string{"1.3.6.1.5.5.7.3.1", "1.2.3"}
	cc := build(t, cfg, k.leaf.Cert, chain.Params{Usage: both})
	assert.Equal(t, []chain.ErrorStatus{chain.IsNotValidForUsage, 0, 0}, elementErrors(cc), "on the leaf only (S29)")
	cc = build(t, cfg, k.leaf.Cert, chain.Params{Usage: both, UsageMatch: chain.UsageMatchOr})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	cc = build(t, cfg, k.leaf.Cert, chain.Params{Usage: both[:1]})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	// A CA's EKU restricts what its leaves may be used for.
	emailCA := k.root.NewIntermediate("Email only CA", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}
	})
	leaf := emailCA.NewLeaf("web.example.test", testpki.ECDSA)
	cc = build(t, chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", emailCA.Cert)}, leaf.Cert, chain.Params{Usage: both[:1]})
	assert.Equal(t, chain.IsNotValidForUsage, elementErrors(cc)[0])
}

// spec §11.1 item 8: an unknown critical extension in an intermediate →
// 0x08000100 there, CERT_E_CRITICAL at 0/1.
func TestUnsupportedCriticalExtension(t *testing.T) {
	root := testpki.NewRoot("Crit Root", testpki.ECDSA)
	inter := root.NewIntermediate("Crit CA", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 2, 3, 4}, Critical: true, Value: []byte{5, 0}}}
	})
	leaf := inter.NewLeaf("crit.example.test", testpki.ECDSA)
	cc := build(t, chain.Config{Root: chain.NewStore("Root", root.Cert), CA: chain.NewStore("CA", inter.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, []chain.ErrorStatus{0, 0x08000100, 0}, elementErrors(cc))
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_CRITICAL, st.Error)
	assert.Equal(t, [2]int{0, 1}, [2]int{st.ChainIndex, st.ElementIndex})
}

func TestExplicitDistrust(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cfg := chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert), Disallowed: chain.NewStore("Disallowed", k.inter.Cert)}
	cc := build(t, cfg, k.leaf.Cert, chain.Params{})
	assert.Equal(t, []chain.ErrorStatus{0, chain.IsExplicitDistrust, 0}, elementErrors(cc))
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.TRUST_E_EXPLICIT_DISTRUST, st.Error)
	assert.Equal(t, 1, st.ElementIndex)
}

// spec §1.3: a non-self-signed CA in the exclusive root store with
// CERT_CHAIN_EXCLUSIVE_ENABLE_CA_FLAG is an anchor: IS_CA_TRUSTED, no
// PARTIAL_CHAIN or UNTRUSTED_ROOT; without the flag the chain goes on to a
// root that is no longer trusted (the Root store is ignored).
func TestExclusiveRoot(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	cfg := chain.Config{Root: chain.NewStore("Root", k.root.Cert), ExclusiveRoot: chain.NewStore("Exclusive", k.inter.Cert), ExclusiveCATrust: true}
	cc := build(t, cfg, k.leaf.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 2)
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	assert.NotZero(t, elementInfo(cc)[1]&chain.IsCATrusted)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).OK())

	cfg.ExclusiveCATrust = false
	cfg.CA = chain.NewStore("CA", k.inter.Cert)
	cc = build(t, cfg, k.leaf.Cert, chain.Params{Additional: chain.NewStore("x", k.root.Cert)})
	assert.Equal(t, chain.IsUntrustedRoot, cc.TrustStatus.ErrorStatus, "the Root store is ignored in exclusive mode")
}

// Two issuers with the same key identifier: the valid, trusted chain wins
// and the other is kept as a lower-quality chain.
func TestQualityRankingAndLowerQualityChains(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	expiredInter := k.root.IssueWithKey(func() *x509.Certificate {
		tm := testpki.Template("Test Issuing CA", true)
		tm.NotAfter = testTime.Add(-time.Hour)
		tm.SubjectKeyId = k.inter.Cert.X.SubjectKeyId
		return tm
	}(), k.inter.Key)
	cfg := chain.Config{Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", expiredInter.Cert, k.inter.Cert)}
	cc := build(t, cfg, k.leaf.Cert, chain.Params{Flags: chain.ReturnLowerQualityContexts})
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	assert.True(t, cc.Chains[0].Elements[1].Cert.Equal(k.inter.Cert))
	require.Len(t, cc.LowerQualityChains, 1)
	assert.Equal(t, chain.IsNotTimeValid, cc.LowerQualityChains[0].TrustStatus.ErrorStatus)
	require.Len(t, cc.Candidates, 2)
	// Without the flag the lower-quality chains are not returned, but the
	// evidence is kept.
	cc = build(t, cfg, k.leaf.Cert, chain.Params{})
	assert.Empty(t, cc.LowerQualityChains)
	assert.Len(t, cc.Candidates, 2)
}

// Cross-certificates: a leaf under an intermediate that is both
// self-signed-rooted and cross-signed by another trusted root; the engine
// builds both and returns the newer-issued chain when both are trusted.
func TestCrossCertificates(t *testing.T) {
	oldRoot := testpki.NewRoot("Old Root", testpki.ECDSA)
	newRoot := testpki.NewRoot("New Root", testpki.ECDSA)
	// The cross certificate: New Root's key, issued by Old Root.
	crossT := testpki.Template("New Root", true)
	crossT.SubjectKeyId = newRoot.Cert.X.SubjectKeyId
	crossT.NotBefore = testpki.Epoch.Add(-24 * time.Hour)
	cross := oldRoot.IssueWithKey(crossT, newRoot.Key)
	inter := newRoot.NewIntermediate("Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("cross.example.test", testpki.ECDSA)

	// Only the old root trusted: the path must go through the cross cert.
	cfg := chain.Config{Root: chain.NewStore("Root", oldRoot.Cert), CA: chain.NewStore("CA", inter.Cert, cross.Cert, newRoot.Cert)}
	cc := build(t, cfg, leaf.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 4)
	assert.True(t, cc.Chains[0].Elements[3].Cert.Equal(oldRoot.Cert))
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	assert.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).OK())

	// Both roots trusted: both chains are complete and trusted; the shorter
	// one through the newer New Root self-signed cert wins.
	cfg.Root = chain.NewStore("Root", oldRoot.Cert, newRoot.Cert)
	cc = build(t, cfg, leaf.Cert, chain.Params{})
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.True(t, cc.Chains[0].Elements[2].Cert.Equal(newRoot.Cert))
	assert.GreaterOrEqual(t, len(cc.Candidates), 2)
}

// spec §1.8 cycle: two CAs that certify each other and no root → IS_CYCLIC
// and PARTIAL_CHAIN (Wine chain9), CERT_E_CHAINING under BASE.
func TestCyclicChain(t *testing.T) {
	a := testpki.NewRoot("Cycle A", testpki.ECDSA)
	b := testpki.NewRoot("Cycle B", testpki.ECDSA)
	aByB := b.IssueWithKey(func() *x509.Certificate {
		tm := testpki.Template("Cycle A", true)
		tm.SubjectKeyId = a.Cert.X.SubjectKeyId
		return tm
	}(), a.Key)
	bByA := a.IssueWithKey(func() *x509.Certificate {
		tm := testpki.Template("Cycle B", true)
		tm.SubjectKeyId = b.Cert.X.SubjectKeyId
		return tm
	}(), b.Key)
	leaf := a.NewLeaf("cycle.example.test", testpki.ECDSA)
	cc := build(t, chain.Config{CA: chain.NewStore("CA", aByB.Cert, bByA.Cert)}, leaf.Cert, chain.Params{})
	assert.Equal(t, chain.IsCyclic|chain.IsPartialChain, cc.TrustStatus.ErrorStatus&(chain.IsCyclic|chain.IsPartialChain))
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_CHAINING, st.Error)
	assert.Equal(t, -1, st.ElementIndex)
}

// The engine cache (spec §1.9): a second build verifies no signature again.
func TestEngineCacheSkipsSignatures(t *testing.T) {
	k := newPKI(t, testpki.RSA)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", k.root.Cert), CA: chain.NewStore("CA", k.inter.Cert)})
	_, err := e.GetChain(context.Background(), k.leaf.Cert, chain.Params{})
	require.NoError(t, err)
	first := e.Stats().SignatureChecks
	assert.Equal(t, 2, first, "leaf and intermediate; a trusted root's self-signature is not verified")
	cc, err := e.GetChain(context.Background(), k.leaf.Cert, chain.Params{})
	require.NoError(t, err)
	assert.Equal(t, first, e.Stats().SignatureChecks, "no new signature checks on the second build")
	assert.GreaterOrEqual(t, e.Stats().SignatureCacheHits, 2)
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
}

// The engine remembers issuers it met through an additional store, so a
// later build finds them without that store (spec §1.8 source 2).
func TestEngineRemembersIssuers(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", k.root.Cert)})
	cc, err := e.GetChain(context.Background(), k.leaf.Cert, chain.Params{Additional: chain.NewStore("Additional", k.inter.Cert)})
	require.NoError(t, err)
	require.Len(t, cc.Chains[0].Elements, 3)
	cc, err = e.GetChain(context.Background(), k.leaf.Cert, chain.Params{})
	require.NoError(t, err)
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, "Engine cache", cc.Chains[0].Elements[1].Source)
	e.FlushCache()
	cc, err = e.GetChain(context.Background(), k.leaf.Cert, chain.Params{})
	require.NoError(t, err)
	assert.Len(t, cc.Chains[0].Elements, 1, "after a flush (process restart) the issuer is gone")
}

func TestNilCertificate(t *testing.T) {
	_, err := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime)}).GetChain(context.Background(), nil, chain.Params{})
	assert.ErrorIs(t, err, chain.ErrNilCertificate)
}

func TestStatusNames(t *testing.T) {
	s := chain.RevocationStatusUnknown | chain.IsOfflineRevocation
	assert.Equal(t, []string{"CERT_TRUST_REVOCATION_STATUS_UNKNOWN", "CERT_TRUST_IS_OFFLINE_REVOCATION"}, s.Names())
	assert.Equal(t, "CERT_TRUST_NO_ERROR", chain.ErrorStatus(0).String())
	assert.Equal(t, "CERT_TRUST_HAS_PREFERRED_ISSUER", chain.HasPreferredIssuer.String())
	assert.Equal(t, "0x800B0109 (CERT_E_UNTRUSTEDROOT)", chain.CERT_E_UNTRUSTEDROOT.String())
}

// TestTrustStatusJSON pins the trustStatus object of docs/cli.md, the one
// shape verify --json and capi2 --json both print: hex words, names lowest
// bit first, an unnamed bit as hex, and [] rather than null when no bit is
// set.
func TestTrustStatusJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   chain.TrustStatus
		want string
	}{
		{"clear", chain.TrustStatus{}, `{"errorStatus":"0x00000000","infoStatus":"0x00000000","errors":[],"info":[]}`},
		{"offline", chain.TrustStatus{ErrorStatus: chain.RevocationStatusUnknown | chain.IsOfflineRevocation, InfoStatus: chain.HasPreferredIssuer},
			`{"errorStatus":"0x01000040","infoStatus":"0x00000100","errors":["CERT_TRUST_REVOCATION_STATUS_UNKNOWN","CERT_TRUST_IS_OFFLINE_REVOCATION"],"info":["CERT_TRUST_HAS_PREFERRED_ISSUER"]}`},
		{"unnamed bit", chain.TrustStatus{ErrorStatus: chain.IsRevoked | 0x40000000, InfoStatus: chain.IsSelfSigned | chain.HasNameMatchIssuer},
			`{"errorStatus":"0x40000004","infoStatus":"0x0000000C","errors":["CERT_TRUST_IS_REVOKED","0x40000000"],"info":["CERT_TRUST_HAS_NAME_MATCH_ISSUER","CERT_TRUST_IS_SELF_SIGNED"]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.in.JSON())
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(b))
		})
	}
}
