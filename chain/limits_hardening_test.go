package chain_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/revocation"
)

// A mesh of 50 mutually cross-signed CAs (2,450 cross certificates, no
// trusted root) is the worst case for path building: the search must stop
// at the default limits, name the limit in Build.LimitsHit, and return
// quickly (issue 9; the bound is 10 s on the CI machine, with -race too).
func TestMesh50IsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds 2,450 certificates")
	}
	pool, leaf := meshPKI(50)
	require.Len(t, pool, 50*49)
	e := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), CA: chain.NewStore("CA", pool...)})
	start := time.Now()
	cc, err := e.GetChain(context.Background(), leaf, chain.Params{Time: testTime, Flags: chain.ReturnLowerQualityContexts})
	took := time.Since(start)
	require.NoError(t, err)
	t.Logf("50-CA mesh: %v, %d iterations, %d candidates, limits %v", took, cc.Build.Iterations, len(cc.Candidates), cc.Build.LimitsHit)
	assert.Less(t, took, 10*time.Second)
	require.NotEmpty(t, cc.Build.LimitsHit, "a limit must be reported")
	assert.LessOrEqual(t, cc.Build.Iterations, chain.DefaultMaxBuildIterations)
	assert.LessOrEqual(t, len(cc.Candidates), chain.DefaultMaxCandidateChains)
	for _, sc := range cc.Candidates {
		assert.LessOrEqual(t, len(sc.Elements), chain.DefaultMaxDepth)
	}
	assert.NotZero(t, cc.TrustStatus.ErrorStatus&(chain.IsPartialChain|chain.IsCyclic))
	assert.Equal(t, chain.CERT_E_CHAINING, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)

	// The engine cache is bounded too: after the mesh it holds at most
	// MaximumCachedCertificates, and a second call is no slower to bound.
	start = time.Now()
	cc2, err := e.GetChain(context.Background(), leaf, chain.Params{Time: testTime})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 10*time.Second)
	assert.NotEmpty(t, cc2.Build.LimitsHit)
}

// One engine, one Retriever (memory and disk cache), one AIA source and one
// revocation checker, shared by many goroutines that build the same and
// different chains at once, over a real loopback server. Run under -race:
// no data race, no error, and every goroutine gets the same verdict.
func TestSharedEngineConcurrentGetChain(t *testing.T) {
	const goroutines, calls = 32, 20
	srv := newAIAServer(t)
	root := testpki.NewRoot("Concurrency Root", testpki.ECDSA)
	inter := root.NewIntermediate("Concurrency Issuing CA", testpki.ECDSA, func(c *x509.Certificate) {
		c.CRLDistributionPoints = []string{srv.URL + "/root.crl"}
	})
	srv.serve("/inter.crt", inter.Cert.X.Raw)
	srv.serve("/root.crl", root.CRL(1, testTime.Add(-time.Hour), testTime.Add(24*time.Hour), time.Time{}))
	var leaves []*testpki.CA
	var revoked []*big.Int
	for i := 0; i < 4; i++ {
		l := inter.NewLeaf(fmt.Sprintf("c%d.example.test", i), testpki.ECDSA, func(c *x509.Certificate) {
			c.IssuingCertificateURL = []string{srv.URL + "/inter.crt"}
			c.CRLDistributionPoints = []string{srv.URL + "/inter.crl"}
		})
		if i%2 == 1 {
			revoked = append(revoked, l.Cert.X.SerialNumber)
		}
		leaves = append(leaves, l)
	}
	srv.serve("/inter.crl", inter.CRL(1, testTime.Add(-time.Hour), testTime.Add(24*time.Hour), testTime.Add(-2*time.Hour), revoked...))

	clk := clock.NewManual(testTime)
	ret, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: cache.NewHTTPFetcher(nil), DiskDir: t.TempDir()})
	require.NoError(t, err)
	src, err := aia.NewSource(aia.Config{Retriever: ret})
	require.NoError(t, err)
	chk, err := revocation.NewChecker(revocation.Config{Retriever: ret})
	require.NoError(t, err)
	e := chain.NewEngine(chain.Config{Clock: clk, Root: chain.NewStore("Root", root.Cert), AIA: src, Revocation: chk})

	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for k := 0; k < calls; k++ {
				i := (g + k) % len(leaves)
				cc, err := e.GetChain(context.Background(), leaves[i].Cert, chain.Params{Time: testTime, Flags: chain.RevocationCheckChainExclRoot})
				if err != nil {
					errs <- err
					return
				}
				if len(cc.Chains[0].Elements) != 3 {
					errs <- fmt.Errorf("leaf %d: %d elements", i, len(cc.Chains[0].Elements))
					return
				}
				isRevoked := cc.TrustStatus.ErrorStatus&chain.IsRevoked != 0
				if isRevoked != (i%2 == 1) {
					errs <- fmt.Errorf("leaf %d: status %v", i, cc.TrustStatus.ErrorStatus)
					return
				}
				_ = chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	t.Logf("%d goroutines x %d GetChain calls on one engine; %d HTTP requests", goroutines, calls, srv.requests())
}
