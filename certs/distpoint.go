package certs

// The distribution point syntax of RFC 5280, read in one place: the CRL
// distribution points (szOID_CRL_DIST_POINTS, 2.5.29.31) and Freshest CRL
// (szOID_FRESHEST_CRL, 2.5.29.46) extensions of certificates and CRLs, and a
// CRL's issuing distribution point (szOID_ISSUING_DIST_POINT, 2.5.29.28).
// crypto/x509 keeps only the fullName URIs of a CDP and refuses a
// nameRelativeToCRLIssuer (PKITS 4.14.4-4.14.6); revocation needs the names,
// reasons and cRLIssuer, and the lenient certificate parser fills
// x509.Certificate.CRLDistributionPoints from the same walk. Fuzzed by
// FuzzParseDistributionPoints and FuzzParseIssuingDistributionPoint.

import (
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// AllReasons is the ReasonFlags mask of every reason a distribution point
// can cover: bits 1-8, keyCompromise … aACompromise (RFC 5280 §4.2.1.13).
// Bit i of a mask is CRLReason i; a distribution point or issuing
// distribution point without a reasons field covers AllReasons.
const AllReasons uint16 = 0x1FE

// errMalformedExtension is what the strict parsers return for a
// distribution point extension that does not decode (revocation shows it
// as "CRL extension <oid>: malformed extension").
var errMalformedExtension = errors.New("malformed extension")

// DistributionPointName is a DistributionPointName: a fullName, or a
// nameRelativeToCRLIssuer.
type DistributionPointName struct {
	// FullName is the fullName form; nil for a relative name.
	FullName []GeneralName
	// Relative is the nameRelativeToCRLIssuer RDN, re-tagged as a SET so it
	// can be appended to a Name; nil for a fullName.
	Relative []byte
}

// Names expands the name into GeneralNames: the fullName, or for a relative
// name one directoryName, the CRL issuer's DER Name with the RDN appended
// (RFC 5280 §4.2.1.13). It returns nil for a nil name or an issuer name that
// is not a SEQUENCE.
func (n *DistributionPointName) Names(issuer []byte) []GeneralName {
	if n == nil {
		return nil
	}
	if n.Relative == nil {
		return n.FullName
	}
	in := cryptobyte.String(issuer)
	var rdns cryptobyte.String
	if !in.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(rdns)
		b.AddBytes(n.Relative)
	})
	name, err := b.Bytes()
	if err != nil {
		return nil
	}
	return []GeneralName{{Type: NameDirectory, Raw: name}}
}

// DistributionPoint is one DistributionPoint of a CRL distribution points
// or Freshest CRL extension (CRL_DIST_POINT).
type DistributionPoint struct {
	// Name is the distributionPoint field; nil when absent.
	Name *DistributionPointName
	// Reasons is the reasons field as a mask (bit i = CRLReason i),
	// AllReasons when the field is absent.
	Reasons uint16
	// CRLIssuer is the cRLIssuer field; nil when absent. Windows does not
	// support indirect CRLs (spec §3.3).
	CRLIssuer []GeneralName
}

// URIs returns the URI names of the fullName, in order: the URLs a
// retriever fetches.
func (d *DistributionPoint) URIs() []string {
	if d.Name == nil {
		return nil
	}
	var out []string
	for _, g := range d.Name.FullName {
		if g.Type == NameURI {
			out = append(out, g.Value)
		}
	}
	return out
}

// ParseDistributionPoints parses the value of a CRL distribution points or
// Freshest CRL extension (SEQUENCE OF DistributionPoint, RFC 5280
// §4.2.1.13, §5.2.6). Any malformed part fails the whole extension.
func ParseDistributionPoints(der []byte) ([]DistributionPoint, error) {
	return parseDistributionPoints(der, false)
}

// distributionPointURIs is the lenient parser's view of a CRL distribution
// points extension: the fullName URIs of every distribution point, as
// crypto/x509 collects them into CRLDistributionPoints. It reads the same
// syntax as ParseDistributionPoints, but only as far as the URIs need: a
// distribution point's reasons and cRLIssuer are not read, a
// nameRelativeToCRLIssuer (no URI) is skipped, and so is a fullName entry
// that is well framed but not a URI. It fails only when the framing of what
// it reads is broken; the error names the part.
func distributionPointURIs(der []byte) ([]string, error) {
	dps, err := parseDistributionPoints(der, true)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := range dps {
		out = append(out, dps[i].URIs()...)
	}
	return out, nil
}

// parseDistributionPoints is the one reader of SEQUENCE OF
// DistributionPoint. lenient selects distributionPointURIs' view; its
// errors then name the malformed part (they become warnings of a leniently
// parsed certificate), where the strict ones are errMalformedExtension or
// the GeneralName error.
func parseDistributionPoints(der []byte, lenient bool) ([]DistributionPoint, error) {
	fail := func(part string) error {
		if lenient {
			return errors.New("malformed " + part)
		}
		return errMalformedExtension
	}
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, fail("CRLDistributionPoints")
	}
	var out []DistributionPoint
	for !seq.Empty() {
		var dp cryptobyte.String
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) {
			return nil, fail("DistributionPoint")
		}
		d := DistributionPoint{Reasons: AllReasons}
		var name, reasons, issuer cryptobyte.String
		var hasName, hasReasons, hasIssuer bool
		if !dp.ReadOptionalASN1(&name, &hasName, tagCtx0C) {
			return nil, fail("DistributionPoint name")
		}
		// The lenient view reads the name only.
		if !lenient && (!dp.ReadOptionalASN1(&reasons, &hasReasons, tagCtx1) ||
			!dp.ReadOptionalASN1(&issuer, &hasIssuer, tagCtx2C) ||
			!dp.Empty()) {
			return nil, errMalformedExtension
		}
		if hasName {
			parse := parseDistributionPointName
			if lenient {
				parse = parseFullNameLenient
			}
			n, err := parse(name)
			if err != nil {
				return nil, err
			}
			d.Name = n
		}
		if hasReasons {
			r, ok := parseReasonFlags(reasons)
			if !ok {
				return nil, errMalformedExtension
			}
			d.Reasons = r
		}
		if hasIssuer {
			gns, err := ParseGeneralNames(issuer)
			if err != nil {
				return nil, err
			}
			d.CRLIssuer = gns
		}
		out = append(out, d)
	}
	return out, nil
}

// parseDistributionPointName parses the contents of the [0] EXPLICIT
// DistributionPointName: exactly one fullName [0] or
// nameRelativeToCRLIssuer [1].
func parseDistributionPointName(s cryptobyte.String) (*DistributionPointName, error) {
	var body cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&body, &tag) || !s.Empty() {
		return nil, errMalformedExtension
	}
	switch tag {
	case tagCtx0C:
		gns, err := ParseGeneralNames(body)
		if err != nil {
			return nil, err
		}
		return &DistributionPointName{FullName: gns}, nil
	case tagCtx1C:
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(body) })
		rdn, err := b.Bytes()
		if err != nil {
			return nil, errMalformedExtension
		}
		return &DistributionPointName{Relative: rdn}, nil
	}
	return nil, errMalformedExtension
}

// parseFullNameLenient is parseDistributionPointName for the lenient view:
// a leading fullName is read with the lenient GeneralName walk and anything
// else (a relative name, trailing bytes) is ignored. It returns nil, nil
// when there is no fullName.
func parseFullNameLenient(s cryptobyte.String) (*DistributionPointName, error) {
	var full cryptobyte.String
	var present bool
	if !s.ReadOptionalASN1(&full, &present, tagCtx0C) {
		return nil, errors.New("malformed DistributionPointName")
	}
	if !present {
		return nil, nil
	}
	gns, err := readGeneralNames(full, true)
	if err != nil {
		return nil, errors.New("malformed fullName")
	}
	return &DistributionPointName{FullName: gns}, nil
}

// parseReasonFlags reads the contents of an implicitly tagged ReasonFlags
// BIT STRING into a mask within AllReasons.
func parseReasonFlags(s cryptobyte.String) (uint16, bool) {
	if len(s) == 0 || s[0] > 7 || (len(s) == 1 && s[0] != 0) {
		return 0, false
	}
	var m uint16
	for i, byt := range s[1:] {
		for bit := 0; bit < 8; bit++ {
			if byt&(0x80>>bit) != 0 {
				n := i*8 + bit
				if n < 16 {
					m |= 1 << n
				}
			}
		}
	}
	return m & AllReasons, true
}

// IssuingDistributionPoint is the issuing distribution point extension of a
// CRL (CRL_ISSUING_DIST_POINT, RFC 5280 §5.2.5).
type IssuingDistributionPoint struct {
	// Name is the distributionPoint field; nil when absent.
	Name *DistributionPointName
	// OnlyUser is onlyContainsUserCerts.
	OnlyUser bool
	// OnlyCA is onlyContainsCACerts.
	OnlyCA bool
	// OnlyAttribute is onlyContainsAttributeCerts.
	OnlyAttribute bool
	// Indirect is indirectCRL; Windows does not support indirect CRLs
	// (spec §3.3).
	Indirect bool
	// Reasons is onlySomeReasons as a mask, AllReasons when absent.
	Reasons uint16
}

// ParseIssuingDistributionPoint parses the value of an issuing distribution
// point extension. Any malformed part fails the whole extension.
func ParseIssuingDistributionPoint(der []byte) (*IssuingDistributionPoint, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errMalformedExtension
	}
	idp := &IssuingDistributionPoint{Reasons: AllReasons}
	var name, reasons cryptobyte.String
	var hasName, hasReasons bool
	if !seq.ReadOptionalASN1(&name, &hasName, tagCtx0C) {
		return nil, errMalformedExtension
	}
	if hasName {
		n, err := parseDistributionPointName(name)
		if err != nil {
			return nil, err
		}
		idp.Name = n
	}
	readBool := func(out *bool, tag int) bool {
		var v cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&v, &present, cbasn1.Tag(tag).ContextSpecific()) {
			return false
		}
		if present {
			if len(v) != 1 {
				return false
			}
			*out = v[0] != 0
		}
		return true
	}
	if !readBool(&idp.OnlyUser, 1) || !readBool(&idp.OnlyCA, 2) {
		return nil, errMalformedExtension
	}
	if !seq.ReadOptionalASN1(&reasons, &hasReasons, cbasn1.Tag(3).ContextSpecific()) {
		return nil, errMalformedExtension
	}
	if hasReasons {
		r, ok := parseReasonFlags(reasons)
		if !ok {
			return nil, errMalformedExtension
		}
		idp.Reasons = r
	}
	if !readBool(&idp.Indirect, 4) || !readBool(&idp.OnlyAttribute, 5) || !seq.Empty() {
		return nil, errMalformedExtension
	}
	return idp, nil
}
