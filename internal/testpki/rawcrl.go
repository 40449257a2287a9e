package testpki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// RawCRL describes a CRL written byte by byte, for the forms crypto/x509
// cannot create or refuses to parse but Windows loads (spec §11.3).
type RawCRL struct {
	// V1 omits the version field (a v1 CRL).
	V1 bool
	// Number is the cRLNumber; 0 omits the extension.
	Number int64
	// DeltaBase > 0 adds a deltaCRLIndicator with that BaseCRLNumber.
	DeltaBase int64
	// ThisUpdate and NextUpdate; a zero NextUpdate is omitted.
	ThisUpdate, NextUpdate time.Time
	// AKI adds the issuer's key identifier; MalformedAKI writes an AKI
	// whose SEQUENCE length overruns its contents (spec §11.3).
	AKI, MalformedAKI bool
	// Extensions are further crlExtensions.
	Extensions []pkix.Extension
	// Entries are the revokedCertificates.
	Entries []RawEntry
}

// RawEntry is one revokedCertificates entry.
type RawEntry struct {
	// Serial is the INTEGER's contents as written: negative, over 20
	// bytes, or with redundant leading bytes if the test wants them.
	Serial []byte
	// RevokedAt is the revocationDate.
	RevokedAt time.Time
	// Reason > 0 adds a reasonCode (Reason-1 is the CRLReason, so 1 is
	// unspecified(0)); 0 adds none.
	Reason int
	// Extensions are further crlEntryExtensions.
	Extensions []pkix.Extension
}

// SerialContents returns the DER INTEGER contents of n.
func SerialContents(n *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1BigInt(n)
	der := b.BytesOrPanic()
	in := cryptobyte.String(der)
	var body cryptobyte.String
	in.ReadASN1(&body, cbasn1.INTEGER)
	return body
}

var (
	oidECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidRSAWithSHA256   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
)

// RawCRL signs spec with this CA's key (ECDSA or RSA, SHA-256).
func (ca *CA) RawCRL(spec RawCRL) []byte {
	var alg asn1.ObjectIdentifier
	switch ca.Key.(type) {
	case *ecdsa.PrivateKey:
		alg = oidECDSAWithSHA256
	case *rsa.PrivateKey:
		alg = oidRSAWithSHA256
	default:
		panic("testpki: RawCRL: unsupported key")
	}
	addAlg := func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(alg)
			if alg.Equal(oidRSAWithSHA256) {
				b.AddASN1NULL()
			}
		})
	}
	addTime := func(b *cryptobyte.Builder, t time.Time) {
		b.AddASN1UTCTime(t.UTC())
	}
	addExt := func(b *cryptobyte.Builder, e pkix.Extension) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(e.Id)
			if e.Critical {
				b.AddASN1Boolean(true)
			}
			b.AddASN1OctetString(e.Value)
		})
	}
	intExt := func(id asn1.ObjectIdentifier, n int64) pkix.Extension {
		var b cryptobyte.Builder
		b.AddASN1Int64(n)
		return pkix.Extension{Id: id, Value: b.BytesOrPanic()}
	}
	var exts []pkix.Extension
	if spec.AKI || spec.MalformedAKI {
		kid := ca.Cert.KeyID
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.Tag(0).ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(kid) })
		})
		v := b.BytesOrPanic()
		if spec.MalformedAKI {
			v[1] += 2 // the SEQUENCE claims two bytes more than it holds
		}
		exts = append(exts, pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 35}, Value: v})
	}
	if spec.Number > 0 {
		exts = append(exts, intExt(asn1.ObjectIdentifier{2, 5, 29, 20}, spec.Number))
	}
	if spec.DeltaBase > 0 {
		e := intExt(asn1.ObjectIdentifier{2, 5, 29, 27}, spec.DeltaBase)
		e.Critical = true
		exts = append(exts, e)
	}
	exts = append(exts, spec.Extensions...)

	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		if !spec.V1 {
			b.AddASN1Int64(1)
		}
		addAlg(b)
		b.AddBytes(ca.Cert.X.RawSubject)
		addTime(b, spec.ThisUpdate)
		if !spec.NextUpdate.IsZero() {
			addTime(b, spec.NextUpdate)
		}
		if len(spec.Entries) > 0 {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, e := range spec.Entries {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.INTEGER, func(b *cryptobyte.Builder) { b.AddBytes(e.Serial) })
						addTime(b, e.RevokedAt)
						ees := e.Extensions
						if e.Reason > 0 {
							var rb cryptobyte.Builder
							rb.AddASN1Enum(int64(e.Reason - 1))
							ees = append([]pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 21}, Value: rb.BytesOrPanic()}}, ees...)
						}
						if len(ees) > 0 {
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								for _, x := range ees {
									addExt(b, x)
								}
							})
						}
					})
				}
			})
		}
		if len(exts) > 0 {
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					for _, x := range exts {
						addExt(b, x)
					}
				})
			})
		}
	})
	tbs := tb.BytesOrPanic()
	sum := sha256.Sum256(tbs)
	sig, err := ca.Key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		panic(err)
	}
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbs)
		addAlg(b)
		b.AddASN1BitString(sig)
	})
	return out.BytesOrPanic()
}

// PKCS7 writes a degenerate (certs-only) PKCS#7 SignedData holding cert and
// crls (DER), as certmgr exports a store with its CRLs.
func PKCS7(cert []byte, crls ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2})
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1})
				})
				b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) { b.AddBytes(cert) })
				if len(crls) > 0 {
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range crls {
							b.AddBytes(c)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
			})
		})
	})
	return b.BytesOrPanic()
}
