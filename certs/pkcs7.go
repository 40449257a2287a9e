package certs

// PKCS#7 bundles (.p7b/.p7c): the one reader of their structure, for the
// AIA objects ([DecodeObject]) and the certificate and CRL files winchain
// loads ([ParseAll], [ParseCRLs]). BER bundles (indefinite lengths, which
// cryptobyte does not read) are first converted to DER by the bounded
// converter of ber.go.

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// kindPKCS7 is the [ParseError.Kind] of bundle errors.
const kindPKCS7 = "PKCS#7 bundle"

// oidSignedData is PKCS#7 signedData (1.2.840.113549.1.7.2), DER contents.
var oidSignedData = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02}

// ErrTooManyCertificates is wrapped when a bundle holds more certificates
// than the reader's limit; counting stops at limit+1.
var ErrTooManyCertificates = errors.New("too many certificates in the bundle")

// PKCS7 is the content of a PKCS#7 SignedData (RFC 5652 §5.1) read as a
// certs-only bundle: the DER of its certificates and CRLs in the order of
// the file. Signatures of the message are not read.
type PKCS7 struct {
	// HasCertificates is true when the certificates field is present
	// (it may still be empty).
	HasCertificates bool
	// Certificates are the X.509 certificate elements (never more than
	// the limit given to ParsePKCS7).
	Certificates [][]byte
	// OtherCertificates counts CertificateChoices that are not X.509
	// certificates (extendedCertificate, attribute or other certificates).
	OtherCertificates int
	// CRLs are the X.509 CertificateList elements of the crls field;
	// OtherCRLs counts RevocationInfoChoices that are not (other
	// revocation formats).
	CRLs      [][]byte
	OtherCRLs int
}

// LooksPKCS7 reports whether b starts as a ContentInfo of type signedData,
// in DER or BER (an indefinite-length outer SEQUENCE). Only the header and
// the content type are read; a DER ContentInfo must fit in b.
func LooksPKCS7(b []byte) bool {
	_, constructed, indef, length, next, err := berHeader(b, 0)
	if err != nil || !constructed || b[0] != 0x30 {
		return false
	}
	content := b[next:]
	if !indef {
		content = content[:length]
	}
	in := cryptobyte.String(content)
	var oid cryptobyte.String
	return in.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) && bytes.Equal(oid, oidSignedData)
}

// trailing returns how many bytes follow the first element of b when its
// length is definite (0 for an indefinite length, whose end only the BER
// converter finds, or for a header that does not read).
func trailing(b []byte) int {
	_, _, indef, length, next, err := berHeader(b, 0)
	if err != nil || indef {
		return 0
	}
	return len(b) - next - length
}

// indefinite reports whether b starts with a constructed element of
// indefinite length: BER, which no DER certificate or CRL is, and which
// only PKCS#7 producers write, so it is read (and bounded) as a bundle.
func indefinite(b []byte) bool {
	return len(b) >= 2 && b[0]&0x20 != 0 && b[1] == 0x80
}

// ParsePKCS7 reads a ContentInfo { contentType signedData, [0] EXPLICIT
// SignedData } with SignedData { version, digestAlgorithms SET,
// encapContentInfo, certificates [0] IMPLICIT OPTIONAL, crls [1] IMPLICIT
// OPTIONAL, ... }, in DER or in BER: a bundle that does not read as DER is
// converted (indefinite lengths made definite, every length in its
// shortest form) and read again, as Windows reads the indefinite lengths
// some CMS producers write. maxCerts bounds the certificates (0: no
// bound). Errors are *ParseError (Kind "PKCS#7 bundle") whose Err says what
// is malformed, wrapping [ErrTooManyCertificates] for the bound and, for a
// bundle whose outer length is indefinite, [ErrBERLimit] when it is over
// [MaxBERDepth] or [MaxBERSize]. A bundle with a definite outer length that
// does not read as DER and cannot be converted gets the DER reader's error.
func ParsePKCS7(b []byte, maxCerts int) (*PKCS7, error) {
	p, err := parsePKCS7DER(b, maxCerts)
	if err == nil || errors.Is(err, ErrTooManyCertificates) || len(b) < 2 {
		return p, err
	}
	if !indefinite(b) && len(b) > MaxBERSize {
		return nil, err // DER bundles have only the file limit
	}
	der, berr := berToDER(b)
	if berr != nil {
		if errors.Is(berr, ErrBERLimit) && indefinite(b) {
			return nil, &ParseError{Kind: kindPKCS7, Err: berr}
		}
		return nil, err // the DER reader's error says more
	}
	if bytes.Equal(der, b[:min(len(b), len(der))]) {
		return nil, err // already DER: converting changed nothing
	}
	return parsePKCS7DER(der, maxCerts)
}

// load parses the X.509 entries of the bundle with [Parse], skipping those
// that do not load; first is the 1-based index of the first of them and
// firstErr why (0, nil when every entry loads). The AIA decoder skips such
// entries and a certificate file refuses them: one loop, two policies.
func (p *PKCS7) load() (cs []*Certificate, first int, firstErr error) {
	cs = make([]*Certificate, 0, len(p.Certificates))
	for i, raw := range p.Certificates {
		c, err := Parse(raw)
		if err != nil {
			if firstErr == nil {
				first, firstErr = i+1, err
			}
			continue
		}
		cs = append(cs, c)
	}
	return cs, first, firstErr
}

// parsePKCS7DER is ParsePKCS7 on DER.
func parsePKCS7DER(der []byte, maxCerts int) (*PKCS7, error) {
	bad := func(format string, args ...any) (*PKCS7, error) {
		return nil, &ParseError{Kind: kindPKCS7, Err: fmt.Errorf(format, args...)}
	}
	in := cryptobyte.String(der)
	var ci, oid, content, sd cryptobyte.String
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
		return bad("malformed ContentInfo")
	}
	if !bytes.Equal(oid, oidSignedData) {
		return bad("content type is not signedData")
	}
	if !ci.ReadASN1(&content, tagCtx0C) || !content.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return bad("malformed signedData content")
	}
	var version int
	var skip cryptobyte.String
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&skip, cbasn1.SET) || !sd.ReadASN1(&skip, cbasn1.SEQUENCE) {
		return bad("malformed SignedData header")
	}
	p := &PKCS7{}
	var set cryptobyte.String
	if !sd.ReadOptionalASN1(&set, &p.HasCertificates, tagCtx0C) {
		return bad("malformed certificates field")
	}
	for !set.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !set.ReadAnyASN1Element(&el, &tag) {
			return bad("malformed certificate entry %d", len(p.Certificates)+p.OtherCertificates+1)
		}
		if tag != cbasn1.SEQUENCE {
			p.OtherCertificates++
			continue
		}
		if maxCerts > 0 && len(p.Certificates) == maxCerts {
			return nil, &ParseError{Kind: kindPKCS7, Err: fmt.Errorf("%w: more than %d certificates", ErrTooManyCertificates, maxCerts)}
		}
		p.Certificates = append(p.Certificates, el)
	}
	var crls cryptobyte.String
	var hasCRLs bool
	if !sd.ReadOptionalASN1(&crls, &hasCRLs, tagCtx1C) {
		return bad("malformed crls field")
	}
	for !crls.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !crls.ReadAnyASN1Element(&el, &tag) {
			return bad("malformed CRL entry %d", len(p.CRLs)+p.OtherCRLs+1)
		}
		if tag != cbasn1.SEQUENCE {
			p.OtherCRLs++ // otherRevocationInfo [1]
			continue
		}
		p.CRLs = append(p.CRLs, el)
	}
	return p, nil
}
