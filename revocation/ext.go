package revocation

// Parsers for the revocation extensions crypto/x509 leaves alone:
// CRL distribution points with their names, reasons and cRLIssuer
// (2.5.29.31; crypto/x509 keeps only the URIs and refuses
// nameRelativeToCRLIssuer), Freshest CRL (2.5.29.46, same syntax), the
// issuing distribution point (2.5.29.28) and the delta CRL indicator
// (2.5.29.27). All are written with cryptobyte and fuzzed
// (FuzzParseIDP, FuzzParseDistributionPoints).

import (
	"encoding/asn1"
	"errors"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/winchain/winchain/certs"
)

// Extension OIDs (RFC 5280 §4.2.1.13, §5.2, §5.3); the CRL ones have their
// home in certs, beside the CRL parser.
var (
	oidCRLDistributionPoints = asn1.ObjectIdentifier{2, 5, 29, 31}
	oidFreshestCRL           = certs.OIDFreshestCRL
	oidIssuingDistPoint      = certs.OIDIssuingDistPoint
	oidKeyUsage              = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidOCSPNoCheck           = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
	oidOCSPSigning           = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 9}
)

// Reason flags (RFC 5280 ReasonFlags): bit i is CRLReason i.
const (
	reasonKeyCompromise = 1
	reasonHold          = 6 // certificateHold: counts as revoked
	reasonRemoveFromCRL = 8 // removeFromCRL: only in delta CRLs, un-revokes
	// allReasons is every reason a distribution point can cover
	// (keyCompromise … aACompromise, RFC 5280 ReasonFlags bits 1-8).
	allReasons uint16 = 0x1FE
)

var errMalformed = errors.New("malformed extension")

// dpName is a DistributionPointName: fullName or nameRelativeToCRLIssuer
// (an RDN, kept re-tagged as a SET so it can be appended to a Name).
type dpName struct {
	full     []certs.GeneralName
	relative []byte
}

// names expands the name into GeneralNames; a relative name is appended to
// base (the CRL issuer's name, RFC 5280 §4.2.1.13).
func (n *dpName) names(base []byte) []certs.GeneralName {
	if n == nil {
		return nil
	}
	if n.relative == nil {
		return n.full
	}
	in := cryptobyte.String(base)
	var rdns cryptobyte.String
	if !in.ReadASN1(&rdns, cbasn1.SEQUENCE) {
		return nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(rdns)
		b.AddBytes(n.relative)
	})
	name, err := b.Bytes()
	if err != nil {
		return nil
	}
	return []certs.GeneralName{{Type: certs.NameDirectory, Raw: name}}
}

// distributionPoint is one DistributionPoint of a CDP or Freshest CRL
// extension.
type distributionPoint struct {
	name       *dpName
	reasons    uint16 // allReasons when absent
	hasReasons bool
	crlIssuer  []certs.GeneralName
}

// uris returns the URI names of the full name.
func (d *distributionPoint) uris() []string {
	if d.name == nil {
		return nil
	}
	var out []string
	for _, g := range d.name.full {
		if g.Type == certs.NameURI {
			out = append(out, g.Value)
		}
	}
	return out
}

// parseDistributionPoints parses CRLDistributionPoints / FreshestCRL
// (SEQUENCE OF DistributionPoint).
func parseDistributionPoints(der []byte) ([]distributionPoint, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errMalformed
	}
	var out []distributionPoint
	for !seq.Empty() {
		var dp cryptobyte.String
		if !seq.ReadASN1(&dp, cbasn1.SEQUENCE) {
			return nil, errMalformed
		}
		var d distributionPoint
		d.reasons = allReasons
		var name, reasons, issuer cryptobyte.String
		var hasName, hasIssuer bool
		if !dp.ReadOptionalASN1(&name, &hasName, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
			!dp.ReadOptionalASN1(&reasons, &d.hasReasons, cbasn1.Tag(1).ContextSpecific()) ||
			!dp.ReadOptionalASN1(&issuer, &hasIssuer, cbasn1.Tag(2).Constructed().ContextSpecific()) ||
			!dp.Empty() {
			return nil, errMalformed
		}
		if hasName {
			n, err := parseDPName(name)
			if err != nil {
				return nil, err
			}
			d.name = n
		}
		if d.hasReasons {
			r, ok := parseReasonFlags(reasons)
			if !ok {
				return nil, errMalformed
			}
			d.reasons = r
		}
		if hasIssuer {
			gns, err := certs.ParseGeneralNames(issuer)
			if err != nil {
				return nil, err
			}
			d.crlIssuer = gns
		}
		out = append(out, d)
	}
	return out, nil
}

// parseDPName parses the contents of the [0] EXPLICIT DistributionPointName.
func parseDPName(s cryptobyte.String) (*dpName, error) {
	var body cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&body, &tag) || !s.Empty() {
		return nil, errMalformed
	}
	switch tag {
	case cbasn1.Tag(0).Constructed().ContextSpecific():
		gns, err := certs.ParseGeneralNames(body)
		if err != nil {
			return nil, err
		}
		return &dpName{full: gns}, nil
	case cbasn1.Tag(1).Constructed().ContextSpecific():
		var b cryptobyte.Builder
		b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(body) })
		rdn, err := b.Bytes()
		if err != nil {
			return nil, errMalformed
		}
		return &dpName{relative: rdn}, nil
	}
	return nil, errMalformed
}

// parseReasonFlags reads the contents of an implicitly tagged BIT STRING.
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
	return m & allReasons, true
}

// issuingDistributionPoint is the IDP extension of a CRL.
type issuingDistributionPoint struct {
	name             *dpName
	onlyUser, onlyCA bool
	onlyAttribute    bool
	indirect         bool
	reasons          uint16 // allReasons when absent
	hasReasons       bool
}

// parseIDP parses IssuingDistributionPoint (RFC 5280 §5.2.5).
func parseIDP(der []byte) (*issuingDistributionPoint, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errMalformed
	}
	idp := &issuingDistributionPoint{reasons: allReasons}
	var name, reasons cryptobyte.String
	var hasName bool
	if !seq.ReadOptionalASN1(&name, &hasName, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, errMalformed
	}
	if hasName {
		n, err := parseDPName(name)
		if err != nil {
			return nil, err
		}
		idp.name = n
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
	if !readBool(&idp.onlyUser, 1) || !readBool(&idp.onlyCA, 2) {
		return nil, errMalformed
	}
	if !seq.ReadOptionalASN1(&reasons, &idp.hasReasons, cbasn1.Tag(3).ContextSpecific()) {
		return nil, errMalformed
	}
	if idp.hasReasons {
		r, ok := parseReasonFlags(reasons)
		if !ok {
			return nil, errMalformed
		}
		idp.reasons = r
	}
	if !readBool(&idp.indirect, 4) || !readBool(&idp.onlyAttribute, 5) || !seq.Empty() {
		return nil, errMalformed
	}
	return idp, nil
}
