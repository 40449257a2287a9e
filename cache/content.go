package cache

import (
	"bytes"
	"encoding/pem"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/winchain/winchain/certs"
)

// Content kinds returned by [ContentKind]; the names are the `kind` words of
// `winchain urlcache --json` (docs/cli.md).
const (
	ContentCRL     = "crl"
	ContentOCSP    = "ocsp"
	ContentCert    = "cert"
	ContentPKCS7   = "pkcs7"
	ContentCAB     = "cab"
	ContentUnknown = "unknown"
)

// ContentKind sniffs a cached payload from its bytes: a DER or PEM CRL, an
// OCSP response, a certificate, PKCS#7, a Microsoft CAB ("MSCF"), or
// "unknown". It looks at structure only and never fails.
func ContentKind(body []byte) string {
	if bytes.HasPrefix(body, []byte("MSCF")) {
		return ContentCAB
	}
	if certs.LooksPEM(body) {
		if blk, _ := pem.Decode(body); blk != nil {
			switch certs.PEMKindOf(blk.Type) {
			case certs.PEMCertificate:
				return ContentCert
			case certs.PEMCRL:
				return ContentCRL
			case certs.PEMPKCS7:
				return ContentPKCS7
			}
			body = blk.Bytes
		}
	}
	if certs.LooksPKCS7(body) { // DER or BER
		return ContentPKCS7
	}
	in := cryptobyte.String(body)
	var outer cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return ContentUnknown
	}
	// OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED, responseBytes [0] EXPLICIT ... OPTIONAL }
	if outer.PeekASN1Tag(cbasn1.ENUM) {
		return ContentOCSP
	}
	// A ContentInfo of another type.
	if outer.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		return ContentUnknown
	}
	// Certificate and CertificateList are both SEQUENCE { tbs SEQUENCE, alg, sig }.
	var tbs cryptobyte.String
	if !outer.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return ContentUnknown
	}
	var tags []cbasn1.Tag
	for len(tags) < 4 && !tbs.Empty() {
		var tag cbasn1.Tag
		var skip cryptobyte.String
		if !tbs.ReadAnyASN1(&skip, &tag) {
			break
		}
		tags = append(tags, tag)
	}
	isTime := func(i int) bool {
		return i < len(tags) && (tags[i] == cbasn1.UTCTime || tags[i] == cbasn1.GeneralizedTime)
	}
	switch {
	case len(tags) == 0:
		return ContentUnknown
	case tags[0] == cbasn1.Tag(0).Constructed().ContextSpecific():
		// [0] EXPLICIT version: a v2/v3 certificate.
		return ContentCert
	case tags[0] == cbasn1.INTEGER && isTime(3):
		// v2 CRL: version, signature, issuer, thisUpdate.
		return ContentCRL
	case tags[0] == cbasn1.SEQUENCE && isTime(2):
		// v1 CRL: signature, issuer, thisUpdate.
		return ContentCRL
	case tags[0] == cbasn1.INTEGER:
		// v1 certificate: serial, signature, issuer, validity.
		return ContentCert
	}
	return ContentUnknown
}

// ObjectExpiry is when an object downloaded at downloaded stops being fresh
// (see objectExpiry); `winchain urlcache` shows it. ocspValidity is
// OcspValiditySeconds ([DefaultOCSPValidity] when zero). The zero Time means
// no expiry.
func ObjectExpiry(kind Kind, body []byte, downloaded time.Time, ocspValidity time.Duration) time.Time {
	if ocspValidity <= 0 {
		ocspValidity = DefaultOCSPValidity
	}
	return objectExpiry(kind, body, downloaded, ocspValidity)
}

// objectExpiry is when a downloaded object stops being fresh (spec §4.6): a
// CRL at nextUpdate (none: never), an OCSP response at nextUpdate or, without
// one, ocspValidity (OcspValiditySeconds) after its thisUpdate — the same
// lifetime package revocation gives it (spec §3.4) — or after the download
// when thisUpdate is missing; certificates and other objects never.
// The zero Time means no expiry.
func objectExpiry(kind Kind, body []byte, downloaded time.Time, ocspValidity time.Duration) time.Time {
	// What the body is decides; the kind asked for only when the body is
	// not recognised (an OCSP response served at a CDP URL still expires).
	ck := ContentKind(body)
	crlKind := kind == KindCRL || kind == KindDeltaCRL
	switch {
	case ck == ContentCRL || crlKind && ck != ContentOCSP:
		// The header only: the revocation checker parses the CRL itself
		// (once), so a download is not parsed twice (issue 16).
		_, next, _ := certs.ReadCRLTimes(certs.DecodeCRLBody(body))
		return next
	case ck == ContentOCSP || kind == KindOCSP && ck != ContentCRL:
		// certs.ParseOCSPResponse: a responder certificate crypto/x509
		// refuses does not cost the response its expiry (spec §11.3).
		if resp, err := certs.ParseOCSPResponse(body, nil); err == nil {
			if !resp.NextUpdate.IsZero() {
				return resp.NextUpdate
			}
			if !resp.ThisUpdate.IsZero() {
				return resp.ThisUpdate.Add(ocspValidity)
			}
			if !downloaded.IsZero() {
				return downloaded.Add(ocspValidity)
			}
		}
	}
	return time.Time{}
}
