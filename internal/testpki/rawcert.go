package testpki

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"fmt"

	"github.com/winchain/winchain/certs"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// WithSerial re-issues c (a certificate this CA signed, ECDSA or RSA with
// SHA-256 as [CA.Issue] makes them) with serial as the serialNumber
// INTEGER's contents as written — negative or non-minimal, which
// crypto/x509 will not create — and signs it again with this CA's key. The
// result loads with [certs.Parse] (spec §11.3); crypto/x509 refuses a
// negative one.
func (ca *CA) WithSerial(c *CA, serial []byte) *CA {
	in := cryptobyte.String(c.Cert.X.Raw)
	var cert, tbs, sigAlg cryptobyte.String
	var version, oldSerial cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!cert.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1(&oldSerial, cbasn1.INTEGER) {
		panic("testpki: WithSerial: malformed certificate")
	}
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(version)
		b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(serial) })
		b.AddBytes(tbs) // the rest of the TBSCertificate, unchanged
	})
	newTBS := tb.BytesOrPanic()
	digest := sha256.Sum256(newTBS)
	sig, err := ca.Key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		panic(fmt.Sprintf("testpki: WithSerial: sign: %v", err))
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(newTBS)
		b.AddBytes(sigAlg)
		b.AddASN1BitString(sig)
	})
	parsed, err := certs.Parse(b.BytesOrPanic())
	if err != nil {
		panic(fmt.Sprintf("testpki: WithSerial: parse: %v", err))
	}
	return &CA{Cert: parsed, Key: c.Key}
}
