package chain_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/smallstep/pkcs7"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// End-to-end AIA tests (spec §6, §1.8, §11.1 item 13, §11.2 AiaTests): the
// chain engine, aia.Source, cache.Retriever with a real disk cache, and a
// real loopback HTTP server.

// aiaServer serves fixed bodies on loopback and counts requests.
type aiaServer struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string][]byte
	hits   int
}

func newAIAServer(t testing.TB) *aiaServer {
	s := &aiaServer{bodies: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits++
		body, ok := s.bodies[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *aiaServer) serve(path string, body []byte) {
	s.mu.Lock()
	s.bodies[path] = body
	s.mu.Unlock()
}

func (s *aiaServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// aiaPKI is root → inter → leaf; the leaf's caIssuers URL serves inter.
type aiaPKI struct {
	root, inter, leaf *testpki.CA
	url               string
}

func newAIAPKI(srv *aiaServer) *aiaPKI {
	root := testpki.NewRoot("AIA E2E Root", testpki.ECDSA)
	inter := root.NewIntermediate("AIA E2E Issuing CA", testpki.ECDSA)
	url := srv.URL + "/inter.crt"
	leaf := inter.NewLeaf("aia.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{url}
	})
	srv.serve("/inter.crt", inter.Cert.X.Raw)
	return &aiaPKI{root: root, inter: inter, leaf: leaf, url: url}
}

// aiaClient is one simulated process: a Retriever on the real network with
// a disk cache in dir, an aia.Source on it, and a chain engine whose Root
// store holds roots.
type aiaClient struct {
	ret    *cache.Retriever
	src    *aia.Source
	engine *chain.Engine
}

func newAIAClient(t testing.TB, dir string, fetcher cache.Fetcher, roots ...*certs.Certificate) *aiaClient {
	clk := clock.NewManual(testTime)
	ret, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: fetcher, DiskDir: dir})
	require.NoError(t, err)
	src, err := aia.NewSource(aia.Config{Retriever: ret})
	require.NoError(t, err)
	e := chain.NewEngine(chain.Config{Clock: clk, Root: chain.NewStore("Root", roots...), AIA: src})
	return &aiaClient{ret: ret, src: src, engine: e}
}

func (c *aiaClient) build(t testing.TB, leaf *certs.Certificate, flags chain.Flags) *chain.ChainContext {
	t.Helper()
	cc, err := c.engine.GetChain(context.Background(), leaf, chain.Params{Time: testTime, Flags: flags})
	require.NoError(t, err)
	return cc
}

func aiaEntries(cc *chain.ChainContext) []cache.LogEntry {
	var out []cache.LogEntry
	for _, r := range cc.Retrievals {
		if r.Kind == cache.KindAIA {
			out = append(out, r.LogEntry())
		}
	}
	return out
}

// A missing intermediate is recovered through AIA: 3 elements, no error,
// HAS_PREFERRED_ISSUER (spec §11.1 item 13), BASE policy S_OK, and the
// retrieval log shows the aia fetch from the network.
func TestAIA_RecoversMissingIntermediate(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)
	c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), p.root.Cert)

	cc := c.build(t, p.leaf.Cert, 0)
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, chain.ErrorStatus(0), cc.TrustStatus.ErrorStatus)
	assert.NotZero(t, cc.TrustStatus.InfoStatus&chain.HasPreferredIssuer)
	assert.Equal(t, []chain.ErrorStatus{0, 0, 0}, elementErrors(cc))
	assert.True(t, cc.Chains[0].Elements[1].Cert.Equal(p.inter.Cert))
	assert.Equal(t, chain.S_OK, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
	assert.Equal(t, []cache.LogEntry{{URL: p.url, Kind: cache.KindAIA, From: cache.FromNetwork, OK: true}}, aiaEntries(cc))
	assert.Equal(t, 1, cc.Build.AIAFetches)
	assert.Equal(t, 1, srv.requests())
}

// AIA offline: the chain stays partial and BASE gives CERT_E_CHAINING
// (spec §1.8, S44a), with the failure in the log.
func TestAIA_OfflinePartialChain(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)
	srv.Close()
	c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), p.root.Cert)

	cc := c.build(t, p.leaf.Cert, 0)
	require.Len(t, cc.Chains[0].Elements, 1)
	assert.NotZero(t, cc.TrustStatus.ErrorStatus&chain.IsPartialChain)
	st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
	assert.Equal(t, chain.CERT_E_CHAINING, st.Error)
	got := aiaEntries(cc)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Cause, "ERROR_WINHTTP_CANNOT_CONNECT (12029)", "the cause, as WinHTTP names it")
	got[0].Cause = ""
	assert.Equal(t, []cache.LogEntry{{URL: p.url, Kind: cache.KindAIA, From: cache.FromNetwork, OK: false, Error: "offline"}}, got)
}

// After a reboot (a new process: new Retriever on the same CryptnetUrlCache
// folder, new engine with an empty CA store) with the server gone, the
// issuer comes from the disk cache (spec §6 caching, §4).
func TestAIA_SecondBuildFromDiskCacheAfterReboot(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)
	dir := t.TempDir()
	first := newAIAClient(t, dir, cache.NewHTTPFetcher(nil), p.root.Cert)
	cc := first.build(t, p.leaf.Cert, 0)
	require.Len(t, cc.Chains[0].Elements, 3)
	srv.Close()

	rebooted := newAIAClient(t, dir, cache.NewHTTPFetcher(nil), p.root.Cert)
	cc = rebooted.build(t, p.leaf.Cert, 0)
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, chain.S_OK, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
	assert.Equal(t, []cache.LogEntry{{URL: p.url, Kind: cache.KindAIA, From: cache.FromDisk, OK: true}}, aiaEntries(cc))
	assert.Equal(t, 1, srv.requests())

	// Cache-only mode (CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL) reads the
	// same disk cache.
	cacheOnly := newAIAClient(t, dir, nil, p.root.Cert)
	cc = cacheOnly.build(t, p.leaf.Cert, chain.CacheOnlyURLRetrieval)
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, cache.FromDisk, aiaEntries(cc)[0].From)
}

// As on Windows (spec §11.2, .NET DisableAiaOptionWorks), the fetched
// issuer is kept in the client's intermediate CA store: after the URL cache
// is flushed and the server is gone, the engine still finds it, locally.
func TestAIA_IssuerPersistedInCAStore(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)
	c := newAIAClient(t, "", cache.NewHTTPFetcher(nil), p.root.Cert)
	require.Len(t, c.build(t, p.leaf.Cert, 0).Chains[0].Elements, 3)
	assert.True(t, c.engine.Config().CA.Contains(p.inter.Cert), "the AIA issuer is in the CA store")

	srv.Close()
	c.ret.Forget(p.url) // flush the URL cache (memory only: no disk cache here)
	c.engine.FlushCache()
	cc := c.build(t, p.leaf.Cert, 0)
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, "CA", cc.Chains[0].Elements[1].Source)
	assert.Empty(t, aiaEntries(cc), "no AIA retrieval once the CA store completes the chain")

	// Without the CA store (a new engine on the same flushed retriever)
	// the chain cannot be completed.
	other := chain.NewEngine(chain.Config{Clock: clock.Fixed(testTime), Root: chain.NewStore("Root", p.root.Cert), AIA: c.src})
	cc, err := other.GetChain(context.Background(), p.leaf.Cert, chain.Params{Time: testTime})
	require.NoError(t, err)
	assert.Equal(t, chain.CERT_E_CHAINING, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
}

// A chain that is complete locally fetches nothing (spec §1.8 phase 1),
// even when it ends in an untrusted root.
func TestAIA_CompleteLocalChainFetchesNothing(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)
	for name, roots := range map[string][]*certs.Certificate{"trusted root": {p.root.Cert}, "untrusted root": nil} {
		t.Run(name, func(t *testing.T) {
			c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), roots...)
			c.engine.Config().CA.Add(p.inter.Cert)
			c.engine.Config().CA.Add(p.root.Cert)
			cc := c.build(t, p.leaf.Cert, 0)
			require.Len(t, cc.Chains[0].Elements, 3)
			assert.Empty(t, aiaEntries(cc))
			assert.Equal(t, 0, cc.Build.AIAFetches)
		})
	}
	assert.Equal(t, 0, srv.requests())
}

// CERT_CHAIN_DISABLE_AIA per call and per engine, and
// CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL with an empty cache: no request
// reaches the server and the chain stays partial (.NET
// DisableAiaOptionWorks: 1 element, PartialChain).
func TestAIA_DisabledAndCacheOnly(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)

	c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), p.root.Cert)
	cc := c.build(t, p.leaf.Cert, chain.DisableAIA)
	require.Len(t, cc.Chains[0].Elements, 1)
	assert.Equal(t, chain.CERT_E_CHAINING, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
	assert.Empty(t, aiaEntries(cc))

	clk := clock.Fixed(testTime)
	e := chain.NewEngine(chain.Config{Clock: clk, Root: chain.NewStore("Root", p.root.Cert), AIA: c.src, Flags: chain.EngineDisableAIA})
	cc, err := e.GetChain(context.Background(), p.leaf.Cert, chain.Params{Time: testTime})
	require.NoError(t, err)
	require.Len(t, cc.Chains[0].Elements, 1)

	cc = c.build(t, p.leaf.Cert, chain.CacheOnlyURLRetrieval)
	require.Len(t, cc.Chains[0].Elements, 1)
	assert.Equal(t, []cache.LogEntry{{URL: p.url, Kind: cache.KindAIA, From: cache.FromNone, Error: "not-cached",
		Cause: "CRYPT_CACHE_ONLY_RETRIEVAL and no valid cached object"}}, aiaEntries(cc))
	assert.Equal(t, 0, srv.requests())

	// Once fetched (by a normal build in another engine of the same
	// process), cache-only finds it in memory.
	other := chain.NewEngine(chain.Config{Clock: clk, Root: chain.NewStore("Root", p.root.Cert), AIA: c.src})
	_, err = other.GetChain(context.Background(), p.leaf.Cert, chain.Params{Time: testTime})
	require.NoError(t, err)
	cc = c.build(t, p.leaf.Cert, chain.CacheOnlyURLRetrieval)
	require.Len(t, cc.Chains[0].Elements, 3)
	assert.Equal(t, cache.FromMemory, aiaEntries(cc)[0].From)
	assert.Equal(t, 1, srv.requests())
}

// MaxAIAUrlRetrievalCountPerChain (3) spans the whole build: with four
// intermediates missing, three rounds fetch one each and the fourth is
// refused, leaving a partial chain of four certificates.
func TestAIA_FourFetchesInOneBuild(t *testing.T) {
	srv := newAIAServer(t)
	root := testpki.NewRoot("Deep Root", testpki.ECDSA)
	issuer := root
	for i := 1; i <= 4; i++ {
		url := fmt.Sprintf("%s/i%d.crt", srv.URL, i-1)
		ca := issuer.NewIntermediate(fmt.Sprintf("Deep CA %d", i), testpki.ECDSA, func(c *x509.Certificate) {
			if i > 1 {
				c.IssuingCertificateURL = []string{url}
			}
		})
		srv.serve(fmt.Sprintf("/i%d.crt", i), ca.Cert.X.Raw)
		issuer = ca
	}
	leaf := issuer.NewLeaf("deep.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{srv.URL + "/i4.crt"}
	})
	c := newAIAClient(t, "", cache.NewHTTPFetcher(nil), root.Cert)
	cc := c.build(t, leaf.Cert, 0)

	require.Len(t, cc.Chains[0].Elements, 4, "leaf, CA 4, CA 3, CA 2")
	assert.Equal(t, chain.CERT_E_CHAINING, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
	got := aiaEntries(cc)
	require.Len(t, got, 4)
	for _, e := range got[:3] {
		assert.True(t, e.OK)
	}
	assert.Equal(t, srv.URL+"/i1.crt", got[3].URL)
	assert.Equal(t, "limit", got[3].Error)
	require.Error(t, cc.Retrievals[3].Err)
	assert.Contains(t, cc.Retrievals[3].Err.Error(), "MaxAIAUrlRetrievalCountPerChain (3)")
	assert.Equal(t, 3, cc.Build.AIAFetches)
	assert.Equal(t, 3, srv.requests())
}

// A junk AIA body and a PKCS#12 one are ignored (.NET
// AiaAcceptsCertTypesAndIgnoresNonCertTypes); a PKCS#7 bundle is used.
func TestAIA_BodyTypes(t *testing.T) {
	srv := newAIAServer(t)
	p := newAIAPKI(srv)
	p7, err := pkcs7.DegenerateCertificate(append(append([]byte(nil), p.inter.Cert.X.Raw...), p.root.Cert.X.Raw...))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		body []byte
		n    int
		err  string
	}{
		{"PKCS#7 bundle", p7, 3, ""},
		{"junk", []byte("<html>moved</html>"), 1, "invalid-content"},
		{"PKCS#12", []byte{0x30, 0x16, 0x02, 0x01, 0x03, 0x30, 0x11, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01, 0xa0, 0x04, 0x04, 0x02, 0x30, 0x00}, 1, "invalid-content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv.serve("/inter.crt", tc.body)
			c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), p.root.Cert)
			cc := c.build(t, p.leaf.Cert, 0)
			assert.Len(t, cc.Chains[0].Elements, tc.n)
			assert.Equal(t, tc.err, aiaEntries(cc)[0].Error)
		})
	}
}

// Cross certificates through AIA (spec §1.8 cross certificates, S38): the
// caIssuers bundle holds the issuing CA twice, once under New Root and once
// cross-signed by Old Root. Both fit and both are returned; the engine
// ranks the candidate chains and picks the best.
func TestAIA_CrossCertificatePicksBestChain(t *testing.T) {
	srv := newAIAServer(t)
	oldRoot := testpki.NewRoot("Old Root", testpki.ECDSA)
	newRoot := testpki.NewRoot("New Root", testpki.ECDSA)
	underNew := newRoot.NewIntermediate("Cross Issuing CA", testpki.ECDSA)
	crossT := testpki.Template("Cross Issuing CA", true)
	crossT.NotBefore = testpki.Epoch.Add(-30 * 24 * time.Hour) // older than underNew
	crossed := oldRoot.IssueWithKey(crossT, underNew.Key)
	require.Equal(t, underNew.Cert.KeyID, crossed.Cert.KeyID)
	url := srv.URL + "/cross.p7c"
	leaf := underNew.NewLeaf("cross.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.IssuingCertificateURL = []string{url}
	})
	bundle, err := pkcs7.DegenerateCertificate(append(append([]byte(nil), underNew.Cert.X.Raw...), crossed.Cert.X.Raw...))
	require.NoError(t, err)
	srv.serve("/cross.p7c", bundle)

	t.Run("only Old Root trusted: the cross-signed path wins", func(t *testing.T) {
		c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), oldRoot.Cert)
		c.engine.Config().CA.Add(newRoot.Cert) // New Root known, not trusted
		cc := c.build(t, leaf.Cert, 0)
		els := cc.Chains[0].Elements
		require.Len(t, els, 3)
		assert.True(t, els[1].Cert.Equal(crossed.Cert))
		assert.True(t, els[2].Cert.Equal(oldRoot.Cert))
		assert.Equal(t, chain.S_OK, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
		assert.GreaterOrEqual(t, len(cc.Candidates), 2, "the untrusted New Root path was built and ranked lower")
		assert.True(t, c.engine.Config().CA.Contains(underNew.Cert) && c.engine.Config().CA.Contains(crossed.Cert),
			"both fitting certificates are kept in the CA store")
	})
	t.Run("both roots trusted: the newer issuer wins", func(t *testing.T) {
		c := newAIAClient(t, t.TempDir(), cache.NewHTTPFetcher(nil), oldRoot.Cert, newRoot.Cert)
		cc := c.build(t, leaf.Cert, 0)
		els := cc.Chains[0].Elements
		require.Len(t, els, 3)
		assert.True(t, els[1].Cert.Equal(underNew.Cert))
		assert.True(t, els[2].Cert.Equal(newRoot.Cert))
		assert.Equal(t, chain.S_OK, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{}).Error)
	})
	assert.Equal(t, 2, srv.requests())
}
