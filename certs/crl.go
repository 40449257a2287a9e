package certs

// The one CRL parser (spec §11.3), beside the lenient certificate parser.
//
// Windows CertCreateCRLContext decodes the CertificateList into a CRL_INFO
// and keeps each entry's extensions as blobs; it accepts v1 CRLs (no version
// field), a malformed AKI, negative or oversized serial numbers and unknown
// non-critical entry extensions, all of which crypto/x509 refuses or turns
// into a full RevocationListEntry per entry (about 250 bytes each: a
// big.Int, a time, slices). ParseCRL reads the header with cryptobyte and
// the revocation entries only structurally: it keeps the DER and an
// open-addressing table of uint32 entry offsets (6 bytes per entry), and
// decodes an entry only when a lookup finds it. The memory held is the DER
// plus 6 bytes per entry; nothing else grows with the CRL.

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"math/big"
	"math/bits"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// CRL and CRL entry extension OIDs (RFC 5280 §5.2, §5.3).
var (
	OIDCRLNumber         = asn1.ObjectIdentifier{2, 5, 29, 20}
	OIDDeltaCRLIndicator = asn1.ObjectIdentifier{2, 5, 29, 27}
	OIDReasonCode        = asn1.ObjectIdentifier{2, 5, 29, 21}
	OIDHoldInstruction   = asn1.ObjectIdentifier{2, 5, 29, 23}
	OIDInvalidityDate    = asn1.ObjectIdentifier{2, 5, 29, 24}
	OIDCertificateIssuer = asn1.ObjectIdentifier{2, 5, 29, 29}
	OIDIssuingDistPoint  = asn1.ObjectIdentifier{2, 5, 29, 28}
	OIDFreshestCRL       = asn1.ObjectIdentifier{2, 5, 29, 46}
	oidIssuerAltName     = asn1.ObjectIdentifier{2, 5, 29, 18}
)

// NoReason is CRLEntry.ReasonCode when the entry has no reasonCode.
const NoReason = -1

// CRL is one parsed certificate revocation list (a CRL_CONTEXT). Its
// revocation entries stay in Raw and are decoded on a [CRL.Lookup] hit.
type CRL struct {
	// Raw is the whole CertificateList DER.
	Raw []byte
	// RawTBSRevocationList is the signed part, Signature and
	// SignatureAlgorithm its signature ([CheckSignature] verifies them).
	RawTBSRevocationList []byte
	Signature            []byte
	SignatureAlgorithm   x509.SignatureAlgorithm
	// Version is 1 (CRL_V1: no version field) or 2 (CRL_V2).
	Version int
	// RawIssuer is the issuer Name DER; Issuer its decoded form.
	RawIssuer []byte
	Issuer    pkix.Name
	// ThisUpdate and NextUpdate; NextUpdate is zero when absent (Windows
	// accepts such a CRL, spec §3.3).
	ThisUpdate, NextUpdate time.Time
	// Extensions are the crlExtensions as they appear.
	Extensions []pkix.Extension
	// Number is the cRLNumber, nil when absent or malformed.
	Number *big.Int
	// AuthorityKeyID is the AKI keyIdentifier; AKIMalformed is true when
	// the AKI extension does not parse (Windows loads such CRLs, spec §11.3).
	AuthorityKeyID []byte
	AKIMalformed   bool
	// IsDelta is true for a delta CRL (deltaCRLIndicator 2.5.29.27);
	// BaseNumber is its BaseCRLNumber (nil when malformed).
	IsDelta    bool
	BaseNumber *big.Int
	// IndirectEntries is true when an entry carries certificateIssuer
	// (2.5.29.29): the CRL is indirect.
	IndirectEntries bool
	// UnhandledCriticalEntryExtension is the first critical entry
	// extension other than reasonCode, holdInstructionCode,
	// invalidityDate and certificateIssuer; nil if none.
	UnhandledCriticalEntryExtension asn1.ObjectIdentifier
	// Warnings lists what was tolerated (the v1 form, a malformed AKI or
	// CRL number, …).
	Warnings []string

	entries int
	index   crlIndex
}

// CRLEntry is one revokedCertificates entry, decoded on a lookup hit.
type CRLEntry struct {
	// SerialNumber is the serial INTEGER's contents (two's complement,
	// as stored; it may be negative or longer than 20 bytes).
	SerialNumber []byte
	// RevocationTime is revocationDate; zero when it does not decode.
	RevocationTime time.Time
	// ReasonCode is the CRLReason, [NoReason] when absent.
	ReasonCode int
}

// Len returns the number of revocation entries.
func (c *CRL) Len() int { return c.entries }

// ParseCRL parses one DER CRL leniently (the kinds of spec §11.3 load). The
// CRL keeps der; the caller must not modify it afterwards. A CRL that
// cannot load gets a *ParseError naming the field; one that loads but that
// no client may use (an unknown critical extension, an indirect CRL) loads,
// and the revocation checker says why it is not used.
func ParseCRL(der []byte) (*CRL, error) {
	c, err := parseCRL(der, false)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ReadCRLTimes reads thisUpdate and nextUpdate from a DER CRL's header,
// reading nothing after them, for callers that need only the dates (the
// URL cache's freshness, spec §4.6): a download is parsed in full once, by
// the revocation checker. ok is false when the header does not parse.
func ReadCRLTimes(der []byte) (thisUpdate, nextUpdate time.Time, ok bool) {
	c, err := parseCRL(der, true)
	if err != nil {
		return time.Time{}, time.Time{}, false
	}
	return c.ThisUpdate, c.NextUpdate, true
}

// crlErr is the error for a CRL that cannot load: a *ParseError naming
// the field (the caller adds the input).
func crlErr(field, format string, args ...any) error {
	return &ParseError{Kind: "CRL", Field: field, Err: fmt.Errorf(format, args...)}
}

func parseCRL(der []byte, headerOnly bool) (*CRL, error) {
	if len(der) == 0 {
		return nil, crlErr("CertificateList", "empty input")
	}
	if len(der) >= math.MaxUint32 {
		// Entry offsets are uint32; MaxFileSize and the retrieval byte
		// limit keep real CRLs far below this.
		return nil, crlErr("CertificateList", "larger than 4 GiB")
	}
	in := cryptobyte.String(der)
	var raw cryptobyte.String
	if !in.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
		return nil, crlErr("CertificateList", "not a DER SEQUENCE (truncated, BER-encoded or not a CRL)")
	}
	c := &CRL{Raw: raw, Version: 1}
	if !in.Empty() {
		// Ignored, as crypto/x509's ParseRevocationList ignores them
		// (Windows unknown: docs/windows-divergences.md).
		c.warn("%d bytes of trailing data after the CRL ignored", len(in))
	}
	var body, tbsRaw cryptobyte.String
	if !raw.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Element(&tbsRaw, cbasn1.SEQUENCE) {
		return nil, crlErr("tbsCertList", "malformed TBSCertList")
	}
	c.RawTBSRevocationList = tbsRaw
	outerAlg, ok := readAlgorithmIdentifier(&body)
	if !ok {
		return nil, crlErr("signatureAlgorithm", "malformed AlgorithmIdentifier")
	}
	sig, ok := readBitString(&body)
	if !ok || !body.Empty() {
		return nil, crlErr("signatureValue", "malformed BIT STRING")
	}
	c.Signature = sig.RightAlign()
	c.SignatureAlgorithm = signatureAlgorithmFromAI(outerAlg)

	var tbs cryptobyte.String
	tbsRaw.ReadASN1(&tbs, cbasn1.SEQUENCE)
	// version Version OPTIONAL: absent in a v1 CRL (x509 refuses those).
	if tbs.PeekASN1Tag(tagCtx0C) {
		return nil, crlErr("tbsCertList", "a certificate ([0] version), not a CRL")
	}
	if tbs.PeekASN1Tag(cbasn1.INTEGER) {
		v, ok := readSmallNonNegative(&tbs, cbasn1.INTEGER)
		switch {
		case !ok:
			return nil, crlErr("version", "malformed version")
		case v > 1:
			return nil, crlErr("version", "unsupported CRL version %d", v+1)
		}
		c.Version = v + 1
	} else {
		c.warn("v1 CRL (no version field)")
	}
	innerAlg, ok := readAlgorithmIdentifier(&tbs)
	if !ok {
		return nil, crlErr("signature", "malformed AlgorithmIdentifier")
	}
	if !innerAlg.sameAlgorithm(outerAlg) {
		c.warn("tbsCertList signature algorithm differs from the outer one")
	}
	var issuer cryptobyte.String
	if !tbs.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return nil, crlErr("issuer", "malformed Name")
	}
	c.RawIssuer = issuer
	name, err := parseNameLenient(issuer)
	if err != nil {
		return nil, &ParseError{Kind: "CRL", Field: "issuer", Err: err}
	}
	c.Issuer = name
	if c.ThisUpdate, err = readTimeLenient(&tbs); err != nil {
		return nil, &ParseError{Kind: "CRL", Field: "thisUpdate", Err: err}
	}
	if tbs.PeekASN1Tag(cbasn1.UTCTime) || tbs.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if c.NextUpdate, err = readTimeLenient(&tbs); err != nil {
			return nil, &ParseError{Kind: "CRL", Field: "nextUpdate", Err: err}
		}
	}
	if headerOnly {
		return c, nil
	}
	var revoked cryptobyte.String
	hasRevoked := false
	if tbs.PeekASN1Tag(cbasn1.SEQUENCE) {
		if !tbs.ReadASN1(&revoked, cbasn1.SEQUENCE) {
			return nil, crlErr("revokedCertificates", "malformed SEQUENCE")
		}
		hasRevoked = true
	}
	if tbs.PeekASN1Tag(tagCtx0C) {
		var exts cryptobyte.String
		if !tbs.ReadASN1(&exts, tagCtx0C) || !exts.ReadASN1(&exts, cbasn1.SEQUENCE) {
			return nil, crlErr("crlExtensions", "malformed Extensions")
		}
		for !exts.Empty() {
			var e cryptobyte.String
			if !exts.ReadASN1(&e, cbasn1.SEQUENCE) {
				return nil, crlErr("crlExtensions", "malformed Extension")
			}
			ext, err := parseExtensionLenient(e)
			if err != nil {
				return nil, &ParseError{Kind: "CRL", Field: "crlExtensions", Err: err}
			}
			c.Extensions = append(c.Extensions, ext)
		}
	}
	if !tbs.Empty() {
		return nil, crlErr("tbsCertList", "trailing data")
	}
	c.decodeExtensions()
	if hasRevoked {
		if err := c.indexEntries(revoked); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *CRL) warn(format string, args ...any) {
	c.Warnings = append(c.Warnings, fmt.Sprintf(format, args...))
}

// decodeExtensions fills Number, AuthorityKeyID and the delta fields. A
// malformed one is a warning, not a failure: the revocation checker
// decides whether the CRL can be used.
func (c *CRL) decodeExtensions() {
	for _, e := range c.Extensions {
		switch {
		case e.Id.Equal(OIDAuthorityKeyID):
			aki, err := parseAKI(e.Value)
			if err != nil {
				c.AKIMalformed = true
				c.warn("malformed authorityKeyIdentifier: %v", err)
				continue
			}
			c.AuthorityKeyID = aki.KeyID
		case e.Id.Equal(OIDCRLNumber):
			if n, ok := parseIntegerExt(e.Value); ok {
				c.Number = n
			} else {
				c.warn("malformed cRLNumber")
			}
		case e.Id.Equal(OIDDeltaCRLIndicator):
			c.IsDelta = true
			if n, ok := parseIntegerExt(e.Value); ok {
				c.BaseNumber = n
			} else {
				c.warn("malformed deltaCRLIndicator")
			}
		}
	}
}

// HandledCRLExtension reports whether a CRL extension is one Windows'
// revocation provider understands (RFC 5280 §5.2: authorityKeyIdentifier,
// issuerAltName, cRLNumber, deltaCRLIndicator, issuingDistributionPoint,
// freshestCRL, authorityInfoAccess). A critical extension not in the list
// makes the CRL unusable.
func HandledCRLExtension(id asn1.ObjectIdentifier) bool {
	for _, o := range []asn1.ObjectIdentifier{OIDAuthorityKeyID, oidIssuerAltName, OIDCRLNumber,
		OIDDeltaCRLIndicator, OIDIssuingDistPoint, OIDFreshestCRL, oidAuthorityInfoAccess} {
		if id.Equal(o) {
			return true
		}
	}
	return false
}

// parseIntegerExt reads an extension value that is one INTEGER (cRLNumber,
// BaseCRLNumber).
func parseIntegerExt(der []byte) (*big.Int, bool) {
	in := cryptobyte.String(der)
	n := new(big.Int)
	if !in.ReadASN1Integer(n) || !in.Empty() {
		return nil, false
	}
	return n, true
}

// indexEntries walks revokedCertificates once: each entry must be a
// SEQUENCE { INTEGER, Time, Extensions OPTIONAL }; its extensions are read
// for the two facts that change how the CRL can be used, and its offset
// goes into the index.
func (c *CRL) indexEntries(revoked cryptobyte.String) error {
	// First pass: count, so the table is allocated once at its final size.
	n := 0
	for s := revoked; !s.Empty(); n++ {
		if !s.SkipASN1(cbasn1.SEQUENCE) {
			return crlErr("revokedCertificates", "entry %d is not a SEQUENCE", n+1)
		}
	}
	ix := newCRLIndex(n)
	base := c.Raw
	for i := 1; !revoked.Empty(); i++ {
		// Sub-slices keep the capacity of the DER they come from, so
		// the difference of capacities is the offset.
		off := uint32(cap(base) - cap(revoked))
		var e, serial cryptobyte.String
		revoked.ReadASN1(&e, cbasn1.SEQUENCE)
		if !e.ReadASN1(&serial, cbasn1.INTEGER) || len(serial) == 0 {
			return crlErr("revokedCertificates", "entry %d: malformed userCertificate serial", i)
		}
		if !skipTime(&e) {
			return crlErr("revokedCertificates", "entry %d: malformed revocationDate", i)
		}
		if !e.Empty() {
			if err := c.entryExtensions(e, i); err != nil {
				return err
			}
		}
		ix.insert(base, off, TrimSerial(serial))
	}
	c.entries = n
	c.index = ix
	return nil
}

// skipTime skips a UTCTime or GeneralizedTime without decoding it: an
// entry's date is decoded only when a lookup finds the entry.
func skipTime(s *cryptobyte.String) bool {
	switch {
	case s.PeekASN1Tag(cbasn1.UTCTime):
		return s.SkipASN1(cbasn1.UTCTime)
	case s.PeekASN1Tag(cbasn1.GeneralizedTime):
		return s.SkipASN1(cbasn1.GeneralizedTime)
	}
	return false
}

// DER contents of the entry extension OIDs, compared as bytes so the walk
// over a large CRL allocates nothing per entry.
var (
	rawOIDReasonCode        = []byte{0x55, 0x1d, 0x15}
	rawOIDInvalidityDate    = []byte{0x55, 0x1d, 0x18}
	rawOIDHoldInstruction   = []byte{0x55, 0x1d, 0x17}
	rawOIDCertificateIssuer = []byte{0x55, 0x1d, 0x1d}
)

func (c *CRL) entryExtensions(e cryptobyte.String, i int) error {
	var exts cryptobyte.String
	if !e.ReadASN1(&exts, cbasn1.SEQUENCE) || !e.Empty() {
		return crlErr("revokedCertificates", "entry %d: malformed crlEntryExtensions", i)
	}
	for !exts.Empty() {
		var ext, oid cryptobyte.String
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) || len(oid) == 0 {
			return crlErr("revokedCertificates", "entry %d: malformed extension", i)
		}
		critical := false
		if ext.PeekASN1Tag(cbasn1.BOOLEAN) {
			var b cryptobyte.String
			if !ext.ReadASN1(&b, cbasn1.BOOLEAN) || len(b) != 1 {
				return crlErr("revokedCertificates", "entry %d: extension: malformed critical flag", i)
			}
			critical = b[0] != 0
		}
		switch {
		case bytes.Equal(oid, rawOIDCertificateIssuer):
			c.IndirectEntries = true
		case bytes.Equal(oid, rawOIDReasonCode), bytes.Equal(oid, rawOIDInvalidityDate), bytes.Equal(oid, rawOIDHoldInstruction):
		default:
			// Unknown non-critical entry extensions are ignored, as
			// RFC 5280 §5.3 asks; x509 refuses some of them.
			if critical && c.UnhandledCriticalEntryExtension == nil {
				var id asn1.ObjectIdentifier
				full := cryptobyte.String(append([]byte{0x06, byte(len(oid))}, oid...))
				if len(oid) > 127 || !full.ReadASN1ObjectIdentifier(&id) {
					id = asn1.ObjectIdentifier{}
				}
				c.UnhandledCriticalEntryExtension = id
			}
		}
	}
	return nil
}

// Lookup finds the entry for a serial number given as the contents of its
// DER INTEGER (two's complement; redundant leading bytes are ignored).
func (c *CRL) Lookup(serial []byte) (CRLEntry, bool) {
	off, ok := c.index.lookup(c.Raw, TrimSerial(serial))
	if !ok {
		return CRLEntry{}, false
	}
	return readCRLEntry(c.Raw, off), true
}

// Entries returns the revocation entries in the order of the DER, each
// decoded as [CRL.Lookup] decodes a hit (for dumps and tests; the checker
// looks serials up).
func (c *CRL) Entries() iter.Seq[CRLEntry] {
	return func(yield func(CRLEntry) bool) {
		if c.entries == 0 {
			return
		}
		in := cryptobyte.String(c.RawTBSRevocationList)
		var tbs cryptobyte.String
		in.ReadASN1(&tbs, cbasn1.SEQUENCE)
		if tbs.PeekASN1Tag(cbasn1.INTEGER) {
			tbs.SkipASN1(cbasn1.INTEGER)
		}
		tbs.SkipASN1(cbasn1.SEQUENCE) // signature
		tbs.SkipASN1(cbasn1.SEQUENCE) // issuer
		skipTime(&tbs)
		skipTime(&tbs)
		var revoked cryptobyte.String
		tbs.ReadASN1(&revoked, cbasn1.SEQUENCE)
		for !revoked.Empty() {
			off := uint32(cap(c.Raw) - cap(revoked))
			revoked.SkipASN1(cbasn1.SEQUENCE)
			if !yield(readCRLEntry(c.Raw, off)) {
				return
			}
		}
	}
}

// LookupSerial is [CRL.Lookup] for a big.Int serial (a certificate's
// SerialNumber, which may be negative).
func (c *CRL) LookupSerial(n *big.Int) (CRLEntry, bool) {
	return c.Lookup(SerialBytes(n))
}

// SerialBytes returns the minimal two's-complement encoding of n, the
// contents of its DER INTEGER: the form CRL serials are looked up by.
func SerialBytes(n *big.Int) []byte {
	if n == nil {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1BigInt(n)
	der, err := b.Bytes()
	if err != nil {
		return nil
	}
	in := cryptobyte.String(der)
	var body cryptobyte.String
	in.ReadASN1(&body, cbasn1.INTEGER)
	return body
}

// readCRLEntry decodes the entry at off (indexEntries checked its shape).
func readCRLEntry(der []byte, off uint32) CRLEntry {
	s := cryptobyte.String(der[off:])
	var e, serial cryptobyte.String
	out := CRLEntry{ReasonCode: NoReason}
	s.ReadASN1(&e, cbasn1.SEQUENCE)
	e.ReadASN1(&serial, cbasn1.INTEGER)
	out.SerialNumber = serial
	if t, err := readTimeLenient(&e); err == nil {
		out.RevocationTime = t
	}
	var exts cryptobyte.String
	if e.Empty() || !e.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return out
	}
	for !exts.Empty() {
		var ext cryptobyte.String
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) {
			return out
		}
		x, err := parseExtensionLenient(ext)
		if err != nil || !x.Id.Equal(OIDReasonCode) {
			continue
		}
		v := cryptobyte.String(x.Value)
		var r int
		if v.ReadASN1Enum(&r) {
			out.ReasonCode = r
		}
	}
	return out
}

// entrySerialAt returns the trimmed serial of the entry at off.
func entrySerialAt(der []byte, off uint32) []byte {
	s := cryptobyte.String(der[off:])
	var e, serial cryptobyte.String
	if !s.ReadASN1(&e, cbasn1.SEQUENCE) || !e.ReadASN1(&serial, cbasn1.INTEGER) {
		return nil
	}
	return TrimSerial(serial)
}

// trimInt strips redundant leading bytes of a two's-complement integer
// encoding (a BER-encoded serial on a CRL may carry them).
func TrimSerial(b []byte) []byte {
	for len(b) > 1 && ((b[0] == 0 && b[1]&0x80 == 0) || (b[0] == 0xFF && b[1]&0x80 != 0)) {
		b = b[1:]
	}
	return b
}

// crlIndex is an open-addressing (linear probing) hash table of entry
// offsets + 1 (0 marks an empty slot), keyed by the trimmed serial, with
// 1.5 slots per entry: a load factor of at most 2/3 keeps probes short
// (about 2 for a hit, 5 for a miss) at 6 bytes per entry. Slots are
// addressed by multiply-shift (Lemire's fastrange), so the table need not
// be a power of two.
type crlIndex struct {
	seed  maphash.Seed
	slots []uint32
}

func newCRLIndex(n int) crlIndex {
	if n == 0 {
		return crlIndex{}
	}
	return crlIndex{seed: maphash.MakeSeed(), slots: make([]uint32, n+n/2+1)}
}

func (ix *crlIndex) home(key []byte) int {
	hi, _ := bits.Mul64(maphash.Bytes(ix.seed, key), uint64(len(ix.slots)))
	return int(hi)
}

func (ix *crlIndex) insert(der []byte, off uint32, key []byte) {
	m := len(ix.slots)
	for i := ix.home(key); ; {
		v := ix.slots[i]
		if v == 0 {
			ix.slots[i] = off + 1
			return
		}
		if string(entrySerialAt(der, v-1)) == string(key) {
			return // duplicate serial: the first entry counts
		}
		if i++; i == m {
			i = 0
		}
	}
}

func (ix *crlIndex) lookup(der, key []byte) (uint32, bool) {
	m := len(ix.slots)
	if m == 0 {
		return 0, false
	}
	for i := ix.home(key); ; {
		v := ix.slots[i]
		if v == 0 {
			return 0, false
		}
		if string(entrySerialAt(der, v-1)) == string(key) {
			return v - 1, true
		}
		if i++; i == m {
			i = 0
		}
	}
}

// HeldBytes estimates the memory the CRL holds: the DER and the index.
func (c *CRL) HeldBytes() int { return len(c.Raw) + 4*len(c.index.slots) }

// ParseCRLs parses the CRLs of data: one DER CRL, the "X509 CRL" PEM blocks
// (other block types are skipped), or the crls of a PKCS#7 bundle (.p7b,
// DER or BER, also as a PEM "PKCS7" block), as certutil -addstore takes
// them.
// input names the source in errors, which are *ParseError.
func ParseCRLs(data []byte, input string) ([]*CRL, error) {
	return parseFile(data, input, crlFile)
}

// crlFile is the CRL file format of [ParseCRLs].
var crlFile = fileFormat[*CRL]{
	pem:    PEMCRL,
	label:  "CRL",
	one:    ParseCRL,
	bundle: crlsOfPKCS7,
	empty:  errNoCRLs,
	none: func(input string, _ []string) error {
		return &ParseError{Input: input, Kind: "CRL", Err: errors.New("no X509 CRL PEM block")}
	},
}

// errNoCRLs is the error for a PKCS#7 bundle without CRLs.
var errNoCRLs = errors.New("the PKCS#7 bundle holds no CRL")

// crlsOfPKCS7 returns the CRLs of a PKCS#7 bundle (DER or BER); a bundle without any
// is an error, as a CRL file that holds none is.
func crlsOfPKCS7(der []byte, input string) ([]*CRL, error) {
	p, err := ParsePKCS7(der, 0)
	if err != nil {
		return nil, withInput(err, input)
	}
	if len(p.CRLs) == 0 {
		return nil, &ParseError{Input: input, Kind: "CRL", Err: errNoCRLs}
	}
	out := make([]*CRL, 0, len(p.CRLs))
	for i, raw := range p.CRLs {
		c, err := ParseCRL(raw)
		if err != nil {
			return nil, withInput(err, fmt.Sprintf("%s (CRL %d of the PKCS#7 bundle)", input, i+1))
		}
		out = append(out, c)
	}
	return out, nil
}

// DecodeCRLBody returns the DER of a downloaded CRL body: the first PEM "X509
// CRL" block when the body is PEM (blocks of other labels before it are
// skipped), else the body itself, which the CRL parser then refuses.
func DecodeCRLBody(body []byte) []byte {
	if LooksPEM(body) {
		if blk := firstPEMBlock(body, PEMCRL); blk != nil {
			return blk.Bytes
		}
	}
	return body
}
