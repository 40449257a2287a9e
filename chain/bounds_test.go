package chain_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// The engine cache (spec §1.9) holds at most MaximumCachedCertificates
// issuers: after five builds that each met a new intermediate in the
// additional store, a limit of 2 lets only the first two be found again
// without it.
func TestEngineCacheIsBounded(t *testing.T) {
	root := testpki.NewRoot("Cache Bound Root", testpki.ECDSA)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", root.Cert), MaximumCachedCertificates: 2})
	ctx := context.Background()
	type pair struct{ inter, leaf *testpki.CA }
	var pairs []pair
	for i := range 5 {
		inter := root.NewIntermediate(fmt.Sprintf("Cache Bound CA %d", i), testpki.ECDSA)
		pairs = append(pairs, pair{inter, inter.NewLeaf(fmt.Sprintf("h%d.example.test", i), testpki.ECDSA)})
	}
	for _, p := range pairs {
		cc, err := e.GetChain(ctx, p.leaf.Cert, chain.Params{Time: testTime, Additional: chain.NewStore("Additional", p.inter.Cert)})
		require.NoError(t, err)
		require.Zero(t, cc.TrustStatus.ErrorStatus)
	}
	for i, p := range pairs {
		cc, err := e.GetChain(ctx, p.leaf.Cert, chain.Params{Time: testTime})
		require.NoError(t, err)
		remembered := cc.TrustStatus.ErrorStatus&chain.IsPartialChain == 0
		assert.Equal(t, i < 2, remembered, "intermediate %d found from the engine cache", i)
	}
	assert.Equal(t, chain.DefaultMaximumCachedCertificates, chain.NewEngine(chain.Config{}).Config().MaximumCachedCertificates)
}
