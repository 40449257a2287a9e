// Package testpki generates real PKIs with crypto/x509 and fresh keys for
// winchain's tests, examples and demo: roots, intermediates, leaves, CRLs.
package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/winchain/winchain/certs"
)

// KeyType selects the key algorithm.
type KeyType int

// Key types.
const (
	ECDSA KeyType = iota // P-256
	RSA                  // 2048-bit
)

// Epoch is the default NotBefore of generated certificates: fixed, so tests
// judge them at fixed times.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

var serial atomic.Int64

// CA is a certificate with its private key.
type CA struct {
	Cert *certs.Certificate
	Key  crypto.Signer
}

// X returns the parsed x509 form.
func (c *CA) X() *x509.Certificate { return c.Cert.X }

// NewKey returns a fresh key.
func NewKey(kt KeyType) crypto.Signer {
	switch kt {
	case RSA:
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		return k
	default:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		return k
	}
}

func ski(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	h := sha1.Sum(der)
	return h[:]
}

// Template returns a CA or leaf template valid from Epoch for ten years.
func Template(cn string, isCA bool) *x509.Certificate {
	t := &x509.Certificate{
		SerialNumber:          big.NewInt(1000 + serial.Add(1)),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"winchain test"}},
		NotBefore:             Epoch,
		NotAfter:              Epoch.AddDate(10, 0, 0),
		BasicConstraintsValid: true,
		IsCA:                  isCA,
	}
	if isCA {
		t.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		t.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
		t.DNSNames = []string{cn}
	}
	return t
}

// NewRoot creates a self-signed root. mods edit the template first.
func NewRoot(cn string, kt KeyType, mods ...func(*x509.Certificate)) *CA {
	key := NewKey(kt)
	t := Template(cn, true)
	t.SubjectKeyId = ski(key.Public())
	for _, m := range mods {
		m(t)
	}
	return &CA{Cert: sign(t, t, key.Public(), key), Key: key}
}

// Issue signs a certificate for a fresh key of type kt with this CA.
func (ca *CA) Issue(t *x509.Certificate, kt KeyType) *CA {
	key := NewKey(kt)
	return ca.IssueWithKey(t, key)
}

// IssueWithKey signs t for key (so a swap can keep or change the key).
func (ca *CA) IssueWithKey(t *x509.Certificate, key crypto.Signer) *CA {
	if t.SubjectKeyId == nil {
		t.SubjectKeyId = ski(key.Public())
	}
	return &CA{Cert: sign(t, ca.Cert.X, key.Public(), ca.Key), Key: key}
}

// NewIntermediate issues a CA certificate.
func (ca *CA) NewIntermediate(cn string, kt KeyType, mods ...func(*x509.Certificate)) *CA {
	t := Template(cn, true)
	for _, m := range mods {
		m(t)
	}
	return ca.Issue(t, kt)
}

// NewLeaf issues an end-entity certificate for dns name cn.
func (ca *CA) NewLeaf(cn string, kt KeyType, mods ...func(*x509.Certificate)) *CA {
	t := Template(cn, false)
	for _, m := range mods {
		m(t)
	}
	return ca.Issue(t, kt)
}

func sign(t, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) *certs.Certificate {
	der, err := x509.CreateCertificate(rand.Reader, t, parent, pub, key)
	if err != nil {
		panic(fmt.Sprintf("testpki: create %q: %v", t.Subject.CommonName, err))
	}
	c, err := certs.Parse(der)
	if err != nil {
		panic(fmt.Sprintf("testpki: parse %q: %v", t.Subject.CommonName, err))
	}
	return c
}

// CRL signs a CRL with this CA listing the given serials as revoked at
// revokedAt, valid from thisUpdate to nextUpdate (zero = no nextUpdate).
func (ca *CA) CRL(number int64, thisUpdate, nextUpdate time.Time, revokedAt time.Time, serials ...*big.Int) []byte {
	t := &x509.RevocationList{
		Number:     big.NewInt(number),
		ThisUpdate: thisUpdate,
		NextUpdate: nextUpdate,
	}
	for _, s := range serials {
		t.RevokedCertificateEntries = append(t.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: revokedAt})
	}
	der, err := x509.CreateRevocationList(rand.Reader, t, ca.Cert.X, ca.Key)
	if err != nil {
		panic(err)
	}
	return der
}

// PEM encodes certificates as a PEM bundle.
func PEM(cs ...*certs.Certificate) []byte {
	var out []byte
	for _, c := range cs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.X.Raw})...)
	}
	return out
}
