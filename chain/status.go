package chain

import (
	"fmt"
	"strings"
)

// ErrorStatus is CERT_TRUST_STATUS.dwErrorStatus: the CERT_TRUST_* error bits
// with their Windows values (wincrypt.h; spec §1.6).
type ErrorStatus uint32

// CERT_TRUST_STATUS.dwErrorStatus bits.
const (
	NoError                          ErrorStatus = 0x00000000 // CERT_TRUST_NO_ERROR
	IsNotTimeValid                   ErrorStatus = 0x00000001 // CERT_TRUST_IS_NOT_TIME_VALID
	IsNotTimeNested                  ErrorStatus = 0x00000002 // CERT_TRUST_IS_NOT_TIME_NESTED (never set by current Windows, spec §11.1 item 5)
	IsRevoked                        ErrorStatus = 0x00000004 // CERT_TRUST_IS_REVOKED
	IsNotSignatureValid              ErrorStatus = 0x00000008 // CERT_TRUST_IS_NOT_SIGNATURE_VALID
	IsNotValidForUsage               ErrorStatus = 0x00000010 // CERT_TRUST_IS_NOT_VALID_FOR_USAGE
	IsUntrustedRoot                  ErrorStatus = 0x00000020 // CERT_TRUST_IS_UNTRUSTED_ROOT
	RevocationStatusUnknown          ErrorStatus = 0x00000040 // CERT_TRUST_REVOCATION_STATUS_UNKNOWN
	IsCyclic                         ErrorStatus = 0x00000080 // CERT_TRUST_IS_CYCLIC
	InvalidExtension                 ErrorStatus = 0x00000100 // CERT_TRUST_INVALID_EXTENSION
	InvalidPolicyConstraints         ErrorStatus = 0x00000200 // CERT_TRUST_INVALID_POLICY_CONSTRAINTS
	InvalidBasicConstraints          ErrorStatus = 0x00000400 // CERT_TRUST_INVALID_BASIC_CONSTRAINTS
	InvalidNameConstraints           ErrorStatus = 0x00000800 // CERT_TRUST_INVALID_NAME_CONSTRAINTS
	HasNotSupportedNameConstraint    ErrorStatus = 0x00001000 // CERT_TRUST_HAS_NOT_SUPPORTED_NAME_CONSTRAINT
	HasNotDefinedNameConstraint      ErrorStatus = 0x00002000 // CERT_TRUST_HAS_NOT_DEFINED_NAME_CONSTRAINT
	HasNotPermittedNameConstraint    ErrorStatus = 0x00004000 // CERT_TRUST_HAS_NOT_PERMITTED_NAME_CONSTRAINT
	HasExcludedNameConstraint        ErrorStatus = 0x00008000 // CERT_TRUST_HAS_EXCLUDED_NAME_CONSTRAINT
	IsPartialChain                   ErrorStatus = 0x00010000 // CERT_TRUST_IS_PARTIAL_CHAIN (chain level only)
	CTLIsNotTimeValid                ErrorStatus = 0x00020000 // CERT_TRUST_CTL_IS_NOT_TIME_VALID
	CTLIsNotSignatureValid           ErrorStatus = 0x00040000 // CERT_TRUST_CTL_IS_NOT_SIGNATURE_VALID
	CTLIsNotValidForUsage            ErrorStatus = 0x00080000 // CERT_TRUST_CTL_IS_NOT_VALID_FOR_USAGE
	HasWeakSignature                 ErrorStatus = 0x00100000 // CERT_TRUST_HAS_WEAK_SIGNATURE
	IsOfflineRevocation              ErrorStatus = 0x01000000 // CERT_TRUST_IS_OFFLINE_REVOCATION
	NoIssuanceChainPolicy            ErrorStatus = 0x02000000 // CERT_TRUST_NO_ISSUANCE_CHAIN_POLICY
	IsExplicitDistrust               ErrorStatus = 0x04000000 // CERT_TRUST_IS_EXPLICIT_DISTRUST
	HasNotSupportedCriticalExtension ErrorStatus = 0x08000000 // CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT
)

// nameConstraintErrors are the bits that CERT_CHAIN_POLICY_IGNORE_INVALID_NAME_FLAG covers.
const nameConstraintErrors = InvalidNameConstraints | HasNotSupportedNameConstraint |
	HasNotDefinedNameConstraint | HasNotPermittedNameConstraint | HasExcludedNameConstraint

// bitName names one bit of a status word.
type bitName[T ~uint32] struct {
	bit  T
	name string
}

// bitNames returns the names of the bits set in s, in table order (lowest
// bit first), and the hex of any bit the table does not name.
func bitNames[T ~uint32](s T, table []bitName[T]) []string {
	var out []string
	rest := s
	for _, e := range table {
		if s&e.bit != 0 {
			out = append(out, e.name)
			rest &^= e.bit
		}
	}
	if rest != 0 {
		out = append(out, fmt.Sprintf("0x%08X", uint32(rest)))
	}
	return out
}

var errorNames = []bitName[ErrorStatus]{
	{IsNotTimeValid, "CERT_TRUST_IS_NOT_TIME_VALID"},
	{IsNotTimeNested, "CERT_TRUST_IS_NOT_TIME_NESTED"},
	{IsRevoked, "CERT_TRUST_IS_REVOKED"},
	{IsNotSignatureValid, "CERT_TRUST_IS_NOT_SIGNATURE_VALID"},
	{IsNotValidForUsage, "CERT_TRUST_IS_NOT_VALID_FOR_USAGE"},
	{IsUntrustedRoot, "CERT_TRUST_IS_UNTRUSTED_ROOT"},
	{RevocationStatusUnknown, "CERT_TRUST_REVOCATION_STATUS_UNKNOWN"},
	{IsCyclic, "CERT_TRUST_IS_CYCLIC"},
	{InvalidExtension, "CERT_TRUST_INVALID_EXTENSION"},
	{InvalidPolicyConstraints, "CERT_TRUST_INVALID_POLICY_CONSTRAINTS"},
	{InvalidBasicConstraints, "CERT_TRUST_INVALID_BASIC_CONSTRAINTS"},
	{InvalidNameConstraints, "CERT_TRUST_INVALID_NAME_CONSTRAINTS"},
	{HasNotSupportedNameConstraint, "CERT_TRUST_HAS_NOT_SUPPORTED_NAME_CONSTRAINT"},
	{HasNotDefinedNameConstraint, "CERT_TRUST_HAS_NOT_DEFINED_NAME_CONSTRAINT"},
	{HasNotPermittedNameConstraint, "CERT_TRUST_HAS_NOT_PERMITTED_NAME_CONSTRAINT"},
	{HasExcludedNameConstraint, "CERT_TRUST_HAS_EXCLUDED_NAME_CONSTRAINT"},
	{IsPartialChain, "CERT_TRUST_IS_PARTIAL_CHAIN"},
	{CTLIsNotTimeValid, "CERT_TRUST_CTL_IS_NOT_TIME_VALID"},
	{CTLIsNotSignatureValid, "CERT_TRUST_CTL_IS_NOT_SIGNATURE_VALID"},
	{CTLIsNotValidForUsage, "CERT_TRUST_CTL_IS_NOT_VALID_FOR_USAGE"},
	{HasWeakSignature, "CERT_TRUST_HAS_WEAK_SIGNATURE"},
	{IsOfflineRevocation, "CERT_TRUST_IS_OFFLINE_REVOCATION"},
	{NoIssuanceChainPolicy, "CERT_TRUST_NO_ISSUANCE_CHAIN_POLICY"},
	{IsExplicitDistrust, "CERT_TRUST_IS_EXPLICIT_DISTRUST"},
	{HasNotSupportedCriticalExtension, "CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT"},
}

// Names returns the Windows constant names of the set bits, lowest bit
// first. Bits without a name print as hex.
func (s ErrorStatus) Names() []string { return bitNames(s, errorNames) }

// String prints the names joined by " | ", or CERT_TRUST_NO_ERROR.
func (s ErrorStatus) String() string {
	if s == 0 {
		return "CERT_TRUST_NO_ERROR"
	}
	return strings.Join(s.Names(), " | ")
}

// InfoStatus is CERT_TRUST_STATUS.dwInfoStatus (wincrypt.h; spec §1.6).
type InfoStatus uint32

// CERT_TRUST_STATUS.dwInfoStatus bits.
const (
	HasExactMatchIssuer        InfoStatus = 0x00000001 // CERT_TRUST_HAS_EXACT_MATCH_ISSUER
	HasKeyMatchIssuer          InfoStatus = 0x00000002 // CERT_TRUST_HAS_KEY_MATCH_ISSUER
	HasNameMatchIssuer         InfoStatus = 0x00000004 // CERT_TRUST_HAS_NAME_MATCH_ISSUER
	IsSelfSigned               InfoStatus = 0x00000008 // CERT_TRUST_IS_SELF_SIGNED
	AutoUpdateCARevocation     InfoStatus = 0x00000010 // CERT_TRUST_AUTO_UPDATE_CA_REVOCATION
	AutoUpdateEndRevocation    InfoStatus = 0x00000020 // CERT_TRUST_AUTO_UPDATE_END_REVOCATION
	NoOCSPFailoverToCRL        InfoStatus = 0x00000040 // CERT_TRUST_NO_OCSP_FAILOVER_TO_CRL
	IsKeyRollover              InfoStatus = 0x00000080 // CERT_TRUST_IS_KEY_ROLLOVER
	HasPreferredIssuer         InfoStatus = 0x00000100 // CERT_TRUST_HAS_PREFERRED_ISSUER
	HasIssuanceChainPolicy     InfoStatus = 0x00000200 // CERT_TRUST_HAS_ISSUANCE_CHAIN_POLICY
	HasValidNameConstraints    InfoStatus = 0x00000400 // CERT_TRUST_HAS_VALID_NAME_CONSTRAINTS
	IsPeerTrusted              InfoStatus = 0x00000800 // CERT_TRUST_IS_PEER_TRUSTED
	HasCRLValidityExtended     InfoStatus = 0x00001000 // CERT_TRUST_HAS_CRL_VALIDITY_EXTENDED
	IsFromExclusiveTrustStore  InfoStatus = 0x00002000 // CERT_TRUST_IS_FROM_EXCLUSIVE_TRUST_STORE
	IsCATrusted                InfoStatus = 0x00004000 // CERT_TRUST_IS_CA_TRUSTED
	HasAutoUpdateWeakSignature InfoStatus = 0x00008000 // CERT_TRUST_HAS_AUTO_UPDATE_WEAK_SIGNATURE
	IsComplexChain             InfoStatus = 0x00010000 // CERT_TRUST_IS_COMPLEX_CHAIN
	HasAllowWeakSignature      InfoStatus = 0x00020000 // CERT_TRUST_HAS_ALLOW_WEAK_SIGNATURE
	SSLHandshakeOCSP           InfoStatus = 0x00040000 // CERT_TRUST_SSL_HANDSHAKE_OCSP
	SSLTimeValidOCSP           InfoStatus = 0x00080000 // CERT_TRUST_SSL_TIME_VALID_OCSP
	SSLReconnectOCSP           InfoStatus = 0x00100000 // CERT_TRUST_SSL_RECONNECT_OCSP
	SSLTimeValid               InfoStatus = 0x01000000 // CERT_TRUST_SSL_TIME_VALID
	NoTimeCheck                InfoStatus = 0x02000000 // CERT_TRUST_NO_TIME_CHECK
	elementOnlyInfo            InfoStatus = 0x0000000F // EXACT|KEY|NAME match and SELF_SIGNED stay on the element (spec §1.7)
)

var infoNames = []bitName[InfoStatus]{
	{HasExactMatchIssuer, "CERT_TRUST_HAS_EXACT_MATCH_ISSUER"},
	{HasKeyMatchIssuer, "CERT_TRUST_HAS_KEY_MATCH_ISSUER"},
	{HasNameMatchIssuer, "CERT_TRUST_HAS_NAME_MATCH_ISSUER"},
	{IsSelfSigned, "CERT_TRUST_IS_SELF_SIGNED"},
	{AutoUpdateCARevocation, "CERT_TRUST_AUTO_UPDATE_CA_REVOCATION"},
	{AutoUpdateEndRevocation, "CERT_TRUST_AUTO_UPDATE_END_REVOCATION"},
	{NoOCSPFailoverToCRL, "CERT_TRUST_NO_OCSP_FAILOVER_TO_CRL"},
	{IsKeyRollover, "CERT_TRUST_IS_KEY_ROLLOVER"},
	{HasPreferredIssuer, "CERT_TRUST_HAS_PREFERRED_ISSUER"},
	{HasIssuanceChainPolicy, "CERT_TRUST_HAS_ISSUANCE_CHAIN_POLICY"},
	{HasValidNameConstraints, "CERT_TRUST_HAS_VALID_NAME_CONSTRAINTS"},
	{IsPeerTrusted, "CERT_TRUST_IS_PEER_TRUSTED"},
	{HasCRLValidityExtended, "CERT_TRUST_HAS_CRL_VALIDITY_EXTENDED"},
	{IsFromExclusiveTrustStore, "CERT_TRUST_IS_FROM_EXCLUSIVE_TRUST_STORE"},
	{IsCATrusted, "CERT_TRUST_IS_CA_TRUSTED"},
	{HasAutoUpdateWeakSignature, "CERT_TRUST_HAS_AUTO_UPDATE_WEAK_SIGNATURE"},
	{IsComplexChain, "CERT_TRUST_IS_COMPLEX_CHAIN"},
	{HasAllowWeakSignature, "CERT_TRUST_HAS_ALLOW_WEAK_SIGNATURE"},
	{SSLHandshakeOCSP, "CERT_TRUST_SSL_HANDSHAKE_OCSP"},
	{SSLTimeValidOCSP, "CERT_TRUST_SSL_TIME_VALID_OCSP"},
	{SSLReconnectOCSP, "CERT_TRUST_SSL_RECONNECT_OCSP"},
	{SSLTimeValid, "CERT_TRUST_SSL_TIME_VALID"},
	{NoTimeCheck, "CERT_TRUST_NO_TIME_CHECK"},
}

// Names returns the Windows constant names of the set bits, lowest first.
func (s InfoStatus) Names() []string { return bitNames(s, infoNames) }

// String prints the names joined by " | ", or "0" when no bit is set.
func (s InfoStatus) String() string {
	if s == 0 {
		return "0"
	}
	return strings.Join(s.Names(), " | ")
}

// TrustStatus is CERT_TRUST_STATUS.
type TrustStatus struct {
	ErrorStatus ErrorStatus
	InfoStatus  InfoStatus
}

// String prints both words as certutil does ("dwErrorStatus=… dwInfoStatus=…")
// followed by the names.
func (t TrustStatus) String() string {
	return fmt.Sprintf("dwErrorStatus=%X (%s) dwInfoStatus=%X (%s)",
		uint32(t.ErrorStatus), t.ErrorStatus, uint32(t.InfoStatus), t.InfoStatus)
}

// TrustStatusJSON is the JSON form of a [TrustStatus] in winchain's
// reports (the trustStatus objects of `winchain verify --json` and
// `winchain capi2 --json`, docs/cli.md): both words as 0x%08X hex and the
// Windows constant names of their bits, lowest bit first; the name lists
// are [] (never null) when no bit is set. Field names are a contract:
// extended, never renamed.
type TrustStatusJSON struct {
	ErrorStatus string   `json:"errorStatus"`
	InfoStatus  string   `json:"infoStatus"`
	Errors      []string `json:"errors"`
	Info        []string `json:"info"`
}

// JSON returns t in the shape of [TrustStatusJSON].
func (t TrustStatus) JSON() TrustStatusJSON {
	j := TrustStatusJSON{
		ErrorStatus: fmt.Sprintf("0x%08X", uint32(t.ErrorStatus)),
		InfoStatus:  fmt.Sprintf("0x%08X", uint32(t.InfoStatus)),
		Errors:      t.ErrorStatus.Names(),
		Info:        t.InfoStatus.Names(),
	}
	if j.Errors == nil {
		j.Errors = []string{}
	}
	if j.Info == nil {
		j.Info = []string{}
	}
	return j
}

// combine ORs an element's status into a simple chain's (spec §1.7): every
// error bit, and the info bits other than the element-only low nibble.
func (t *TrustStatus) combine(el TrustStatus) {
	t.ErrorStatus |= el.ErrorStatus
	t.InfoStatus |= el.InfoStatus &^ elementOnlyInfo
}
