package testpki

import (
	"crypto"
	"crypto/dsa" //nolint:staticcheck // Windows still validates DSA chains (PKITS 4.1.4-4.1.6); tests need DSA signers.
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/winchain/winchain/certs"
)

// DSAKey is a DSA private key as a crypto.Signer, which crypto/dsa does not
// provide and crypto/x509 and x/crypto/ocsp do not sign with. Sign
// truncates the digest to the length of q (FIPS 186-4 §4.6, as verifiers
// do) and returns a Dss-Sig-Value (RFC 3279 §2.2.2).
type DSAKey struct{ dsa.PrivateKey }

// NewDSAParameters generates fresh L1024N160 domain parameters (the size of
// PKITS's DSA CA; the fastest to generate).
func NewDSAParameters() *dsa.Parameters {
	var p dsa.Parameters
	if err := dsa.GenerateParameters(&p, rand.Reader, dsa.L1024N160); err != nil {
		panic(err)
	}
	return &p
}

// NewDSAKey generates a key with the domain parameters params.
func NewDSAKey(params *dsa.Parameters) *DSAKey {
	k := &DSAKey{}
	k.Parameters = *params
	if err := dsa.GenerateKey(&k.PrivateKey, rand.Reader); err != nil {
		panic(err)
	}
	return k
}

// Public returns the *dsa.PublicKey.
func (k *DSAKey) Public() crypto.PublicKey { return &k.PublicKey }

// Sign signs digest (already hashed with any hash).
func (k *DSAKey) Sign(r io.Reader, digest []byte, _ crypto.SignerOpts) ([]byte, error) {
	if n := k.Q.BitLen() / 8; len(digest) > n {
		digest = digest[:n]
	}
	rr, s, err := dsa.Sign(r, &k.PrivateKey, digest)
	if err != nil {
		return nil, err
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1BigInt(rr)
		b.AddASN1BigInt(s)
	})
	return b.Bytes()
}

var (
	oidPublicKeyDSA  = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidDSAWithSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 2}
	oidOCSPBasic     = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
)

// DSASPKI returns the SubjectPublicKeyInfo of k. With inherit, the
// AlgorithmIdentifier carries no parameters: the key inherits p, q and g
// from its issuer's key (RFC 3279 §2.3.2, PKITS 4.1.5).
func DSASPKI(k *dsa.PublicKey, inherit bool) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(oidPublicKeyDSA)
			if !inherit {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1BigInt(k.P)
					b.AddASN1BigInt(k.Q)
					b.AddASN1BigInt(k.G)
				})
			}
		})
		var y cryptobyte.Builder
		y.AddASN1BigInt(k.Y)
		b.AddASN1BitString(y.BytesOrPanic())
	})
	return b.BytesOrPanic()
}

// sigAlg is the SHA-256 signature AlgorithmIdentifier of key.
func sigAlg(key crypto.Signer) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		switch key.(type) {
		case *DSAKey:
			b.AddASN1ObjectIdentifier(oidDSAWithSHA256)
		case *ecdsa.PrivateKey:
			b.AddASN1ObjectIdentifier(oidECDSAWithSHA256)
		case *rsa.PrivateKey:
			b.AddASN1ObjectIdentifier(oidRSAWithSHA256)
			b.AddASN1NULL()
		default:
			panic(fmt.Sprintf("testpki: no signature algorithm for %T", key))
		}
	})
	return b.BytesOrPanic()
}

// signSHA256 signs data with key (SHA-256).
func signSHA256(key crypto.Signer, data []byte) []byte {
	sum := sha256.Sum256(data)
	sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		panic(err)
	}
	return sig
}

// IssueRaw issues a certificate from the template t for the subject key
// given as its SubjectPublicKeyInfo spki (a DSA key, with or without its
// parameters: [DSASPKI]), signed with SHA-256 by this CA's key whatever
// its type (ECDSA, RSA or [*DSAKey]) — crypto/x509 neither marshals DSA
// keys nor signs with them. key is the subject's private key, kept as the
// new CA's Key. The certificate loads with [certs.Parse].
func (ca *CA) IssueRaw(t *x509.Certificate, spki []byte, key crypto.Signer) *CA {
	if t.SubjectKeyId == nil {
		// RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
		in := cryptobyte.String(spki)
		var seq cryptobyte.String
		var bits asn1.BitString
		if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bits) {
			panic("testpki: IssueRaw: malformed SubjectPublicKeyInfo")
		}
		h := sha1.Sum(bits.Bytes)
		t.SubjectKeyId = h[:]
	}
	// crypto/x509 writes everything else, with a stand-in key; the
	// signature AlgorithmIdentifier and the SPKI are then replaced and the
	// TBSCertificate signed again.
	stand := NewKey(ECDSA)
	parent := *ca.Cert.X
	parent.PublicKey = nil // the stand-in key signs
	der, err := x509.CreateCertificate(rand.Reader, t, &parent, stand.Public(), stand)
	if err != nil {
		panic(fmt.Sprintf("testpki: IssueRaw %q: %v", t.Subject.CommonName, err))
	}
	in := cryptobyte.String(der)
	var cert, tbs cryptobyte.String
	var version, serialNo, oldAlg, issuer, validity, subject, oldSPKI cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&version, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1Element(&serialNo, cbasn1.INTEGER) || !tbs.ReadASN1Element(&oldAlg, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&validity, cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) || !tbs.ReadASN1Element(&oldSPKI, cbasn1.SEQUENCE) {
		panic("testpki: IssueRaw: malformed certificate")
	}
	alg := sigAlg(ca.Key)
	var tb cryptobyte.Builder
	tb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		for _, part := range [][]byte{version, serialNo, alg, issuer, validity, subject, spki, tbs} {
			b.AddBytes(part) // tbs: the extensions, unchanged
		}
	})
	newTBS := tb.BytesOrPanic()
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(newTBS)
		b.AddBytes(alg)
		b.AddASN1BitString(signSHA256(ca.Key, newTBS))
	})
	c, err := certs.Parse(b.BytesOrPanic())
	if err != nil {
		panic(fmt.Sprintf("testpki: IssueRaw %q: parse: %v", t.Subject.CommonName, err))
	}
	return &CA{Cert: c, Key: key}
}

// OCSPResponse is ocsp.CreateResponse for any signer key, a [*DSAKey]
// too: issuer's response for tmpl, whose responderID names responder,
// signed by key with SHA-256 (tmpl.Certificate, if set, is embedded).
// x/crypto/ocsp signs only with RSA and ECDSA keys: the response is
// written with a stand-in key, and its signature replaced.
func OCSPResponse(issuer, responder *x509.Certificate, tmpl ocsp.Response, key crypto.Signer) []byte {
	if _, ok := key.(*DSAKey); !ok {
		der, err := ocsp.CreateResponse(issuer, responder, tmpl, key)
		if err != nil {
			panic(err)
		}
		return der
	}
	stand := NewKey(ECDSA)
	der, err := ocsp.CreateResponse(issuer, responder, tmpl, stand)
	if err != nil {
		panic(err)
	}
	// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
	//   responseBytes [0] EXPLICIT SEQUENCE { responseType OID,
	//   response OCTET STRING (BasicOCSPResponse) } } (RFC 6960 §4.2.1)
	in := cryptobyte.String(der)
	var resp, status, rbWrap, rb, basicDER, basic, tbsData, oldAlg cryptobyte.String
	var oldSig asn1.BitString
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !resp.ReadASN1Element(&status, cbasn1.ENUM) ||
		!resp.ReadASN1(&rbWrap, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!rbWrap.ReadASN1(&rb, cbasn1.SEQUENCE) || !rb.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!rb.ReadASN1(&basicDER, cbasn1.OCTET_STRING) || !basicDER.ReadASN1(&basic, cbasn1.SEQUENCE) ||
		!basic.ReadASN1Element(&tbsData, cbasn1.SEQUENCE) || !basic.ReadASN1Element(&oldAlg, cbasn1.SEQUENCE) ||
		!basic.ReadASN1BitString(&oldSig) {
		panic("testpki: OCSPResponse: malformed response")
	}
	var nb cryptobyte.Builder
	nb.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(tbsData)
		b.AddBytes(sigAlg(key))
		b.AddASN1BitString(signSHA256(key, tbsData))
		b.AddBytes(basic) // the certs field, unchanged
	})
	var out cryptobyte.Builder
	out.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(status)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oidOCSPBasic)
				b.AddASN1OctetString(nb.BytesOrPanic())
			})
		})
	})
	return out.BytesOrPanic()
}
