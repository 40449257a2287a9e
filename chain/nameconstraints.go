package chain

import (
	"encoding/asn1"
	"net/url"
	"strings"

	"github.com/winchain/winchain/certs"
)

var oidEmailAddress = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// checkNameConstraints checks the end certificate's names against the name
// constraints of the CA element el. As on Windows, the bits go on the CA
// element that carries the constraint (spec §11.1 item 6), comparisons are
// case-insensitive, dNSName constraints containing a wildcard permit
// nothing, and only the UPN otherName is a supported form (spec §1.6).
//
// A name type for which the CA lists no permitted subtree is unconstrained
// (RFC 5280); when Windows sets CERT_TRUST_HAS_NOT_DEFINED_NAME_CONSTRAINT is
// not documented, so winchain never sets it (docs/windows-divergences.md).
func checkNameConstraints(el *Element, leaf *certs.Certificate) {
	ca := el.Cert
	if ca.NameConstraintsInvalid {
		el.TrustStatus.ErrorStatus |= InvalidNameConstraints
		el.Detail = append(el.Detail, "name constraints extension does not parse")
		return
	}
	nc := ca.NameConstraints
	if nc == nil {
		return
	}
	var errs ErrorStatus
	for _, st := range append(append([]certs.Subtree(nil), nc.Permitted...), nc.Excluded...) {
		if st.HasMinMax || !supportedConstraintType(st.Base) {
			errs |= HasNotSupportedNameConstraint
		}
	}
	if leaf.SANInvalid {
		// An embedded NUL or a malformed SAN (Wine chain27: 0x900 on the root).
		errs |= InvalidNameConstraints | InvalidExtension
	}
	for _, name := range leafNames(leaf) {
		for _, st := range nc.Excluded {
			if st.Base.Type == name.Type && supportedConstraintType(st.Base) && nameMatches(st.Base, name) {
				errs |= HasExcludedNameConstraint
			}
		}
		hasType, permitted := false, false
		for _, st := range nc.Permitted {
			if st.Base.Type != name.Type || (name.Type == certs.NameOther && !st.Base.IsUPN()) {
				continue
			}
			hasType = true
			if nameMatches(st.Base, name) {
				permitted = true
			}
		}
		if hasType && !permitted {
			errs |= HasNotPermittedNameConstraint
		}
	}
	if errs != 0 {
		el.TrustStatus.ErrorStatus |= errs
		el.Detail = append(el.Detail, "end certificate names violate this CA's name constraints ("+errs.String()+")")
		return
	}
	el.TrustStatus.InfoStatus |= HasValidNameConstraints
}

func supportedConstraintType(g certs.GeneralName) bool {
	switch g.Type {
	case certs.NameDNS, certs.NameRFC822, certs.NameURI, certs.NameIP, certs.NameDirectory:
		return true
	case certs.NameOther:
		return g.IsUPN()
	}
	return false
}

// leafNames lists the names of the end certificate that name constraints
// apply to: the subject DN (when not empty), e-mail addresses in the subject,
// and every SAN entry of a constrainable type.
func leafNames(c *certs.Certificate) []certs.GeneralName {
	var out []certs.GeneralName
	if rdn, err := certs.ParseName(c.X.RawSubject); err == nil && len(rdn) > 0 {
		out = append(out, certs.GeneralName{Type: certs.NameDirectory, Raw: c.X.RawSubject})
		for _, set := range rdn {
			for _, atv := range set {
				if atv.Type.Equal(oidEmailAddress) {
					if s, ok := atv.Value.(string); ok {
						out = append(out, certs.GeneralName{Type: certs.NameRFC822, Value: s})
					}
				}
			}
		}
	}
	for _, g := range c.SAN {
		if supportedConstraintType(g) {
			out = append(out, g)
		}
	}
	return out
}

func nameMatches(constraint, name certs.GeneralName) bool {
	switch name.Type {
	case certs.NameDNS:
		return dnsMatches(constraint.Value, name.Value)
	case certs.NameRFC822:
		return emailMatches(constraint.Value, name.Value)
	case certs.NameOther: // UPN: user@domain, constrained like an e-mail address
		return emailMatches(constraint.Value, name.Value)
	case certs.NameURI:
		return uriMatches(constraint.Value, name.Value)
	case certs.NameIP:
		return ipMatches(constraint.Raw, name.Raw)
	case certs.NameDirectory:
		return dnWithin(constraint.Raw, name.Raw)
	}
	return false
}

// dnsMatches: "a.com" permits a.com and its subdomains; ".a.com" only its
// subdomains; a constraint with a wildcard permits nothing (spec §11.1 item
// 6); the empty constraint matches every name.
func dnsMatches(constraint, name string) bool {
	c := strings.ToLower(constraint)
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if strings.Contains(c, "*") {
		return false
	}
	if c == "" {
		return true
	}
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(n, c)
	}
	return n == c || strings.HasSuffix(n, "."+c)
}

// emailMatches follows RFC 5280 4.2.1.10: a full mailbox, a host, or
// ".domain" for any host in the domain; case-insensitive.
func emailMatches(constraint, addr string) bool {
	c := strings.ToLower(constraint)
	a := strings.ToLower(addr)
	at := strings.LastIndexByte(a, '@')
	host := a
	if at >= 0 {
		host = a[at+1:]
	}
	switch {
	case strings.Contains(c, "@"):
		return a == c
	case strings.HasPrefix(c, "."):
		return strings.HasSuffix(host, c)
	default:
		return host == c
	}
}

func uriMatches(constraint, uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Hostname()
	c := strings.ToLower(constraint)
	h := strings.ToLower(host)
	if strings.HasPrefix(c, ".") {
		return strings.HasSuffix(h, c)
	}
	return h == c
}

func ipMatches(constraint, ip []byte) bool {
	if len(constraint) != 2*len(ip) {
		return false
	}
	addr, mask := constraint[:len(ip)], constraint[len(ip):]
	for i := range ip {
		if ip[i]&mask[i] != addr[i]&mask[i] {
			return false
		}
	}
	return true
}

// dnWithin reports whether the name starts with every RDN of the
// constraint (RFC 5280 directoryName subtree), comparing values the
// RFC 5280 §7.1 way.
func dnWithin(constraintDN, nameDN []byte) bool {
	c, err1 := certs.ParseName(constraintDN)
	n, err2 := certs.ParseName(nameDN)
	if err1 != nil || err2 != nil || len(c) > len(n) {
		return false
	}
	for i := range c {
		one, _ := asn1.Marshal(c[i : i+1])
		two, _ := asn1.Marshal(n[i : i+1])
		if !certs.NamesEqual(one, two) {
			return false
		}
	}
	return true
}
