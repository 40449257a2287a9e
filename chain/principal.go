package chain

import (
	"fmt"
	"strings"

	"github.com/winchain/winchain/certs"
)

// PrincipalPrefix is the prefix of the SCHANNEL "msstd" principal-name form
// that Outlook Anywhere (RPC over HTTP) stores in its "Only connect to proxy
// servers that have this principal name in their certificate" setting
// (PR_ROH_PROXY_PRINCIPAL_NAME, Exchange's CertPrincipalName, set with
// Set-OutlookProvider EXPR -CertPrincipalName "msstd:NAME").
const PrincipalPrefix = "msstd:"

// PrincipalNameError is a principal name that is not in the msstd: form.
type PrincipalNameError struct {
	Name   string
	Reason string
}

// Error names the principal name and the problem.
func (e *PrincipalNameError) Error() string {
	return fmt.Sprintf("principal name %q: %s (example: msstd:mail.contoso.com)", e.Name, e.Reason)
}

// ParsePrincipalName checks an msstd: principal name and returns the name
// after the prefix. The msfull: form (a full certificate-chain description)
// is not modelled.
func ParsePrincipalName(s string) (string, error) {
	if len(s) < len(PrincipalPrefix) || !strings.EqualFold(s[:len(PrincipalPrefix)], PrincipalPrefix) {
		if strings.HasPrefix(strings.ToLower(s), "msfull:") {
			return "", &PrincipalNameError{Name: s, Reason: "the msfull: form is not modelled, only msstd:"}
		}
		return "", &PrincipalNameError{Name: s, Reason: "want msstd:NAME"}
	}
	n := strings.TrimSpace(s[len(PrincipalPrefix):])
	if n == "" {
		return "", &PrincipalNameError{Name: s, Reason: "empty name after msstd:"}
	}
	return n, nil
}

// MatchPrincipalName is the check RPC over HTTP (Outlook Anywhere) makes,
// after the chain and the SSL policy passed, when the profile has "Only
// connect to proxy servers that have this principal name in their
// certificate" ticked: the msstd: name must be one of the certificate's
// names. Sources: Microsoft Learn "Principal Names" (RPC): an msstd name is
// the certificate's e-mail name when it has one with an @, otherwise its
// subject common name; Exchange "CertPrincipalName (POX)": the default is
// msstd: + the server name, and a wildcard certificate needs
// msstd:*.domain (so the comparison is literal, not a wildcard match);
// Microsoft Remote Connectivity Analyzer "Mutual Authentication Established
// by Subject Alternative Name": a name found only in the subjectAltName
// matches too (Windows Vista and later; Windows XP compared the common
// name only, not modelled, docs/windows-divergences.md).
//
// name is the part after msstd:. The comparison is case-insensitive and
// literal: subject CNs, SAN dNSNames, and for a name with an @ the SAN
// rfc822Names and the subject e-mail address.
func MatchPrincipalName(c *certs.Certificate, name string) bool {
	name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), "."))
	if c == nil || name == "" {
		return false
	}
	eq := func(v string) bool { return strings.ToLower(strings.TrimSuffix(v, ".")) == name }
	for _, cn := range subjectCNs(c) {
		if eq(cn) {
			return true
		}
	}
	email := strings.Contains(name, "@")
	for _, g := range c.SAN {
		if g.Type == certs.NameDNS && eq(g.Value) || email && g.Type == certs.NameRFC822 && eq(g.Value) {
			return true
		}
	}
	if email {
		for _, a := range c.X.Subject.Names {
			if a.Type.String() == "1.2.840.113549.1.9.1" { // emailAddress
				if s, ok := a.Value.(string); ok && eq(s) {
					return true
				}
			}
		}
	}
	return false
}
