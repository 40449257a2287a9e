package scenario

import (
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
)

// principalCheck is the client-side check Outlook Anywhere (RPC over HTTP)
// adds after the SSL policy passed when its profile has "Only connect to
// proxy servers that have this principal name in their certificate"
// (ProfileSpec.PrincipalName): the msstd: name must be one of the
// certificate's names (chain.MatchPrincipalName has the rules and the
// sources). A mismatch is reported as CERT_E_CN_NO_MATCH, the name-check
// error; Outlook itself then prompts for credentials in a loop.
func principalCheck(leaf *certs.Certificate, principal string) chain.PolicyStatus {
	ok := chain.PolicyStatus{Policy: chain.PolicySSL, ChainIndex: -1, ElementIndex: -1}
	if principal == "" {
		return ok
	}
	name, err := chain.ParsePrincipalName(principal) // checked by normalise
	if err == nil && chain.MatchPrincipalName(leaf, name) {
		return ok
	}
	return chain.PolicyStatus{Policy: chain.PolicySSL, Error: chain.CERT_E_CN_NO_MATCH, ChainIndex: -1, ElementIndex: -1,
		Detail: "principal name " + principal + " is not in the certificate (Outlook: Only connect to proxy servers that have this principal name in their certificate)"}
}
