package revocation

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// t0 is the machine clock at the start of every scenario: after the test
// certificates' NotBefore (testpki.Epoch).
var t0 = testpki.Epoch.Add(30 * 24 * time.Hour)

// responder is a real loopback HTTP server acting as CDP and OCSP
// responder. Paths serve static bodies (CRLs), fixed statuses, or an OCSP
// answer function; every request is counted.
type responder struct {
	mu     sync.Mutex
	files  map[string][]byte
	status map[string]int
	ocsp   map[string]func(*ocsp.Request) []byte
	hits   map[string]int
	posts  int
	// getFails makes OCSP GETs answer 405 (a responder that only takes POST).
	getFails bool
	srv      *httptest.Server
}

func newResponder(t *testing.T) *responder {
	rs := &responder{files: map[string][]byte{}, status: map[string]int{}, ocsp: map[string]func(*ocsp.Request) []byte{}, hits: map[string]int{}}
	rs.srv = httptest.NewServer(rs)
	t.Cleanup(rs.srv.Close)
	return rs
}

func (rs *responder) URL(path string) string { return rs.srv.URL + path }

func (rs *responder) set(path string, body []byte) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.files[path] = body
	delete(rs.status, path)
}

func (rs *responder) fail(path string, code int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.status[path] = code
}

func (rs *responder) hit(path string) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.hits[path]
}

func (rs *responder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	path := r.URL.EscapedPath()
	for prefix, fn := range rs.ocsp {
		if path != prefix && !strings.HasPrefix(path, prefix+"/") {
			continue
		}
		rs.hits[prefix]++
		if code, ok := rs.status[prefix]; ok {
			w.WriteHeader(code)
			return
		}
		if rs.getFails && r.Method != http.MethodPost {
			w.WriteHeader(405)
			return
		}
		var der []byte
		if r.Method == http.MethodPost {
			rs.posts++
			der, _ = io.ReadAll(r.Body)
		} else {
			enc, err := url.PathUnescape(strings.TrimPrefix(path, prefix+"/"))
			if err == nil {
				der, err = base64.StdEncoding.DecodeString(enc)
			}
			if err != nil {
				w.WriteHeader(400)
				return
			}
		}
		req, err := ocsp.ParseRequest(der)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		w.Write(fn(req))
		return
	}
	rs.hits[path]++
	if code, ok := rs.status[path]; ok {
		w.WriteHeader(code)
		return
	}
	body, ok := rs.files[path]
	if !ok {
		w.WriteHeader(404)
		return
	}
	w.Write(body)
}

// ocspAnswer returns a responder function: issuer's responses, signed by
// signer (the issuer itself or a delegated responder), with the status of
// the serials in revoked (revoked at t0 − 1 h) or good.
func ocspAnswer(issuer, signer *testpki.CA, thisUpdate, nextUpdate time.Time, status func(serial *big.Int) int) func(*ocsp.Request) []byte {
	return func(req *ocsp.Request) []byte {
		tmpl := ocsp.Response{
			Status:       status(req.SerialNumber),
			SerialNumber: req.SerialNumber,
			ThisUpdate:   thisUpdate,
			NextUpdate:   nextUpdate,
			RevokedAt:    t0.Add(-time.Hour),
		}
		if signer != issuer {
			tmpl.Certificate = signer.Cert.X
		}
		// testpki.OCSPResponse: x/crypto/ocsp signs with no DSA key.
		return testpki.OCSPResponse(issuer.Cert.X, signer.Cert.X, tmpl, signer.Key)
	}
}

func statusOf(revoked ...*big.Int) func(*big.Int) int {
	return func(s *big.Int) int {
		for _, r := range revoked {
			if r.Cmp(s) == 0 {
				return ocsp.Revoked
			}
		}
		return ocsp.Good
	}
}

// crlSpec describes a CRL to sign.
type crlSpec struct {
	number                 int64
	thisUpdate, nextUpdate time.Time
	entries                []x509.RevocationListEntry
	extra                  []extension
}

type extension struct {
	oid      []int
	critical bool
	value    []byte
}

func revokedEntry(serial *big.Int, at time.Time, reason int) x509.RevocationListEntry {
	return x509.RevocationListEntry{SerialNumber: serial, RevocationTime: at, ReasonCode: reason}
}

// signCRL signs s with key, naming issuer. It builds the DER itself
// (ECDSA-SHA256): crypto/x509 refuses a CRL without nextUpdate and an issuer
// without cRLSign, both of which the tests need.
func signCRL(t testing.TB, issuer *x509.Certificate, key crypto.Signer, s crlSpec) []byte {
	t.Helper()
	number := s.number
	if number == 0 {
		number = 1
	}
	addTime := func(b *cryptobyte.Builder, tm time.Time) {
		tm = tm.UTC()
		if tm.Year() >= 2050 {
			b.AddASN1GeneralizedTime(tm)
		} else {
			b.AddASN1UTCTime(tm)
		}
	}
	addExt := func(b *cryptobyte.Builder, e extension) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier(e.oid))
			if e.critical {
				b.AddASN1Boolean(true)
			}
			b.AddASN1OctetString(e.value)
		})
	}
	sigAlg := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
		})
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		sigAlg(b)
		b.AddBytes(issuer.RawSubject)
		addTime(b, s.thisUpdate)
		if !s.nextUpdate.IsZero() {
			addTime(b, s.nextUpdate)
		}
		if len(s.entries) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range s.entries {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(e.SerialNumber)
						addTime(b, e.RevocationTime)
						if e.ReasonCode != 0 {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								var v cryptobyte.Builder
								v.AddASN1Enum(int64(e.ReasonCode))
								addExt(b, extension{oid: certs.OIDReasonCode, value: v.BytesOrPanic()})
							})
						}
					})
				}
			})
		}
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				addExt(b, extension{oid: certs.OIDCRLNumber, value: intValue(number)})
				for _, e := range s.extra {
					addExt(b, e)
				}
			})
		})
	})
	tbs := tb.BytesOrPanic()
	digest := sha256.Sum256(tbs)
	sig, err := key.Sign(rand.Reader, digest[:], crypto.SHA256)
	require.NoError(t, err)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		sigAlg(b)
		b.AddASN1BitString(sig)
	})
	return b.BytesOrPanic()
}

// dpExtValue encodes CRLDistributionPoints / FreshestCRL with one
// distribution point holding the URIs.
func dpExtValue(uris ...string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
					for _, u := range uris {
						b.AddASN1(cbasn1.Tag(6).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes([]byte(u)) })
					}
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// idpValue encodes an IssuingDistributionPoint with the given booleans.
func idpValue(onlyUser, onlyCA, indirect bool) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if onlyUser {
			b.AddASN1(cbasn1.Tag(1).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(0xFF) })
		}
		if onlyCA {
			b.AddASN1(cbasn1.Tag(2).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(0xFF) })
		}
		if indirect {
			b.AddASN1(cbasn1.Tag(4).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddUint8(0xFF) })
		}
	})
	return b.BytesOrPanic()
}

func intValue(n int64) []byte {
	var b cryptobyte.Builder
	b.AddASN1Int64(n)
	return b.BytesOrPanic()
}

// world is one client and its PKI: root → inter → leaf, with a loopback
// responder for the CDPs and OCSP URLs that the certificates carry.
type world struct {
	t      *testing.T
	clk    *clock.Manual
	rs     *responder
	root   *testpki.CA
	inter  *testpki.CA
	leaf   *testpki.CA
	dir    string
	ret    *cache.Retriever
	chk    *Checker
	cfg    Config
	leafCB func(*x509.Certificate)
}

// pointers says which revocation pointers a certificate gets.
type pointers struct{ crl, ocsp bool }

func withPointers(rs *responder, p pointers, crlPath, ocspPath string) func(*x509.Certificate) {
	return func(c *x509.Certificate) {
		if p.crl {
			c.CRLDistributionPoints = []string{rs.URL(crlPath)}
		}
		if p.ocsp {
			c.OCSPServer = []string{rs.URL(ocspPath)}
		}
	}
}

// newWorld builds the PKI. leaf and inter say which pointers the leaf and
// the intermediate carry (the leaf's point at the intermediate's CRL and
// responder, the intermediate's at the root's).
func newWorld(t *testing.T, leaf, inter pointers, mods ...func(*x509.Certificate)) *world {
	w := &world{t: t, clk: clock.NewManual(t0), rs: newResponder(t)}
	w.root = testpki.NewRoot("Test Root", testpki.ECDSA)
	w.inter = w.root.NewIntermediate("Test Issuing CA", testpki.ECDSA, withPointers(w.rs, inter, "/root.crl", "/ocsp/root"))
	w.leaf = w.inter.NewLeaf("leaf.example.test", testpki.ECDSA, append([]func(*x509.Certificate){withPointers(w.rs, leaf, "/inter.crl", "/ocsp/inter")}, mods...)...)
	w.restart()
	return w
}

// restart starts a new process: a new Retriever (same disk dir) and Checker.
func (w *world) restart() {
	r, err := cache.NewRetriever(cache.Config{Clock: w.clk, Fetcher: cache.NewHTTPFetcher(nil), DiskDir: w.dir})
	require.NoError(w.t, err)
	w.ret = r
	cfg := w.cfg
	cfg.Retriever = r
	w.chk, err = NewChecker(cfg)
	require.NoError(w.t, err)
}

// interCRL publishes the intermediate's CRL at /inter.crl.
func (w *world) interCRL(s crlSpec) []byte {
	der := signCRL(w.t, w.inter.Cert.X, w.inter.Key, s)
	w.rs.set("/inter.crl", der)
	return der
}

func (w *world) rootCRL(s crlSpec) []byte {
	der := signCRL(w.t, w.root.Cert.X, w.root.Key, s)
	w.rs.set("/root.crl", der)
	return der
}

func (w *world) interOCSP(signer *testpki.CA, thisUpdate, nextUpdate time.Time, revoked ...*big.Int) {
	w.rs.mu.Lock()
	defer w.rs.mu.Unlock()
	w.rs.ocsp["/ocsp/inter"] = ocspAnswer(w.inter, signer, thisUpdate, nextUpdate, statusOf(revoked...))
}

func (w *world) req() *Request {
	now := w.clk.Now()
	return &Request{Time: now, Now: now}
}

func (w *world) checkLeaf(req *Request) *Result {
	if req == nil {
		req = w.req()
	}
	return w.chk.Check(context.Background(), w.leaf.Cert, w.inter.Cert, req)
}

func leafSerial(w *world) *big.Int { return w.leaf.Cert.X.SerialNumber }

// fresh returns a CRL validity window around the clock: thisUpdate 1 h ago,
// nextUpdate in a week.
func fresh(clk clock.Clock) (time.Time, time.Time) {
	return clk.Now().Add(-time.Hour), clk.Now().Add(7 * 24 * time.Hour)
}

func mustParse(t testing.TB, der []byte) *certs.Certificate {
	c, err := certs.Parse(der)
	require.NoError(t, err)
	return c
}

func pkixExt(e extension) pkix.Extension {
	return pkix.Extension{Id: asn1.ObjectIdentifier(e.oid), Critical: e.critical, Value: e.value}
}
