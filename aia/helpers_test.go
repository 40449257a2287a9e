package aia_test

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/smallstep/pkcs7"
	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// testTime is the machine clock of the tests: within every generated
// certificate's validity.
var testTime = testpki.Epoch.AddDate(1, 0, 0)

// server is a real loopback HTTP server whose paths serve fixed bodies, and
// which counts the requests it gets per path.
type server struct {
	*httptest.Server
	mu     sync.Mutex
	bodies map[string][]byte
	status map[string]int
	counts map[string]int
}

func newServer(t testing.TB) *server {
	s := &server{bodies: map[string][]byte{}, status: map[string]int{}, counts: map[string]int{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.URL.Path]++
		body, ok := s.bodies[r.URL.Path]
		st := s.status[r.URL.Path]
		s.mu.Unlock()
		if !ok && st == 0 {
			http.NotFound(w, r)
			return
		}
		if st != 0 {
			w.WriteHeader(st)
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// serve makes path answer 200 with body and returns its URL.
func (s *server) serve(path string, body []byte) string {
	s.mu.Lock()
	s.bodies[path] = body
	s.mu.Unlock()
	return s.URL + path
}

// fail makes path answer status with an empty body and returns its URL.
func (s *server) fail(path string, status int) string {
	s.mu.Lock()
	s.status[path] = status
	s.mu.Unlock()
	return s.URL + path
}

func (s *server) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

func (s *server) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.counts {
		n += c
	}
	return n
}

// pki is root → inter → leaf, the leaf's caIssuers pointing at urls.
type pki struct {
	root, inter, leaf *testpki.CA
}

func newPKI(urls ...string) *pki {
	root := testpki.NewRoot("AIA Test Root", testpki.ECDSA)
	inter := root.NewIntermediate("AIA Test Issuing CA", testpki.ECDSA)
	leaf := inter.NewLeaf("aia.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.IssuingCertificateURL = urls
	})
	return &pki{root: root, inter: inter, leaf: leaf}
}

// withURLs reissues the leaf with other caIssuers URLs.
func (p *pki) withURLs(urls ...string) *certs.Certificate {
	return p.inter.NewLeaf("aia.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.IssuingCertificateURL = urls
	}).Cert
}

// p7c wraps certificates in a certs-only PKCS#7 written by smallstep/pkcs7,
// a producer independent of the decoder under test.
func p7c(t testing.TB, cs ...*certs.Certificate) []byte {
	var der []byte
	for _, c := range cs {
		der = append(der, c.X.Raw...)
	}
	b, err := pkcs7.DegenerateCertificate(der)
	require.NoError(t, err)
	return b
}

// berP7C re-encodes the outer ContentInfo of a DER PKCS#7 with an
// indefinite length, as BER producers do.
func berP7C(t testing.TB, der []byte) []byte {
	require.Equal(t, byte(0x30), der[0])
	hdr := 2
	if der[1]&0x80 != 0 {
		hdr += int(der[1] & 0x7f)
	}
	out := append([]byte{0x30, 0x80}, der[hdr:]...)
	return append(out, 0, 0)
}

// pfx is the outer shape of a PKCS#12 file: version 3 and an authSafe of
// type data. It is enough for every PKCS#12 sniffer, including Windows'.
func pfx() []byte {
	return []byte{0x30, 0x16, 0x02, 0x01, 0x03, 0x30, 0x11, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,
		0xa0, 0x04, 0x04, 0x02, 0x30, 0x00}
}

func b64(der []byte) []byte {
	s := base64.StdEncoding.EncodeToString(der)
	var out bytes.Buffer
	for len(s) > 64 {
		out.WriteString(s[:64] + "\r\n")
		s = s[64:]
	}
	out.WriteString(s + "\r\n")
	return out.Bytes()
}

// newRetriever returns a Retriever on the real network (loopback) with a
// disk cache in dir ("" for none).
func newRetriever(t testing.TB, clk clock.Clock, dir string) *cache.Retriever {
	r, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: cache.NewHTTPFetcher(nil), DiskDir: dir})
	require.NoError(t, err)
	return r
}

func newSource(t testing.TB, cfg aia.Config) *aia.Source {
	s, err := aia.NewSource(cfg)
	require.NoError(t, err)
	return s
}

func newManual() *clock.Manual { return clock.NewManual(testTime) }

// reasons returns the error word of every retrieval ("" for success).
func reasons(rs []*cache.Result) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ErrorText()
	}
	return out
}
