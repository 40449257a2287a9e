package revocation

import (
	"context"
	"crypto/x509"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// TestParseCacheBound: a client checking certificates of more issuers than
// DefaultMaxCachedCRLs, each with its own downloaded CRL, keeps at most
// DefaultMaxCachedCRLs parsed CRLs in its parse cache and remembers the
// CRL of at most 4× as many issuers; every result stays right, on a second
// round too (with the bound lowered to 4, that round parses again CRLs
// dropped from both).
func TestParseCacheBound(t *testing.T) {
	t.Run("default", func(t *testing.T) { parseCacheBound(t, 0, DefaultMaxCachedCRLs, DefaultMaxCachedCRLs+16) })
	t.Run("lowered", func(t *testing.T) { parseCacheBound(t, 4, 4, 40) })
}

func parseCacheBound(t *testing.T, cfgMax, bound, issuers int) {
	clk := clock.NewManual(t0)
	rs := newResponder(t)
	root := testpki.NewRoot("Bound Root", testpki.ECDSA)
	type pair struct{ inter, leaf *testpki.CA }
	pairs := make([]pair, issuers)
	this, next := fresh(clk)
	for i := range pairs {
		inter := root.NewIntermediate(fmt.Sprintf("Issuing CA %02d", i), testpki.ECDSA)
		path := fmt.Sprintf("/crl/%02d.crl", i)
		leaf := inter.NewLeaf(fmt.Sprintf("host%02d.example.test", i), testpki.ECDSA, func(c *x509.Certificate) {
			c.CRLDistributionPoints = []string{rs.URL(path)}
		})
		spec := crlSpec{thisUpdate: this, nextUpdate: next}
		if i%2 == 1 { // every other issuer has revoked its leaf
			spec.entries = []x509.RevocationListEntry{revokedEntry(leaf.Cert.X.SerialNumber, this, 1)}
		}
		rs.set(path, signCRL(t, inter.Cert.X, inter.Key, spec))
		pairs[i] = pair{inter, leaf}
	}
	ret, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: cache.NewHTTPFetcher(nil)})
	require.NoError(t, err)
	chk, err := NewChecker(Config{Retriever: ret, MaxCachedCRLs: cfgMax})
	require.NoError(t, err)

	for round := 1; round <= 2; round++ {
		for i, p := range pairs {
			now := clk.Now()
			res := chk.Check(context.Background(), p.leaf.Cert, p.inter.Cert, &Request{Time: now, Now: now})
			want := Good
			if i%2 == 1 {
				want = Revoked
			}
			require.Equal(t, want, res.Status, "round %d, issuer %d: %s", round, i, res.Detail)
			assert.Equal(t, "crl", res.Source)
			chk.docs.mu.Lock()
			n, items := chk.docs.ll.Len(), len(chk.docs.items)
			chk.docs.mu.Unlock()
			chk.mu.Lock()
			remembered := len(chk.byIssuer)
			chk.mu.Unlock()
			require.LessOrEqual(t, n, bound, "round %d, issuer %d", round, i)
			require.Equal(t, n, items)
			require.LessOrEqual(t, remembered, 4*bound, "round %d, issuer %d", round, i)
		}
		clk.Advance(time.Minute)
	}
	assert.Equal(t, bound, chk.docs.ll.Len(), "the cache is full, not emptied")
	for i := range pairs {
		assert.Equal(t, 1, rs.hit(fmt.Sprintf("/crl/%02d.crl", i)), "issuer %d: downloaded once, then from the URL cache", i)
	}
}
