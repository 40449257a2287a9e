package chain_test

// End-to-end revocation through the chain engine: real loopback responders
// (httptest) as CDP and OCSP servers, PKIs generated here, the rows of spec
// §11.2 (the .NET DynamicRevocationTests and TimeoutTests results observed
// on real Windows) and the outcome table of spec §3.5.

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
	"github.com/winchain/winchain/netsim"
	"github.com/winchain/winchain/revocation"
)

// rvT0 is the machine clock of these scenarios (after testpki.Epoch).
var rvT0 = testpki.Epoch.Add(30 * 24 * time.Hour)

// rvServer is a loopback CDP/OCSP responder. Paths are CRLs; "/ocsp/<ca>"
// answers OCSP (GET with the base64 request, or POST).
type rvServer struct {
	mu     sync.Mutex
	files  map[string][]byte
	status map[string]int
	ocsp   map[string]func(*ocsp.Request) []byte
	srv    *httptest.Server
}

func newRVServer(t *testing.T) *rvServer {
	s := &rvServer{files: map[string][]byte{}, status: map[string]int{}, ocsp: map[string]func(*ocsp.Request) []byte{}}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *rvServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := r.URL.EscapedPath()
	for prefix, fn := range s.ocsp {
		if !strings.HasPrefix(path, prefix+"/") && path != prefix {
			continue
		}
		if code, ok := s.status[prefix]; ok {
			w.WriteHeader(code)
			return
		}
		var der []byte
		if r.Method == http.MethodPost {
			der, _ = io.ReadAll(r.Body)
		} else {
			enc, _ := url.PathUnescape(strings.TrimPrefix(path, prefix+"/"))
			der, _ = base64.StdEncoding.DecodeString(enc)
		}
		req, err := ocsp.ParseRequest(der)
		if err != nil {
			w.WriteHeader(400)
			return
		}
		w.Write(fn(req))
		return
	}
	if code, ok := s.status[path]; ok {
		w.WriteHeader(code)
		return
	}
	if b, ok := s.files[path]; ok {
		w.Write(b)
		return
	}
	w.WriteHeader(404)
}

// rvCA is one CA of the scenario PKI with its revocation services.
type rvCA struct {
	ca      *testpki.CA
	name    string // path stem: /<name>.crl, /ocsp/<name>
	revoked []*big.Int
	// responder signs OCSP responses (the CA itself by default).
	responder *testpki.CA
	// thisUpdate/nextUpdate of the CRL and OCSP answers; zero next = none.
	thisUpdate, nextUpdate time.Time
	corrupt                bool // flip the last signature byte
	ghost                  bool // CRL issuer / responderID "CN=The Ghost in the Machine"
}

// rvPKI is root → inter → leaf; which pointers each certificate carries
// is chosen per scenario.
type rvPKI struct {
	t                 *testing.T
	srv               *rvServer
	clk               *clock.Manual
	root, inter, leaf *certs.Certificate
	rootCA, interCA   *rvCA
	leafKey           *testpki.CA
}

type rvPointers struct{ crl, ocsp bool }

func (p rvPointers) apply(s *rvServer, issuer string) func(*x509.Certificate) {
	return func(c *x509.Certificate) {
		if p.crl {
			c.CRLDistributionPoints = []string{s.srv.URL + "/" + issuer + ".crl"}
		}
		if p.ocsp {
			c.OCSPServer = []string{s.srv.URL + "/ocsp/" + issuer}
		}
	}
}

var (
	rvCRL  = rvPointers{crl: true}
	rvOCSP = rvPointers{ocsp: true}
	rvBoth = rvPointers{crl: true, ocsp: true}
	rvNone = rvPointers{}
)

// newRVPKI builds the PKI: rootPtr are the root's own pointers (a root
// that can revoke itself, S29 RevokeRoot), interPtr the intermediate's
// (served by the root), leafPtr the leaf's (served by the intermediate).
func newRVPKI(t *testing.T, rootPtr, interPtr, leafPtr rvPointers, leafMods ...func(*x509.Certificate)) *rvPKI {
	p := &rvPKI{t: t, srv: newRVServer(t), clk: clock.NewManual(rvT0)}
	root := testpki.NewRoot("Revocation Test Root", testpki.ECDSA, rootPtr.apply(p.srv, "root"))
	inter := root.NewIntermediate("Revocation Test Issuing CA", testpki.ECDSA, interPtr.apply(p.srv, "root"))
	leaf := inter.NewLeaf("leaf.revocation.test", testpki.ECDSA, append([]func(*x509.Certificate){leafPtr.apply(p.srv, "inter")}, leafMods...)...)
	p.root, p.inter, p.leaf, p.leafKey = root.Cert, inter.Cert, leaf.Cert, leaf
	fresh := func(ca *testpki.CA, name string) *rvCA {
		return &rvCA{ca: ca, name: name, responder: ca, thisUpdate: rvT0.Add(-time.Hour), nextUpdate: rvT0.Add(7 * 24 * time.Hour)}
	}
	p.rootCA, p.interCA = fresh(root, "root"), fresh(inter, "inter")
	return p
}

// publish (re)publishes both CAs' CRLs and OCSP responders.
func (p *rvPKI) publish() {
	for _, c := range []*rvCA{p.rootCA, p.interCA} {
		p.srv.mu.Lock()
		p.srv.files["/"+c.name+".crl"] = c.crl(p.t)
		c := c
		p.srv.ocsp["/ocsp/"+c.name] = c.answer
		p.srv.mu.Unlock()
	}
}

func (c *rvCA) crl(t *testing.T) []byte {
	issuer := c.ca.Cert.X
	if c.ghost {
		g := testpki.Template("The Ghost in the Machine", true)
		issuer = testpki.NewRoot("The Ghost in the Machine", testpki.ECDSA).IssueWithKey(g, c.ca.Key).Cert.X
	}
	der := buildCRL(t, issuer, c.ca.Key, c.thisUpdate, c.nextUpdate, c.revoked)
	if c.corrupt {
		der[len(der)-1] ^= 0xFF
	}
	return der
}

func (c *rvCA) answer(req *ocsp.Request) []byte {
	status := ocsp.Good
	for _, s := range c.revoked {
		if s.Cmp(req.SerialNumber) == 0 {
			status = ocsp.Revoked
		}
	}
	tmpl := ocsp.Response{Status: status, SerialNumber: req.SerialNumber, ThisUpdate: c.thisUpdate, NextUpdate: c.nextUpdate, RevokedAt: rvT0.Add(-2 * time.Hour)}
	signer := c.responder
	if signer != c.ca {
		tmpl.Certificate = signer.Cert.X
	}
	responderCert := signer.Cert.X
	if c.ghost {
		responderCert = &x509.Certificate{RawSubject: ghostName()}
	}
	der, err := ocsp.CreateResponse(c.ca.Cert.X, responderCert, tmpl, signer.Key)
	if err != nil {
		panic(err)
	}
	if c.corrupt {
		der[len(der)-1] ^= 0xFF
	}
	return der
}

func ghostName() []byte {
	return testpki.NewRoot("The Ghost in the Machine", testpki.ECDSA).Cert.X.RawSubject
}

// buildCRL signs a v2 CRL (ECDSA-SHA256) by hand: crypto/x509 refuses a CRL
// without nextUpdate, which S29 needs.
func buildCRL(t *testing.T, issuer *x509.Certificate, key crypto.Signer, this, next time.Time, revoked []*big.Int) []byte {
	t.Helper()
	alg := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2})
		})
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		alg(b)
		b.AddBytes(issuer.RawSubject)
		b.AddASN1UTCTime(this.UTC())
		if !next.IsZero() {
			b.AddASN1UTCTime(next.UTC())
		}
		if len(revoked) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, s := range revoked {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1BigInt(s)
						b.AddASN1UTCTime(rvT0.Add(-2 * time.Hour).UTC())
					})
				}
			})
		}
	})
	tbs := tb.BytesOrPanic()
	d := sha256.Sum256(tbs)
	sig, err := key.Sign(rand.Reader, d[:], crypto.SHA256)
	require.NoError(t, err)
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		alg(b)
		b.AddASN1BitString(sig)
	})
	return b.BytesOrPanic()
}

// client is one Windows client: a chain engine with a revocation checker
// over a Retriever with memory (and optionally disk) cache.
type client struct {
	e   *chain.Engine
	ret *cache.Retriever
}

func (p *rvPKI) client(fetcher cache.Fetcher, dir string) *client {
	if fetcher == nil {
		fetcher = cache.NewHTTPFetcher(nil)
	}
	ret, err := cache.NewRetriever(cache.Config{Clock: p.clk, Fetcher: fetcher, DiskDir: dir})
	require.NoError(p.t, err)
	chk, err := revocation.NewChecker(revocation.Config{Retriever: ret})
	require.NoError(p.t, err)
	e := chain.NewEngine(chain.Config{Clock: p.clk, Root: chain.NewStore("Root", p.root), CA: chain.NewStore("CA", p.inter), Revocation: chk})
	return &client{e: e, ret: ret}
}

func (c *client) get(t *testing.T, cert *certs.Certificate, p chain.Params) *chain.ChainContext {
	cc, err := c.e.GetChain(context.Background(), cert, p)
	require.NoError(t, err)
	return cc
}

const revBits = chain.IsRevoked | chain.RevocationStatusUnknown | chain.IsOfflineRevocation

// codes renders the revocation bits of a chain root-first as in spec §11.2
// ("0/0x4/U").
func codes(cc *chain.ChainContext) string {
	els := cc.Chains[0].Elements
	var parts []string
	for i := len(els) - 1; i >= 0; i-- {
		switch b := els[i].TrustStatus.ErrorStatus & revBits; b {
		case 0:
			parts = append(parts, "0")
		case chain.IsRevoked:
			parts = append(parts, "0x4")
		case chain.RevocationStatusUnknown | chain.IsOfflineRevocation:
			parts = append(parts, "U")
		case chain.RevocationStatusUnknown:
			parts = append(parts, "0x40")
		default:
			parts = append(parts, "?")
		}
	}
	return strings.Join(parts, "/")
}

var modes = []struct {
	name string
	flag chain.Flags
}{
	{"ExcludeRoot", chain.RevocationCheckChainExclRoot},
	{"EndCert", chain.RevocationCheckEndCert},
	{"Entire", chain.RevocationCheckChain},
}

// TestDotNetSimpleRevocationBody is spec §11.2's first table
// (SimpleRevocationBody), for CRL-only, OCSP-only and both pointer kinds.
func TestDotNetSimpleRevocationBody(t *testing.T) {
	rows := []struct {
		name              string
		root, inter, leaf bool // revoked
		disableAIA        bool
		excl, end, entire string
	}{
		{name: "NothingRevoked", excl: "0/0/0", end: "0/0/0"},
		{name: "RevokeIntermediate", inter: true, excl: "0/0x4/U", end: "0/0/0"},
		{name: "RevokeEndEntity", leaf: true, excl: "0/0/0x4", end: "0/0/0x4"},
		{name: "RevokeLeafWithAiaFetchingDisabled", leaf: true, disableAIA: true, excl: "0/0/0x4", end: "0/0/0x4"},
		{name: "RevokeIntermediateAndEndEntity (the leaf is not reported revoked)", inter: true, leaf: true, excl: "0/0x4/U", end: "0/0/0x4"},
		{name: "RevokeRoot", root: true, excl: "0/0/0", end: "0/0/0", entire: "0x4/U/U"},
		{name: "RevokeRootAndEndEntity", root: true, leaf: true, excl: "0/0/0x4", end: "0/0/0x4", entire: "0x4/U/U"},
		{name: "RevokeRootAndIntermediate", root: true, inter: true, excl: "0/0x4/U", end: "0/0/0", entire: "0x4/U/U"},
		{name: "RevokeEverything", root: true, inter: true, leaf: true, excl: "0/0x4/U", end: "0/0/0x4", entire: "0x4/U/U"},
	}
	for _, kind := range []struct {
		name string
		ptr  rvPointers
	}{{"CrlEverywhere", rvCRL}, {"OcspEverywhere", rvOCSP}, {"AllRevocation", rvBoth}} {
		for _, row := range rows {
			t.Run(kind.name+"/"+row.name, func(t *testing.T) {
				p := newRVPKI(t, kind.ptr, kind.ptr, kind.ptr)
				if row.root {
					p.rootCA.revoked = append(p.rootCA.revoked, p.root.X.SerialNumber)
				}
				if row.inter {
					p.rootCA.revoked = append(p.rootCA.revoked, p.inter.X.SerialNumber)
				}
				if row.leaf {
					p.interCA.revoked = append(p.interCA.revoked, p.leaf.X.SerialNumber)
				}
				p.publish()
				for _, m := range modes {
					want := map[string]string{"ExcludeRoot": row.excl, "EndCert": row.end, "Entire": row.entire}[m.name]
					if want == "" {
						continue
					}
					flags := m.flag
					if row.disableAIA {
						flags |= chain.DisableAIA
					}
					cc := p.client(nil, "").get(t, p.leaf, chain.Params{Time: rvT0, Flags: flags})
					require.Equal(t, want, codes(cc), "%s: %v", m.name, detail(cc))
					st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
					require.Equal(t, want == "0/0/0", st.OK(), "%s policy %v", m.name, st.Error)
					if strings.Contains(want, "0x4") {
						require.Equal(t, chain.CRYPT_E_REVOKED, st.Error)
					}
				}
			})
		}
	}
}

func detail(cc *chain.ChainContext) []string {
	var out []string
	for _, el := range cc.Chains[0].Elements {
		if el.Revocation != nil {
			out = append(out, el.Cert.Subject()+": "+el.Revocation.Result+" "+el.Revocation.Detail)
		}
	}
	return out
}

// TestDotNetCheckRevokedRootDirectly: the revoked root built by itself
// (spec §11.2): Entire 0x4, ExcludeRoot 0 (nothing is checked), EndCert 0x4
// (the root is the end certificate).
func TestDotNetCheckRevokedRootDirectly(t *testing.T) {
	p := newRVPKI(t, rvCRL, rvCRL, rvCRL)
	p.rootCA.revoked = []*big.Int{p.root.X.SerialNumber}
	p.publish()
	want := map[string]string{"ExcludeRoot": "0", "EndCert": "0x4", "Entire": "0x4"}
	for _, m := range modes {
		cc := p.client(nil, "").get(t, p.root, chain.Params{Time: rvT0, Flags: m.flag})
		require.Equal(t, want[m.name], codes(cc), m.name)
	}
}

// TestDotNetResponderAndCRLDefects is spec §11.2's "Responder and CRL
// defects" table.
func TestDotNetResponderAndCRLDefects(t *testing.T) {
	unrelatedResponder := func() *testpki.CA {
		other := testpki.NewRoot("Unrelated Root", testpki.ECDSA)
		return other.NewLeaf("Designated Responder", testpki.ECDSA, func(c *x509.Certificate) {
			c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		})
	}
	rows := []struct {
		name                    string
		rootPtr, interPtr, leaf rvPointers
		setup                   func(p *rvPKI) chain.Params
		excl, end, entire       string
		policy                  func(t *testing.T, p *rvPKI, c *client)
	}{
		{
			name: "RevokeEndEntity_IssuerUnrelatedOcsp (the revoked answer is discarded)", rootPtr: rvNone, interPtr: rvOCSP, leaf: rvOCSP,
			setup: func(p *rvPKI) chain.Params {
				p.interCA.responder = unrelatedResponder()
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/0/U", end: "0/0/U",
		},
		{
			name: "RevokeEndEntity_RootUnrelatedOcsp (the leaf is still checked when its issuer is merely unknown)", rootPtr: rvNone, interPtr: rvOCSP, leaf: rvOCSP,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.responder = unrelatedResponder()
				p.rootCA.revoked = []*big.Int{p.inter.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/U/0", end: "0/0/0",
		},
		{
			name: "RevokeEndEntity_RootRevocationOffline (root's URLs return 404)", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
				p.srv.status["/root.crl"], p.srv.status["/ocsp/root"] = 404, 404
				return chain.Params{}
			},
			excl: "0/U/0x4", end: "0/0/0x4", entire: "0/U/0x4",
		},
		{
			name: "NothingRevoked_RootRevocationOffline", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.srv.status["/root.crl"], p.srv.status["/ocsp/root"] = 404, 404
				return chain.Params{}
			},
			excl: "0/U/0", end: "0/0/0", entire: "0/U/0",
		},
		{
			name: "RevokeEndEntityWithInvalidRevocationSignature", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.interCA.corrupt = true
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/0/U", end: "0/0/U",
			policy: func(t *testing.T, p *rvPKI, c *client) {
				cc := c.get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckEndCert})
				require.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreEndRevUnknown}).OK(), "EndCert + IgnoreEndRevocationUnknown ✓")
			},
		},
		{
			name: "RevokeIntermediateWithInvalidRevocationSignature", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.corrupt = true
				p.rootCA.revoked = []*big.Int{p.inter.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/U/0", end: "0/0/0",
			policy: func(t *testing.T, p *rvPKI, c *client) {
				cc := c.get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckChainExclRoot})
				require.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreCARevUnknown}).OK(), "ExcludeRoot + IgnoreCertificateAuthorityRevocationUnknown ✓")
			},
		},
		{
			name: "RevokeEndEntityWithInvalidRevocationName (CRL issuer / responderID The Ghost in the Machine)", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.interCA.ghost = true
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/0/U", end: "0/0/U",
		},
		{
			name: "RevokeIntermediateWithInvalidRevocationName", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.ghost = true
				p.rootCA.revoked = []*big.Int{p.inter.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/U/0", end: "0/0/0",
		},
		{
			name: "RevokeEndEntityWithExpiredRevocation (a stale CRL or OCSP response still proves revoked)", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.interCA.thisUpdate, p.interCA.nextUpdate = p.leaf.X.NotBefore.Add(-time.Hour), p.leaf.X.NotBefore
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
				return chain.Params{Time: rvT0}
			},
			excl: "0/0/0x4", end: "0/0/0x4",
		},
		{
			name: "RevokeIntermediateWithExpiredRevocation", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.thisUpdate, p.rootCA.nextUpdate = p.leaf.X.NotBefore.Add(-time.Hour), p.leaf.X.NotBefore
				p.rootCA.revoked = []*big.Int{p.inter.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/0x4/U", end: "0/0/0",
		},
		{
			name: "CheckEndEntityWithExpiredRevocation (a stale good gives unknown plus offline)", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.interCA.thisUpdate, p.interCA.nextUpdate = p.leaf.X.NotBefore.Add(-time.Hour), p.leaf.X.NotBefore
				return chain.Params{}
			},
			excl: "0/0/U", end: "0/0/U",
			policy: func(t *testing.T, p *rvPKI, c *client) {
				cc := c.get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckChainExclRoot})
				st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
				require.Equal(t, chain.CRYPT_E_REVOCATION_OFFLINE, st.Error)
				require.Equal(t, 0, st.ElementIndex)
				require.True(t, chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreEndRevUnknown}).OK(), "IgnoreEndRevocationUnknown ✓")
			},
		},
		{
			name: "CheckIntermediateWithExpiredRevocation", rootPtr: rvNone, interPtr: rvBoth, leaf: rvBoth,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.thisUpdate, p.rootCA.nextUpdate = p.leaf.X.NotBefore.Add(-time.Hour), p.leaf.X.NotBefore
				return chain.Params{}
			},
			excl: "0/U/0", end: "0/0/0",
		},
		{
			name: "TestRevocationWithNoNextUpdate_NotRevoked (CrlEverywhere)", rootPtr: rvCRL, interPtr: rvCRL, leaf: rvCRL,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.nextUpdate, p.interCA.nextUpdate = time.Time{}, time.Time{}
				return chain.Params{}
			},
			excl: "0/0/0", end: "0/0/0",
		},
		{
			name: "TestRevocationWithNoNextUpdate_Revoked (CrlEverywhere)", rootPtr: rvCRL, interPtr: rvCRL, leaf: rvCRL,
			setup: func(p *rvPKI) chain.Params {
				p.rootCA.nextUpdate, p.interCA.nextUpdate = time.Time{}, time.Time{}
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
				return chain.Params{}
			},
			excl: "0/0/0x4", end: "0/0/0x4",
		},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			p := newRVPKI(t, row.rootPtr, row.interPtr, row.leaf)
			base := row.setup(p)
			p.publish()
			for _, m := range modes {
				want := map[string]string{"ExcludeRoot": row.excl, "EndCert": row.end, "Entire": row.entire}[m.name]
				if want == "" {
					continue
				}
				prm := base
				if prm.Time.IsZero() {
					prm.Time = rvT0
				}
				prm.Flags |= m.flag
				cc := p.client(nil, "").get(t, p.leaf, prm)
				require.Equal(t, want, codes(cc), "%s: %v", m.name, detail(cc))
			}
			if row.policy != nil {
				row.policy(t, p, p.client(nil, ""))
			}
		})
	}
}

// TestDotNetOfflineAfterPriming: TestRevocation_Offline_{NotRevoked,Revoked}
// (spec §11.2): an online build, then the responder stops, then a
// CACHE_ONLY build gives the same result — also after a reboot, from a
// primed disk cache.
func TestDotNetOfflineAfterPriming(t *testing.T) {
	for _, revoked := range []bool{false, true} {
		name := "NotRevoked"
		want := "0/0/0"
		if revoked {
			name, want = "Revoked", "0/0/0x4"
		}
		t.Run(name, func(t *testing.T) {
			p := newRVPKI(t, rvCRL, rvCRL, rvCRL)
			if revoked {
				p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
			}
			p.publish()
			dir := t.TempDir()
			c := p.client(nil, dir)
			require.Equal(t, want, codes(c.get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckChainExclRoot})))
			p.srv.srv.Close()
			cc := c.get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckChainExclRoot | chain.RevocationCheckCacheOnly})
			require.Equal(t, want, codes(cc), "%v", detail(cc))
			// Reboot: a new process on the same disk cache.
			cc = p.client(nil, dir).get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckChainExclRoot | chain.RevocationCheckCacheOnly})
			require.Equal(t, want, codes(cc), "%v", detail(cc))
			require.Equal(t, "disk", cc.Chains[0].Elements[0].Revocation.From)
		})
	}
}

// TestDotNetPolicyErrorsNotTimeValid: revocation is still checked, and
// reported, for a leaf that is not time valid (pTime = NotAfter + 1 s;
// spec §11.2 *_PolicyErrors_NotTimeValid, notTimeValid variant).
func TestDotNetPolicyErrorsNotTimeValid(t *testing.T) {
	for _, leafRevoked := range []bool{false, true} {
		p := newRVPKI(t, rvNone, rvOCSP, rvOCSP)
		want := map[string]string{"ExcludeRoot": "0/0x4/U", "EndCert": "0/0/0"}
		if leafRevoked {
			p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber}
			want = map[string]string{"ExcludeRoot": "0/0/0x4", "EndCert": "0/0/0x4"}
		} else {
			p.rootCA.revoked = []*big.Int{p.inter.X.SerialNumber}
		}
		p.publish()
		pTime := p.leaf.X.NotAfter.Add(time.Second)
		for _, m := range modes[:2] {
			cc := p.client(nil, "").get(t, p.leaf, chain.Params{Time: pTime, Flags: m.flag})
			require.Equal(t, want[m.name], codes(cc), "%s %v", m.name, detail(cc))
			require.NotZero(t, cc.Chains[0].Elements[0].TrustStatus.ErrorStatus&chain.IsNotTimeValid)
			if m.flag == chain.RevocationCheckEndCert {
				st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{Flags: chain.IgnoreNotTimeValid | chain.IgnoreWrongUsage})
				require.Equal(t, !leafRevoked, st.OK(), "revoked cannot be ignored: %v", st.Error)
			}
		}
	}
}

// TestDotNetTimeouts is spec §11.2's TimeoutTests table, on the simulated
// network (latency moves the machine clock; nothing sleeps).
func TestDotNetTimeouts(t *testing.T) {
	rows := []struct {
		name                string
		ocspDelay, crlDelay time.Duration
		timeout             time.Duration
		flags               chain.Flags
		leaf, inter         string // "0" or "U"
	}{
		{"RevocationCheckingDelayed (8 s delay, 15 s timeout per fetch)", 8 * time.Second, 8 * time.Second, 15 * time.Second, chain.RevocationCheckChainExclRoot, "0", "0"},
		{"RevocationCheckingTimeout (3 s delay, 1 s timeout)", 3 * time.Second, 3 * time.Second, time.Second, chain.RevocationCheckChainExclRoot, "U", "U"},
		{"RevocationCheckingMaximum (90 s delay, 2 min timeout clamped to 1 min)", 90 * time.Second, 90 * time.Second, 2 * time.Minute, chain.RevocationCheckEndCert, "U", "0"},
		{"RevocationCheckingNegativeTimeout (25 s delay, −1 min timeout → 1 min)", 25 * time.Second, 25 * time.Second, -time.Minute, chain.RevocationCheckEndCert, "0", "0"},
		{"RevocationCheckingTimeoutFallbackToOther (OCSP delayed)", 8 * time.Second, 0, 4 * time.Second, chain.RevocationCheckEndCert, "0", "0"},
		{"RevocationCheckingTimeoutFallbackToOther (CRL delayed)", 0, 8 * time.Second, 4 * time.Second, chain.RevocationCheckEndCert, "0", "0"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			p := newRVPKI(t, rvNone, rvBoth, rvBoth)
			p.publish()
			net := netsim.New(p.clk)
			for _, ca := range []*rvCA{p.rootCA, p.interCA} {
				ca := ca
				net.Handle(p.srv.srv.URL+"/"+ca.name+".crl", netsim.Response{Body: ca.crl(t), Latency: row.crlDelay})
				net.AddPrefix(p.srv.srv.URL+"/ocsp/"+ca.name+"/", netsim.Rule{Func: func(req *cache.FetchRequest, _ time.Time) netsim.Response {
					enc, _ := url.PathUnescape(req.URL[strings.LastIndex(req.URL, "/")+1:])
					der, _ := base64.StdEncoding.DecodeString(enc)
					q, err := ocsp.ParseRequest(der)
					if err != nil {
						return netsim.Response{Status: 400}
					}
					return netsim.Response{Body: ca.answer(q), Latency: row.ocspDelay}
				}})
			}
			cc := p.client(net, "").get(t, p.leaf, chain.Params{Time: rvT0, Flags: row.flags, URLRetrievalTimeout: row.timeout})
			got := strings.Split(codes(cc), "/")
			require.Equal(t, row.leaf, got[2], "leaf: %v", detail(cc))
			require.Equal(t, row.inter, got[1], "intermediate: %v", detail(cc))
		})
	}
}

// TestRevocationOutcomes is spec §3.5 through the engine and the BASE
// policy: element bits and HRESULTs.
func TestRevocationOutcomes(t *testing.T) {
	rows := []struct {
		name   string
		leaf   rvPointers
		setup  func(p *rvPKI)
		flags  chain.Flags
		bits   chain.ErrorStatus
		hr     chain.HRESULT
		result string
	}{
		{"good → 0 / S_OK", rvBoth, func(p *rvPKI) {}, 0, 0, chain.S_OK, "good"},
		{"revoked leaf → IS_REVOKED / CRYPT_E_REVOKED", rvBoth, func(p *rvPKI) { p.interCA.revoked = []*big.Int{p.leaf.X.SerialNumber} }, 0, chain.IsRevoked, chain.CRYPT_E_REVOKED, "revoked"},
		{"all URLs unreachable → UNKNOWN|OFFLINE / CRYPT_E_REVOCATION_OFFLINE", rvBoth, func(p *rvPKI) {
			p.srv.status["/inter.crl"], p.srv.status["/ocsp/inter"] = 500, 500
		}, 0, chain.RevocationStatusUnknown | chain.IsOfflineRevocation, chain.CRYPT_E_REVOCATION_OFFLINE, "offline"},
		{"no CDP and no OCSP URL → UNKNOWN alone / CRYPT_E_NO_REVOCATION_CHECK (S46)", rvNone, func(p *rvPKI) {}, 0, chain.RevocationStatusUnknown, chain.CRYPT_E_NO_REVOCATION_CHECK, "no-check"},
		{"cache-only with nothing cached → UNKNOWN|OFFLINE / CRYPT_E_REVOCATION_OFFLINE", rvBoth, func(p *rvPKI) {}, chain.RevocationCheckCacheOnly, chain.RevocationStatusUnknown | chain.IsOfflineRevocation, chain.CRYPT_E_REVOCATION_OFFLINE, "offline"},
		{"expired CRL inside the extension period → HAS_CRL_VALIDITY_EXTENDED, S_OK", rvCRL, func(p *rvPKI) {
			p.interCA.thisUpdate, p.interCA.nextUpdate = rvT0.Add(-48*time.Hour), rvT0.Add(-time.Hour)
		}, 0, 0, chain.S_OK, "good"},
	}
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			p := newRVPKI(t, rvNone, rvCRL, row.leaf)
			row.setup(p)
			p.publish()
			cc := p.client(nil, "").get(t, p.leaf, chain.Params{Time: rvT0, Flags: chain.RevocationCheckChainExclRoot | row.flags})
			leaf := cc.Chains[0].Elements[0]
			require.Equal(t, row.bits, leaf.TrustStatus.ErrorStatus&revBits, "%v", detail(cc))
			require.Equal(t, row.result, leaf.Revocation.Result)
			st := chain.VerifyPolicy(cc, chain.PolicyBase, chain.PolicyPara{})
			require.Equal(t, row.hr, st.Error)
			if row.hr != chain.S_OK {
				require.Equal(t, 0, st.ElementIndex)
			}
			if strings.Contains(row.name, "EXTENDED") {
				require.NotZero(t, leaf.TrustStatus.InfoStatus&chain.HasCRLValidityExtended)
			}
		})
	}
}

// CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT on the chain build: the end
// certificate (an OCSP signer) is checked with CRLs only, never OCSP.
func TestOCSPCertFlagUsesCRLOnly(t *testing.T) {
	root := testpki.NewRoot("Flag Root", testpki.ECDSA)
	var ocspHits int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/ocsp") {
			ocspHits++
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		der := root.CRL(1, testTime.Add(-time.Hour), testTime.Add(24*time.Hour), time.Time{})
		_, _ = w.Write(der)
	}))
	defer srv.Close()
	leaf := root.NewLeaf("responder.example.test", testpki.ECDSA, func(c *x509.Certificate) {
		c.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		c.OCSPServer = []string{srv.URL + "/ocsp"}
		c.CRLDistributionPoints = []string{srv.URL + "/root.crl"}
	})
	clk := clock.NewManual(testTime)
	r, err := cache.NewRetriever(cache.Config{Clock: clk, Fetcher: cache.NewHTTPFetcher(clk)})
	require.NoError(t, err)
	chk, err := revocation.NewChecker(revocation.Config{Retriever: r})
	require.NoError(t, err)
	e := chain.NewEngine(chain.Config{Clock: clk, Root: chain.NewStore("Root", root.Cert), Revocation: chk})
	cc, err := e.GetChain(context.Background(), leaf.Cert, chain.Params{Time: testTime,
		Flags: chain.RevocationCheckEndCert | chain.RevocationCheckOCSPCert})
	require.NoError(t, err)
	assert.Equal(t, 0, ocspHits, "no OCSP for an OCSP signer")
	assert.Equal(t, "good", cc.Chains[0].Elements[0].Revocation.Result)
	assert.Equal(t, "crl", cc.Chains[0].Elements[0].Revocation.Source)
	// Without the flag (in a new process, with no CRL held yet) OCSP is
	// tried first.
	r, err = cache.NewRetriever(cache.Config{Clock: clk, Fetcher: cache.NewHTTPFetcher(clk)})
	require.NoError(t, err)
	chk, err = revocation.NewChecker(revocation.Config{Retriever: r})
	require.NoError(t, err)
	e = chain.NewEngine(chain.Config{Clock: clk, Root: chain.NewStore("Root", root.Cert), Revocation: chk})
	cc, err = e.GetChain(context.Background(), leaf.Cert, chain.Params{Time: testTime, Flags: chain.RevocationCheckEndCert})
	require.NoError(t, err)
	assert.Equal(t, 1, ocspHits)
	assert.Equal(t, "good", cc.Chains[0].Elements[0].Revocation.Result)
}
