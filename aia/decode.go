package aia

import (
	"bytes"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/winchain/winchain/certs"
)

// Body formats, as [BodyError.Format] and [Decoded.Format] name them.
const (
	FormatDER    = "der"     // one DER certificate (.crt/.cer, application/pkix-cert)
	FormatPKCS7  = "pkcs7"   // PKCS#7 signedData, certs-only (.p7c, application/pkcs7-mime)
	FormatPEM    = "pem"     // a PEM block (CERTIFICATE or PKCS7) around one of the above
	FormatBase64 = "base64"  // bare base64 of one of the above, no PEM armour
	FormatPKCS12 = "pkcs12"  // a PFX: recognised only to be refused
	FormatEmpty  = "empty"   // no bytes (or only white space)
	FormatJunk   = "unknown" // anything else
)

// Errors wrapped by the *BodyError of [DecodeBody]; test with errors.Is.
var (
	// ErrEmptyBody: the object has no bytes. .NET's
	// EmptyAiaResponseIsIgnored shows Windows ignores it (spec §11.2).
	ErrEmptyBody = errors.New("empty AIA object")
	// ErrNotCertificate: the object holds no certificate (PKCS#12, HTML,
	// a CRL, junk). Windows ignores such objects (spec §11.2,
	// AiaAcceptsCertTypesAndIgnoresNonCertTypes).
	ErrNotCertificate = errors.New("not a certificate or a PKCS#7 certificate bundle")
	// ErrTooManyCertificates: the object holds more certificates than
	// MaxAIAUrlRetrievalCertCount; the whole object is refused.
	ErrTooManyCertificates = errors.New("too many certificates in one AIA object")
)

// BodyError says why an AIA object gave no certificates. It names the
// format that was recognised and, for a bundle, how many certificates it
// counted.
type BodyError struct {
	// Format is one of the Format* constants: what the bytes looked like.
	Format string
	// Count is the number of certificates counted before giving up (for
	// ErrTooManyCertificates: Limit+1, counting stops there).
	Count int
	// Limit is the certificate limit that applied.
	Limit int
	// Detail says what was wrong, for humans.
	Detail string
	// Err is ErrEmptyBody, ErrNotCertificate or ErrTooManyCertificates,
	// possibly wrapping a parser error.
	Err error
}

// Error describes the body problem.
func (e *BodyError) Error() string {
	msg := e.Format + " AIA object: " + e.Err.Error()
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap returns the sentinel (ErrEmptyBody, ErrNotCertificate,
// ErrTooManyCertificates) or the parser error it wraps.
func (e *BodyError) Unwrap() error { return e.Err }

// Decoded is what [DecodeBody] found in an AIA object.
type Decoded struct {
	// Format is how the certificates were encoded (FormatDER,
	// FormatPKCS7, and FormatPEM or FormatBase64 for armoured bodies, in
	// which case Inner says what the armour held).
	Format, Inner string
	// Certificates are the certificates, in the order of the object; never
	// more than the limit given to DecodeBody.
	Certificates []*certs.Certificate
	// Skipped counts entries of a bundle that are not certificates
	// crypto/x509 or the lenient parser could load (and other
	// CertificateChoices such as attribute certificates); they are ignored.
	Skipped int
}

// DecodeBody decodes an AIA caIssuers object: one DER certificate, a
// PKCS#7 certs-only bundle (DER; BER with indefinite lengths is accepted
// too), or either of them armoured in PEM or bare base64 (see the package
// documentation for why base64 is accepted). maxCerts is
// MaxAIAUrlRetrievalCertCount; zero or less means
// [DefaultMaxRetrievalCertCount].
//
// An object with more than maxCerts certificates is refused as a whole
// (ErrTooManyCertificates), as an object over MaxAIAUrlRetrievalByteCount
// is: the limit guards the client against hostile objects, so none of
// their content is trusted. DecodeBody never returns more than maxCerts
// certificates, and stops counting at maxCerts+1.
//
// The error is a *BodyError. Certificates are not checked here for fitting
// any issuer; see [Source.FetchIssuers].
func DecodeBody(body []byte, maxCerts int) (*Decoded, error) {
	if maxCerts <= 0 {
		maxCerts = DefaultMaxRetrievalCertCount
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &BodyError{Format: FormatEmpty, Limit: maxCerts, Err: ErrEmptyBody}
	}
	if body[0] == 0x30 {
		return decodeBinary(body, maxCerts)
	}
	// Text: PEM armour, or bare base64 (CRYPT_STRING_BASE64_ANY, which
	// Wine's cryptnet applies before the binary decoders).
	if bytes.Contains(trimmed, []byte("-----BEGIN ")) {
		blk, _ := pem.Decode(trimmed)
		if blk == nil {
			return nil, &BodyError{Format: FormatPEM, Limit: maxCerts, Err: ErrNotCertificate, Detail: "PEM armour that does not decode"}
		}
		switch blk.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE", "PKCS7", "CMS":
		default:
			return nil, &BodyError{Format: FormatPEM, Limit: maxCerts, Err: ErrNotCertificate, Detail: fmt.Sprintf("PEM block %q", blk.Type)}
		}
		return rewrap(FormatPEM, blk.Bytes, maxCerts)
	}
	if der, ok := bareBase64(trimmed); ok {
		return rewrap(FormatBase64, der, maxCerts)
	}
	return nil, &BodyError{Format: FormatJunk, Limit: maxCerts, Err: ErrNotCertificate,
		Detail: fmt.Sprintf("first byte 0x%02x is neither DER nor base64 text", body[0])}
}

// rewrap decodes the binary inside PEM or base64 armour (one level only).
func rewrap(format string, der []byte, maxCerts int) (*Decoded, error) {
	if len(der) == 0 || der[0] != 0x30 {
		return nil, &BodyError{Format: format, Limit: maxCerts, Err: ErrNotCertificate, Detail: "the armour holds no DER object"}
	}
	d, err := decodeBinary(der, maxCerts)
	if err != nil {
		var be *BodyError
		if errors.As(err, &be) {
			cp := *be
			cp.Detail = joinDetail("inside "+format+" armour", cp.Detail)
			cp.Format = format + "/" + cp.Format
			return nil, &cp
		}
		return nil, err
	}
	d.Inner, d.Format = d.Format, format
	return d, nil
}

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + ": " + b
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

var (
	oidSignedData = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02} // 1.2.840.113549.1.7.2
	oidData       = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01} // 1.2.840.113549.1.7.1
)

// decodeBinary decodes a DER (or BER) object whose first byte is SEQUENCE.
func decodeBinary(body []byte, maxCerts int) (*Decoded, error) {
	in := cryptobyte.String(body)
	var outer cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) {
		if len(body) > 1 && body[1] == 0x80 {
			// Indefinite length: BER, which only PKCS#7 producers use.
			return decodePKCS7BER(body, maxCerts)
		}
		return nil, &BodyError{Format: FormatJunk, Limit: maxCerts, Err: ErrNotCertificate, Detail: "not a DER SEQUENCE"}
	}
	if !in.Empty() {
		return nil, &BodyError{Format: FormatJunk, Limit: maxCerts, Err: ErrNotCertificate,
			Detail: fmt.Sprintf("%d bytes after the DER object", len(in))}
	}
	switch {
	case outer.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER):
		return decodePKCS7(body, maxCerts)
	case outer.PeekASN1Tag(cbasn1.INTEGER) && looksPKCS12(outer):
		return nil, &BodyError{Format: FormatPKCS12, Limit: maxCerts, Err: ErrNotCertificate,
			Detail: "PKCS#12 (PFX) is not an AIA object type; Windows ignores it (spec §11.2)"}
	}
	c, err := certs.Parse(body)
	if err != nil {
		return nil, &BodyError{Format: FormatDER, Limit: maxCerts, Err: fmt.Errorf("%w: %w", ErrNotCertificate, err)}
	}
	return &Decoded{Format: FormatDER, Certificates: []*certs.Certificate{c}}, nil
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

// decodePKCS7 reads a certs-only bundle with certs.ParsePKCS7, the one
// reader of the PKCS#7 structure (RFC 5652 §5.1). Only the certificates
// are used; signatures and CRLs of the message are ignored, as for any
// certs-only AIA object.
func decodePKCS7(der []byte, maxCerts int) (*Decoded, error) {
	p, err := certs.ParsePKCS7(der, maxCerts)
	if errors.Is(err, certs.ErrTooManyCertificates) {
		return nil, &BodyError{Format: FormatPKCS7, Count: maxCerts + 1, Limit: maxCerts, Err: ErrTooManyCertificates,
			Detail: fmt.Sprintf("more than %d certificates (MaxAIAUrlRetrievalCertCount)", maxCerts)}
	}
	var pe *certs.ParseError
	if errors.As(err, &pe) {
		return nil, &BodyError{Format: FormatPKCS7, Limit: maxCerts, Err: ErrNotCertificate, Detail: pe.Err.Error()}
	}
	if err != nil {
		return nil, err
	}
	if !p.HasCertificates {
		return nil, &BodyError{Format: FormatPKCS7, Limit: maxCerts, Err: ErrNotCertificate, Detail: "signedData without certificates"}
	}
	return finishBundle(&Decoded{Format: FormatPKCS7, Skipped: p.OtherCertificates}, p.Certificates, maxCerts)
}

// finishBundle parses the certificates of a bundle, skipping those that do
// not load.
func finishBundle(d *Decoded, raws [][]byte, maxCerts int) (*Decoded, error) {
	var firstErr error
	for _, raw := range raws {
		c, err := certs.Parse(raw)
		if err != nil {
			d.Skipped++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		d.Certificates = append(d.Certificates, c)
	}
	if len(d.Certificates) == 0 {
		e := &BodyError{Format: d.Format, Limit: maxCerts, Err: ErrNotCertificate, Detail: "the bundle holds no certificate"}
		if firstErr != nil {
			e.Err = fmt.Errorf("%w: %w", ErrNotCertificate, firstErr)
			e.Detail = fmt.Sprintf("%d certificate entries, none loadable", len(raws))
		}
		return nil, e
	}
	return d, nil
}

// decodePKCS7BER handles indefinite-length (BER) PKCS#7, which cryptobyte
// does not read: [berToDER] converts it, within MaxBERDepth and
// MaxBERSize, and the DER goes through the same reader as a DER bundle, so
// the lenient certificate parser and the certificate limit apply alike.
func decodePKCS7BER(body []byte, maxCerts int) (*Decoded, error) {
	der, err := berToDER(body)
	if err != nil {
		return nil, &BodyError{Format: FormatPKCS7, Limit: maxCerts, Err: fmt.Errorf("%w: %w", ErrNotCertificate, err), Detail: "BER"}
	}
	in := cryptobyte.String(der)
	var outer cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		return nil, &BodyError{Format: FormatPKCS7, Limit: maxCerts, Err: ErrNotCertificate, Detail: "BER object that is not a ContentInfo"}
	}
	return decodePKCS7(der, maxCerts)
}
