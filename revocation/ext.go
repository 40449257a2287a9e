package revocation

// The revocation extensions crypto/x509 leaves alone (CRL distribution
// points with their names, reasons and cRLIssuer, Freshest CRL, the issuing
// distribution point) are parsed by certs (certs/distpoint.go), the one
// reader of the distribution point syntax; the delta CRL indicator is read
// by the certs CRL parser.

import (
	"encoding/asn1"
	"errors"

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

// Reason codes (RFC 5280 CRLReason); bit i of a ReasonFlags mask is
// CRLReason i.
const (
	reasonHold          = 6 // certificateHold: counts as revoked
	reasonRemoveFromCRL = 8 // removeFromCRL: only in delta CRLs, un-revokes
	// allReasons is every reason a distribution point can cover.
	allReasons = certs.AllReasons
)

// errMalformed marks a CRL whose delta CRL indicator does not decode.
var errMalformed = errors.New("malformed extension")
