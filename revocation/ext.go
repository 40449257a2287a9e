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

// Extension and EKU OIDs (RFC 5280 §4.2.1.3, §4.2.1.12, §4.2.1.13, §5.2;
// RFC 6960 §4.2.2.2.1). Their home is certs, beside the parsers; only
// id-pkix-ocsp-nocheck, which only revocation reads, is defined here.
var (
	oidCRLDistributionPoints = certs.OIDCRLDistributionPoints
	oidFreshestCRL           = certs.OIDFreshestCRL
	oidIssuingDistPoint      = certs.OIDIssuingDistPoint
	oidKeyUsage              = certs.OIDKeyUsage
	oidOCSPSigning           = certs.OIDExtKeyUsageOCSPSigning
	// oidOCSPNoCheck is id-pkix-ocsp-nocheck, szOID_PKIX_OCSP_NOCHECK
	// (RFC 6960 §4.2.2.2.1).
	oidOCSPNoCheck = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 5}
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
