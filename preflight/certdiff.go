package preflight

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
)

// Weak-crypto thresholds. Windows' own rule (certs.IsWeakSignature with the
// clients' MinRsaPubKeyBitLength, spec §8) is blocking; these are the
// warnings a preflight adds above it.
const (
	// StrongRSABits is the RSA size below which a new key is flagged: the
	// CA/Browser Forum Baseline Requirements minimum (2048), which is also
	// what an admin sets with the Weak\RSA "MinBitLength" chain settings
	// (certutil -setreg chain\WeakRsaThirdPartyMinBitLength 2048) that
	// make Windows reject shorter keys.
	StrongRSABits = 2048
	// DefaultExpiresSoon is how close to its NotAfter a new certificate
	// is flagged as expiring soon (Options.ExpiresSoon zero).
	DefaultExpiresSoon = 30 * 24 * time.Hour
)

// oidServerAuth is szOID_PKIX_KP_SERVER_AUTH.
const oidServerAuth = "1.3.6.1.5.5.7.3.1"

func thumb(c *certs.Certificate) string { return fmt.Sprintf("%X", c.SHA1[:]) }

// dnsNames lists the SAN dNSNames (or, without a SAN, the CN), as the SSL
// policy matches them.
func dnsNames(c *certs.Certificate) []string {
	var out []string
	for _, g := range c.SAN {
		if g.Type == certs.NameDNS {
			out = append(out, g.Value)
		}
	}
	if !c.HasSAN && c.X.Subject.CommonName != "" {
		out = append(out, c.X.Subject.CommonName)
	}
	return out
}

// nameFindings compares the names of the two end certificates against the
// server name and each principal name.
func nameFindings(old, new *certs.Certificate, o *Options) []Finding {
	var out []Finding
	oldNames, newNames := joinComma(dnsNames(old)), joinComma(dnsNames(new))
	if o.ServerName != "" && !chain.MatchServerName(new, o.ServerName) {
		was := "did not match either"
		if chain.MatchServerName(old, o.ServerName) {
			was = "the old certificate matches it"
		}
		out = append(out, Finding{ID: IDNameMismatch, Severity: Blocking, Result: chain.CERT_E_CN_NO_MATCH.Name(),
			Detail:   fmt.Sprintf("server name %s is not among the new certificate's names (%s); %s", o.ServerName, newNames, was),
			Affected: "every client connecting to " + o.ServerName + ", from the swap on", Name: o.ServerName,
			Old: oldNames, New: newNames})
	}
	for _, pn := range o.PrincipalNames {
		name, err := chain.ParsePrincipalName(pn)
		if err != nil {
			continue // Analyze refused it up front
		}
		if chain.MatchPrincipalName(new, name) {
			continue
		}
		f := Finding{ID: IDPrincipalName, Severity: Blocking, Result: chain.CERT_E_CN_NO_MATCH.Name(),
			Name:     pn,
			Affected: fmt.Sprintf("Outlook clients whose profile has %s in \"Only connect to proxy servers that have this principal name in their certificate\", from the swap on (unticking it, or setting the new name, heals them)", pn),
			Old:      oldNames, New: newNames}
		if chain.MatchPrincipalName(old, name) {
			f.Detail = fmt.Sprintf("%s matches the old certificate (CN %s, SAN %s) but not the new one (CN %s, SAN %s)", pn, old.X.Subject.CommonName, oldNames, new.X.Subject.CommonName, newNames)
		} else {
			f.Severity = Warning
			f.Detail = fmt.Sprintf("%s matches neither the old nor the new certificate: those clients fail already", pn)
		}
		out = append(out, f)
	}
	return out
}

// keyFindings reports a new key and the TLS session effect of any swap.
func keyFindings(old, new *certs.Certificate) []Finding {
	var out []Finding
	if old.SHA1 == new.SHA1 {
		return nil
	}
	if !bytes.Equal(old.X.RawSubjectPublicKeyInfo, new.X.RawSubjectPublicKeyInfo) {
		out = append(out, Finding{ID: IDKeyChanged, Severity: Info,
			Detail:   fmt.Sprintf("new key (%s) and thumbprint: anything pinned to the old thumbprint or key breaks", keyDesc(new)),
			Affected: "clients or proxies that pin the old certificate or key",
			Old:      thumb(old), New: thumb(new)})
	}
	out = append(out, Finding{ID: IDSessionReset, Severity: Info,
		Detail:   "the server presents another certificate: no client can resume its TLS session, so every client does a full handshake and validates the new chain (revocation and AIA fetches included) at the swap, and again at a revert",
		Affected: "every client, at the swap and at the revert, all within one connection interval",
		Old:      thumb(old), New: thumb(new)})
	return out
}

// ekuFindings compares the end certificates' extended key usages.
func ekuFindings(old, new *certs.Certificate) []Finding {
	desc := func(c *certs.Certificate) string {
		if c.EKU == nil {
			return "any"
		}
		return joinComma(c.EKU)
	}
	if new.EKU != nil && !slices.Contains(new.EKU, oidServerAuth) {
		return []Finding{{ID: IDEKU, Severity: Blocking, Result: chain.CERT_E_WRONG_USAGE.Name(),
			Detail:   "the new certificate's EKU has no serverAuth (" + oidServerAuth + "): the SSL policy refuses it",
			Affected: "every client",
			Old:      desc(old), New: desc(new)}}
	}
	var removed []string
	if old.EKU != nil && new.EKU != nil {
		for _, u := range old.EKU {
			if !slices.Contains(new.EKU, u) {
				removed = append(removed, u)
			}
		}
	}
	if len(removed) > 0 {
		return []Finding{{ID: IDEKU, Severity: Warning,
			Detail:   "the new certificate drops EKU " + strings.Join(removed, ", ") + ": clients that ask for it get CERT_E_WRONG_USAGE",
			Affected: "clients requesting the dropped usages",
			Old:      desc(old), New: desc(new)}}
	}
	return nil
}

// validityFindings checks the new certificate's validity at the swap for
// clients whose clocks are behind, and its remaining lifetime.
func validityFindings(old, new *certs.Certificate, at time.Time, o *Options) []Finding {
	var out []Finding
	nb, na := new.X.NotBefore, new.X.NotAfter
	span := func(c *certs.Certificate) string {
		return c.X.NotBefore.UTC().Format(time.RFC3339) + " – " + c.X.NotAfter.UTC().Format(time.RFC3339)
	}
	switch {
	case at.Before(nb):
		out = append(out, Finding{ID: IDNotYetValid, Severity: Blocking, Result: chain.CERT_E_EXPIRED.Name(),
			Detail:   fmt.Sprintf("the new certificate is valid from %s, after the swap at %s (CERT_TRUST_IS_NOT_TIME_VALID)", nb.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339)),
			Affected: "every client until " + nb.UTC().Format(time.RFC3339),
			Old:      span(old), New: span(new)})
	case o.ClockSkew > 0 && at.Add(-o.ClockSkew).Before(nb):
		behind := nb.Sub(at.Add(-o.ClockSkew))
		out = append(out, Finding{ID: IDNotYetValid, Severity: Blocking, Result: chain.CERT_E_EXPIRED.Name(),
			Detail: fmt.Sprintf("the new certificate is valid from %s, only %s before the swap at %s: a client whose clock is more than %s behind sees it as not yet valid (CERT_TRUST_IS_NOT_TIME_VALID)",
				nb.UTC().Format(time.RFC3339), at.Sub(nb).Round(time.Second), at.UTC().Format(time.RFC3339), at.Sub(nb).Round(time.Second)),
			Affected: fmt.Sprintf("clients whose clock is more than %s behind, for up to %s after the swap (the preflight assumes clocks up to %s behind)", at.Sub(nb).Round(time.Second), behind.Round(time.Second), o.ClockSkew),
			Old:      span(old), New: span(new)})
	}
	soon := o.ExpiresSoon
	if soon <= 0 {
		soon = DefaultExpiresSoon
	}
	switch {
	case !at.Before(na):
		out = append(out, Finding{ID: IDExpiresSoon, Severity: Blocking, Result: chain.CERT_E_EXPIRED.Name(),
			Detail:   "the new certificate has expired at " + na.UTC().Format(time.RFC3339),
			Affected: "every client", Old: span(old), New: span(new)})
	case na.Sub(at) < soon:
		out = append(out, Finding{ID: IDExpiresSoon, Severity: Warning,
			Detail:   fmt.Sprintf("the new certificate expires %s after the swap (%s)", na.Sub(at).Round(time.Hour), na.UTC().Format(time.RFC3339)),
			Affected: "every client, at " + na.UTC().Format(time.RFC3339), Old: span(old), New: span(new)})
	}
	return out
}

// keyDesc describes a public key ("RSA 2048", "ECDSA P-256").
func keyDesc(c *certs.Certificate) string {
	switch k := c.X.PublicKey.(type) {
	case *rsa.PublicKey:
		if k != nil && k.N != nil {
			return fmt.Sprintf("RSA %d", k.N.BitLen())
		}
	case *ecdsa.PublicKey:
		if k != nil && k.Curve != nil {
			return "ECDSA " + k.Curve.Params().Name
		}
	}
	return c.X.PublicKeyAlgorithm.String()
}

// sha1Signed reports SHA-1 signature algorithms.
func sha1Signed(alg x509.SignatureAlgorithm) bool {
	switch alg {
	case x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return true
	}
	return false
}

// weakFindings applies the weak-crypto rules to the certificates of the
// new chain that the old one did not have. Windows' own rule
// (certs.IsWeakSignature: MD2/MD5, RSA under the clients'
// MinRsaPubKeyBitLength, minRSABits; 0 = the default) is blocking: the
// chain gets CERT_TRUST_HAS_WEAK_SIGNATURE and the policy
// TRUST_E_CERT_SIGNATURE. SHA-1 and RSA under StrongRSABits pass Windows'
// defaults and are warnings: they fail where the Weak\* chain settings
// are set, and in browsers.
func weakFindings(oldSet map[[20]byte]bool, newChain []*certs.Certificate, minRSABits uint32) []Finding {
	var out []Finding
	for i, c := range newChain {
		if oldSet[c.SHA1] {
			continue
		}
		who := "the new certificate"
		if i > 0 {
			who = "new chain certificate " + c.Subject()
		}
		// The issuer's key and the algorithm decide a weak signature, as
		// the chain engine judges it; the certificate's own key is judged
		// where it signs (its subordinate), and below as a warning.
		var issuerKey crypto.PublicKey
		if i+1 < len(newChain) {
			issuerKey = newChain[i+1].X.PublicKey
		}
		own := keyDesc(c)
		switch {
		case certs.IsWeakSignature(c.X.SignatureAlgorithm, issuerKey, minRSABits):
			out = append(out, Finding{ID: IDWeakCrypto, Severity: Blocking, Result: chain.TRUST_E_CERT_SIGNATURE.Name(),
				Detail:   fmt.Sprintf("%s: %s signed with %s is below Windows' weak-signature rule (%s: CERT_TRUST_HAS_WEAK_SIGNATURE)", who, own, c.X.SignatureAlgorithm, weakRule(minRSABits)),
				Affected: "every client", New: own + ", " + c.X.SignatureAlgorithm.String()})
		case sha1Signed(c.X.SignatureAlgorithm):
			out = append(out, Finding{ID: IDWeakCrypto, Severity: Warning,
				Detail:   fmt.Sprintf("%s is signed with %s: Windows accepts it under an enterprise root by default, but not where SHA-1 is blocked for TLS (roots of the Microsoft Trusted Root Program since 2017, or the Weak\\Sha1 chain settings), and browsers refuse it", who, c.X.SignatureAlgorithm),
				Affected: "clients with SHA-1 blocked (Weak\\Sha1 settings, Microsoft root program chains), browsers", New: own + ", " + c.X.SignatureAlgorithm.String()})
		}
		if k, ok := c.X.PublicKey.(*rsa.PublicKey); ok && k != nil && k.N != nil && k.N.BitLen() < StrongRSABits {
			out = append(out, Finding{ID: IDWeakCrypto, Severity: Warning,
				Detail:   fmt.Sprintf("%s has an %s key: Windows' default minimum is %d bits, so it passes by default, but clients with the Weak\\RSA MinBitLength chain setting at %d refuse it (TRUST_E_CERT_SIGNATURE), and %d is the CA/Browser Forum minimum", who, own, certs.DefaultMinRSAPubKeyBitLength, StrongRSABits, StrongRSABits),
				Affected: fmt.Sprintf("clients with a %d-bit RSA minimum configured", StrongRSABits), New: own})
		}
	}
	return out
}

// weakRule words Windows' weak-signature rule for the clients'
// MinRsaPubKeyBitLength (0 = the default).
func weakRule(minRSABits uint32) string {
	switch minRSABits {
	case 0, certs.DefaultMinRSAPubKeyBitLength:
		return fmt.Sprintf("MD2/MD5, or RSA under %d bits", certs.DefaultMinRSAPubKeyBitLength)
	case certs.MinRSAPubKeyBitLengthDisabled:
		return "MD2/MD5; the clients' MinRsaPubKeyBitLength 0xFFFFFFFF turns the RSA key check off"
	}
	return fmt.Sprintf("MD2/MD5, or RSA under %d bits, the clients' MinRsaPubKeyBitLength", minRSABits)
}

// revocationURLs lists the CDP and OCSP URLs of certificates, in order,
// without duplicates.
func revocationURLs(cs []*certs.Certificate) []string {
	var out []string
	for _, c := range cs {
		for _, u := range append(append([]string(nil), c.X.OCSPServer...), c.X.CRLDistributionPoints...) {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	return out
}
