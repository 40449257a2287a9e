package certs

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// oidOCSPBasic is id-pkix-ocsp-basic (RFC 6960 §4.2.1).
var oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}

// SplitOCSPCerts takes the certs field out of a DER OCSPResponse (RFC 6960
// §4.2.1: BasicOCSPResponse.certs [0] EXPLICIT SEQUENCE OF Certificate) so
// that the responder certificates can be loaded with [Parse], as Windows
// loads them (CertCreateCertificateContext), instead of crypto/x509, which
// golang.org/x/crypto/ocsp uses and which refuses what Windows accepts (a
// negative serial number, spec §11.3). It returns the response re-encoded
// without the field and each certificate's DER, in order. A response that is
// not a successful id-pkix-ocsp-basic response, that carries no
// certificates, or whose structure does not split is returned unchanged with
// no certificates: the OCSP parser then reports it as it always did.
func SplitOCSPCerts(body []byte) (stripped []byte, certDER [][]byte) {
	in := cryptobyte.String(body)
	var resp, respBytes, rb, basicDER cryptobyte.String
	var status int
	var oid asn1.ObjectIdentifier
	if !in.ReadASN1(&resp, cbasn1.SEQUENCE) || !in.Empty() ||
		!resp.ReadASN1Enum(&status) ||
		!resp.ReadASN1(&respBytes, cbasn1.Tag(0).Constructed().ContextSpecific()) || !resp.Empty() ||
		!respBytes.ReadASN1(&rb, cbasn1.SEQUENCE) || !respBytes.Empty() ||
		!rb.ReadASN1ObjectIdentifier(&oid) || !oid.Equal(oidOCSPBasic) ||
		!rb.ReadASN1(&basicDER, cbasn1.OCTET_STRING) || !rb.Empty() {
		return body, nil
	}
	var basic, tbs, sigAlg, sig, certsField, list cryptobyte.String
	if !basicDER.ReadASN1(&basic, cbasn1.SEQUENCE) || !basicDER.Empty() ||
		!basic.ReadASN1Element(&tbs, cbasn1.SEQUENCE) ||
		!basic.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) ||
		!basic.ReadASN1Element(&sig, cbasn1.BIT_STRING) ||
		!basic.ReadASN1(&certsField, cbasn1.Tag(0).Constructed().ContextSpecific()) || !basic.Empty() ||
		!certsField.ReadASN1(&list, cbasn1.SEQUENCE) || !certsField.Empty() {
		return body, nil
	}
	for !list.Empty() {
		var c cryptobyte.String
		if !list.ReadASN1Element(&c, cbasn1.SEQUENCE) {
			return body, nil
		}
		certDER = append(certDER, c)
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Enum(int64(status))
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(oid)
				b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddBytes(tbs)
						b.AddBytes(sigAlg)
						b.AddBytes(sig)
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return body, nil
	}
	return out, certDER
}

// OCSPResponse is a DER OCSPResponse parsed by [ParseOCSPResponse].
type OCSPResponse struct {
	// Response is golang.org/x/crypto/ocsp's parse of the response
	// without its certs field: its Certificate is nil, and its signature
	// is not checked (the caller checks it with the key it trusts, e.g.
	// with [CheckSignature]).
	*ocsp.Response
	// Certificates are the BasicOCSPResponse certs field, in order, each
	// loaded with [Parse] as Windows loads it; CertErrors[i] is why
	// certificate i does not load (Certificates[i] is then nil).
	Certificates []*Certificate
	CertErrors   []error
}

// ParseOCSPResponse parses a DER OCSPResponse with its responder
// certificates loaded by [Parse] (see [SplitOCSPCerts]): the one parse of
// OCSP responses, for the revocation checker, the URL cache's expiry and
// inspect. With cert set, the SingleResponse for cert is taken
// (ocsp.ParseResponseForCert); else the response must hold exactly one.
// The error is golang.org/x/crypto/ocsp's (an ocsp.ResponseError for a
// responder's error status, an ocsp.ParseError or an ASN.1 error).
func ParseOCSPResponse(der []byte, cert *x509.Certificate) (*OCSPResponse, error) {
	stripped, certDER := SplitOCSPCerts(der)
	resp, err := ocsp.ParseResponseForCert(stripped, cert, nil)
	if err != nil {
		return nil, err
	}
	r := &OCSPResponse{Response: resp}
	for _, d := range certDER {
		c, err := Parse(d)
		r.Certificates = append(r.Certificates, c)
		r.CertErrors = append(r.CertErrors, err)
	}
	return r, nil
}

// Responder picks the certificate of the certs field that signed the
// response: the one the responderID names ([OCSPResponse.NamesResponder]),
// else the first that loads, as x/crypto/ocsp takes the first. It is nil,
// nil when the field is absent or empty, and nil with the first load error
// when no certificate loads.
func (r *OCSPResponse) Responder() (*Certificate, error) {
	var first *Certificate
	var firstErr error
	for i, c := range r.Certificates {
		if c == nil {
			if firstErr == nil {
				firstErr = r.CertErrors[i]
			}
			continue
		}
		if r.NamesResponder(c.X) {
			return c, nil
		}
		if first == nil {
			first = c
		}
	}
	if first == nil && firstErr != nil {
		return nil, firstErr
	}
	return first, nil
}

// NamesResponder reports whether the responderID names signer (RFC 6960
// §4.2.2.3): byName by its subject (compared as [NamesEqual] does), byKey
// by the SHA-1 of its subjectPublicKey bits.
func (r *OCSPResponse) NamesResponder(signer *x509.Certificate) bool {
	if r.RawResponderName != nil {
		return NamesEqual(r.RawResponderName, signer.RawSubject)
	}
	bits, ok := PublicKeyBits(signer.RawSubjectPublicKeyInfo)
	if !ok {
		return false
	}
	h := sha1.Sum(bits)
	return bytes.Equal(r.ResponderKeyHash, h[:])
}

// PublicKeyBits returns the subjectPublicKey BIT STRING contents of a DER
// SubjectPublicKeyInfo: what an OCSP CertID's issuerKeyHash and a byKey
// responderID hash (RFC 6960 §4.1.1, §4.2.2.3).
func PublicKeyBits(spki []byte) ([]byte, bool) {
	in := cryptobyte.String(spki)
	var seq cryptobyte.String
	var bits asn1.BitString
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.SkipASN1(cbasn1.SEQUENCE) || !seq.ReadASN1BitString(&bits) {
		return nil, false
	}
	return bits.Bytes, true
}
