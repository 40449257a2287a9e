package chain_test

import (
	"context"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// crossSigned returns a CA key certified by n roots (n cross-certificates
// with one subject and one key, as a CA that migrates between roots has),
// a leaf signed by that key, and the roots.
func crossSigned(t *testing.T, n int) (roots []*testpki.CA, cross []*testpki.CA, leaf *testpki.CA) {
	t.Helper()
	key := testpki.NewKey(testpki.ECDSA)
	for i := 0; i < n; i++ {
		r := testpki.NewRoot("Cross Root "+string(rune('A'+i)), testpki.ECDSA)
		roots = append(roots, r)
		tm := testpki.Template("Cross-Signed Issuing CA", true)
		cross = append(cross, r.IssueWithKey(tm, key))
	}
	leaf = cross[0].NewLeaf("cross.example.test", testpki.ECDSA)
	return roots, cross, leaf
}

// The signature cache is keyed by the issuer's public key: with three
// cross-certificates of the leaf's CA, the leaf's signature is verified
// once and each cross-certificate's once (4 checks, not 6), and a second
// build verifies nothing.
func TestCrossSignedLeafSignatureVerifiedOnce(t *testing.T) {
	roots, cross, leaf := crossSigned(t, 3)
	rs, cs := chain.NewStore("Root"), chain.NewStore("CA")
	for i := range roots {
		rs.Add(roots[i].Cert)
		cs.Add(cross[i].Cert)
	}
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), Root: rs, CA: cs})
	cc, err := e.GetChain(context.Background(), leaf.Cert, chain.Params{Time: testTime})
	require.NoError(t, err)
	require.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	require.Len(t, cc.Candidates, 3, "one candidate chain per cross-certificate")
	for _, sc := range cc.Candidates {
		require.Zero(t, sc.TrustStatus.ErrorStatus&chain.IsNotSignatureValid)
	}
	st := e.Stats()
	assert.Equal(t, 4, st.SignatureChecks, "leaf once (one CA key) + 3 cross-certificates")
	assert.Equal(t, 2, st.SignatureCacheHits, "the leaf's signature under the 2nd and 3rd cross-certificate")

	_, err = e.GetChain(context.Background(), leaf.Cert, chain.Params{Time: testTime})
	require.NoError(t, err)
	assert.Equal(t, 4, e.Stats().SignatureChecks, "a warm build verifies nothing")
}

// A certificate with the same subject but another key is another cache
// entry: the leaf's signature does not verify under it, and its failure
// does not leak to the right key (nor the other way round).
func TestSignatureCacheSeparatesKeys(t *testing.T) {
	roots, cross, leaf := crossSigned(t, 1)
	// Same subject and the same subject key identifier (so the leaf's AKI
	// matches it), another key.
	tm := testpki.Template("Cross-Signed Issuing CA", true)
	tm.SubjectKeyId = cross[0].Cert.X.SubjectKeyId
	impostor := roots[0].IssueWithKey(tm, testpki.NewKey(testpki.ECDSA))
	for _, order := range [][]*testpki.CA{{impostor, cross[0]}, {cross[0], impostor}} {
		cs := chain.NewStore("CA")
		for _, c := range order {
			cs.Add(c.Cert)
		}
		e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", roots[0].Cert), CA: cs})
		cc, err := e.GetChain(context.Background(), leaf.Cert, chain.Params{Time: testTime})
		require.NoError(t, err)
		require.Len(t, cc.Candidates, 2)
		bad := 0
		for _, sc := range cc.Candidates {
			if sc.Elements[0].TrustStatus.ErrorStatus&chain.IsNotSignatureValid != 0 {
				bad++
				assert.Equal(t, impostor.Cert.SHA256, sc.Elements[1].Cert.SHA256)
			}
		}
		assert.Equal(t, 1, bad, "only the chain through the impostor key is IS_NOT_SIGNATURE_VALID")
		assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus, "the best chain is the one through the real key")
		assert.Equal(t, 4, e.Stats().SignatureChecks, "two keys for the leaf, two issuer certificates under the root")
	}
}

// The engine's state digest covers the issuers it remembers (they change
// later builds) and not its signature cache (it only saves work).
func TestEngineStateDigest(t *testing.T) {
	k := newPKI(t, testpki.ECDSA)
	sum := func(e *chain.Engine) string {
		h := sha256.New()
		e.WriteState(h)
		return string(h.Sum(nil))
	}
	cfg := chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", k.root.Cert)}
	a, b := chain.NewEngine(cfg), chain.NewEngine(cfg)
	require.Equal(t, sum(a), sum(b))
	extra := chain.Params{Time: testTime, Additional: chain.NewStore("Additional", k.inter.Cert)}
	_, err := a.GetChain(context.Background(), k.leaf.Cert, extra)
	require.NoError(t, err)
	require.NotEqual(t, sum(a), sum(b), "a remembered issuer changes the state")
	_, err = b.GetChain(context.Background(), k.leaf.Cert, extra)
	require.NoError(t, err)
	require.Equal(t, sum(a), sum(b))
	_, err = b.GetChain(context.Background(), k.leaf.Cert, chain.Params{Time: testTime})
	require.NoError(t, err)
	require.Equal(t, sum(a), sum(b), "signature results are not state")
	require.Equal(t, sum(a), sum(a.Fork(cfg)))
}
