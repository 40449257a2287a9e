package chain

import (
	"fmt"
	"net"
	"strings"

	"github.com/winchain/winchain/certs"
)

// HRESULT is a Windows error code as returned in
// CERT_CHAIN_POLICY_STATUS.dwError (winerror.h; spec §2.2).
type HRESULT uint32

// Policy errors (winerror.h).
const (
	S_OK                            HRESULT = 0x00000000
	TRUST_E_CERT_SIGNATURE          HRESULT = 0x80096004
	TRUST_E_BASIC_CONSTRAINTS       HRESULT = 0x80096019
	TRUST_E_EXPLICIT_DISTRUST       HRESULT = 0x800B0111
	TRUST_E_FAIL                    HRESULT = 0x800B010B
	CERT_E_EXPIRED                  HRESULT = 0x800B0101
	CERT_E_VALIDITYPERIODNESTING    HRESULT = 0x800B0102
	CERT_E_ROLE                     HRESULT = 0x800B0103
	CERT_E_PATHLENCONST             HRESULT = 0x800B0104
	CERT_E_CRITICAL                 HRESULT = 0x800B0105
	CERT_E_PURPOSE                  HRESULT = 0x800B0106
	CERT_E_ISSUERCHAINING           HRESULT = 0x800B0107
	CERT_E_MALFORMED                HRESULT = 0x800B0108
	CERT_E_UNTRUSTEDROOT            HRESULT = 0x800B0109
	CERT_E_CHAINING                 HRESULT = 0x800B010A
	CERT_E_REVOKED                  HRESULT = 0x800B010C
	CERT_E_UNTRUSTEDTESTROOT        HRESULT = 0x800B010D
	CERT_E_REVOCATION_FAILURE       HRESULT = 0x800B010E
	CERT_E_CN_NO_MATCH              HRESULT = 0x800B010F
	CERT_E_WRONG_USAGE              HRESULT = 0x800B0110
	CERT_E_UNTRUSTEDCA              HRESULT = 0x800B0112
	CERT_E_INVALID_POLICY           HRESULT = 0x800B0113
	CERT_E_INVALID_NAME             HRESULT = 0x800B0114
	CRYPT_E_NOT_FOUND               HRESULT = 0x80092004
	CRYPT_E_REVOKED                 HRESULT = 0x80092010
	CRYPT_E_NO_REVOCATION_DLL       HRESULT = 0x80092011
	CRYPT_E_NO_REVOCATION_CHECK     HRESULT = 0x80092012
	CRYPT_E_REVOCATION_OFFLINE      HRESULT = 0x80092013
	CRYPT_E_NOT_IN_REVOCATION_DB    HRESULT = 0x80092014
	CRYPT_E_SECURITY_SETTINGS       HRESULT = 0x80092026
	ERROR_WINHTTP_TIMEOUT           HRESULT = 0x80072EE2
	ERROR_WINHTTP_NAME_NOT_RESOLVED HRESULT = 0x80072EE7
	ERROR_WINHTTP_CANNOT_CONNECT    HRESULT = 0x80072EFD
	ERROR_WINHTTP_CONNECTION_ERROR  HRESULT = 0x80072EFE
)

var hresultNames = map[HRESULT]string{
	TRUST_E_CERT_SIGNATURE:          "TRUST_E_CERT_SIGNATURE",
	TRUST_E_BASIC_CONSTRAINTS:       "TRUST_E_BASIC_CONSTRAINTS",
	TRUST_E_EXPLICIT_DISTRUST:       "TRUST_E_EXPLICIT_DISTRUST",
	TRUST_E_FAIL:                    "TRUST_E_FAIL",
	CERT_E_EXPIRED:                  "CERT_E_EXPIRED",
	CERT_E_VALIDITYPERIODNESTING:    "CERT_E_VALIDITYPERIODNESTING",
	CERT_E_ROLE:                     "CERT_E_ROLE",
	CERT_E_PATHLENCONST:             "CERT_E_PATHLENCONST",
	CERT_E_CRITICAL:                 "CERT_E_CRITICAL",
	CERT_E_PURPOSE:                  "CERT_E_PURPOSE",
	CERT_E_ISSUERCHAINING:           "CERT_E_ISSUERCHAINING",
	CERT_E_MALFORMED:                "CERT_E_MALFORMED",
	CERT_E_UNTRUSTEDROOT:            "CERT_E_UNTRUSTEDROOT",
	CERT_E_CHAINING:                 "CERT_E_CHAINING",
	CERT_E_REVOKED:                  "CERT_E_REVOKED",
	CERT_E_UNTRUSTEDTESTROOT:        "CERT_E_UNTRUSTEDTESTROOT",
	CERT_E_REVOCATION_FAILURE:       "CERT_E_REVOCATION_FAILURE",
	CERT_E_CN_NO_MATCH:              "CERT_E_CN_NO_MATCH",
	CERT_E_WRONG_USAGE:              "CERT_E_WRONG_USAGE",
	CERT_E_UNTRUSTEDCA:              "CERT_E_UNTRUSTEDCA",
	CERT_E_INVALID_POLICY:           "CERT_E_INVALID_POLICY",
	CERT_E_INVALID_NAME:             "CERT_E_INVALID_NAME",
	CRYPT_E_NOT_FOUND:               "CRYPT_E_NOT_FOUND",
	CRYPT_E_REVOKED:                 "CRYPT_E_REVOKED",
	CRYPT_E_NO_REVOCATION_DLL:       "CRYPT_E_NO_REVOCATION_DLL",
	CRYPT_E_NO_REVOCATION_CHECK:     "CRYPT_E_NO_REVOCATION_CHECK",
	CRYPT_E_REVOCATION_OFFLINE:      "CRYPT_E_REVOCATION_OFFLINE",
	CRYPT_E_NOT_IN_REVOCATION_DB:    "CRYPT_E_NOT_IN_REVOCATION_DATABASE",
	CRYPT_E_SECURITY_SETTINGS:       "CRYPT_E_SECURITY_SETTINGS",
	ERROR_WINHTTP_TIMEOUT:           "ERROR_WINHTTP_TIMEOUT",
	ERROR_WINHTTP_NAME_NOT_RESOLVED: "ERROR_WINHTTP_NAME_NOT_RESOLVED",
	ERROR_WINHTTP_CANNOT_CONNECT:    "ERROR_WINHTTP_CANNOT_CONNECT",
	ERROR_WINHTTP_CONNECTION_ERROR:  "ERROR_WINHTTP_CONNECTION_ERROR",
}

// Name returns the winerror.h name ("" for S_OK, hex for unknown codes).
func (h HRESULT) Name() string {
	if h == S_OK {
		return ""
	}
	if n, ok := hresultNames[h]; ok {
		return n
	}
	return fmt.Sprintf("0x%08X", uint32(h))
}

// String returns "0x800B0109 (CERT_E_UNTRUSTEDROOT)" or "0x00000000 (S_OK)".
func (h HRESULT) String() string {
	if h == S_OK {
		return "0x00000000 (S_OK)"
	}
	return fmt.Sprintf("0x%08X (%s)", uint32(h), h.Name())
}

// Policy is the pszPolicyOID of CertVerifyCertificateChainPolicy (spec §2.1).
type Policy int

// Chain policies (CERT_CHAIN_POLICY_*).
const (
	PolicyBase             Policy = 1 // CERT_CHAIN_POLICY_BASE
	PolicyAuthenticode     Policy = 2 // CERT_CHAIN_POLICY_AUTHENTICODE (not implemented)
	PolicySSL              Policy = 4 // CERT_CHAIN_POLICY_SSL
	PolicyBasicConstraints Policy = 5 // CERT_CHAIN_POLICY_BASIC_CONSTRAINTS
	PolicyNTAuth           Policy = 6 // CERT_CHAIN_POLICY_NT_AUTH (not implemented)
	PolicyMicrosoftRoot    Policy = 7 // CERT_CHAIN_POLICY_MICROSOFT_ROOT (not implemented)
)

// String returns the name used in the CLI JSON ("BASE", "SSL", "BASIC_CONSTRAINTS").
func (p Policy) String() string {
	switch p {
	case PolicyBase:
		return "BASE"
	case PolicyAuthenticode:
		return "AUTHENTICODE"
	case PolicySSL:
		return "SSL"
	case PolicyBasicConstraints:
		return "BASIC_CONSTRAINTS"
	case PolicyNTAuth:
		return "NT_AUTH"
	case PolicyMicrosoftRoot:
		return "MICROSOFT_ROOT"
	}
	return fmt.Sprintf("%s%d", "POLICY_", int(p))
}

// PolicyFlags are CERT_CHAIN_POLICY_PARA.dwFlags (wincrypt.h; spec §2.3).
type PolicyFlags uint32

// CERT_CHAIN_POLICY_* flags.
const (
	IgnoreNotTimeValid            PolicyFlags = 0x00000001 // CERT_CHAIN_POLICY_IGNORE_NOT_TIME_VALID_FLAG
	IgnoreCTLNotTimeValid         PolicyFlags = 0x00000002 // CERT_CHAIN_POLICY_IGNORE_CTL_NOT_TIME_VALID_FLAG
	IgnoreNotTimeNested           PolicyFlags = 0x00000004 // CERT_CHAIN_POLICY_IGNORE_NOT_TIME_NESTED_FLAG
	IgnoreInvalidBasicConstraints PolicyFlags = 0x00000008 // CERT_CHAIN_POLICY_IGNORE_INVALID_BASIC_CONSTRAINTS_FLAG
	AllowUnknownCA                PolicyFlags = 0x00000010 // CERT_CHAIN_POLICY_ALLOW_UNKNOWN_CA_FLAG
	IgnoreWrongUsage              PolicyFlags = 0x00000020 // CERT_CHAIN_POLICY_IGNORE_WRONG_USAGE_FLAG
	IgnoreInvalidName             PolicyFlags = 0x00000040 // CERT_CHAIN_POLICY_IGNORE_INVALID_NAME_FLAG
	IgnoreInvalidPolicy           PolicyFlags = 0x00000080 // CERT_CHAIN_POLICY_IGNORE_INVALID_POLICY_FLAG
	IgnoreEndRevUnknown           PolicyFlags = 0x00000100 // CERT_CHAIN_POLICY_IGNORE_END_REV_UNKNOWN_FLAG
	IgnoreCTLSignerRevUnknown     PolicyFlags = 0x00000200 // CERT_CHAIN_POLICY_IGNORE_CTL_SIGNER_REV_UNKNOWN_FLAG
	IgnoreCARevUnknown            PolicyFlags = 0x00000400 // CERT_CHAIN_POLICY_IGNORE_CA_REV_UNKNOWN_FLAG
	IgnoreRootRevUnknown          PolicyFlags = 0x00000800 // CERT_CHAIN_POLICY_IGNORE_ROOT_REV_UNKNOWN_FLAG
	IgnorePeerTrust               PolicyFlags = 0x00001000 // CERT_CHAIN_POLICY_IGNORE_PEER_TRUST_FLAG
	IgnoreNotSupportedCriticalExt PolicyFlags = 0x00002000 // CERT_CHAIN_POLICY_IGNORE_NOT_SUPPORTED_CRITICAL_EXT_FLAG
	TrustTestRoot                 PolicyFlags = 0x00004000 // CERT_CHAIN_POLICY_TRUST_TESTROOT_FLAG
	AllowTestRoot                 PolicyFlags = 0x00008000 // CERT_CHAIN_POLICY_ALLOW_TESTROOT_FLAG
	IgnoreAllNotTimeValid         PolicyFlags = 0x00000007 // CERT_CHAIN_POLICY_IGNORE_ALL_NOT_TIME_VALID_FLAGS
	IgnoreAllRevUnknown           PolicyFlags = 0x00000F00 // CERT_CHAIN_POLICY_IGNORE_ALL_REV_UNKNOWN_FLAGS
)

// SSLChecks are SSL_EXTRA_CERT_CHAIN_POLICY_PARA.fdwChecks (wininet.h
// SECURITY_FLAG_IGNORE_*).
type SSLChecks uint32

// SECURITY_FLAG_IGNORE_* values.
const (
	SSLIgnoreRevocation      SSLChecks = 0x00000080 // SECURITY_FLAG_IGNORE_REVOCATION
	SSLIgnoreUnknownCA       SSLChecks = 0x00000100 // SECURITY_FLAG_IGNORE_UNKNOWN_CA
	SSLIgnoreWrongUsage      SSLChecks = 0x00000200 // SECURITY_FLAG_IGNORE_WRONG_USAGE
	SSLIgnoreCertCNInvalid   SSLChecks = 0x00001000 // SECURITY_FLAG_IGNORE_CERT_CN_INVALID
	SSLIgnoreCertDateInvalid SSLChecks = 0x00002000 // SECURITY_FLAG_IGNORE_CERT_DATE_INVALID
	SSLIgnoreWeakSignature   SSLChecks = 0x00010000 // SECURITY_FLAG_IGNORE_WEAK_SIGNATURE
)

// AuthType is SSL_EXTRA_CERT_CHAIN_POLICY_PARA.dwAuthType.
type AuthType int

// Authentication types.
const (
	AuthServer AuthType = 2 // AUTHTYPE_SERVER (the default: the zero value means server)
	AuthClient AuthType = 1 // AUTHTYPE_CLIENT
)

// PolicyPara is CERT_CHAIN_POLICY_PARA with the SSL extra parameters.
type PolicyPara struct {
	// Flags are the CERT_CHAIN_POLICY_* ignore flags.
	Flags PolicyFlags
	// SSL policy only: the server name to match (pwszServerName; empty
	// skips the name check), the checks to skip, and the side checked
	// (zero means AuthServer).
	ServerName string
	SSLChecks  SSLChecks
	AuthType   AuthType
}

// PolicyStatus is CERT_CHAIN_POLICY_STATUS.
type PolicyStatus struct {
	Policy Policy
	// Error is dwError: S_OK when the policy passes.
	Error HRESULT
	// ChainIndex and ElementIndex (lChainIndex, lElementIndex) point to the
	// first element with the error; -1 when the error is about the whole
	// context or chain, and -1/-1 on success (spec §2.1, §11.1 item 10).
	ChainIndex, ElementIndex int
	// Detail explains the error in words.
	Detail string
}

// OK reports whether the policy passed.
func (s PolicyStatus) OK() bool { return s.Error == S_OK }

func fail(p Policy, h HRESULT, chain, el int, detail string) PolicyStatus {
	return PolicyStatus{Policy: p, Error: h, ChainIndex: chain, ElementIndex: el, Detail: detail}
}

// EKU OIDs the SSL policy accepts for each side; Server Gated Crypto OIDs
// count as server authentication.
var (
	sslServerUsages = []string{"1.3.6.1.5.5.7.3.1", "1.3.6.1.4.1.311.10.3.3", "2.16.840.1.113730.4.1"}
	sslClientUsages = []string{"1.3.6.1.5.5.7.3.2"}
)

// VerifyPolicy is CertVerifyCertificateChainPolicy for the BASE, SSL and
// BASIC_CONSTRAINTS policies. It reads only the trust bits already in cc (it
// does no revocation checking itself, spec §2.1) and reports one error, in
// this order (spec §2.3, pinned where §11.1 pins it):
//
//	TRUST_E_CERT_SIGNATURE → CERT_E_CHAINING (partial/cyclic; SSL: CERT_E_UNTRUSTEDROOT)
//	→ CERT_E_UNTRUSTEDROOT → TRUST_E_EXPLICIT_DISTRUST → CERT_E_EXPIRED
//	→ CERT_E_WRONG_USAGE → TRUST_E_BASIC_CONSTRAINTS → CERT_E_INVALID_NAME
//	→ CERT_E_INVALID_POLICY → CRYPT_E_REVOKED
//	→ CRYPT_E_REVOCATION_OFFLINE / CRYPT_E_NO_REVOCATION_CHECK → CERT_E_CRITICAL
//	→ (SSL) CERT_E_CN_NO_MATCH
func VerifyPolicy(cc *ChainContext, policy Policy, para PolicyPara) PolicyStatus {
	switch policy {
	case PolicyBase, PolicySSL:
		return verifyBaseOrSSL(cc, policy, para)
	case PolicyBasicConstraints:
		for ci, sc := range cc.Chains {
			for ei, el := range sc.Elements {
				if el.TrustStatus.ErrorStatus&InvalidBasicConstraints != 0 {
					return fail(policy, TRUST_E_BASIC_CONSTRAINTS, ci, ei, "basic constraints")
				}
			}
		}
		return PolicyStatus{Policy: policy, ChainIndex: -1, ElementIndex: -1}
	}
	return fail(policy, CRYPT_E_NOT_FOUND, -1, -1, "policy "+policy.String()+" is not implemented by winchain")
}

// firstWith returns the chain and element index of the first element
// (leaf first) whose error status has any of bits, accepting the element
// only if ok(index, count) is true.
func firstWith(cc *ChainContext, bits ErrorStatus, ok func(i, n int) bool) (int, int, bool) {
	for ci, sc := range cc.Chains {
		for ei, el := range sc.Elements {
			if el.TrustStatus.ErrorStatus&bits != 0 && (ok == nil || ok(ei, len(sc.Elements))) {
				return ci, ei, true
			}
		}
	}
	return -1, -1, false
}

func verifyBaseOrSSL(cc *ChainContext, policy Policy, para PolicyPara) PolicyStatus {
	ssl := policy == PolicySSL
	all := cc.TrustStatus.ErrorStatus
	if ci, ei, ok := firstWith(cc, IsNotSignatureValid, nil); ok {
		return fail(policy, TRUST_E_CERT_SIGNATURE, ci, ei, "a signature does not verify")
	}
	if all&(IsPartialChain|IsCyclic) != 0 {
		if ssl {
			// Wine chain9 under SSL: CERT_E_UNTRUSTEDROOT at 0/-1 (spec §11.1 item 3).
			return fail(policy, CERT_E_UNTRUSTEDROOT, 0, -1, "the chain is not complete")
		}
		return fail(policy, CERT_E_CHAINING, 0, -1, "the chain is not complete")
	}
	if all&IsUntrustedRoot != 0 {
		ignore := para.Flags&AllowUnknownCA != 0 || (ssl && para.SSLChecks&SSLIgnoreUnknownCA != 0)
		if !ignore {
			ci, ei, _ := firstWith(cc, IsUntrustedRoot, nil)
			return fail(policy, CERT_E_UNTRUSTEDROOT, ci, ei, "the root is not trusted")
		}
	}
	if ci, ei, ok := firstWith(cc, IsExplicitDistrust, nil); ok {
		return fail(policy, TRUST_E_EXPLICIT_DISTRUST, ci, ei, "a certificate is explicitly distrusted")
	}
	if all&IsNotTimeValid != 0 {
		ignore := para.Flags&IgnoreNotTimeValid != 0 || (ssl && para.SSLChecks&SSLIgnoreCertDateInvalid != 0)
		if !ignore {
			ci, ei, _ := firstWith(cc, IsNotTimeValid, nil)
			return fail(policy, CERT_E_EXPIRED, ci, ei, "a certificate is outside its validity period")
		}
	}
	if all&IsNotValidForUsage != 0 {
		ignore := para.Flags&IgnoreWrongUsage != 0 || (ssl && para.SSLChecks&SSLIgnoreWrongUsage != 0)
		if !ignore {
			ci, ei, _ := firstWith(cc, IsNotValidForUsage, nil)
			return fail(policy, CERT_E_WRONG_USAGE, ci, ei, "not valid for the usage")
		}
	}
	if all&InvalidBasicConstraints != 0 && para.Flags&IgnoreInvalidBasicConstraints == 0 {
		ci, ei, _ := firstWith(cc, InvalidBasicConstraints, nil)
		return fail(policy, TRUST_E_BASIC_CONSTRAINTS, ci, ei, "basic constraints")
	}
	if all&nameConstraintErrors != 0 && para.Flags&IgnoreInvalidName == 0 {
		ci, ei, _ := firstWith(cc, nameConstraintErrors, nil)
		return fail(policy, CERT_E_INVALID_NAME, ci, ei, "name constraints")
	}
	if all&(InvalidPolicyConstraints|NoIssuanceChainPolicy) != 0 && para.Flags&IgnoreInvalidPolicy == 0 {
		ci, ei, _ := firstWith(cc, InvalidPolicyConstraints|NoIssuanceChainPolicy, nil)
		return fail(policy, CERT_E_INVALID_POLICY, ci, ei, "policy constraints")
	}
	ignoreRev := ssl && para.SSLChecks&SSLIgnoreRevocation != 0
	if all&IsRevoked != 0 && !ignoreRev {
		ci, ei, _ := firstWith(cc, IsRevoked, nil)
		return fail(policy, CRYPT_E_REVOKED, ci, ei, "a certificate is revoked")
	}
	if all&RevocationStatusUnknown != 0 && !ignoreRev {
		// Which ignore flag applies depends on the element's position
		// (spec §2.3): end certificate, CA, or root.
		notIgnored := func(i, n int) bool {
			switch {
			case i == 0:
				return para.Flags&IgnoreEndRevUnknown == 0
			case i == n-1 && n > 1:
				return para.Flags&IgnoreRootRevUnknown == 0
			default:
				return para.Flags&IgnoreCARevUnknown == 0
			}
		}
		if ci, ei, ok := firstWith(cc, RevocationStatusUnknown, notIgnored); ok {
			el := cc.Chains[ci].Elements[ei]
			if el.TrustStatus.ErrorStatus&IsOfflineRevocation != 0 {
				return fail(policy, CRYPT_E_REVOCATION_OFFLINE, ci, ei, "revocation server offline or data stale")
			}
			return fail(policy, CRYPT_E_NO_REVOCATION_CHECK, ci, ei, "no revocation information")
		}
	}
	if all&HasNotSupportedCriticalExtension != 0 && para.Flags&IgnoreNotSupportedCriticalExt == 0 {
		ci, ei, _ := firstWith(cc, HasNotSupportedCriticalExtension, nil)
		return fail(policy, CERT_E_CRITICAL, ci, ei, "unsupported critical extension")
	}
	if all&InvalidExtension != 0 {
		ci, ei, _ := firstWith(cc, InvalidExtension, nil)
		return fail(policy, CERT_E_MALFORMED, ci, ei, "invalid extension")
	}
	if ssl {
		leaf := cc.Chains[0].Elements[0].Cert
		if para.SSLChecks&SSLIgnoreWrongUsage == 0 && !sslUsageOK(cc.Chains[0].Elements[0].ApplicationUsage, para.AuthType) {
			return fail(policy, CERT_E_WRONG_USAGE, 0, 0, "end certificate not valid for "+authName(para.AuthType))
		}
		if para.ServerName != "" && para.SSLChecks&SSLIgnoreCertCNInvalid == 0 && !MatchServerName(leaf, para.ServerName) {
			return fail(policy, CERT_E_CN_NO_MATCH, 0, 0, "server name "+para.ServerName+" does not match the certificate")
		}
	}
	return PolicyStatus{Policy: policy, ChainIndex: -1, ElementIndex: -1}
}

func authName(a AuthType) string {
	if a == AuthClient {
		return "client authentication"
	}
	return "server authentication"
}

func sslUsageOK(usage []string, a AuthType) bool {
	if usage == nil {
		return true
	}
	want := sslServerUsages
	if a == AuthClient {
		want = sslClientUsages
	}
	for _, u := range usage {
		for _, w := range want {
			if u == w {
				return true
			}
		}
	}
	return false
}

// MatchServerName applies the SSL policy's name rules (spec §2.3, §11.1 item
// 9): with a SAN (2.5.29.17 or the obsolete 2.5.29.7), only its dNSName
// (and iPAddress) entries count; without one, every CN of the subject is
// tried. Comparison is case-insensitive, and a wildcard matches exactly one
// whole left-most label ("*.a.com" matches "x.a.com", not "a.com" or
// "y.x.a.com").
func MatchServerName(c *certs.Certificate, host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	ip := net.ParseIP(host)
	if c.HasSAN {
		for _, g := range c.SAN {
			switch g.Type {
			case certs.NameDNS:
				if ip == nil && hostMatches(strings.ToLower(g.Value), host) {
					return true
				}
			case certs.NameIP:
				if ip != nil && net.IP(g.Raw).Equal(ip) {
					return true
				}
			}
		}
		return false
	}
	for _, cn := range subjectCNs(c) {
		if hostMatches(strings.ToLower(cn), host) {
			return true
		}
	}
	return false
}

func hostMatches(pattern, host string) bool {
	pattern = strings.TrimSuffix(pattern, ".")
	if pattern == host {
		return true
	}
	if strings.HasPrefix(pattern, "*.") {
		suffix := pattern[1:] // ".a.com"
		if !strings.HasSuffix(host, suffix) {
			return false
		}
		label := strings.TrimSuffix(host, suffix)
		return label != "" && !strings.Contains(label, ".")
	}
	return false
}

func subjectCNs(c *certs.Certificate) []string {
	rdn, err := certs.ParseName(c.X.RawSubject)
	if err != nil {
		return []string{c.X.Subject.CommonName}
	}
	var out []string
	for _, set := range rdn {
		for _, atv := range set {
			if atv.Type.String() == "2.5.4.3" {
				if s, ok := atv.Value.(string); ok {
					out = append(out, s)
				}
			}
		}
	}
	return out
}
