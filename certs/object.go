package certs

// Certificate objects: what CryptQueryObject recognises as a certificate
// (CERT_QUERY_CONTENT_CERT) or a certs-only PKCS#7 (CERT_QUERY_CONTENT_PKCS7_SIGNED),
// armoured or not. The AIA layer decodes the caIssuers objects it fetches
// here; certificate files go through [ParseAll], which reads the same
// PKCS#7 bundles with the stricter rules of a file.

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object formats, as [Object.Format] names them.
const (
	FormatDER    = "der"    // one DER certificate (.crt/.cer, application/pkix-cert)
	FormatPKCS7  = "pkcs7"  // PKCS#7 signedData, certs-only (.p7b/.p7c, application/pkcs7-mime)
	FormatPEM    = "pem"    // a PEM block (CERTIFICATE or PKCS7) around one of the above
	FormatBase64 = "base64" // bare base64 of one of the above, no PEM armour
)

// ErrEmptyObject is wrapped by the error [DecodeObject] returns for an object
// with no bytes. .NET's EmptyAiaResponseIsIgnored shows Windows ignores an
// empty AIA object (spec §11.2).
var ErrEmptyObject = errors.New("empty object")

// MaxBundleCertificates bounds the certificates read from one PKCS#7 bundle
// (10,000) when the caller gives no smaller limit: a store export of every
// root Windows trusts is a few hundred; the bound keeps a hostile file from
// costing unbounded parsing. winchain's choice; AIA objects have their own,
// Windows, limit (MaxAIAUrlRetrievalCertCount, aia.DefaultMaxRetrievalCertCount).
const MaxBundleCertificates = 10000

// Object is what [DecodeObject] found.
type Object struct {
	// Format is how the certificates were encoded (FormatDER,
	// FormatPKCS7, and FormatPEM or FormatBase64 for armoured objects, in
	// which case Inner says what the armour held).
	Format, Inner string
	// Certificates are the certificates, in the order of the object; never
	// more than the limit given to DecodeObject.
	Certificates []*Certificate
	// Skipped counts entries of a bundle that are not certificates
	// crypto/x509 or the lenient parser could load (and other
	// CertificateChoices such as attribute certificates); they are ignored.
	Skipped int
}

// DecodeObject decodes a certificate object as the AIA retrieval path reads
// one: a DER certificate, a PKCS#7 certs-only bundle (DER, or BER with
// indefinite lengths), or either of them armoured in PEM or bare base64
// (CRYPT_STRING_BASE64_ANY; see docs/windows-divergences.md). Only the first
// PEM block is read, as CryptStringToBinary does. Entries of a bundle that do
// not load are skipped and counted, as Windows ignores them.
//
// An object with more than maxCerts certificates is refused as a whole
// (wrapping [ErrTooManyCertificates]); counting stops at maxCerts+1, and
// zero or less means [MaxBundleCertificates].
//
// Errors are *ParseError naming input and wrapping [ErrEmptyObject],
// [ErrNotCertificate] or [ErrTooManyCertificates]; the message says what
// the bytes are (a PKCS#12 file, a PEM block of another type, junk).
func DecodeObject(body []byte, input string, maxCerts int) (*Object, error) {
	if maxCerts <= 0 {
		maxCerts = MaxBundleCertificates
	}
	o, err := decodeObject(body, maxCerts)
	if err != nil {
		return nil, withInput(err, input)
	}
	return o, nil
}

func decodeObject(body []byte, maxCerts int) (*Object, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &ParseError{Err: ErrEmptyObject}
	}
	if body[0] == 0x30 {
		return decodeBinary(body, maxCerts)
	}
	// Text: PEM armour, or bare base64 (CRYPT_STRING_BASE64_ANY, which
	// Wine's cryptnet applies before the binary decoders).
	if LooksPEM(trimmed) {
		blk, _ := pem.Decode(trimmed)
		if blk == nil {
			return nil, notCert("PEM armour that does not decode")
		}
		switch PEMKindOf(blk.Type) {
		case PEMCertificate, PEMPKCS7:
		default:
			return nil, notCert(fmt.Sprintf("PEM block %q", blk.Type))
		}
		return rewrap(FormatPEM, blk.Bytes, maxCerts)
	}
	if der, ok := bareBase64(trimmed); ok {
		return rewrap(FormatBase64, der, maxCerts)
	}
	return nil, notCert(fmt.Sprintf("first byte 0x%02x is neither DER nor base64 text", body[0]))
}

// notCertificate wraps a cause in ErrNotCertificate.
func notCertificate(cause error) error { return fmt.Errorf("%w: %w", ErrNotCertificate, cause) }

// notCert is the error for bytes that hold no certificate; detail says what
// they are.
func notCert(detail string) error {
	return &ParseError{Err: notCertificate(errors.New(detail))}
}

// rewrap decodes the binary inside PEM or base64 armour (one level only).
func rewrap(format string, der []byte, maxCerts int) (*Object, error) {
	label := "PEM"
	if format == FormatBase64 {
		label = "base64"
	}
	if len(der) == 0 || der[0] != 0x30 {
		return nil, notCert("the " + label + " armour holds no DER object")
	}
	o, err := decodeBinary(der, maxCerts)
	if err != nil {
		return nil, rewrapParse(err, func(e error) error { return fmt.Errorf("inside %s armour: %w", label, e) })
	}
	o.Inner, o.Format = o.Format, format
	return o, nil
}

// bareBase64 decodes text that is nothing but base64 and white space.
func bareBase64(text []byte) ([]byte, bool) {
	clean := make([]byte, 0, len(text))
	for _, c := range text {
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '+', c == '/', c == '=':
			clean = append(clean, c)
		default:
			return nil, false
		}
	}
	der, err := base64.StdEncoding.DecodeString(string(clean))
	if err != nil {
		return nil, false
	}
	return der, true
}

// oidData is PKCS#7 data (1.2.840.113549.1.7.1), DER contents.
var oidData = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01}

// decodeBinary decodes a DER (or BER) object whose first byte is SEQUENCE.
func decodeBinary(body []byte, maxCerts int) (*Object, error) {
	if LooksPKCS7(body) || indefinite(body) {
		if n := trailing(body); n > 0 {
			return nil, &ParseError{Kind: kindPKCS7, Err: fmt.Errorf("%w: %d bytes after the DER object", ErrNotCertificate, n)}
		}
		return decodePKCS7(body, maxCerts)
	}
	in := cryptobyte.String(body)
	var outer cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return nil, notCert("not a DER SEQUENCE")
	}
	if !in.Empty() {
		return nil, notCert(fmt.Sprintf("%d bytes after the DER object", len(in)))
	}
	switch {
	case outer.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER):
		return nil, notCert("a ContentInfo that is not PKCS#7 signedData")
	case outer.PeekASN1Tag(cbasn1.INTEGER) && looksPKCS12(outer):
		return nil, notCert("PKCS#12 (PFX) is not a certificate object; Windows ignores it in AIA (spec §11.2)")
	}
	c, err := Parse(body)
	if err != nil {
		if pe := (*ParseError)(nil); errors.As(err, &pe) && pe.Kind == "" {
			return nil, rewrapParse(err, notCertificate)
		}
		return nil, &ParseError{Err: notCertificate(err)}
	}
	return &Object{Format: FormatDER, Certificates: []*Certificate{c}}, nil
}

// looksPKCS12 recognises PFX ::= SEQUENCE { version INTEGER (3), authSafe
// ContentInfo (data or signedData), ... }.
func looksPKCS12(outer cryptobyte.String) bool {
	var version int
	var authSafe, oid cryptobyte.String
	if !outer.ReadASN1Integer(&version) || version != 3 ||
		!outer.ReadASN1(&authSafe, cbasn1.SEQUENCE) || !authSafe.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
		return false
	}
	return bytes.Equal(oid, oidData) || bytes.Equal(oid, oidSignedData)
}

// decodePKCS7 reads a certs-only bundle with [ParsePKCS7] (DER or BER).
// Only the certificates are used; signatures and CRLs of the message are
// ignored, as for any certs-only object.
func decodePKCS7(der []byte, maxCerts int) (*Object, error) {
	p, err := ParsePKCS7(der, maxCerts)
	if errors.Is(err, ErrTooManyCertificates) {
		return nil, err
	}
	if err != nil {
		return nil, rewrapParse(err, notCertificate)
	}
	if !p.HasCertificates {
		return nil, &ParseError{Kind: kindPKCS7, Err: fmt.Errorf("%w: signedData without certificates", ErrNotCertificate)}
	}
	cs, _, firstErr := p.load()
	o := &Object{Format: FormatPKCS7, Certificates: cs, Skipped: p.OtherCertificates + len(p.Certificates) - len(cs)}
	if len(o.Certificates) == 0 {
		if firstErr != nil {
			return nil, &ParseError{Kind: kindPKCS7, Err: fmt.Errorf("%w: %d certificate entries, none loadable (%w)", ErrNotCertificate, len(p.Certificates), firstErr)}
		}
		return nil, &ParseError{Kind: kindPKCS7, Err: fmt.Errorf("%w: the bundle holds no certificate", ErrNotCertificate)}
	}
	return o, nil
}
