package cache_test

import (
	"bytes"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// deepBER is the issue 15 input: depth nested indefinite-length SEQUENCEs
// (`30 80` … `00 00`), at a depth that keeps the seed small.
func deepBER(depth int) []byte {
	return append(bytes.Repeat([]byte{0x30, 0x80}, depth), bytes.Repeat([]byte{0, 0}, depth)...)
}

// deepDER is depth nested definite-length SEQUENCEs around an empty one.
func deepDER(depth int) []byte {
	b := []byte{0x30, 0x00}
	for i := 0; i < depth; i++ {
		n := len(b)
		var hdr []byte
		switch {
		case n < 0x80:
			hdr = []byte{0x30, byte(n)}
		case n < 0x100:
			hdr = []byte{0x30, 0x81, byte(n)}
		case n < 0x10000:
			hdr = []byte{0x30, 0x82, byte(n >> 8), byte(n)}
		default:
			hdr = []byte{0x30, 0x83, byte(n >> 16), byte(n >> 8), byte(n)}
		}
		b = append(hdr, b...)
	}
	return b
}

// contentSeeds are cached payloads of every kind, small and large, well
// formed and hostile.
func contentSeeds(f *testing.F) [][]byte {
	p := getPKI(f)
	crl := p.crl(f, t0, t0.Add(7*24*time.Hour), 1)
	// A large CRL: 5,000 entries (~150 KB).
	var revoked []x509.RevocationListEntry
	for i := 0; i < 5000; i++ {
		revoked = append(revoked, x509.RevocationListEntry{SerialNumber: big.NewInt(int64(1000 + i)), RevocationTime: t0})
	}
	big, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(2), ThisUpdate: t0,
		NextUpdate: t0.Add(24 * time.Hour), RevokedCertificateEntries: revoked}, p.cert, p.key)
	if err != nil {
		f.Fatal(err)
	}
	return [][]byte{
		crl,
		pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}),
		crlWithoutNextUpdate(f, p, t0, 3),
		big,
		p.ocspResp(f, t0, t0.Add(time.Hour)),
		p.ocspResp(f, t0, time.Time{}),
		p.cert.Raw,
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw}),
		[]byte("MSCF\x00\x00\x00\x00"),
		{0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0, 0},
		deepBER(20000),
		deepDER(5000),
		{},
	}
}

// FuzzContentKind: the sniffer of `winchain urlcache` never panics, always
// answers one of its kinds, and agrees with the real parsers: a body that
// crypto/x509 or x/crypto/ocsp parses as a certificate, a CRL or an OCSP
// response is sniffed as that kind.
func FuzzContentKind(f *testing.F) {
	for _, s := range contentSeeds(f) {
		f.Add(s)
	}
	kinds := map[string]bool{cache.ContentCRL: true, cache.ContentOCSP: true, cache.ContentCert: true,
		cache.ContentPKCS7: true, cache.ContentCAB: true, cache.ContentUnknown: true}
	f.Fuzz(func(t *testing.T, body []byte) {
		k := cache.ContentKind(body)
		if !kinds[k] {
			t.Fatalf("kind %q", k)
		}
		if bytes.HasPrefix(body, []byte("MSCF")) {
			if k != cache.ContentCAB {
				t.Fatalf("MSCF body sniffed as %s", k)
			}
			return
		}
		if _, err := x509.ParseCertificate(body); err == nil && k != cache.ContentCert {
			t.Fatalf("a certificate crypto/x509 parses sniffed as %s", k)
		}
		if _, err := x509.ParseRevocationList(body); err == nil && k != cache.ContentCRL {
			t.Fatalf("a CRL crypto/x509 parses sniffed as %s", k)
		}
		if _, err := ocsp.ParseResponse(body, nil); err == nil && k != cache.ContentOCSP {
			t.Fatalf("an OCSP response x/crypto/ocsp parses sniffed as %s", k)
		}
	})
}

// FuzzObjectExpiry: the freshness of a cached object never panics on any
// body or kind, and agrees with the real parsers where they accept the
// body: a CRL expires at the nextUpdate the one lenient CRL parser (certs,
// spec §11.3) reads, which is crypto/x509's where both accept it, an
// OCSP response at its nextUpdate or OcspValiditySeconds after its
// thisUpdate, and a certificate fetched by AIA never.
func FuzzObjectExpiry(f *testing.F) {
	kinds := []cache.Kind{cache.KindCRL, cache.KindDeltaCRL, cache.KindOCSP, cache.KindAIA, ""}
	for _, s := range contentSeeds(f) {
		for i := range kinds {
			f.Add(s, uint8(i))
		}
	}
	const validity = 12 * time.Hour
	f.Fuzz(func(t *testing.T, body []byte, ki uint8) {
		kind := kinds[int(ki)%len(kinds)]
		got := cache.ObjectExpiry(kind, body, t0, validity)
		ck := cache.ContentKind(body)
		if ck == cache.ContentCRL || (kind == cache.KindCRL || kind == cache.KindDeltaCRL) && ck != cache.ContentOCSP {
			// The expiry is the nextUpdate of the one CRL parser (certs),
			// and agrees with crypto/x509 where both accept the CRL.
			_, next, ok := certs.ReadCRLTimes(certs.DecodeCRLBody(body))
			if !got.Equal(next) || !ok && !got.IsZero() {
				t.Fatalf("CRL expiry %v, certs reads nextUpdate %v (%v)", got, next, ok)
			}
			if crl, err := x509.ParseRevocationList(body); err == nil && ok && !crl.NextUpdate.Equal(next) {
				t.Fatalf("crypto/x509 reads nextUpdate %v, certs %v", crl.NextUpdate, next)
			}
			return
		}
		if resp, err := ocsp.ParseResponse(body, nil); err == nil && ck == cache.ContentOCSP {
			want := resp.NextUpdate
			if want.IsZero() && !resp.ThisUpdate.IsZero() {
				want = resp.ThisUpdate.Add(validity)
			}
			if want.IsZero() {
				want = t0.Add(validity)
			}
			if !got.Equal(want) {
				t.Fatalf("OCSP expiry %v, want %v", got, want)
			}
			return
		}
		if ck == cache.ContentCert && kind == cache.KindAIA && !got.IsZero() {
			t.Fatalf("a certificate expires at %v", got)
		}
	})
}
