package cache_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	encasn1 "encoding/asn1"
	"math/big"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// testPKI is a CA that signs CRLs and OCSP responses for the tests.
type testPKI struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
	leaf *x509.Certificate
}

var (
	pkiOnce sync.Once
	pki     *testPKI
)

// t0 is the start of every simulated timeline.
var t0 = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

func getPKI(t testing.TB) *testPKI {
	t.Helper()
	pkiOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "Test CA"},
			NotBefore:             t0.AddDate(-1, 0, 0),
			NotAfter:              t0.AddDate(5, 0, 0),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		ca, _ := x509.ParseCertificate(der)
		ltmpl := &x509.Certificate{
			SerialNumber: big.NewInt(42),
			Subject:      pkix.Name{CommonName: "leaf.example.test"},
			NotBefore:    t0.AddDate(-1, 0, 0),
			NotAfter:     t0.AddDate(1, 0, 0),
		}
		lder, err := x509.CreateCertificate(rand.Reader, ltmpl, ca, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		leaf, _ := x509.ParseCertificate(lder)
		pki = &testPKI{key: key, cert: ca, leaf: leaf}
	})
	return pki
}

// crl returns a DER CRL with the given thisUpdate/nextUpdate (zero next:
// none) and CRL number.
func (p *testPKI) crl(t testing.TB, this, next time.Time, number int64) []byte {
	t.Helper()
	if next.IsZero() {
		// crypto/x509 always writes nextUpdate.
		return crlWithoutNextUpdate(t, p, this, number)
	}
	tmpl := &x509.RevocationList{Number: big.NewInt(number), ThisUpdate: this, NextUpdate: next}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, p.cert, p.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// ocspResp returns a DER OCSP response (good) with the given times (zero
// next: none).
func (p *testPKI) ocspResp(t testing.TB, this, next time.Time) []byte {
	t.Helper()
	der, err := ocsp.CreateResponse(p.cert, p.cert, ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: p.leaf.SerialNumber,
		ThisUpdate:   this,
		NextUpdate:   next,
		IssuerHash:   crypto.SHA1,
	}, p.key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// crlWithoutNextUpdate signs a v2 CRL whose optional nextUpdate is absent
// (crypto/x509 cannot create one; Windows accepts it, spec §3.3).
func crlWithoutNextUpdate(t testing.TB, p *testPKI, this time.Time, number int64) []byte {
	t.Helper()
	algo := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(encasn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}) // ecdsa-with-SHA256
		})
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1) // v2
		algo(b)
		b.AddBytes(p.cert.RawSubject)
		b.AddASN1UTCTime(this)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(encasn1.ObjectIdentifier{2, 5, 29, 20}) // cRLNumber
					b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) { b.AddASN1Int64(number) })
				})
			})
		})
	})
	tbs := tb.BytesOrPanic()
	sum := sha256.Sum256(tbs)
	sig, err := ecdsa.SignASN1(rand.Reader, p.key, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		algo(b)
		b.AddASN1BitString(sig)
	})
	der := b.BytesOrPanic()
	crl, err := x509.ParseRevocationList(der)
	if err != nil || !crl.NextUpdate.IsZero() {
		t.Fatalf("hand-made CRL: %v (nextUpdate %v)", err, crl.NextUpdate)
	}
	return der
}
