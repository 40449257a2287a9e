package certs

// The lenient parser (spec §11.3).
//
// Windows CertCreateCertificateContext decodes the X.509 structure into a
// CERT_INFO and keeps the SubjectPublicKeyInfo and the extensions as opaque
// blobs; it decodes a key or an extension only when something asks for it.
// crypto/x509 decodes and validates everything up front and refuses the whole
// certificate over one field. This parser sits between the two: the
// Certificate/TBSCertificate structure must be well-formed DER (otherwise the
// certificate cannot load and the failing field is named), but the contents
// Windows does not validate at load time are decoded best-effort:
//
//   - serial numbers may be negative or non-minimally encoded;
//   - names may hold any string type and any bytes (a NUL in a
//     PrintableString);
//   - RSA keys may lack the NULL parameters, DSA keys may lack their
//     parameters ("DSA parameters inherited", RFC 3279 §2.3.2), and a key
//     that cannot be decoded leaves PublicKey nil with
//     UnknownPublicKeyAlgorithm instead of failing the certificate;
//   - each extension is decoded on its own: a malformed one is recorded as a
//     warning and skipped (and, when critical, listed in
//     UnhandledCriticalExtensions so the chain engine still sees it).

import (
	"bytes"
	"crypto/dsa" //nolint:staticcheck // Windows still validates DSA chains (PKITS 4.1.4-4.1.6).
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Algorithm OIDs (RFC 3279, RFC 4055, RFC 5758, RFC 8410).
var (
	oidSigMD2WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 2}
	oidSigMD5WithRSA      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 4}
	oidSigSHA1WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 5}
	oidSigISOSHA1WithRSA  = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 29}
	oidSigSHA256WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	oidSigSHA384WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	oidSigSHA512WithRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	oidSigRSAPSS          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidSigDSAWithSHA1     = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 3}
	oidSigDSAWithSHA256   = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 3, 2}
	oidSigECDSAWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 1}
	oidSigECDSAWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	oidSigECDSAWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	oidSigECDSAWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 4}
	oidSigEd25519         = asn1.ObjectIdentifier{1, 3, 101, 112}

	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA384 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	oidMGF1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 8}

	oidPublicKeyRSA   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidPublicKeyDSA   = asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}
	oidPublicKeyECDSA = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	// id-Ed25519 names both the key and the signature (RFC 8410 §3).
	oidPublicKeyEd25519 = oidSigEd25519

	oidCurveP224 = asn1.ObjectIdentifier{1, 3, 132, 0, 33}
	oidCurveP256 = asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7}
	oidCurveP384 = asn1.ObjectIdentifier{1, 3, 132, 0, 34}
	oidCurveP521 = asn1.ObjectIdentifier{1, 3, 132, 0, 35}
)

// extKeyUsageOIDs mirrors crypto/x509's (unexported) table so that a
// leniently parsed certificate fills ExtKeyUsage exactly as x509 would.
var extKeyUsageOIDs = []struct {
	eku x509.ExtKeyUsage
	oid asn1.ObjectIdentifier
}{
	{x509.ExtKeyUsageAny, oidAnyExtKeyUsage},
	{x509.ExtKeyUsageServerAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 1}},
	{x509.ExtKeyUsageClientAuth, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 2}},
	{x509.ExtKeyUsageCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 3}},
	{x509.ExtKeyUsageEmailProtection, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 4}},
	{x509.ExtKeyUsageIPSECEndSystem, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 5}},
	{x509.ExtKeyUsageIPSECTunnel, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 6}},
	{x509.ExtKeyUsageIPSECUser, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 7}},
	{x509.ExtKeyUsageTimeStamping, asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}},
	{x509.ExtKeyUsageOCSPSigning, OIDExtKeyUsageOCSPSigning},
	{x509.ExtKeyUsageMicrosoftServerGatedCrypto, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 10, 3, 3}},
	{x509.ExtKeyUsageNetscapeServerGatedCrypto, asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 4, 1}},
	{x509.ExtKeyUsageMicrosoftCommercialCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 2, 1, 22}},
	{x509.ExtKeyUsageMicrosoftKernelCodeSigning, asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 61, 1, 1}},
}

// Context-specific tags used below.
var (
	tagCtx0  = cbasn1.Tag(0).ContextSpecific()
	tagCtx1  = cbasn1.Tag(1).ContextSpecific()
	tagCtx0C = cbasn1.Tag(0).Constructed().ContextSpecific()
	tagCtx1C = cbasn1.Tag(1).Constructed().ContextSpecific()
	tagCtx2  = cbasn1.Tag(2).ContextSpecific()
	tagCtx2C = cbasn1.Tag(2).Constructed().ContextSpecific()
	tagCtx3C = cbasn1.Tag(3).Constructed().ContextSpecific()
)

// parseLenient parses what crypto/x509 refuses. It returns the field that
// failed when it cannot load the DER either.
func parseLenient(der []byte) (*x509.Certificate, string, error) {
	x, _, field, err := parseLenientWarnings(der)
	return x, field, err
}

// parseLenientWarnings is parseLenient that also returns what it tolerated
// (malformed extensions, undecodable keys, negative serials…). cert.go does
// not collect these yet; see the package report.
func parseLenientWarnings(der []byte) (*x509.Certificate, []string, string, error) {
	p := &lenientParser{}
	x, field, err := p.parse(der)
	if err != nil {
		return nil, p.warnings, field, err
	}
	return x, p.warnings, "", nil
}

type lenientParser struct {
	warnings []string
}

func (p *lenientParser) warn(format string, args ...any) {
	p.warnings = append(p.warnings, fmt.Sprintf(format, args...))
}

func (p *lenientParser) parse(der []byte) (*x509.Certificate, string, error) {
	if len(der) == 0 {
		return nil, "certificate", errors.New("empty input")
	}
	in := cryptobyte.String(der)
	var raw cryptobyte.String
	if !in.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return nil, "certificate", errors.New("not a DER SEQUENCE (truncated, BER-encoded or not a certificate)")
	}
	if !in.Empty() {
		// crypto/x509 refuses this too; accepting it would make two
		// different byte strings share one thumbprint-less identity.
		return nil, "certificate", fmt.Errorf("%d bytes of trailing data after the certificate", len(in))
	}
	x := &x509.Certificate{Raw: raw}

	var body cryptobyte.String
	if !raw.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, "certificate", errors.New("malformed certificate SEQUENCE")
	}
	var tbsRaw cryptobyte.String
	if !body.ReadASN1Element(&tbsRaw, cbasn1.SEQUENCE) {
		return nil, "tbsCertificate", errors.New("malformed TBSCertificate")
	}
	x.RawTBSCertificate = tbsRaw
	outerAlg, ok := readAlgorithmIdentifier(&body)
	if !ok {
		return nil, "signatureAlgorithm", errors.New("malformed AlgorithmIdentifier")
	}
	sig, ok := readBitString(&body)
	if !ok {
		return nil, "signatureValue", errors.New("malformed BIT STRING")
	}
	x.Signature = sig.RightAlign()
	if !body.Empty() {
		return nil, "certificate", errors.New("trailing data after signatureValue")
	}
	x.SignatureAlgorithm = signatureAlgorithmFromAI(outerAlg)

	if field, err := p.parseTBS(x, tbsRaw, outerAlg); err != nil {
		return nil, field, err
	}
	return x, "", nil
}

func (p *lenientParser) parseTBS(x *x509.Certificate, tbsRaw cryptobyte.String, outerAlg algorithmIdentifier) (string, error) {
	var tbs cryptobyte.String
	if !tbsRaw.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return "tbsCertificate", errors.New("malformed TBSCertificate")
	}

	// version [0] EXPLICIT Version DEFAULT v1 (RFC 5280 §4.1.2.1).
	var verWrap cryptobyte.String
	var present bool
	if !tbs.ReadOptionalASN1(&verWrap, &present, tagCtx0C) {
		return "version", errors.New("malformed version")
	}
	x.Version = 1
	if present {
		var v cryptobyte.String
		if !verWrap.ReadASN1(&v, cbasn1.INTEGER) || !verWrap.Empty() || len(v) == 0 || len(v) > 4 {
			return "version", errors.New("malformed version")
		}
		n := bytesToSignedInt(v).Int64()
		if n < 0 || n > 2 {
			// Windows knows CERT_V1..CERT_V3 only.
			return "version", fmt.Errorf("unsupported version %d", n+1)
		}
		x.Version = int(n) + 1
	}

	// serialNumber: Windows keeps the serial as raw bytes, so a negative
	// or non-minimal INTEGER loads (spec §11.3, PKITS 4.1.15).
	var serial cryptobyte.String
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) || len(serial) == 0 {
		return "serialNumber", errors.New("malformed serial number")
	}
	x.SerialNumber = bytesToSignedInt(serial)
	if x.SerialNumber.Sign() < 0 {
		p.warn("negative serial number")
	}

	innerAlg, ok := readAlgorithmIdentifier(&tbs)
	if !ok {
		return "signature", errors.New("malformed AlgorithmIdentifier")
	}
	// RFC 5280 §4.1.1.2: the inner and outer identifiers MUST match.
	// crypto/x509 compares the bytes; we compare the algorithm (so a
	// missing NULL on one side loads) but not an algorithm substitution.
	if !innerAlg.sameAlgorithm(outerAlg) {
		return "signature", errors.New("inner and outer signature algorithms differ")
	}

	var issuer cryptobyte.String
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return "issuer", errors.New("malformed Name")
	}
	x.RawIssuer = issuer
	name, err := parseNameLenient(issuer)
	if err != nil {
		return "issuer", err
	}
	x.Issuer = name

	var validity cryptobyte.String
	if !tbs.ReadASN1(&validity, cbasn1.SEQUENCE) {
		return "validity", errors.New("malformed Validity")
	}
	if x.NotBefore, err = readTimeLenient(&validity); err != nil {
		return "validity", fmt.Errorf("notBefore: %w", err)
	}
	if x.NotAfter, err = readTimeLenient(&validity); err != nil {
		return "validity", fmt.Errorf("notAfter: %w", err)
	}
	if !validity.Empty() {
		return "validity", errors.New("trailing data in Validity")
	}

	var subject cryptobyte.String
	if !tbs.ReadASN1Element(&subject, cbasn1.SEQUENCE) {
		return "subject", errors.New("malformed Name")
	}
	x.RawSubject = subject
	if x.Subject, err = parseNameLenient(subject); err != nil {
		return "subject", err
	}

	var spki cryptobyte.String
	if !tbs.ReadASN1Element(&spki, cbasn1.SEQUENCE) {
		return "subjectPublicKeyInfo", errors.New("malformed SubjectPublicKeyInfo")
	}
	x.RawSubjectPublicKeyInfo = spki
	var spkiBody cryptobyte.String
	if !spki.ReadASN1(&spkiBody, cbasn1.SEQUENCE) {
		return "subjectPublicKeyInfo", errors.New("malformed SubjectPublicKeyInfo")
	}
	keyAlg, ok := readAlgorithmIdentifier(&spkiBody)
	if !ok {
		return "subjectPublicKeyInfo", errors.New("malformed public key AlgorithmIdentifier")
	}
	keyBits, ok := readBitString(&spkiBody)
	if !ok || !spkiBody.Empty() {
		return "subjectPublicKeyInfo", errors.New("malformed subjectPublicKey BIT STRING")
	}
	// Windows stores the key as an opaque CRYPT_BIT_BLOB and decodes it
	// only to verify a signature, so an undecodable key does not stop the
	// certificate from loading.
	x.PublicKeyAlgorithm, x.PublicKey, err = parsePublicKeyLenient(keyAlg, keyBits.RightAlign())
	if err != nil {
		p.warn("subjectPublicKeyInfo: %v", err)
		x.PublicKeyAlgorithm, x.PublicKey = x509.UnknownPublicKeyAlgorithm, nil
	}

	// issuerUniqueID [1] and subjectUniqueID [2] (IMPLICIT BIT STRING) are
	// skipped in any encoding; nothing uses them.
	for _, t := range []struct {
		field string
		tag   cbasn1.Tag
	}{{"issuerUniqueID", tagCtx1}, {"issuerUniqueID", tagCtx1.Constructed()}, {"subjectUniqueID", tagCtx2}, {"subjectUniqueID", tagCtx2C}} {
		if !tbs.SkipOptionalASN1(t.tag) {
			return t.field, errors.New("malformed unique identifier")
		}
	}

	var extWrap cryptobyte.String
	if !tbs.ReadOptionalASN1(&extWrap, &present, tagCtx3C) {
		return "extensions", errors.New("malformed extensions")
	}
	if present {
		var exts cryptobyte.String
		if !extWrap.ReadASN1(&exts, cbasn1.SEQUENCE) || !extWrap.Empty() {
			return "extensions", errors.New("malformed Extensions SEQUENCE")
		}
		for !exts.Empty() {
			var e cryptobyte.String
			if !exts.ReadASN1(&e, cbasn1.SEQUENCE) {
				return "extensions", errors.New("malformed Extension")
			}
			ext, err := parseExtensionLenient(e)
			if err != nil {
				// The Extension wrapper itself is broken: we cannot
				// tell whether it was critical, so we cannot skip it.
				return "extensions", err
			}
			x.Extensions = append(x.Extensions, ext)
		}
		p.processExtensions(x)
	}
	if !tbs.Empty() {
		// crypto/x509 ignores this too (RFC 5280 §4.1 extensibility).
		p.warn("tbsCertificate: %d bytes after the extensions ignored", len(tbs))
	}
	return "", nil
}

// algorithmIdentifier is an AlgorithmIdentifier as read from the DER. oid is
// nil when the OID is well-formed DER but does not fit asn1.ObjectIdentifier
// (an arc above MaxInt): such an algorithm is simply unknown.
type algorithmIdentifier struct {
	oid       asn1.ObjectIdentifier
	rawOID    []byte
	params    []byte // the DER after the OID (nil when absent)
	hasParams bool
}

func (a algorithmIdentifier) sameAlgorithm(b algorithmIdentifier) bool {
	if !bytes.Equal(a.rawOID, b.rawOID) {
		return false
	}
	// RSA-PSS carries the hash in the parameters.
	if a.oid.Equal(oidSigRSAPSS) {
		return bytes.Equal(a.params, b.params)
	}
	return true
}

// paramsAbsentOrNull reports parameters that are absent or an ASN.1 NULL;
// RFC 3279 allows both readings for several algorithms and Windows accepts
// both for RSA (spec §11.3).
func (a algorithmIdentifier) paramsAbsentOrNull() bool {
	return !a.hasParams || bytes.Equal(a.params, []byte{0x05, 0x00})
}

func readAlgorithmIdentifier(s *cryptobyte.String) (algorithmIdentifier, bool) {
	var ai algorithmIdentifier
	var seq cryptobyte.String
	if !s.ReadASN1(&seq, cbasn1.SEQUENCE) {
		return ai, false
	}
	var oidElem cryptobyte.String
	if !seq.ReadASN1Element(&oidElem, cbasn1.OBJECT_IDENTIFIER) {
		return ai, false
	}
	ai.rawOID = oidElem
	probe := oidElem
	var oid asn1.ObjectIdentifier
	if probe.ReadASN1ObjectIdentifier(&oid) {
		ai.oid = oid
	}
	if !seq.Empty() {
		ai.params = seq
		ai.hasParams = true
	}
	return ai, true
}

// readBitString reads a BIT STRING. Unlike cryptobyte it does not insist that
// the unused bits are zero (BER allows any value; they are dropped).
func readBitString(s *cryptobyte.String) (asn1.BitString, bool) {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.BIT_STRING) || len(v) == 0 {
		return asn1.BitString{}, false
	}
	unused := int(v[0])
	if unused > 7 || (len(v) == 1 && unused != 0) {
		return asn1.BitString{}, false
	}
	b := append([]byte(nil), v[1:]...)
	if len(b) > 0 {
		b[len(b)-1] &= 0xff << uint(unused)
	}
	return asn1.BitString{Bytes: b, BitLength: len(b)*8 - unused}, true
}

// signatureAlgorithmFromAI maps an AlgorithmIdentifier the way crypto/x509
// does, plus MD2 (which x509 no longer lists but Windows still names, as a
// weak algorithm it cannot verify).
func signatureAlgorithmFromAI(ai algorithmIdentifier) x509.SignatureAlgorithm {
	switch {
	case ai.oid == nil:
		return x509.UnknownSignatureAlgorithm
	case ai.oid.Equal(oidSigMD2WithRSA):
		return x509.MD2WithRSA
	case ai.oid.Equal(oidSigMD5WithRSA):
		return x509.MD5WithRSA
	case ai.oid.Equal(oidSigSHA1WithRSA), ai.oid.Equal(oidSigISOSHA1WithRSA):
		return x509.SHA1WithRSA
	case ai.oid.Equal(oidSigSHA256WithRSA):
		return x509.SHA256WithRSA
	case ai.oid.Equal(oidSigSHA384WithRSA):
		return x509.SHA384WithRSA
	case ai.oid.Equal(oidSigSHA512WithRSA):
		return x509.SHA512WithRSA
	case ai.oid.Equal(oidSigDSAWithSHA1):
		return x509.DSAWithSHA1
	case ai.oid.Equal(oidSigDSAWithSHA256):
		return x509.DSAWithSHA256
	case ai.oid.Equal(oidSigECDSAWithSHA1):
		return x509.ECDSAWithSHA1
	case ai.oid.Equal(oidSigECDSAWithSHA256):
		return x509.ECDSAWithSHA256
	case ai.oid.Equal(oidSigECDSAWithSHA384):
		return x509.ECDSAWithSHA384
	case ai.oid.Equal(oidSigECDSAWithSHA512):
		return x509.ECDSAWithSHA512
	case ai.oid.Equal(oidSigEd25519):
		// RFC 8410 §3: the parameters MUST be absent.
		if ai.hasParams {
			return x509.UnknownSignatureAlgorithm
		}
		return x509.PureEd25519
	case ai.oid.Equal(oidSigRSAPSS):
		return pssAlgorithm(ai.params)
	}
	return x509.UnknownSignatureAlgorithm
}

// pssParameters is RSASSA-PSS-params (RFC 4055 §3.1), declared as crypto/x509
// does: the SHA-1 defaults are not accepted.
type pssParameters struct {
	Hash         pkix.AlgorithmIdentifier `asn1:"explicit,tag:0"`
	MGF          pkix.AlgorithmIdentifier `asn1:"explicit,tag:1"`
	SaltLength   int                      `asn1:"explicit,tag:2"`
	TrailerField int                      `asn1:"optional,explicit,tag:3,default:1"`
}

// pssAlgorithm maps PSS parameters into x509's three buckets (MGF1 with the
// message hash, salt length = hash length, trailer 1), like crypto/x509.
func pssAlgorithm(params []byte) x509.SignatureAlgorithm {
	var pp pssParameters
	if rest, err := asn1.Unmarshal(params, &pp); err != nil || len(rest) != 0 {
		return x509.UnknownSignatureAlgorithm
	}
	var mgfHash pkix.AlgorithmIdentifier
	if _, err := asn1.Unmarshal(pp.MGF.Parameters.FullBytes, &mgfHash); err != nil {
		return x509.UnknownSignatureAlgorithm
	}
	nullOK := func(b []byte) bool { return len(b) == 0 || bytes.Equal(b, asn1.NullBytes) }
	if !nullOK(pp.Hash.Parameters.FullBytes) || !pp.MGF.Algorithm.Equal(oidMGF1) ||
		!mgfHash.Algorithm.Equal(pp.Hash.Algorithm) || !nullOK(mgfHash.Parameters.FullBytes) ||
		pp.TrailerField != 1 {
		return x509.UnknownSignatureAlgorithm
	}
	switch {
	case pp.Hash.Algorithm.Equal(oidSHA256) && pp.SaltLength == 32:
		return x509.SHA256WithRSAPSS
	case pp.Hash.Algorithm.Equal(oidSHA384) && pp.SaltLength == 48:
		return x509.SHA384WithRSAPSS
	case pp.Hash.Algorithm.Equal(oidSHA512) && pp.SaltLength == 64:
		return x509.SHA512WithRSAPSS
	}
	return x509.UnknownSignatureAlgorithm
}

// parsePublicKeyLenient decodes the subjectPublicKey. An unknown algorithm is
// not an error (UnknownPublicKeyAlgorithm, nil key, as crypto/x509 does);
// an error means a known algorithm whose key does not decode.
func parsePublicKeyLenient(ai algorithmIdentifier, data []byte) (x509.PublicKeyAlgorithm, any, error) {
	switch {
	case ai.oid.Equal(oidPublicKeyRSA):
		// RFC 3279 §2.3.1 requires NULL parameters; Windows accepts
		// them absent (spec §11.3, 17 Wine test certificates).
		k, err := parseRSAPublicKey(data)
		if err != nil {
			return 0, nil, err
		}
		return x509.RSA, k, nil
	case ai.oid.Equal(oidPublicKeyDSA):
		k, err := parseDSAPublicKey(ai, data)
		if err != nil {
			return 0, nil, err
		}
		return x509.DSA, k, nil
	case ai.oid.Equal(oidPublicKeyECDSA):
		params := cryptobyte.String(ai.params)
		var curveOID asn1.ObjectIdentifier
		if !params.ReadASN1ObjectIdentifier(&curveOID) || !params.Empty() {
			return 0, nil, errors.New("ECDSA parameters are not a named curve")
		}
		var curve elliptic.Curve
		switch {
		case curveOID.Equal(oidCurveP224):
			curve = elliptic.P224()
		case curveOID.Equal(oidCurveP256):
			curve = elliptic.P256()
		case curveOID.Equal(oidCurveP384):
			curve = elliptic.P384()
		case curveOID.Equal(oidCurveP521):
			curve = elliptic.P521()
		default:
			return 0, nil, fmt.Errorf("unsupported elliptic curve %v", curveOID)
		}
		k, err := ecdsa.ParseUncompressedPublicKey(curve, data)
		if err != nil {
			return 0, nil, fmt.Errorf("ECDSA point: %w", err)
		}
		return x509.ECDSA, k, nil
	case ai.oid.Equal(oidPublicKeyEd25519):
		if len(data) != ed25519.PublicKeySize {
			return 0, nil, errors.New("wrong Ed25519 public key size")
		}
		return x509.Ed25519, ed25519.PublicKey(append([]byte(nil), data...)), nil
	}
	return x509.UnknownPublicKeyAlgorithm, nil, nil
}

// readUnsignedInteger reads an INTEGER as a non-negative number. Windows
// decodes key integers as unsigned (X509_MULTI_BYTE_UINT), so a modulus that
// lacks its leading zero octet still works.
func readUnsignedInteger(s *cryptobyte.String) (*big.Int, bool) {
	var v cryptobyte.String
	if !s.ReadASN1(&v, cbasn1.INTEGER) || len(v) == 0 {
		return nil, false
	}
	return new(big.Int).SetBytes(v), true
}

func parseRSAPublicKey(data []byte) (*rsa.PublicKey, error) {
	der := cryptobyte.String(data)
	var seq cryptobyte.String
	if !der.ReadASN1(&seq, cbasn1.SEQUENCE) || !der.Empty() {
		return nil, errors.New("RSA key is not an RSAPublicKey SEQUENCE")
	}
	n, ok := readUnsignedInteger(&seq)
	if !ok || n.Sign() == 0 {
		return nil, errors.New("invalid RSA modulus")
	}
	e, ok := readUnsignedInteger(&seq)
	if !ok || e.Sign() == 0 || !e.IsInt64() || e.Int64() > math.MaxInt {
		return nil, errors.New("invalid RSA public exponent")
	}
	if !seq.Empty() {
		return nil, errors.New("trailing data in RSAPublicKey")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// parseDSAPublicKey decodes a DSA key. Without parameters (absent or NULL)
// the key inherits p, q and g from its issuer (RFC 3279 §2.3.2, PKITS
// 4.1.5): Y is set and P, Q, G stay nil for the chain engine to fill.
func parseDSAPublicKey(ai algorithmIdentifier, data []byte) (*dsa.PublicKey, error) {
	der := cryptobyte.String(data)
	y, ok := readUnsignedInteger(&der)
	if !ok || !der.Empty() || y.Sign() == 0 {
		return nil, errors.New("invalid DSA public key")
	}
	k := &dsa.PublicKey{Y: y}
	if ai.paramsAbsentOrNull() {
		return k, nil
	}
	params := cryptobyte.String(ai.params)
	var seq cryptobyte.String
	if !params.ReadASN1(&seq, cbasn1.SEQUENCE) || !params.Empty() {
		return nil, errors.New("invalid DSA parameters")
	}
	var p, q, g *big.Int
	if p, ok = readUnsignedInteger(&seq); !ok {
		return nil, errors.New("invalid DSA parameter p")
	}
	if q, ok = readUnsignedInteger(&seq); !ok {
		return nil, errors.New("invalid DSA parameter q")
	}
	if g, ok = readUnsignedInteger(&seq); !ok {
		return nil, errors.New("invalid DSA parameter g")
	}
	if !seq.Empty() || p.Sign() == 0 || q.Sign() == 0 || g.Sign() == 0 {
		return nil, errors.New("invalid DSA parameters")
	}
	k.Parameters = dsa.Parameters{P: p, Q: q, G: g}
	return k, nil
}

// parseNameLenient decodes a Name, accepting every string type and any bytes
// in it (a NUL in a PrintableString, invalid UTF-8: spec §11.3; Windows keeps
// the bytes, CERT_RDN_VALUE_BLOB).
//
// The RDNs are read with cryptobyte rather than encoding/asn1 first: for
// every name crypto/x509 accepts this gives exactly its result (T61String as
// Latin-1, BMPString as UTF-16, as x509's parseName does), whereas
// encoding/asn1 keeps T61 bytes raw and turns string types it does not know
// (UniversalString) into nil values.
func parseNameLenient(raw []byte) (pkix.Name, error) {
	var name pkix.Name
	rdns, err := parseRDNSequenceLenient(raw)
	if err != nil {
		return name, err
	}
	name.FillFromRDNSequence(&rdns)
	return name, nil
}

func parseRDNSequenceLenient(raw []byte) (pkix.RDNSequence, error) {
	in := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("Name is not a SEQUENCE")
	}
	var out pkix.RDNSequence
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, errors.New("malformed RelativeDistinguishedName")
		}
		var rdn pkix.RelativeDistinguishedNameSET
		for !set.Empty() {
			var atv cryptobyte.String
			if !set.ReadASN1(&atv, cbasn1.SEQUENCE) {
				return nil, errors.New("malformed AttributeTypeAndValue")
			}
			var attr pkix.AttributeTypeAndValue
			if !atv.ReadASN1ObjectIdentifier(&attr.Type) {
				return nil, errors.New("malformed attribute type")
			}
			var full cryptobyte.String
			var tag cbasn1.Tag
			if !atv.ReadAnyASN1Element(&full, &tag) || !atv.Empty() {
				return nil, errors.New("malformed attribute value")
			}
			contents := full
			if !contents.ReadAnyASN1(&contents, &tag) {
				return nil, errors.New("malformed attribute value")
			}
			attr.Value = decodeDirectoryString(tag, contents, full)
			rdn = append(rdn, attr)
		}
		out = append(out, rdn)
	}
	return out, nil
}

// Universal string tags cryptobyte has no names for (X.680 §8.4).
const (
	tagNumericString   = cbasn1.Tag(18)
	tagVideotexString  = cbasn1.Tag(21)
	tagGraphicString   = cbasn1.Tag(25)
	tagVisibleString   = cbasn1.Tag(26)
	tagGeneralString   = cbasn1.Tag(27)
	tagUniversalString = cbasn1.Tag(28)
)

// decodeDirectoryString turns any ASN.1 string type into a Go string without
// validating its character set (Windows keeps the bytes: CERT_RDN_VALUE_BLOB).
// Non-string values are kept as an asn1.RawValue.
func decodeDirectoryString(tag cbasn1.Tag, contents, full []byte) any {
	switch tag {
	case cbasn1.PrintableString, cbasn1.IA5String, cbasn1.UTF8String,
		tagNumericString, tagVisibleString, tagGraphicString, tagGeneralString:
		return string(contents)
	case cbasn1.T61String, tagVideotexString:
		// Read as Latin-1, like crypto/x509.
		buf := make([]byte, 0, len(contents))
		for _, c := range contents {
			buf = utf8.AppendRune(buf, rune(c))
		}
		return string(buf)
	case cbasn1.Tag(asn1.TagBMPString):
		u := make([]uint16, 0, len(contents)/2)
		for i := 0; i+1 < len(contents); i += 2 {
			u = append(u, uint16(contents[i])<<8|uint16(contents[i+1]))
		}
		return string(utf16.Decode(u))
	case tagUniversalString: // UCS-4
		var sb strings.Builder
		for i := 0; i+3 < len(contents); i += 4 {
			r := rune(uint32(contents[i])<<24 | uint32(contents[i+1])<<16 | uint32(contents[i+2])<<8 | uint32(contents[i+3]))
			sb.WriteRune(r)
		}
		return sb.String()
	}
	return asn1.RawValue{
		Class:      int(tag) >> 6,
		Tag:        int(tag) & 0x1f,
		IsCompound: tag&0x20 != 0,
		Bytes:      append([]byte(nil), contents...),
		FullBytes:  append([]byte(nil), full...),
	}
}

// readTimeLenient reads a Time (RFC 5280 §4.1.2.5). Beyond the DER forms it
// accepts what BER allows and old CAs emitted: missing seconds, a UTC offset
// instead of Z, fractional seconds in GeneralizedTime, no zone at all (read
// as UTC).
func readTimeLenient(s *cryptobyte.String) (time.Time, error) {
	var v cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&v, &tag) {
		return time.Time{}, errors.New("malformed Time")
	}
	if len(v) > 40 {
		return time.Time{}, errors.New("Time too long")
	}
	str := string(v)
	switch tag {
	case cbasn1.UTCTime:
		for _, layout := range []string{"060102150405Z0700", "0601021504Z0700", "060102150405", "0601021504"} {
			t, err := time.Parse(layout, str)
			if err != nil {
				continue
			}
			// Go reads "06" as 1969-2068; RFC 5280 §4.1.2.5.1 says
			// YY >= 50 is 19YY.
			if t.Year() >= 2050 {
				t = t.AddDate(-100, 0, 0)
			}
			return t.UTC(), nil
		}
		return time.Time{}, fmt.Errorf("malformed UTCTime %q", str)
	case cbasn1.GeneralizedTime:
		for _, layout := range []string{"20060102150405Z0700", "200601021504Z0700", "2006010215Z0700", "20060102150405", "200601021504"} {
			if t, err := time.Parse(layout, str); err == nil {
				return t.UTC(), nil
			}
		}
		return time.Time{}, fmt.Errorf("malformed GeneralizedTime %q", str)
	}
	return time.Time{}, fmt.Errorf("unsupported time type (tag 0x%x)", int(tag))
}

// parseExtensionLenient reads Extension ::= SEQUENCE { extnID, critical
// BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }. The BOOLEAN may use any
// non-zero octet for TRUE (BER).
func parseExtensionLenient(e cryptobyte.String) (pkix.Extension, error) {
	var ext pkix.Extension
	if !e.ReadASN1ObjectIdentifier(&ext.Id) {
		return ext, errors.New("malformed extension OID")
	}
	if e.PeekASN1Tag(cbasn1.BOOLEAN) {
		var b cryptobyte.String
		if !e.ReadASN1(&b, cbasn1.BOOLEAN) || len(b) != 1 {
			return ext, fmt.Errorf("extension %v: malformed critical flag", ext.Id)
		}
		ext.Critical = b[0] != 0
	}
	var val cryptobyte.String
	if !e.ReadASN1(&val, cbasn1.OCTET_STRING) || !e.Empty() {
		return ext, fmt.Errorf("extension %v: malformed extnValue", ext.Id)
	}
	ext.Value = val
	return ext, nil
}

// processExtensions decodes the extensions crypto/x509 decodes, one at a
// time. A malformed extension is skipped with a warning; when it is critical
// it is listed in UnhandledCriticalExtensions, since the certificate then
// carries a critical constraint nobody understood (RFC 5280 §4.2).
func (p *lenientParser) processExtensions(x *x509.Certificate) {
	seen := map[string]bool{}
	for _, e := range x.Extensions {
		key := e.Id.String()
		if seen[key] {
			// RFC 5280 §4.2 forbids duplicates; CertFindExtension
			// returns the first, so only the first is decoded.
			p.warn("extension %s: duplicate ignored", key)
			continue
		}
		seen[key] = true
		unhandled, err := decodeExtension(x, e)
		if err != nil {
			p.warn("extension %s: %v (skipped)", key, err)
			unhandled = true
		}
		if unhandled && e.Critical {
			x.UnhandledCriticalExtensions = append(x.UnhandledCriticalExtensions, e.Id)
		}
	}
}

// decodeExtension fills x from one extension. unhandled follows crypto/x509:
// true for extensions it does not process (and for a SAN without any name it
// can represent, or name constraints with forms it cannot represent).
func decodeExtension(x *x509.Certificate, e pkix.Extension) (unhandled bool, err error) {
	val := cryptobyte.String(e.Value)
	switch id := e.Id; {
	case id.Equal(oidAuthorityInfoAccess): // RFC 5280 §4.2.2.1
		return false, decodeAIA(x, e.Value)
	case id.Equal(OIDKeyUsage): // keyUsage, RFC 5280 §4.2.1.3
		bits, ok := readBitString(&val)
		if !ok || !val.Empty() {
			return false, errors.New("malformed KeyUsage")
		}
		var ku int
		for i := 0; i < 9; i++ {
			if bits.At(i) != 0 {
				ku |= 1 << uint(i)
			}
		}
		x.KeyUsage = x509.KeyUsage(ku)
	case id.Equal(oidBasicConstraints): // basicConstraints, RFC 5280 §4.2.1.9
		return false, decodeBasicConstraints(x, val)
	case id.Equal(OIDSubjectAltName): // subjectAltName, RFC 5280 §4.2.1.6
		if err := decodeSAN(x, val); err != nil {
			return false, err
		}
		return len(x.DNSNames) == 0 && len(x.EmailAddresses) == 0 && len(x.IPAddresses) == 0 && len(x.URIs) == 0, nil
	case id.Equal(OIDNameConstraints): // nameConstraints, RFC 5280 §4.2.1.10
		return decodeNameConstraints(x, e)
	case id.Equal(OIDCRLDistributionPoints): // cRLDistributionPoints, RFC 5280 §4.2.1.13
		return false, decodeCDP(x, val)
	case id.Equal(OIDAuthorityKeyID): // authorityKeyIdentifier, RFC 5280 §4.2.1.1
		// keyIdentifier only; certs.parseAKI reads the rest. A
		// malformed AKI (spec §11.3: SEQUENCE length 0x18 over 0x16
		// bytes) leaves AuthorityKeyId nil.
		var seq cryptobyte.String
		if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
			return false, errors.New("malformed AuthorityKeyIdentifier")
		}
		if seq.PeekASN1Tag(tagCtx0) {
			var kid cryptobyte.String
			if !seq.ReadASN1(&kid, tagCtx0) {
				return false, errors.New("malformed AuthorityKeyIdentifier keyIdentifier")
			}
			x.AuthorityKeyId = kid
		}
	case id.Equal(oidPolicyConstraints): // policyConstraints, RFC 5280 §4.2.1.11
		return false, decodePolicyConstraints(x, val)
	case id.Equal(oidExtKeyUsage): // extKeyUsage, RFC 5280 §4.2.1.12
		var seq cryptobyte.String
		if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
			return false, errors.New("malformed ExtKeyUsage")
		}
		var ekus []x509.ExtKeyUsage
		var unknown []asn1.ObjectIdentifier
		for !seq.Empty() {
			var oid asn1.ObjectIdentifier
			if !seq.ReadASN1ObjectIdentifier(&oid) {
				return false, errors.New("malformed ExtKeyUsage OID")
			}
			if eku, ok := extKeyUsageFromOID(oid); ok {
				ekus = append(ekus, eku)
			} else {
				unknown = append(unknown, oid)
			}
		}
		x.ExtKeyUsage, x.UnknownExtKeyUsage = ekus, unknown
	case id.Equal(oidSubjectKeyID): // subjectKeyIdentifier, RFC 5280 §4.2.1.2
		var skid cryptobyte.String
		if !val.ReadASN1(&skid, cbasn1.OCTET_STRING) || !val.Empty() {
			return false, errors.New("malformed SubjectKeyIdentifier")
		}
		x.SubjectKeyId = skid
	case id.Equal(oidCertificatePolicies): // certificatePolicies, RFC 5280 §4.2.1.4
		return false, decodePolicies(x, val)
	case id.Equal(oidPolicyMappings): // policyMappings, RFC 5280 §4.2.1.5
		var seq cryptobyte.String
		if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
			return false, errors.New("malformed PolicyMappings")
		}
		var maps []x509.PolicyMapping
		for !seq.Empty() {
			var m, iss, sub cryptobyte.String
			if !seq.ReadASN1(&m, cbasn1.SEQUENCE) || !m.ReadASN1(&iss, cbasn1.OBJECT_IDENTIFIER) ||
				!m.ReadASN1(&sub, cbasn1.OBJECT_IDENTIFIER) {
				return false, errors.New("malformed PolicyMapping")
			}
			var io, so x509.OID
			if io.UnmarshalBinary(iss) != nil || so.UnmarshalBinary(sub) != nil {
				return false, errors.New("malformed PolicyMapping OID")
			}
			maps = append(maps, x509.PolicyMapping{IssuerDomainPolicy: io, SubjectDomainPolicy: so})
		}
		x.PolicyMappings = maps
	case id.Equal(oidInhibitAnyPolicy): // inhibitAnyPolicy, RFC 5280 §4.2.1.14
		var v cryptobyte.String
		if !val.ReadASN1(&v, cbasn1.INTEGER) || !val.Empty() || len(v) == 0 || len(v) > 4 {
			return false, errors.New("malformed InhibitAnyPolicy")
		}
		n := bytesToSignedInt(v).Int64()
		if n < 0 {
			return false, errors.New("negative InhibitAnyPolicy")
		}
		x.InhibitAnyPolicy = int(n)
		x.InhibitAnyPolicyZero = n == 0
	default:
		return true, nil
	}
	return false, nil
}

func extKeyUsageFromOID(oid asn1.ObjectIdentifier) (x509.ExtKeyUsage, bool) {
	for _, e := range extKeyUsageOIDs {
		if oid.Equal(e.oid) {
			return e.eku, true
		}
	}
	return 0, false
}

// readSmallNonNegative reads an INTEGER (with the given tag) that must fit a
// non-negative int; BER non-minimal encodings are accepted.
func readSmallNonNegative(s *cryptobyte.String, tag cbasn1.Tag) (int, bool) {
	var v cryptobyte.String
	if !s.ReadASN1(&v, tag) || len(v) == 0 || len(v) > 9 {
		return 0, false
	}
	n := bytesToSignedInt(v)
	if n.Sign() < 0 || !n.IsInt64() || n.Int64() > math.MaxInt32 {
		return 0, false
	}
	return int(n.Int64()), true
}

func decodeBasicConstraints(x *x509.Certificate, val cryptobyte.String) error {
	var seq cryptobyte.String
	if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
		return errors.New("malformed BasicConstraints")
	}
	isCA := false
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
		var b cryptobyte.String
		if !seq.ReadASN1(&b, cbasn1.BOOLEAN) || len(b) != 1 {
			return errors.New("malformed BasicConstraints cA")
		}
		isCA = b[0] != 0
	}
	maxPathLen := -1
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		n, ok := readSmallNonNegative(&seq, cbasn1.INTEGER)
		if !ok {
			return errors.New("malformed BasicConstraints pathLenConstraint")
		}
		maxPathLen = n
	}
	if !seq.Empty() {
		return errors.New("trailing data in BasicConstraints")
	}
	x.BasicConstraintsValid = true
	x.IsCA = isCA
	x.MaxPathLen = maxPathLen
	x.MaxPathLenZero = maxPathLen == 0
	return nil
}

// decodeSAN fills DNSNames, EmailAddresses, IPAddresses and URIs from the
// lenient GeneralName walk (names.go), which reads the primitive forms, as
// crypto/x509 does. Names that x509 could not represent (an IP of odd
// length, a URI url.Parse refuses) are skipped rather than failing the
// extension; certs.parseExtensions keeps the full list in Certificate.SAN.
func decodeSAN(x *x509.Certificate, val cryptobyte.String) error {
	var seq cryptobyte.String
	if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
		return errors.New("malformed GeneralNames")
	}
	names, err := readGeneralNames(seq, true)
	if err != nil {
		return err
	}
	var dns, emails []string
	var ips []net.IP
	var uris []*url.URL
	for _, g := range names {
		switch g.Type {
		case NameRFC822:
			emails = append(emails, g.Value)
		case NameDNS:
			dns = append(dns, g.Value)
		case NameURI:
			if u, err := url.Parse(g.Value); err == nil {
				uris = append(uris, u)
			}
		case NameIP:
			if len(g.Raw) == net.IPv4len || len(g.Raw) == net.IPv6len {
				ips = append(ips, net.IP(g.Raw))
			}
		}
	}
	x.DNSNames, x.EmailAddresses, x.IPAddresses, x.URIs = dns, emails, ips, uris
	return nil
}

// decodeNameConstraints fills the x509 name-constraint fields from the
// package's own parser (names.go), which reads every GeneralName form.
func decodeNameConstraints(x *x509.Certificate, e pkix.Extension) (bool, error) {
	nc, err := parseNameConstraints(e.Value)
	if err != nil {
		return false, err
	}
	unhandled := false
	fill := func(subtrees []Subtree, dnsOut, emailOut, uriOut *[]string, ipOut *[]*net.IPNet) {
		for _, st := range subtrees {
			switch st.Base.Type {
			case NameDNS:
				*dnsOut = append(*dnsOut, st.Base.Value)
			case NameRFC822:
				*emailOut = append(*emailOut, st.Base.Value)
			case NameURI:
				*uriOut = append(*uriOut, st.Base.Value)
			case NameIP:
				if n := len(st.Base.Raw); n == 8 || n == 32 {
					*ipOut = append(*ipOut, &net.IPNet{IP: net.IP(st.Base.Raw[:n/2]), Mask: net.IPMask(st.Base.Raw[n/2:])})
				} else {
					unhandled = true
				}
			default:
				unhandled = true
			}
		}
	}
	fill(nc.Permitted, &x.PermittedDNSDomains, &x.PermittedEmailAddresses, &x.PermittedURIDomains, &x.PermittedIPRanges)
	fill(nc.Excluded, &x.ExcludedDNSDomains, &x.ExcludedEmailAddresses, &x.ExcludedURIDomains, &x.ExcludedIPRanges)
	x.PermittedDNSDomainsCritical = e.Critical
	return unhandled, nil
}

// decodeCDP collects the fullName URIs of every DistributionPoint with the
// package's distribution point parser (distpoint.go). A
// nameRelativeToCRLIssuer ([1], PKITS 4.14.4-4.14.6, 4.14.29) has no URI and
// is ignored; crypto/x509 refuses the whole certificate over it.
func decodeCDP(x *x509.Certificate, val cryptobyte.String) error {
	uris, err := distributionPointURIs(val)
	if err != nil {
		return err
	}
	x.CRLDistributionPoints = uris
	return nil
}

// decodeAIA fills OCSPServer and IssuingCertificateURL (RFC 5280 §4.2.2.1)
// with the URI accessLocations, read by the lenient GeneralName walk.
func decodeAIA(x *x509.Certificate, value []byte) error {
	val := cryptobyte.String(value)
	var seq cryptobyte.String
	if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
		return errors.New("malformed AuthorityInfoAccess")
	}
	var ocsp, issuers []string
	for !seq.Empty() {
		var ad cryptobyte.String
		var method asn1.ObjectIdentifier
		if !seq.ReadASN1(&ad, cbasn1.SEQUENCE) || !ad.ReadASN1ObjectIdentifier(&method) {
			return errors.New("malformed AccessDescription")
		}
		loc, ok, err := nextGeneralName(&ad, true)
		if err != nil {
			return errors.New("malformed accessLocation")
		}
		if !ok || loc.Type != NameURI {
			continue
		}
		switch {
		case method.Equal(oidAIAOCSP):
			ocsp = append(ocsp, loc.Value)
		case method.Equal(oidAIAIssuers):
			issuers = append(issuers, loc.Value)
		}
	}
	x.OCSPServer, x.IssuingCertificateURL = ocsp, issuers
	return nil
}

// decodePolicies fills Policies and PolicyIdentifiers (the OIDs that fit
// asn1.ObjectIdentifier), skipping duplicate policies instead of failing.
func decodePolicies(x *x509.Certificate, val cryptobyte.String) error {
	var seq cryptobyte.String
	if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
		return errors.New("malformed CertificatePolicies")
	}
	var policies []x509.OID
	var ids []asn1.ObjectIdentifier
	seen := map[string]bool{}
	for !seq.Empty() {
		var pi, oidBytes cryptobyte.String
		if !seq.ReadASN1(&pi, cbasn1.SEQUENCE) || !pi.ReadASN1(&oidBytes, cbasn1.OBJECT_IDENTIFIER) {
			return errors.New("malformed PolicyInformation")
		}
		if seen[string(oidBytes)] {
			continue
		}
		seen[string(oidBytes)] = true
		var o x509.OID
		if o.UnmarshalBinary(oidBytes) != nil {
			return errors.New("malformed policy OID")
		}
		policies = append(policies, o)
		b := cryptobyte.NewBuilder(nil)
		b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(oidBytes) })
		if der, err := b.Bytes(); err == nil {
			s := cryptobyte.String(der)
			var id asn1.ObjectIdentifier
			if s.ReadASN1ObjectIdentifier(&id) {
				ids = append(ids, id)
			}
		}
	}
	x.Policies, x.PolicyIdentifiers = policies, ids
	return nil
}

func decodePolicyConstraints(x *x509.Certificate, val cryptobyte.String) error {
	var seq cryptobyte.String
	if !val.ReadASN1(&seq, cbasn1.SEQUENCE) || !val.Empty() {
		return errors.New("malformed PolicyConstraints")
	}
	if seq.PeekASN1Tag(tagCtx0) {
		n, ok := readSmallNonNegative(&seq, tagCtx0)
		if !ok {
			return errors.New("malformed requireExplicitPolicy")
		}
		x.RequireExplicitPolicy, x.RequireExplicitPolicyZero = n, n == 0
	}
	if seq.PeekASN1Tag(tagCtx1) {
		n, ok := readSmallNonNegative(&seq, tagCtx1)
		if !ok {
			return errors.New("malformed inhibitPolicyMapping")
		}
		x.InhibitPolicyMapping, x.InhibitPolicyMappingZero = n, n == 0
	}
	if !seq.Empty() {
		return errors.New("trailing data in PolicyConstraints")
	}
	return nil
}
