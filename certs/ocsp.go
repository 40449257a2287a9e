package certs

import (
	"encoding/asn1"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
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
