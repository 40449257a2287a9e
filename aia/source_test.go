package aia_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/internal/testpki"
)

var ctx = context.Background()

// Each accepted format yields the issuer, from the network first and from
// the memory cache the second time (spec §6 formats; PEM/base64 per the
// package doc's Wine-based choice).
func TestFetchIssuers_AcceptedFormats(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	other := testpki.NewRoot("Unrelated CA", testpki.ECDSA)
	cases := []struct {
		name string
		body []byte
	}{
		{"DER certificate (.crt)", p.inter.Cert.X.Raw},
		{"PKCS#7 certs-only (.p7c)", p7c(t, p.inter.Cert)},
		{"PKCS#7 with issuer, root and an unrelated CA", p7c(t, other.Cert, p.inter.Cert, p.root.Cert)},
		{"PKCS#7 in BER (indefinite length)", berP7C(t, p7c(t, p.inter.Cert))},
		{"PEM certificate", testpki.PEM(p.inter.Cert)},
		{"PEM PKCS7", []byte("-----BEGIN PKCS7-----\n" + string(b64(p7c(t, p.inter.Cert))) + "-----END PKCS7-----\n")},
		{"bare base64 of the DER", b64(p.inter.Cert.X.Raw)},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/fmt%d", i)
			leaf := p.withURLs(srv.serve(path, tc.body))
			src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), t.TempDir())})

			req := &aia.Request{}
			got := src.FetchIssuers(ctx, leaf, req)
			require.Len(t, got, 1, "only the fitting issuer is returned")
			assert.True(t, got[0].Equal(p.inter.Cert))
			require.Len(t, req.Retrievals, 1)
			r := req.Retrievals[0]
			assert.Equal(t, cache.KindAIA, r.Kind)
			assert.Equal(t, cache.FromNetwork, r.From)
			assert.True(t, r.OK)
			assert.Equal(t, 1, req.Fetches)

			req2 := &aia.Request{}
			got = src.FetchIssuers(ctx, leaf, req2)
			require.Len(t, got, 1)
			assert.Equal(t, cache.FromMemory, req2.Retrievals[0].From)
			assert.Equal(t, 1, srv.count(path), "the second retrieval is served by the memory cache")
		})
	}
}

// Bodies that are not a fitting certificate are ignored, recorded as
// invalid content with the reason, and never cached (CRYPT_AIA_RETRIEVAL;
// .NET EmptyAiaResponseIsIgnored and AiaAcceptsCertTypesAndIgnoresNonCertTypes,
// spec §11.2).
func TestFetchIssuers_IgnoresNonCertificates(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	// Same name and key identifier as the issuer, another key.
	impostor := testpki.NewRoot("AIA Test Issuing CA", testpki.ECDSA, func(c *x509.Certificate) {
		c.SubjectKeyId = p.inter.Cert.X.SubjectKeyId
	})
	unrelated := testpki.NewRoot("Unrelated CA", testpki.ECDSA)
	cases := []struct {
		name   string
		body   []byte
		reason error
		detail string
	}{
		{"empty 200 body", nil, certs.ErrEmptyObject, "empty"},
		{"white space", []byte(" \r\n"), certs.ErrEmptyObject, "empty"},
		{"PKCS#12", pfx(), certs.ErrNotCertificate, "PKCS#12"},
		{"HTML error page", []byte("<html><body>Not here</body></html>"), certs.ErrNotCertificate, "neither DER nor base64"},
		{"random DER", []byte{0x30, 0x03, 0x02, 0x01, 0x05}, certs.ErrNotCertificate, ""},
		{"PEM private key", []byte("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n"), certs.ErrNotCertificate, "PRIVATE KEY"},
		{"PKCS#7 without certificates", p7c(t), certs.ErrNotCertificate, "no certificate"},
		{"a CRL", p.root.CRL(1, testTime, testTime.AddDate(0, 0, 7), testTime), certs.ErrNotCertificate, ""},
		{"same name, other key (signature fails)", impostor.Cert.X.Raw, aia.ErrNoIssuer, "does not verify"},
		{"unrelated CA", unrelated.Cert.X.Raw, aia.ErrNoIssuer, "key identifier differs"},
		{"the certificate itself", nil, aia.ErrNoIssuer, "itself"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := fmt.Sprintf("/bad%d", i)
			url := srv.URL + path
			leaf := p.withURLs(url)
			body := tc.body
			if tc.name == "the certificate itself" {
				body = leaf.X.Raw
			}
			srv.serve(path, body)
			ret := newRetriever(t, newManual(), t.TempDir())
			src := newSource(t, aia.Config{Retriever: ret})
			req := &aia.Request{}
			assert.Empty(t, src.FetchIssuers(ctx, leaf, req))
			require.Len(t, req.Retrievals, 1)
			r := req.Retrievals[0]
			assert.False(t, r.OK)
			assert.Equal(t, cache.FromNetwork, r.From)
			require.ErrorIs(t, r.Err, cache.ErrInvalidContent)
			assert.ErrorIs(t, r.Err, tc.reason)
			assert.Contains(t, r.Err.Error(), tc.detail)
			_, err := ret.Lookup(url)
			assert.ErrorIs(t, err, cache.ErrNotCached, "rejected content is not cached")
		})
	}
}

// A 404 and an unreachable host are recorded with their reason; the next
// URL is tried.
func TestFetchIssuers_TriesNextURLAfterFailure(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	dead := newServer(t)
	deadURL := dead.URL + "/inter.crt"
	dead.Close()
	leaf := p.withURLs(srv.fail("/gone.crt", 404), deadURL, srv.serve("/inter.crt", p.inter.Cert.X.Raw))
	src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
	req := &aia.Request{}
	got := src.FetchIssuers(ctx, leaf, req)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"http-status", "offline", ""}, reasons(req.Retrievals))
	assert.Equal(t, 3, req.Fetches)
}

// The limits of spec §6, each with a clear recorded result.
func TestFetchIssuers_Limits(t *testing.T) {
	t.Run("6 URLs: the sixth is not considered (MaxAIAUrlCountInCert 5)", func(t *testing.T) {
		srv := newServer(t)
		p := newPKI()
		var urls []string
		for i := range 5 {
			urls = append(urls, srv.fail(fmt.Sprintf("/gone%d.crt", i), 404))
		}
		urls = append(urls, srv.serve("/sixth.crt", p.inter.Cert.X.Raw))
		// Lift the per-chain count so only the per-certificate one applies.
		src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), ""), MaxRetrievalCountPerChain: 10})
		req := &aia.Request{}
		assert.Empty(t, src.FetchIssuers(ctx, p.withURLs(urls...), req))
		require.Len(t, req.Retrievals, 6)
		last := req.Retrievals[5]
		require.ErrorIs(t, last.Err, aia.ErrLimit)
		assert.Equal(t, cache.FromNone, last.From)
		assert.Contains(t, last.Err.Error(), "MaxAIAUrlCountInCert (5): URL 6 of 6")
		assert.Equal(t, 0, srv.count("/sixth.crt"))
		assert.Equal(t, []string{"MaxAIAUrlCountInCert (5)"}, req.LimitsHit)
	})
	t.Run("4 retrievals in one build: the fourth is refused (MaxAIAUrlRetrievalCountPerChain 3)", func(t *testing.T) {
		srv := newServer(t)
		p := newPKI()
		src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
		req := &aia.Request{}
		// Two certificates of the same build: the count spans the build.
		a := p.withURLs(srv.fail("/a1", 404), srv.fail("/a2", 404))
		b := p.withURLs(srv.fail("/b1", 404), srv.serve("/b2", p.inter.Cert.X.Raw))
		assert.Empty(t, src.FetchIssuers(ctx, a, req))
		assert.Empty(t, src.FetchIssuers(ctx, b, req))
		assert.Equal(t, 3, req.Fetches)
		require.Equal(t, []string{"http-status", "http-status", "http-status", "limit"}, reasons(req.Retrievals))
		assert.Contains(t, req.Retrievals[3].Err.Error(), "MaxAIAUrlRetrievalCountPerChain (3): 3 AIA retrievals already made")
		assert.Equal(t, 0, srv.count("/b2"))
		assert.Equal(t, []string{"MaxAIAUrlRetrievalCountPerChain (3)"}, req.LimitsHit)
	})
	t.Run("an 11-certificate bundle is refused (MaxAIAUrlRetrievalCertCount 10)", func(t *testing.T) {
		srv := newServer(t)
		p := newPKI()
		bundle := []*certs.Certificate{p.inter.Cert}
		for i := range 10 {
			bundle = append(bundle, testpki.NewRoot(fmt.Sprintf("Filler %d", i), testpki.ECDSA).Cert)
		}
		url := srv.serve("/eleven.p7c", p7c(t, bundle...))
		ret := newRetriever(t, newManual(), t.TempDir())
		src := newSource(t, aia.Config{Retriever: ret})
		req := &aia.Request{}
		assert.Empty(t, src.FetchIssuers(ctx, p.withURLs(url), req))
		r := req.Retrievals[0]
		require.ErrorIs(t, r.Err, cache.ErrInvalidContent)
		assert.ErrorIs(t, r.Err, certs.ErrTooManyCertificates)
		assert.Contains(t, r.Err.Error(), "more than 10 certificates")
		assert.Equal(t, []string{"MaxAIAUrlRetrievalCertCount (10)"}, req.LimitsHit)
		_, err := ret.Lookup(url)
		assert.ErrorIs(t, err, cache.ErrNotCached)

		// Exactly ten is fine.
		url10 := srv.serve("/ten.p7c", p7c(t, bundle[:10]...))
		req = &aia.Request{}
		assert.Len(t, src.FetchIssuers(ctx, p.withURLs(url10), req), 1)
		assert.Empty(t, req.LimitsHit)
	})
	t.Run("a 100001-byte body is refused (MaxAIAUrlRetrievalByteCount 100000)", func(t *testing.T) {
		srv := newServer(t)
		p := newPKI()
		big := srv.serve("/big.crt", make([]byte, 100001))
		edge := srv.serve("/edge.crt", make([]byte, 100000))
		src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
		req := &aia.Request{}
		assert.Empty(t, src.FetchIssuers(ctx, p.withURLs(big, edge), req))
		assert.Equal(t, []string{"too-large", "invalid-content"}, reasons(req.Retrievals),
			"100001 bytes is over the limit; 100000 bytes is read and judged on its content")
		assert.Equal(t, []string{"MaxAIAUrlRetrievalByteCount (100000)"}, req.LimitsHit)
	})
	t.Run("Config overrides the byte limit", func(t *testing.T) {
		srv := newServer(t)
		p := newPKI()
		url := srv.serve("/inter.crt", p.inter.Cert.X.Raw)
		src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), ""), MaxRetrievalBytes: 100})
		req := &aia.Request{}
		assert.Empty(t, src.FetchIssuers(ctx, p.withURLs(url), req))
		assert.Equal(t, []string{"too-large"}, reasons(req.Retrievals))
		assert.Equal(t, []string{"MaxAIAUrlRetrievalByteCount (100)"}, req.LimitsHit)
	})
}

// https is never used for AIA; ldap and file only when enabled; anything
// else is refused. Nothing reaches the wire.
func TestFetchIssuers_Schemes(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	leaf := p.withURLs("https://pki.example.test/inter.crt", "ldap:///CN=AIA?cACertificate", "file:///tmp/inter.crt", "ftp://pki.example.test/inter.crt")
	src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
	req := &aia.Request{}
	assert.Empty(t, src.FetchIssuers(ctx, leaf, req))
	require.Equal(t, []string{"unsupported-scheme", "unsupported-scheme", "unsupported-scheme", "unsupported-scheme"}, reasons(req.Retrievals))
	assert.Contains(t, req.Retrievals[0].Err.Error(), "HTTPS is not supported for AIA")
	assert.Equal(t, 0, req.Fetches, "refused URLs are not retrievals")
	assert.Equal(t, 0, srv.total())
}

// file:// works when both aia.Config.EnableFile and the Retriever's
// AllowFileScheme are set (AllowFileUrlScheme, spec §6).
func TestFetchIssuers_FileWhenEnabled(t *testing.T) {
	p := newPKI()
	dir := t.TempDir()
	path := filepath.Join(dir, "inter.crt")
	require.NoError(t, os.WriteFile(path, p.inter.Cert.X.Raw, 0o644))
	leaf := p.withURLs("file://" + filepath.ToSlash(path))
	ret, err := cache.NewRetriever(cache.Config{Clock: newManual(), Fetcher: cache.NewHTTPFetcher(nil), AllowFileScheme: true})
	require.NoError(t, err)
	src := newSource(t, aia.Config{Retriever: ret, EnableFile: true})
	req := &aia.Request{}
	got := src.FetchIssuers(ctx, leaf, req)
	require.Len(t, got, 1, "%v", reasons(req.Retrievals))
	assert.True(t, got[0].Equal(p.inter.Cert))
}

// CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL: caches only. A miss is recorded as
// not-cached without touching the wire; after another process fetched the
// object, it is read from the shared disk cache.
func TestFetchIssuers_CacheOnly(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	leaf := p.withURLs(srv.serve("/inter.crt", p.inter.Cert.X.Raw))
	dir := t.TempDir()

	src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), dir)})
	req := &aia.Request{CacheOnly: true}
	assert.Empty(t, src.FetchIssuers(ctx, leaf, req))
	assert.Equal(t, []string{"not-cached"}, reasons(req.Retrievals))
	assert.Equal(t, 0, srv.total())

	// Another process fetches it (and writes the disk cache).
	other := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), dir)})
	require.Len(t, other.FetchIssuers(ctx, leaf, &aia.Request{}), 1)

	// A fresh process in cache-only mode finds it on disk.
	fresh := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), dir)})
	req = &aia.Request{CacheOnly: true}
	got := fresh.FetchIssuers(ctx, leaf, req)
	require.Len(t, got, 1)
	assert.Equal(t, cache.FromDisk, req.Retrievals[0].From)
	assert.Equal(t, 1, srv.total())
}

// DisableAIAUrlRetrieval and Options bit 0x2: nothing is fetched or
// recorded.
func TestFetchIssuers_Disabled(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	leaf := p.withURLs(srv.serve("/inter.crt", p.inter.Cert.X.Raw))
	for name, cfg := range map[string]aia.Config{
		"DisableAIAUrlRetrieval": {DisableAIAURLRetrieval: true},
		"Options 0x2":            {Options: aia.OptionDisableAIAURLRetrieval},
	} {
		t.Run(name, func(t *testing.T) {
			cfg.Retriever = newRetriever(t, newManual(), "")
			src := newSource(t, cfg)
			assert.True(t, src.Disabled())
			req := &aia.Request{}
			assert.Empty(t, src.FetchIssuers(ctx, leaf, req))
			assert.Empty(t, req.Retrievals)
		})
	}
	assert.Equal(t, 0, srv.total())
}

// A cached object is checked again for the certificate at hand: one that
// fits another CA's leaf is not returned for this one, and the log says
// why.
func TestFetchIssuers_CachedObjectCheckedPerCertificate(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	q := newPKI()
	url := srv.serve("/shared.crt", p.inter.Cert.X.Raw)
	src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
	require.Len(t, src.FetchIssuers(ctx, p.withURLs(url), &aia.Request{}), 1)

	req := &aia.Request{}
	assert.Empty(t, src.FetchIssuers(ctx, q.withURLs(url), req))
	r := req.Retrievals[0]
	assert.Equal(t, cache.FromMemory, r.From)
	assert.False(t, r.OK)
	require.ErrorIs(t, r.Err, aia.ErrNoIssuer)
	assert.Contains(t, r.Err.Error(), "cached object (from memory)")
}

// A certificate without caIssuers URLs, and a nil request, are fine.
func TestFetchIssuers_NoURLsAndNilRequest(t *testing.T) {
	srv := newServer(t)
	p := newPKI()
	src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
	assert.Empty(t, src.FetchIssuers(ctx, p.withURLs(), &aia.Request{}))
	got := src.FetchIssuers(ctx, p.withURLs(srv.serve("/inter.crt", p.inter.Cert.X.Raw)), nil)
	assert.Len(t, got, 1)
	assert.Empty(t, src.FetchIssuers(ctx, nil, nil))
}

func TestNewSource(t *testing.T) {
	_, err := aia.NewSource(aia.Config{})
	assert.ErrorContains(t, err, "Retriever is required")
	_, err = aia.NewSource(aia.Config{Retriever: newRetriever(t, newManual(), ""), MaxRetrievalBytes: -1})
	assert.Error(t, err)
	src := newSource(t, aia.Config{Retriever: newRetriever(t, newManual(), "")})
	cfg := src.Config()
	assert.Equal(t, 5, cfg.MaxURLCountInCert)
	assert.Equal(t, 3, cfg.MaxRetrievalCountPerChain)
	assert.Equal(t, 10, cfg.MaxRetrievalCertCount)
	assert.EqualValues(t, 100000, cache.DefaultMaxAIARetrievalBytes)
}
