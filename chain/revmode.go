package chain

import "errors"

// DefaultRevocationMode is the revocation mode winchain's CLI, scenarios
// and preflight use when none is given: every element but the root
// (CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT).
const DefaultRevocationMode = "chain-exclude-root"

// ErrRevocationMode is the error for a mode name [RevocationModeFlags]
// does not know; callers add which input held it.
var ErrRevocationMode = errors.New("want none, end, chain or chain-exclude-root")

// RevocationModeFlags turns a revocation mode name, as the CLI's
// --revocation and a scenario profile's revocation: spell it, into the
// CertGetCertificateChain dwFlags revocation bit: "none" (no bit), "end"
// (CERT_CHAIN_REVOCATION_CHECK_END_CERT), "chain"
// (CERT_CHAIN_REVOCATION_CHECK_CHAIN) or "chain-exclude-root"
// (CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT). An empty name is
// [DefaultRevocationMode].
func RevocationModeFlags(mode string) (Flags, error) {
	switch mode {
	case "none":
		return 0, nil
	case "end":
		return RevocationCheckEndCert, nil
	case "chain":
		return RevocationCheckChain, nil
	case "", DefaultRevocationMode:
		return RevocationCheckChainExclRoot, nil
	}
	return 0, ErrRevocationMode
}
