package chain_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
)

// meshPKI returns n CAs that all cross-certify each other (n*(n-1) cross
// certificates, each CA name with one key), plus a leaf under CA 0: the
// full mesh of mesh_test.go, shared.
func meshPKI(n int) ([]*certs.Certificate, *certs.Certificate) {
	m := meshBase(n, "full", fullMesh)
	return m.pool, m.leaf
}

// A mesh of mutually cross-signed CAs with no trusted root: the search is
// bounded and says which limit it hit, instead of hanging.
func TestMeshIsBounded(t *testing.T) {
	pool, leaf := meshPKI(12)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), CA: chain.NewStore("CA", pool...)})
	start := time.Now()
	cc, err := e.GetChain(context.Background(), leaf, chain.Params{Time: testTime})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.NotEmpty(t, cc.Build.LimitsHit, "a limit must be reported")
	assert.LessOrEqual(t, cc.Build.Iterations, chain.DefaultMaxBuildIterations)
	assert.LessOrEqual(t, len(cc.Candidates), chain.DefaultMaxCandidateChains)
	assert.NotZero(t, cc.TrustStatus.ErrorStatus&(chain.IsPartialChain|chain.IsCyclic))
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_CHAINING, st.Error)
}

// Smaller limits from the Config are honoured and named in the report.
func TestConfiguredLimits(t *testing.T) {
	pool, leaf := meshPKI(5)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), CA: chain.NewStore("CA", pool...), MaxBuildIterations: 7, MaxDepth: 3})
	cc, err := e.GetChain(context.Background(), leaf, chain.Params{Time: testTime})
	require.NoError(t, err)
	assert.LessOrEqual(t, cc.Build.Iterations, 7)
	for _, sc := range cc.Candidates {
		assert.LessOrEqual(t, len(sc.Elements), 3)
	}
	assert.Contains(t, fmt.Sprint(cc.Build.LimitsHit), "MaxDepth (3)")
}

// A cancelled context stops the search.
func TestCancelledContext(t *testing.T) {
	_, leaf := meshPKI(2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime)}).GetChain(ctx, leaf, chain.Params{})
	assert.ErrorIs(t, err, context.Canceled)
}
