package client_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/client"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
)

// The time one verify can block on revocation URLs, on the simulated clock
// (spec §3.7): without CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT each URL
// may take the whole per-URL timeout, 15 s x 10 hanging CDP URLs = 150 s
// (issue 15); with it the chain's URLs share
// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds (20 s by default, or
// the Registry's value).
func TestRevocationTimeIsBoundedByTheAccumulativeTimeout(t *testing.T) {
	ca := testpki.NewRoot("Timeout Root", testpki.ECDSA)
	var urls []string
	for i := range 10 {
		urls = append(urls, fmt.Sprintf("http://hang%d.example.test/ca.crl", i))
	}
	leaf := ca.NewLeaf("hang.example.test", testpki.ECDSA, func(c *x509.Certificate) { c.CRLDistributionPoints = urls })
	for _, tc := range []struct {
		name    string
		flags   chain.Flags
		reg     client.Registry
		blocked time.Duration // what the clock must advance by, at most
		atLeast time.Duration
	}{
		{"per URL: timeout x URLs", 0, client.Registry{}, 10 * cache.DefaultURLRetrievalTimeout, 10 * cache.DefaultURLRetrievalTimeout},
		{"accumulative, default budget", chain.RevocationAccumulativeTimeout, client.Registry{}, cache.DefaultAccumulativeTimeout, cache.DefaultAccumulativeTimeout / 2},
		{"accumulative, registry budget", chain.RevocationAccumulativeTimeout, client.Registry{AccumulativeTimeout: 4 * time.Second}, 4 * time.Second, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := clock.NewManual(t0)
			n := netsim.New(clk)
			for _, u := range urls {
				n.Handle(u, netsim.Response{Fail: netsim.FailTimeout})
			}
			c, err := client.New(client.Config{Clock: clk, Network: n, Root: chain.NewStore("Root", ca.Cert), Registry: tc.reg})
			if err != nil {
				t.Fatal(err)
			}
			res, err := c.Verify(context.Background(), leaf.Cert, client.VerifyOptions{Params: chain.Params{Time: t0, Flags: chain.RevocationCheckEndCert | tc.flags}})
			if err != nil {
				t.Fatal(err)
			}
			took := clk.Now().Sub(t0)
			t.Logf("%d URLs tried, clock advanced %v", len(res.Chain.Retrievals), took)
			if took > tc.blocked || took < tc.atLeast {
				t.Errorf("blocked %v, want between %v and %v", took, tc.atLeast, tc.blocked)
			}
			if res.Chain.TrustStatus.ErrorStatus&chain.IsOfflineRevocation == 0 {
				t.Errorf("status %v: want offline revocation", res.Chain.TrustStatus.ErrorStatus)
			}
		})
	}
}
