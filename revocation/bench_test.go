package revocation

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"math/big"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/internal/testpki"
)

// bigCRLEntries is the size of the benchmark CRL (issue 5: 100,000 entries).
const bigCRLEntries = 100_000

var bigCRL struct {
	once sync.Once
	ca   *testpki.CA
	der  []byte
	crl  *certs.CRL
}

// loadBigCRL signs a 100,000-entry CRL once: serials 1e12+3i, one in four
// with a reasonCode, as a CA's CRL would have.
func loadBigCRL(b testing.TB) ([]byte, *certs.CRL) {
	bigCRL.once.Do(func() {
		ca := testpki.NewRoot("Big CRL CA", testpki.ECDSA)
		bigCRL.ca = ca
		spec := crlSpec{thisUpdate: t0, nextUpdate: t0.Add(7 * 24 * time.Hour)}
		for i := 0; i < bigCRLEntries; i++ {
			reason := 0
			if i%4 == 0 {
				reason = 1
			}
			spec.entries = append(spec.entries, revokedEntry(benchSerial(i), t0.Add(-time.Duration(i)*time.Second), reason))
		}
		bigCRL.der = signCRL(b, ca.Cert.X, ca.Key, spec)
		var err error
		bigCRL.crl, err = certs.ParseCRL(bigCRL.der)
		if err != nil {
			panic(err)
		}
	})
	return bigCRL.der, bigCRL.crl
}

func benchSerial(i int) *big.Int { return big.NewInt(1_000_000_000_000 + 3*int64(i)) }

// probes are the serials looked up: half listed (spread over the CRL), half not.
func probes() [][]byte {
	var out [][]byte
	for i := 0; i < 64; i++ {
		n := i * (bigCRLEntries / 64)
		s := benchSerial(n)
		if i%2 == 1 {
			s = new(big.Int).Add(s, big.NewInt(1)) // not listed
		}
		out = append(out, certs.SerialBytes(s))
	}
	return out
}

// BenchmarkCRLLookup: one serial lookup in the indexed 100,000-entry CRL.
func BenchmarkCRLLookup(b *testing.B) {
	der, _ := loadBigCRL(b)
	d, err := parseCRLDoc(der, nil)
	if err != nil {
		b.Fatal(err)
	}
	ps := probes()
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		if _, ok := d.find(ps[i%len(ps)]); ok {
			hits++
		}
	}
	if b.N >= len(ps) && hits == 0 {
		b.Fatal("no hits")
	}
}

// BenchmarkCRLLinearScanBaseline: the same lookups as a linear scan of
// crypto/x509's RevokedCertificateEntries (what a checker without an index
// does per certificate).
func BenchmarkCRLLinearScanBaseline(b *testing.B) {
	der, _ := loadBigCRL(b)
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		b.Fatal(err)
	}
	var ps []*big.Int
	for _, p := range probes() {
		ps = append(ps, new(big.Int).SetBytes(p))
	}
	b.ResetTimer()
	hits := 0
	for i := 0; i < b.N; i++ {
		s := ps[i%len(ps)]
		for j := range crl.RevokedCertificateEntries {
			if crl.RevokedCertificateEntries[j].SerialNumber.Cmp(s) == 0 {
				hits++
				break
			}
		}
	}
	_ = hits
}

// BenchmarkCRLIndexBuild: parsing and indexing the CRL once (what a cache
// miss costs).
func BenchmarkCRLIndexBuild(b *testing.B) {
	der, _ := loadBigCRL(b)
	b.SetBytes(int64(len(der)))
	for i := 0; i < b.N; i++ {
		if _, err := parseCRLDoc(der, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCRLIndexMemory reports the heap a cached, indexed CRL holds
// beyond its DER (held-B/DER-B, goal ≤ 2 including the DER itself), next to
// what crypto/x509's parsed form holds (x509-B/DER-B).
func BenchmarkCRLIndexMemory(b *testing.B) {
	der, _ := loadBigCRL(b)
	var held, x509Held float64
	for i := 0; i < b.N; i++ {
		before := heapInUse()
		d, err := parseCRLDoc(der, nil)
		if err != nil {
			b.Fatal(err)
		}
		after := heapInUse()
		held = float64(len(der)) + float64(after-before)
		runtime.KeepAlive(d)

		before = heapInUse()
		crl, err := x509.ParseRevocationList(der)
		if err != nil {
			b.Fatal(err)
		}
		after = heapInUse()
		x509Held = float64(len(der)) + float64(after-before)
		runtime.KeepAlive(crl)
	}
	b.ReportMetric(held/float64(len(der)), "held-B/DER-B")
	b.ReportMetric(x509Held/float64(len(der)), "x509-B/DER-B")
	b.ReportMetric(float64(len(der))/bigCRLEntries, "DER-B/entry")
}

// heapInUse returns live heap bytes after a full collection; the doc keeps
// der shared, so the difference is the index and header.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// TestCRLIndexMatchesLinearScan checks the index against crypto/x509 on
// every entry of a CRL and on serials that are not listed, and keeps the
// memory goal (≤ 2× the DER) as a test.
func TestCRLIndexMatchesLinearScan(t *testing.T) {
	ca := testpki.NewRoot("Index CA", testpki.ECDSA)
	spec := crlSpec{thisUpdate: t0, nextUpdate: t0.Add(time.Hour)}
	for i := 0; i < 5000; i++ {
		n := big.NewInt(int64(i*7 + 1))
		if i%10 == 0 {
			n.Neg(n) // negative serials, PKITS 4.4.14/4.4.15
		}
		if i%13 == 0 {
			n.Lsh(n, 150) // 20-octet serials, PKITS 4.4.16-4.4.18
		}
		spec.entries = append(spec.entries, revokedEntry(n, t0.Add(-time.Duration(i)*time.Minute), i%9))
	}
	der := signCRL(t, ca.Cert.X, ca.Key, spec)
	d, err := parseCRLDoc(der, nil)
	if err != nil {
		t.Fatal(err)
	}
	crl, _ := x509.ParseRevocationList(der)
	for _, e := range crl.RevokedCertificateEntries {
		got, ok := d.find(certs.SerialBytes(e.SerialNumber))
		if !ok || !got.revoked.Equal(e.RevocationTime) || (e.ReasonCode != 0 && got.reason != e.ReasonCode) {
			t.Fatalf("serial %v: got %+v %v, want %v reason %d", e.SerialNumber, got, ok, e.RevocationTime, e.ReasonCode)
		}
		miss := new(big.Int).Add(e.SerialNumber, big.NewInt(3))
		if _, ok := d.find(certs.SerialBytes(miss)); ok && miss.Int64()%7 != 1 {
			t.Fatalf("serial %v found but not listed", miss)
		}
	}
	if r := float64(d.heldBytes()) / float64(len(der)); r > 2 {
		t.Fatalf("index holds %.2f× the DER, want ≤ 2×", r)
	}
}

// The store-CRL benchmark and its baseline, in the same run (issue 16:
// BenchmarkCRLStoreCheck ≤ 0.25× BenchmarkSignatureBaseline):
//
//	go test -run='^$' -bench='CRLStoreCheck|SignatureBaseline' ./revocation/

// storeCheckSetup returns a Checker, a leaf of the big CRL's CA and the
// request holding the 100,000-entry CRL as a store CRL (Request.StoreCRLs,
// the CA store), the way chain hands it to every Check.
func storeCheckSetup(b testing.TB) (*Checker, *certs.Certificate, *Request) {
	_, crl := loadBigCRL(b)
	ca := bigCRL.ca
	leaf := ca.NewLeaf("store-crl leaf", testpki.ECDSA, func(c *x509.Certificate) {
		// A CDP that is never fetched: the store CRL decides first.
		c.CRLDistributionPoints = []string{"http://crl.invalid/big.crl"}
	})
	r, err := cache.NewRetriever(cache.Config{Clock: clock.Fixed(t0), Fetcher: cache.NewHTTPFetcher(nil)})
	if err != nil {
		b.Fatal(err)
	}
	chk, err := NewChecker(Config{Retriever: r})
	if err != nil {
		b.Fatal(err)
	}
	return chk, leaf.Cert, &Request{Time: t0, Now: t0, StoreCRLs: []*certs.CRL{crl}}
}

// BenchmarkCRLStoreCheck: one revocation check of a leaf against the
// 100,000-entry CRL held in the CA store, warm (the CRL was identified,
// indexed and its signature verified by an earlier check).
func BenchmarkCRLStoreCheck(b *testing.B) {
	chk, leaf, req := storeCheckSetup(b)
	ctx := context.Background()
	if res := chk.Check(ctx, leaf, bigCRL.ca.Cert, req); res.Status != Good || res.From != "store" {
		b.Fatalf("warm-up: %+v", res)
	}
	b.ReportAllocs()
	for b.Loop() {
		if res := chk.Check(ctx, leaf, bigCRL.ca.Cert, req); res.Status != Good {
			b.Fatal(res.Detail)
		}
	}
}

// BenchmarkSignatureBaseline: one RSA-2048 PKCS#1 v1.5 SHA-256 verify of a
// certificate signature (what one chain link costs).
func BenchmarkSignatureBaseline(b *testing.B) {
	root := testpki.NewRoot("Baseline RSA", testpki.RSA)
	leaf := root.NewLeaf("baseline leaf", testpki.RSA)
	x := leaf.Cert.X
	b.ReportAllocs()
	for b.Loop() {
		if err := certs.CheckSignature(x.SignatureAlgorithm, x.RawTBSCertificate, x.Signature, root.Cert.X.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStoreCRLIdentifiedOnce: a store CRL is found again by its pointer
// (no hashing of its DER on later checks); the same DER under another
// pointer shares the one parsed doc; the pointer entries leave with the
// doc when the LRU evicts it, so they stay bounded.
func TestStoreCRLIdentifiedOnce(t *testing.T) {
	ca := testpki.NewRoot("Store CRL CA", testpki.ECDSA)
	mk := func(n int64) *certs.CRL {
		der := signCRL(t, ca.Cert.X, ca.Key, crlSpec{number: n, thisUpdate: t0, nextUpdate: t0.Add(time.Hour)})
		crl, err := certs.ParseCRL(der)
		require.NoError(t, err)
		return crl
	}
	c := newDocCache(1)
	a := mk(1)
	d1, err := c.getStore(a)
	require.NoError(t, err)
	require.Same(t, c.byPtr[a].Value.(*docEntry).doc, d1)

	// Corrupting the Raw behind the pointer shows the second call does not
	// look at the DER: it is answered by identity.
	saved := a.Raw
	a.Raw = []byte("not a CRL")
	d2, err := c.getStore(a)
	require.NoError(t, err)
	require.Same(t, d1, d2)
	a.Raw = saved

	// Same DER, another pointer: one doc, two identities.
	twin, err := certs.ParseCRL(a.Raw)
	require.NoError(t, err)
	d3, err := c.getStore(twin)
	require.NoError(t, err)
	require.Same(t, d1, d3)
	require.Len(t, c.byPtr, 2)
	require.Len(t, c.items, 1)

	// A downloaded copy of the same DER is the same doc too.
	d4, err := c.get(append([]byte(nil), a.Raw...))
	require.NoError(t, err)
	require.Same(t, d1, d4)

	// Another CRL evicts the first (max 1) and its pointers with it.
	b := mk(2)
	_, err = c.getStore(b)
	require.NoError(t, err)
	require.Len(t, c.items, 1)
	require.Len(t, c.byPtr, 1)
	require.NotNil(t, c.byPtr[b])
}

// The checker's state digest covers the CRL it holds per issuer; two
// processes that validated the same CRL are equal again.
func TestCheckerStateDigest(t *testing.T) {
	w := newWorld(t, pointers{crl: true}, pointers{})
	w.interCRL(crlSpec{thisUpdate: t0.Add(-time.Hour), nextUpdate: t0.Add(time.Hour)})
	sum := func(c *Checker) string {
		h := sha256.New()
		c.WriteState(h)
		return string(h.Sum(nil))
	}
	first := w.chk
	w.restart()
	require.Equal(t, sum(first), sum(w.chk))
	require.Equal(t, Good, first.Check(context.Background(), w.leaf.Cert, w.inter.Cert, w.req()).Status)
	require.NotEqual(t, sum(first), sum(w.chk), "a remembered CRL changes the state")
	require.Equal(t, Good, w.checkLeaf(nil).Status)
	require.Equal(t, sum(first), sum(w.chk))
}
