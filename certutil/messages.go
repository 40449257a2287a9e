package certutil

import (
	"errors"
	"fmt"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/chain"
)

// hresultText is the FormatMessage text certutil prints after an HRESULT
// (the English system messages of winerror.h). Codes not listed print their
// winerror.h name instead, a documented gap.
var hresultText = map[chain.HRESULT]string{
	chain.TRUST_E_CERT_SIGNATURE:       "The signature of the certificate cannot be verified.",
	chain.TRUST_E_BASIC_CONSTRAINTS:    "A certificate's basic constraint extension has not been observed.",
	chain.TRUST_E_EXPLICIT_DISTRUST:    "The certificate was explicitly marked as untrusted by the user.",
	chain.CERT_E_EXPIRED:               "A required certificate is not within its validity period when verifying against the current system clock or the timestamp in the signed file.",
	chain.CERT_E_VALIDITYPERIODNESTING: "The validity periods of the certification chain do not nest correctly.",
	chain.CERT_E_CRITICAL:              "A certificate contains an unknown extension that is marked 'critical'.",
	chain.CERT_E_MALFORMED:             "A certificate is missing or has an empty value for an important field, such as a subject or issuer name.",
	chain.CERT_E_UNTRUSTEDROOT:         "A certificate chain processed, but terminated in a root certificate which is not trusted by the trust provider.",
	chain.CERT_E_CHAINING:              "A certificate chain could not be built to a trusted root authority.",
	chain.CERT_E_CN_NO_MATCH:           "The certificate's CN name does not match the passed value.",
	chain.CERT_E_WRONG_USAGE:           "The certificate is not valid for the requested usage.",
	chain.CERT_E_INVALID_POLICY:        "The certificate has invalid policy.",
	chain.CERT_E_INVALID_NAME:          "The certificate has an invalid name. The name is not included in the permitted list or is explicitly excluded.",
	chain.CRYPT_E_NOT_FOUND:            "Cannot find object or property.",
	chain.CRYPT_E_REVOKED:              "The certificate is revoked.",
	chain.CRYPT_E_NO_REVOCATION_CHECK:  "The revocation function was unable to check revocation for the certificate.",
	chain.CRYPT_E_REVOCATION_OFFLINE:   "The revocation function was unable to check revocation because the revocation server was offline.",
}

// hresultMessage returns the text of h, or its name.
func hresultMessage(h chain.HRESULT) string {
	if s, ok := hresultText[h]; ok {
		return s
	}
	return h.Name()
}

// hresultTail formats "0x80092013 (-2146885613 CRYPT_E_REVOCATION_OFFLINE)"
// as certutil prints an HRESULT (spec §7 Sample D).
func hresultTail(h chain.HRESULT) string {
	return fmt.Sprintf("0x%x (%d %s)", uint32(h), int32(h), h.Name())
}

// retrievalErrorText is the text after "Error retrieving URL: " for a
// failed winchain retrieval. Only 0x80072ee7 is in a sample (S34); the
// other codes are the WinHTTP/CryptoAPI codes winchain's failure reasons
// correspond to, printed in the same shape (a documented gap).
func retrievalErrorText(r *cache.Result) string {
	switch cache.ReasonOf(r.Err) {
	case cache.ReasonOffline:
		return "A connection with the server could not be established 0x80072efd (WIN32: 12029)"
	case cache.ReasonTimeout:
		return "The operation timed out 0x80072ee2 (WIN32: 12002)"
	case cache.ReasonReset:
		return "The connection with the server was reset 0x80072eff (WIN32: 12031)"
	case cache.ReasonHTTPStatus:
		st := r.Status
		var re *cache.RetrievalError
		if st == 0 && errors.As(r.Err, &re) {
			st = re.Status
		}
		h := chain.HRESULT(0x80190000 | uint32(st&0xffff)) // HRESULT_FROM_HTTP
		return fmt.Sprintf("HTTP status %d 0x%x (%d)", st, uint32(h), int32(h))
	case cache.ReasonTooLarge:
		return "Not enough storage is available to process this command. 0x80070008 (WIN32: 8 ERROR_NOT_ENOUGH_MEMORY)"
	case cache.ReasonInvalidContent:
		return "The data is invalid. 0x8007000d (WIN32: 13 ERROR_INVALID_DATA)"
	case cache.ReasonUnsupportedScheme:
		return "The URL does not use a recognized protocol 0x80072ee6 (WIN32: 12006)"
	case cache.ReasonNotCached:
		return "Cannot find object or property. 0x80092004 (-2146885628 CRYPT_E_NOT_FOUND)"
	}
	if r.Err != nil {
		return r.Err.Error() + " 0x80072efd (WIN32: 12029)"
	}
	return "Unknown error 0x80004005 (-2147467259 E_FAIL)"
}

// chainFlagNames are the CertGetCertificateChain dwFlags certutil prints
// on its "ChainFlags = " lines (wincrypt.h).
var chainFlagNames = []struct {
	bit  chain.Flags
	name string
}{
	{chain.CacheEndCert, "CERT_CHAIN_CACHE_END_CERT"},
	{chain.CacheOnlyURLRetrieval, "CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL"},
	{chain.DisablePass1QualityFiltering, "CERT_CHAIN_DISABLE_PASS1_QUALITY_FILTERING"},
	{chain.ReturnLowerQualityContexts, "CERT_CHAIN_RETURN_LOWER_QUALITY_CONTEXTS"},
	{chain.DisableAuthRootAutoUpdate, "CERT_CHAIN_DISABLE_AUTH_ROOT_AUTO_UPDATE"},
	{chain.TimestampTime, "CERT_CHAIN_TIMESTAMP_TIME"},
	{chain.EnablePeerTrust, "CERT_CHAIN_ENABLE_PEER_TRUST"},
	{chain.DisableAIA, "CERT_CHAIN_DISABLE_AIA"},
	{chain.OptInWeakSignature, "CERT_CHAIN_OPT_IN_WEAK_SIGNATURE"},
	{chain.RevocationCheckOCSPCert, "CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT"},
	{chain.RevocationAccumulativeTimeout, "CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT"},
	{chain.RevocationCheckEndCert, "CERT_CHAIN_REVOCATION_CHECK_END_CERT"},
	{chain.RevocationCheckChain, "CERT_CHAIN_REVOCATION_CHECK_CHAIN"},
	{chain.RevocationCheckChainExclRoot, "CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT"},
	{chain.RevocationCheckCacheOnly, "CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY"},
}

// oidNames are the friendly names certutil prints after EKU OIDs
// ("1.3.6.1.5.5.7.3.1 Server Authentication", spec §7 Sample A).
var oidNames = map[string]string{
	"1.3.6.1.5.5.7.3.1":      "Server Authentication",
	"1.3.6.1.5.5.7.3.2":      "Client Authentication",
	"1.3.6.1.5.5.7.3.3":      "Code Signing",
	"1.3.6.1.5.5.7.3.4":      "Secure Email",
	"1.3.6.1.5.5.7.3.8":      "Time Stamping",
	"1.3.6.1.5.5.7.3.9":      "OCSP Signing",
	"1.3.6.1.4.1.311.20.2.2": "Smart Card Logon",
	"1.3.6.1.4.1.311.10.3.4": "Encrypting File System",
	"1.3.6.1.5.2.3.5":        "KDC Authentication",
}

func oidWithName(oid string) string {
	if n, ok := oidNames[oid]; ok {
		return oid + " " + n
	}
	return oid
}
