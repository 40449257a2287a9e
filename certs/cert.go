// Package certs loads certificates the way Windows CryptoAPI accepts them and
// gives the chain engine, the revocation checker and the AIA source one
// certificate model.
//
// crypto/x509 is the parser; where it refuses a certificate that Windows
// loads (RSA keys without NULL parameters, negative serial numbers, a NUL in a
// PrintableString, a malformed AKI, DSA keys that inherit their parameters —
// spec §11.3), a lenient parser built on cryptobyte fills the same
// *x509.Certificate fields from the DER, and [Certificate.Lenient] says so.
// What still cannot load gets a [*ParseError] naming the input and the field.
//
// Certificate files and objects have one reader each: [ParseAll] for files
// (DER, PEM, PKCS#7 bundles), [DecodeObject] for the AIA objects the
// retrieval path decodes (also bare base64), [ParseCRLs] for CRL files; all
// read PKCS#7 with [ParsePKCS7], which takes BER within [MaxBERDepth] and
// [MaxBERSize].
//
// The package also parses what crypto/x509 drops but Windows uses: the
// obsolete subjectAltName 2.5.29.7, directoryName and UPN names, the
// authorityCertIssuer and serial of the AKI, every form of the name
// constraints extension, and the distribution point extensions with their
// names, reasons and cRLIssuer ([ParseDistributionPoints],
// [ParseIssuingDistributionPoint]). [ParseGeneralNames] is the one
// GeneralName decoder under all of them.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package certs

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"strings"

	"github.com/winchain/winchain/internal/boundedio"
)

// Certificate is one parsed certificate. X is always non-nil.
type Certificate struct {
	// X holds the parsed fields. When crypto/x509 refused the DER, the
	// lenient parser filled it (Raw, RawTBSCertificate, RawSubject,
	// RawIssuer, RawSubjectPublicKeyInfo, Subject, Issuer, SerialNumber,
	// NotBefore, NotAfter, Signature, SignatureAlgorithm,
	// PublicKeyAlgorithm, PublicKey, Version, Extensions and what it could
	// decode of them).
	X *x509.Certificate

	// SHA1 is the thumbprint Windows shows ("Cert Hash(sha1)").
	SHA1 [sha1.Size]byte
	// SHA256 is the SHA-256 of the DER.
	SHA256 [sha256.Size]byte

	// Lenient is true when crypto/x509 refused the DER and the lenient
	// parser loaded it; Warnings then says what crypto/x509 objected to.
	Lenient  bool
	Warnings []string

	// AKI is the parsed authority key identifier extension, nil if absent.
	AKI *AuthorityKeyID
	// AKIMalformed is true when the AKI extension is present but does not
	// parse (Windows loads such certificates, spec §11.3).
	AKIMalformed bool

	// SAN holds every name of the subjectAltName extension (2.5.29.17),
	// or of the obsolete 2.5.29.7 when 2.5.29.17 is absent: Windows
	// honours both (spec §11.1 item 6).
	SAN []GeneralName
	// HasSAN is true when either SAN extension is present.
	HasSAN bool
	// SANInvalid is true when a SAN extension is present but malformed,
	// or holds a name with an embedded NUL (spec §11.1 item 6, chain27).
	SANInvalid bool

	// NameConstraints is the parsed name constraints extension, nil if
	// absent.
	NameConstraints *NameConstraints
	// NameConstraintsInvalid is true when the extension does not parse.
	NameConstraintsInvalid bool

	// KeyID is the key identifier Windows computes
	// (CERT_KEY_IDENTIFIER_PROP_ID): the subjectKeyIdentifier extension
	// when present, otherwise the SHA-1 of the subjectPublicKey bits.
	KeyID []byte
	// EKU lists the extended key usage OIDs in dotted form; nil means any
	// usage (no EKU extension, or anyExtendedKeyUsage listed). An EKU
	// extension that does not parse gives an empty, non-nil list.
	EKU []string

	selfIssued bool
	// spkiSHA256 is the SHA-256 of RawSubjectPublicKeyInfo, computed at
	// load: the signature cache keys every check by it, and hashing the
	// key on each warm check cost 10 % of a warm chain build.
	spkiSHA256 [sha256.Size]byte
}

// SPKISHA256 returns the SHA-256 of the certificate's SubjectPublicKeyInfo
// (the DER of the whole structure, algorithm and parameters included): it
// names the key, so cross-certificates of one key share it.
func (c *Certificate) SPKISHA256() [sha256.Size]byte {
	if c.spkiSHA256 == ([sha256.Size]byte{}) {
		// A Certificate built by hand rather than by Parse.
		return sha256.Sum256(c.X.RawSubjectPublicKeyInfo)
	}
	return c.spkiSHA256
}

// AuthorityKeyID is the authorityKeyIdentifier extension (RFC 5280 4.2.1.1).
type AuthorityKeyID struct {
	KeyID []byte
	// Issuer and Serial are authorityCertIssuer and
	// authorityCertSerialNumber: with both, Windows looks for that exact
	// certificate (CERT_TRUST_HAS_EXACT_MATCH_ISSUER).
	Issuer []GeneralName
	Serial *big.Int
}

// Subject returns the subject as an RFC 2253-like string ("CN=a, O=b").
func (c *Certificate) Subject() string { return c.X.Subject.String() }

// Issuer returns the issuer as an RFC 2253-like string.
func (c *Certificate) Issuer() string { return c.X.Issuer.String() }

// SerialHex returns the serial number as uppercase hex. A negative serial
// (which Windows loads, spec §11.3) prints as its two's-complement bytes, as
// stored in the certificate.
func (c *Certificate) SerialHex() string {
	n := c.X.SerialNumber
	if n == nil {
		return ""
	}
	if n.Sign() < 0 {
		// Two's complement in the fewest whole bytes.
		size := (n.BitLen() + 8) / 8
		mod := new(big.Int).Lsh(big.NewInt(1), uint(size*8))
		return strings.ToUpper(hex.EncodeToString(new(big.Int).Add(mod, n).Bytes()))
	}
	b := n.Bytes()
	if len(b) == 0 {
		return "00"
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// Thumbprint returns the SHA-1 thumbprint as uppercase hex.
func (c *Certificate) Thumbprint() string { return strings.ToUpper(hex.EncodeToString(c.SHA1[:])) }

// IsSelfIssued reports whether subject and issuer are the same name
// (compared as [NamesEqual] does). It is computed once, at parse time.
func (c *Certificate) IsSelfIssued() bool { return c.selfIssued }

// Equal reports whether two certificates have the same DER.
func (c *Certificate) Equal(o *Certificate) bool {
	return c == o || (c != nil && o != nil && c.SHA256 == o.SHA256)
}

// ParseError is the one input error of winchain's loaders: an input (a
// certificate, CRL or bundle file, a DER object) that cannot be loaded.
type ParseError struct {
	// Input names what was being read (a file name, "certificate 2 of
	// bundle.pem", a URL).
	Input string
	// Kind is what the input should have been: "" for a certificate,
	// "CRL", "PKCS#7 bundle", "OCSP response", or "object" for an input
	// whose kind is not known (winchain inspect).
	Kind string
	// Field is the part of the DER that failed, when known
	// ("subjectPublicKeyInfo", "validity", …).
	Field string
	// Err is the underlying error.
	Err error
}

// Error names the input, the field and the problem.
func (e *ParseError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "certificate"
	}
	in := e.Input
	if in == "" {
		in = kind
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: cannot load %s: %s: %v", in, kind, e.Field, e.Err)
	}
	return fmt.Sprintf("%s: cannot load %s: %v", in, kind, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// ErrNotCertificate is wrapped by the error returned for input that holds no
// certificate at all (an empty file, a PEM block of another type, text).
var ErrNotCertificate = errors.New("not a certificate")

// Parse parses one DER certificate. It tries crypto/x509 first and falls back
// to the lenient parser for what Windows accepts and crypto/x509 does not.
func Parse(der []byte) (*Certificate, error) {
	x, err := x509.ParseCertificate(der)
	var warnings []string
	lenient := false
	if err != nil {
		var field string
		var lerr error
		var lw []string
		x, lw, field, lerr = parseLenientWarnings(der)
		if lerr != nil {
			if field == "" {
				return nil, &ParseError{Err: lerr}
			}
			return nil, &ParseError{Field: field, Err: lerr}
		}
		lenient = true
		warnings = append(warnings, "crypto/x509: "+err.Error())
		warnings = append(warnings, lw...)
	}
	c := &Certificate{X: x, Lenient: lenient, Warnings: warnings}
	c.SHA1 = sha1.Sum(x.Raw)
	c.SHA256 = sha256.Sum256(x.Raw)
	c.spkiSHA256 = sha256.Sum256(x.RawSubjectPublicKeyInfo)
	c.parseExtensions()
	c.selfIssued = NamesEqual(x.RawSubject, x.RawIssuer)
	c.KeyID = keyIdentifier(x)
	c.EKU = ekuOIDs(x)
	return c, nil
}

// ParseAll parses every certificate in data: one DER certificate, PEM text
// with any number of CERTIFICATE blocks (other PEM block types are skipped,
// as certutil does), or a PKCS#7 certs-only bundle (.p7b/.p7c, DER or BER,
// or PEM "PKCS7" blocks), the form certmgr's export wizard writes. A
// bundle's certificates are a SET, with no order, so they are returned end
// certificate first when exactly one of them issued none of the others (by
// name), else in the bundle's order. Unlike an AIA object ([DecodeObject]),
// a file with a bundle entry that does not load is refused: a store file
// should load whole. input names the source in errors, which are
// *ParseError.
func ParseAll(data []byte, input string) ([]*Certificate, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &ParseError{Input: input, Err: fmt.Errorf("%w: empty input", ErrNotCertificate)}
	}
	if !LooksPEM(data) && data[0] != 0x30 {
		return nil, &ParseError{Input: input, Err: fmt.Errorf("%w: neither PEM nor DER (first byte 0x%02x)", ErrNotCertificate, data[0])}
	}
	return parseFile(data, input, certificateFile)
}

// certificateFile is the certificate file format of [ParseAll].
var certificateFile = fileFormat[*Certificate]{
	pem:    PEMCertificate,
	label:  "certificate",
	one:    Parse,
	bundle: bundleFile,
	empty:  errNoCertificates,
	none: func(input string, other []string) error {
		if len(other) > 0 {
			return &ParseError{Input: input, Err: fmt.Errorf("%w: PEM holds %s, no CERTIFICATE block", ErrNotCertificate, strings.Join(other, ", "))}
		}
		return &ParseError{Input: input, Err: fmt.Errorf("%w: no PEM CERTIFICATE block could be decoded", ErrNotCertificate)}
	},
}

// fileFormat is one kind of object a certificate or CRL file holds, for
// [parseFile]: the one rule of what such a file may be.
type fileFormat[T any] struct {
	pem   PEMKind                 // the PEM blocks of the kind
	label string                  // the kind in words, numbering blocks in errors
	one   func([]byte) (T, error) // parses one DER object
	// bundle reads the objects of a PKCS#7 bundle (input names it); its
	// error wraps empty when the bundle holds none of the kind.
	bundle func(b []byte, input string) ([]T, error)
	empty  error
	// none is the error for PEM text without a block of the kind; other
	// lists the block types seen.
	none func(input string, other []string) error
}

// parseFile reads a certificate or CRL file: one DER object, a PKCS#7
// bundle (DER, or BER: an indefinite outer length, which no DER object
// has), or PEM text whose blocks of the kind and PKCS#7 blocks are read in
// file order. Other PEM blocks, and PKCS#7 blocks holding none of the kind
// (a CRL-only bundle beside certificates), are skipped, as certutil does.
func parseFile[T any](data []byte, input string, f fileFormat[T]) ([]T, error) {
	if !LooksPEM(data) {
		if LooksPKCS7(data) || indefinite(data) {
			return f.bundle(data, input)
		}
		c, err := f.one(data)
		if err != nil {
			return nil, withInput(err, input)
		}
		return []T{c}, nil
	}
	var out []T
	var other []string
	rest := data
	n, bundles := 1, 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		switch PEMKindOf(b.Type) {
		case f.pem:
			c, err := f.one(b.Bytes)
			if err != nil {
				return nil, withInput(err, fmt.Sprintf("%s (%s %d)", input, f.label, n))
			}
			out = append(out, c)
			n++
		case PEMPKCS7:
			bundles++
			cs, err := f.bundle(b.Bytes, fmt.Sprintf("%s (%s block %d)", input, b.Type, bundles))
			if errors.Is(err, f.empty) {
				other = append(other, b.Type+" without "+f.label+"s")
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, cs...)
		default:
			other = append(other, b.Type)
		}
	}
	if len(out) == 0 {
		return nil, f.none(input, other)
	}
	return out, nil
}

// errNoCertificates is wrapped (with ErrNotCertificate) by the error for a
// bundle that holds no certificate entry at all.
var errNoCertificates = errors.New("the bundle holds no certificate")

// bundleFile reads the certificates of a PKCS#7 bundle file: at most
// MaxBundleCertificates, every entry loadable, end certificate first.
func bundleFile(b []byte, input string) ([]*Certificate, error) {
	if n := trailing(b); n > 0 {
		return nil, &ParseError{Input: input, Kind: kindPKCS7, Err: fmt.Errorf("%d bytes after the bundle", n)}
	}
	p, err := ParsePKCS7(b, MaxBundleCertificates)
	if errors.Is(err, ErrTooManyCertificates) {
		return nil, &ParseError{Input: input, Kind: kindPKCS7, Err: fmt.Errorf("more than %d certificates (certs.MaxBundleCertificates)", MaxBundleCertificates)}
	}
	if err != nil {
		return nil, withInput(err, input)
	}
	if len(p.Certificates) == 0 && p.OtherCertificates == 0 {
		return nil, &ParseError{Input: input, Kind: kindPKCS7, Err: fmt.Errorf("%w: %w", ErrNotCertificate, errNoCertificates)}
	}
	out, first, firstErr := p.load()
	if bad := len(p.Certificates) + p.OtherCertificates - len(out); bad > 0 {
		why := "not X.509 certificates"
		if firstErr != nil {
			why = fmt.Sprintf("certificate entry %d: %v", first, unwrapParse(firstErr))
		}
		return nil, &ParseError{Input: input, Kind: kindPKCS7, Err: fmt.Errorf("%d of its %d entries are not certificates that load (%s)",
			bad, len(p.Certificates)+p.OtherCertificates, why)}
	}
	return endFirst(out), nil
}

// rewrapParse returns err with its cause replaced by wrap(cause) when it is
// a *ParseError (a copy: err is not changed), else err.
func rewrapParse(err error, wrap func(error) error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		cp := *pe
		cp.Err = wrap(pe.Err)
		return &cp
	}
	return err
}

// unwrapParse is the problem of a *ParseError without its "cannot load"
// framing (the field, then the cause), for messages that embed it.
func unwrapParse(err error) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		if pe.Field != "" {
			return fmt.Errorf("%s: %w", pe.Field, pe.Err)
		}
		return pe.Err
	}
	return err
}

// endFirst moves to the front the one certificate that issued none of the
// others; with none or several, cs is returned as it is. Names compare by
// [NameKey], in one pass over a set of issuer names: a bundle may hold
// MaxBundleCertificates certificates.
func endFirst(cs []*Certificate) []*Certificate {
	issuers := make(map[string]bool, len(cs))
	for _, o := range cs {
		if !o.IsSelfIssued() { // a self-issued certificate names itself, no other
			issuers[NameKey(o.X.RawIssuer)] = true
		}
	}
	end := -1
	for i, c := range cs {
		if issuers[NameKey(c.X.RawSubject)] {
			continue
		}
		if end >= 0 {
			return cs
		}
		end = i
	}
	if end <= 0 {
		return cs
	}
	out := make([]*Certificate, 0, len(cs))
	out = append(out, cs[end])
	out = append(out, cs[:end]...)
	return append(out, cs[end+1:]...)
}

// MaxFileSize bounds the certificate, bundle and CRL files winchain reads
// (100 MiB): the default of MaxUrlRetrievalByteCount
// (CERT_CHAIN_MAX_URL_RETRIEVAL_BYTE_COUNT_DEFAULT, spec §3.7), the largest
// object a Windows client retrieves, so no client meets a bigger one. A
// bigger file is refused before it is read. cache.DefaultMaxURLRetrievalBytes
// is this value.
const MaxFileSize = 100 << 20

// LoadFile reads the certificates of a file of at most [MaxFileSize] bytes:
// a DER certificate, a PEM bundle or a PKCS#7 bundle (see [ParseAll]).
func LoadFile(path string) ([]*Certificate, error) {
	data, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseAll(data, boundedio.Name(path))
}

// ReadFile reads a certificate file of at most [MaxFileSize] bytes without
// parsing it, for loaders that try other formats on the same bytes. Errors
// are *ParseError naming the file.
//
// Path "-" reads standard input (once; boundedio.Stdin).
func ReadFile(path string) ([]byte, error) { return readFile(path, "") }

// readFile reads a file of kind ("" certificate, "CRL") for a loader.
func readFile(path, kind string) ([]byte, error) {
	if path == boundedio.Stdin {
		data, err := boundedio.ReadFile(path, MaxFileSize)
		if err != nil {
			return nil, &ParseError{Input: boundedio.Name(path), Kind: kind, Err: err}
		}
		return data, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &ParseError{Input: path, Kind: kind, Err: err}
	}
	if fi.IsDir() {
		what := kind
		if what == "" {
			what = "certificate"
		}
		return nil, &ParseError{Input: path, Kind: kind, Err: fmt.Errorf("is a directory, not a %s file", what)}
	}
	data, err := boundedio.ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, &ParseError{Input: path, Kind: kind, Err: err}
	}
	return data, nil
}

// LoadCRLFile reads the CRLs of a file of at most [MaxFileSize] bytes: one
// DER CRL, PEM "X509 CRL" blocks, or the CRLs of a PKCS#7 bundle (see
// [ParseCRLs]).
func LoadCRLFile(path string) ([]*CRL, error) {
	data, err := readFile(path, "CRL")
	if err != nil {
		return nil, err
	}
	return ParseCRLs(data, boundedio.Name(path))
}

func withInput(err error, input string) error {
	var pe *ParseError
	if errors.As(err, &pe) {
		cp := *pe
		cp.Input = input
		return &cp
	}
	return &ParseError{Input: input, Err: err}
}
