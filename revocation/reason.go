package revocation

import (
	"fmt"
	"time"
)

// CRL entry and OCSP revocation reason codes (RFC 5280 §5.3.1 CRLReason;
// the same values in OCSP's RevokedInfo, RFC 6960 §4.2.1). Windows exposes
// them as CRL_REASON_* (wincrypt.h): CRL_REASON_UNSPECIFIED 0 …
// CRL_REASON_AA_COMPROMISE 10; value 7 is not used.
var reasonNames = map[int]string{
	0:  "unspecified",          // CRL_REASON_UNSPECIFIED
	1:  "keyCompromise",        // CRL_REASON_KEY_COMPROMISE
	2:  "cACompromise",         // CRL_REASON_CA_COMPROMISE
	3:  "affiliationChanged",   // CRL_REASON_AFFILIATION_CHANGED
	4:  "superseded",           // CRL_REASON_SUPERSEDED
	5:  "cessationOfOperation", // CRL_REASON_CESSATION_OF_OPERATION
	6:  "certificateHold",      // CRL_REASON_CERTIFICATE_HOLD
	8:  "removeFromCRL",        // CRL_REASON_REMOVE_FROM_CRL
	9:  "privilegeWithdrawn",   // CRL_REASON_PRIVILEGE_WITHDRAWN
	10: "aACompromise",         // CRL_REASON_AA_COMPROMISE
}

// ReasonName returns the RFC 5280 name of a CRLReason code
// ("keyCompromise"); an unassigned code reads "reason N".
func ReasonName(code int) string {
	if n, ok := reasonNames[code]; ok {
		return n
	}
	return fmt.Sprintf("reason %d", code)
}

// ExplainRevoked says in words why a result is "revoked": which CRL or
// OCSP response lists the certificate, since when and for what reason, e.g.
// "the CRL http://pki.contoso.test/issuing1.crl (from disk) lists it as
// revoked since 2026-11-24T00:00:00Z, reason unspecified". source, url and
// from are those of the [Result]; empty parts are left out.
func ExplainRevoked(source, url, from string, at time.Time, reason int) string {
	what := "the revocation information"
	switch source {
	case "crl":
		what = "the CRL"
	case "ocsp":
		what = "the OCSP response"
	}
	if url != "" {
		what += " " + url
	}
	if from != "" {
		what += " (from " + from + ")"
	}
	s := what
	if source == "ocsp" {
		s += " says it is revoked"
	} else {
		s += " lists it as revoked"
	}
	if !at.IsZero() {
		s += " since " + at.UTC().Format(time.RFC3339)
	}
	return s + ", reason " + ReasonName(reason)
}
