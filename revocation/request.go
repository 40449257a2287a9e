// Package revocation checks one certificate against its issuer the way the
// Windows revocation provider (CertVerifyRevocation) does: OCSP first, CRL as
// the fallback, with Windows' rules for signers, freshness and caching
// (spec §3). All network and cache access goes through cache.Retriever.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package revocation

import (
	"crypto/dsa" //nolint:staticcheck // Windows still validates DSA chains (PKITS 4.1.4-4.1.6).
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// Status is the outcome of a revocation check, as the CLI JSON spells it
// (docs/cli.md revocation.result).
type Status string

// Revocation outcomes.
const (
	// Good: a valid CRL or OCSP response says the certificate is not revoked.
	Good Status = "good"
	// Revoked: listed on a valid CRL, or OCSP says revoked (CRYPT_E_REVOKED).
	Revoked Status = "revoked"
	// Offline: no valid, fresh revocation data could be had
	// (CRYPT_E_REVOCATION_OFFLINE; element bits 0x01000040).
	Offline Status = "offline"
	// NoCheck: the certificate has no CDP and no OCSP URL
	// (CRYPT_E_NO_REVOCATION_CHECK; element bit 0x40).
	NoCheck Status = "no-check"
	// Unknown: the status could not be determined for another reason
	// (e.g. the issuer is revoked); treated like Offline.
	Unknown Status = "unknown"
	// NotChecked: revocation was not requested for this element.
	NotChecked Status = "not-checked"
)

// Request is what the chain engine asks for one element.
type Request struct {
	// Time is pTime: whether a listed certificate counts as revoked.
	Time time.Time
	// Now is the machine clock: CRL/OCSP freshness (spec §1.1).
	Now time.Time
	// CacheOnly is CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY.
	CacheOnly bool
	// AccumulativeTimeout is CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT; the
	// budget is shared by every element of one chain build.
	Budget *cache.Budget
	// Timeout is the per-URL timeout (dwUrlRetrievalTimeout); 0 = default.
	Timeout time.Duration
	// StoreCRLs are CRLs found in the local stores (the CA store), looked up
	// by issuer before the network (spec §3.2).
	StoreCRLs []*certs.CRL
	// FreshnessTime is dwRevocationFreshnessTime when
	// fCheckRevocationFreshnessTime is set; 0 = not set.
	FreshnessTime time.Duration
	// IsRoot is true for the self-signed top element.
	IsRoot bool
	// CacheResync is pftCacheResync (CERT_CHAIN_PARA): cached objects
	// downloaded before it are not used. Zero means none.
	CacheResync time.Time
	// OCSPSigner is CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT: the certificate
	// is an OCSP responder's, checked because it signed a response. OCSP is
	// not used for it (CRLs only), so the check cannot recurse (spec §1.4).
	OCSPSigner bool
	// InheritedDSAParameters are the DSA domain parameters the issuer's key
	// inherits from the certificate above it (RFC 3279 §2.3.2, PKITS
	// 4.1.5): its CRLs and OCSP responses are verified with them. nil when
	// the key has its own parameters or is not DSA.
	InheritedDSAParameters *dsa.Parameters
}

// Result is the element's revocation information (CERT_REVOCATION_INFO plus
// the evidence winchain keeps).
type Result struct {
	Status Status
	// Source is "crl", "ocsp" or "" when nothing answered.
	Source string
	// URL is the URL whose answer decided the status, if any.
	URL string
	// From is where that answer came from: "memory", "disk", "network",
	// "store", or "".
	From string
	// ThisUpdate and NextUpdate of the deciding CRL or OCSP response.
	ThisUpdate, NextUpdate time.Time
	// FreshnessTime is now − ThisUpdate (dwFreshnessTime), when known.
	FreshnessTime time.Duration
	HasFreshness  bool
	// ValidityExtended is true when a CRL was used past its NextUpdate
	// within CRLValidityExtensionPeriod (CERT_TRUST_HAS_CRL_VALIDITY_EXTENDED).
	ValidityExtended bool
	// RevocationTime and Reason when revoked.
	RevocationTime time.Time
	Reason         int
	// Detail explains the status in words ("CRL signature does not verify").
	Detail string
	// Retrievals is the retrieval log of this check.
	Retrievals []*cache.Result
	// DeltaApplied is true when a delta CRL was combined with the base CRL
	// (CERT_REVOCATION_CRL_INFO.pDeltaCrlContext non-NULL).
	DeltaApplied bool
	// Err is non-nil only for unusable input ([ErrNilCertificate]); the
	// Status is then Unknown.
	Err error
}
