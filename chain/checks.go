package chain

import (
	"crypto/x509"
	"encoding/asn1"
	"time"

	"github.com/winchain/winchain/certs"
)

// OIDs of the extensions the chain engine understands; a critical extension
// outside this set sets CERT_TRUST_HAS_NOT_SUPPORTED_CRITICAL_EXT |
// CERT_TRUST_INVALID_EXTENSION (spec §11.1 item 8).
var supportedCritical = map[string]bool{
	"2.5.29.15":               true, // keyUsage
	"2.5.29.19":               true, // basicConstraints
	"2.5.29.37":               true, // extKeyUsage
	"2.5.29.17":               true, // subjectAltName
	"2.5.29.7":                true, // subjectAltName (obsolete), honoured by Windows
	"2.5.29.18":               true, // issuerAltName
	"2.5.29.30":               true, // nameConstraints
	"2.5.29.32":               true, // certificatePolicies
	"2.5.29.33":               true, // policyMappings
	"2.5.29.36":               true, // policyConstraints
	"2.5.29.54":               true, // inhibitAnyPolicy
	"2.5.29.35":               true, // authorityKeyIdentifier
	"2.5.29.14":               true, // subjectKeyIdentifier
	"2.5.29.31":               true, // cRLDistributionPoints
	"2.5.29.46":               true, // freshestCRL
	"1.3.6.1.5.5.7.1.1":       true, // authorityInfoAccess
	"1.3.6.1.5.5.7.48.1.5":    true, // id-pkix-ocsp-nocheck
	"1.3.6.1.4.1.311.21.10":   true, // szOID_APPLICATION_CERT_POLICIES
	"1.3.6.1.4.1.311.21.11":   true, // szOID_APPLICATION_POLICY_MAPPINGS
	"1.3.6.1.4.1.311.21.12":   true, // szOID_APPLICATION_POLICY_CONSTRAINTS
	"1.3.6.1.4.1.311.20.2":    true, // szOID_ENROLL_CERTTYPE_EXTENSION
	"1.3.6.1.4.1.311.21.7":    true, // szOID_CERTIFICATE_TEMPLATE
	"1.3.6.1.4.1.311.10.9.1":  true, // szOID_CROSS_CERT_DIST_POINTS
	"2.16.840.1.113730.1.1":   true, // Netscape cert type
	"1.3.6.1.4.1.311.21.1":    true, // szOID_CERTSRV_CA_VERSION
	"1.3.6.1.4.1.311.21.2":    true, // szOID_CERTSRV_PREVIOUS_CERT_HASH
	"1.3.6.1.4.1.311.21.4":    true, // szOID_CRL_NEXT_PUBLISH
	"1.3.6.1.5.5.7.1.11":      true, // subjectInfoAccess
	"1.3.6.1.4.1.11129.2.4.2": true, // SCT list
}

// oidKeyUsage is keyUsage (szOID_KEY_USAGE); its home is certs.
var oidKeyUsage = certs.OIDKeyUsage

// evaluate runs the per-element checks on one candidate path and rolls the
// bits up (spec §1.6, §1.7, §11.1).
func (b *builder) evaluate(p *rawPath) *SimpleChain {
	n := len(p.certs)
	sc := &SimpleChain{End: p.end}
	els := make([]*Element, n)
	for i, c := range p.certs {
		els[i] = &Element{Cert: c, Source: p.sources[i]}
	}
	sc.Elements = els

	anchors, _ := b.anchors()
	trusted := false
	switch p.end {
	case EndSelfSigned:
		top := els[n-1]
		top.TrustStatus.InfoStatus |= IsSelfSigned | selfMatch(top.Cert)
		if anchors.Contains(top.Cert) {
			trusted = true
			if b.e.cfg.ExclusiveRoot != nil {
				top.TrustStatus.InfoStatus |= IsFromExclusiveTrustStore
			}
		} else {
			top.TrustStatus.ErrorStatus |= IsUntrustedRoot
			top.Detail = append(top.Detail, "self-signed certificate not in the "+storeLabel(b)+" store")
		}
	case EndCATrusted:
		els[n-1].TrustStatus.InfoStatus |= IsCATrusted | IsFromExclusiveTrustStore
		trusted = true
	case EndCyclic:
		els[n-1].TrustStatus.ErrorStatus |= IsCyclic
		els[n-1].Detail = append(els[n-1].Detail, "its issuer is already in the chain")
	}
	if p.end == EndPartial || p.end == EndCyclic {
		// The match bit says how the issuer is looked up (by AKI issuer and
		// serial, key identifier, or name), even when none was found: Wine's
		// chain8 without an additional store is one element with info 0x4
		// (spec §11.1 item 3).
		els[n-1].TrustStatus.InfoStatus |= selfMatch(els[n-1].Cert)
	}
	for i := 0; i+1 < n; i++ {
		els[i].TrustStatus.InfoStatus |= p.match[i]
	}

	for i, el := range els {
		b.checkTime(i, el)
		b.checkSignature(p, i, els)
		b.checkBasicConstraints(p, i, els)
		checkKeyUsage(i, el)
		b.checkCritical(el)
		if b.e.cfg.Disallowed != nil && b.e.cfg.Disallowed.Contains(el.Cert) {
			el.TrustStatus.ErrorStatus |= IsExplicitDistrust
			el.Detail = append(el.Detail, "in the Disallowed store")
		}
		if i > 0 && !b.e.cfg.DisableCANameConstraints {
			checkNameConstraints(el, els[0].Cert)
		}
	}
	b.checkUsage(els)

	if trusted {
		// Windows marks every element of a chain that ends in a trusted
		// anchor with HAS_PREFERRED_ISSUER (0x102 / 0x10c in spec §7 S35);
		// untrusted chains carry the match bits only (spec §11.1 item 1).
		for _, el := range els {
			el.TrustStatus.InfoStatus |= HasPreferredIssuer
		}
	}

	for _, el := range els {
		sc.TrustStatus.combine(el.TrustStatus)
	}
	if p.end == EndPartial || p.end == EndCyclic {
		sc.TrustStatus.ErrorStatus |= IsPartialChain
	}
	sc.Quality = quality(sc, trusted)
	return sc
}

func storeLabel(b *builder) string {
	if b.e.cfg.ExclusiveRoot != nil {
		return "exclusive root"
	}
	return "Root"
}

func quality(sc *SimpleChain, trusted bool) Quality {
	var all ErrorStatus
	for _, el := range sc.Elements {
		all |= el.TrustStatus.ErrorStatus
	}
	q := Quality{
		SignaturesValid: all&IsNotSignatureValid == 0,
		Complete:        sc.End == EndSelfSigned || sc.End == EndCATrusted,
		TrustedRoot:     trusted,
		NotDistrusted:   all&IsExplicitDistrust == 0,
		TimeValid:       all&IsNotTimeValid == 0,
		ConstraintsOK: all&(InvalidBasicConstraints|nameConstraintErrors|IsNotValidForUsage|
			HasNotSupportedCriticalExtension|InvalidExtension|IsCyclic) == 0,
		NotRevoked: all&IsRevoked == 0,
		Length:     len(sc.Elements),
	}
	for _, el := range sc.Elements[1:] {
		q.NotBefores = append(q.NotBefores, el.Cert.X.NotBefore)
	}
	return q
}

// checkTime: validity is inclusive at both ends (spec §11.1 item 4). With
// CERT_CHAIN_TIMESTAMP_TIME only the end certificate is judged at pTime; CAs
// are judged at the machine clock.
func (b *builder) checkTime(i int, el *Element) {
	t := b.p.Time
	if b.p.Flags&TimestampTime != 0 && i > 0 {
		t = b.now
	}
	x := el.Cert.X
	if t.Before(x.NotBefore) || t.After(x.NotAfter) {
		el.TrustStatus.ErrorStatus |= IsNotTimeValid
		el.Detail = append(el.Detail, "not valid at "+t.UTC().Format(time.RFC3339)+
			" (valid "+x.NotBefore.UTC().Format(time.RFC3339)+" to "+x.NotAfter.UTC().Format(time.RFC3339)+")")
	}
}

func (b *builder) checkSignature(p *rawPath, i int, els []*Element) {
	n := len(els)
	el := els[i]
	var issuer, inherited *certs.Certificate
	switch {
	case i+1 < n:
		issuer = els[i+1].Cert
		if i+2 < n {
			inherited = els[i+2].Cert
		}
	case p.end == EndSelfSigned:
		// A trusted root's self-signature is not verified: its trust comes
		// from the store, which is also why MD2-signed roots stayed trusted
		// for years. An untrusted self-signed top is verified, so a broken
		// one shows IS_NOT_SIGNATURE_VALID (spec §11.1 item 2).
		if anchors, _ := b.anchors(); anchors.Contains(el.Cert) {
			return
		}
		issuer = el.Cert
	default:
		return // partial, cyclic or CA-trusted top: no issuer to check against
	}
	if err := b.e.checkSignature(el.Cert, issuer, inherited); err != nil {
		el.TrustStatus.ErrorStatus |= IsNotSignatureValid
		el.Detail = append(el.Detail, "signature: "+err.Error())
		return
	}
	// Weak signatures: MD2/MD4/MD5, or an RSA issuer key below
	// MinRsaPubKeyBitLength (spec §1.2, §8). A trusted root's own
	// signature is not judged: its trust comes from the store.
	if i+1 < n && b.isWeak(el.Cert, issuer) {
		el.TrustStatus.ErrorStatus |= HasWeakSignature | IsNotSignatureValid
		el.Detail = append(el.Detail, "weak signature ("+el.Cert.X.SignatureAlgorithm.String()+")")
	}
}

func (b *builder) isWeak(c, issuer *certs.Certificate) bool {
	return certs.IsWeakSignature(c.X.SignatureAlgorithm, issuer.X.PublicKey, b.e.cfg.MinRSAPubKeyBitLength)
}

// checkBasicConstraints (spec §11.1 item 7): every issuing position needs
// basicConstraints CA:TRUE on a v3 certificate (a self-signed root without
// the extension is fine); path length constraints mark both the constraining
// CA and the first CA beyond the allowed length (Wine chain4).
func (b *builder) checkBasicConstraints(p *rawPath, i int, els []*Element) {
	if i == 0 {
		return
	}
	el := els[i]
	x := el.Cert.X
	isRoot := i == len(els)-1 && p.end == EndSelfSigned
	switch {
	case !x.BasicConstraintsValid:
		if x.Version >= 3 && !isRoot && !b.e.cfg.DisableMandatoryBasicConstraints {
			el.TrustStatus.ErrorStatus |= InvalidBasicConstraints
			el.Detail = append(el.Detail, "issuing certificate without basicConstraints")
		}
	case !x.IsCA:
		el.TrustStatus.ErrorStatus |= InvalidBasicConstraints
		el.Detail = append(el.Detail, "issuing certificate has basicConstraints CA:FALSE")
	}
	if x.BasicConstraintsValid && x.IsCA && (x.MaxPathLen > 0 || x.MaxPathLenZero) {
		limit := x.MaxPathLen
		count := 0
		for j := i - 1; j >= 1; j-- {
			if els[j].Cert.IsSelfIssued() {
				continue // self-issued certificates do not count (RFC 5280 4.2.1.9)
			}
			count++
			if count > limit {
				el.TrustStatus.ErrorStatus |= InvalidBasicConstraints
				el.Detail = append(el.Detail, "path length constraint exceeded")
				els[j].TrustStatus.ErrorStatus |= InvalidBasicConstraints
				els[j].Detail = append(els[j].Detail, "beyond the path length allowed by an issuer")
				break
			}
		}
	}
}

func hasExtension(x *x509.Certificate, oid asn1.ObjectIdentifier) bool {
	for _, e := range x.Extensions {
		if e.Id.Equal(oid) {
			return true
		}
	}
	return false
}

// checkKeyUsage (spec §11.1 item 7): an issuing certificate whose keyUsage
// lacks keyCertSign, and an end certificate with CA:FALSE that claims
// keyCertSign, are NOT_VALID_FOR_USAGE on that element.
func checkKeyUsage(i int, el *Element) {
	x := el.Cert.X
	if !hasExtension(x, oidKeyUsage) {
		return
	}
	if i > 0 && x.KeyUsage&x509.KeyUsageCertSign == 0 {
		el.TrustStatus.ErrorStatus |= IsNotValidForUsage
		el.Detail = append(el.Detail, "keyUsage lacks keyCertSign")
	}
	if i == 0 && x.BasicConstraintsValid && !x.IsCA && x.KeyUsage&x509.KeyUsageCertSign != 0 {
		el.TrustStatus.ErrorStatus |= IsNotValidForUsage
		el.Detail = append(el.Detail, "end certificate with CA:FALSE asserts keyCertSign")
	}
}

func (b *builder) checkCritical(el *Element) {
	if b.e.cfg.DisableUnsupportedCriticalExtensions {
		return
	}
	for _, e := range el.Cert.X.Extensions {
		if e.Critical && !supportedCritical[e.Id.String()] {
			el.TrustStatus.ErrorStatus |= HasNotSupportedCriticalExtension | InvalidExtension
			el.Detail = append(el.Detail, "unsupported critical extension "+e.Id.String())
		}
	}
}

// checkUsage computes each element's application usage (its EKUs
// intersected with those of its issuers) and checks RequestedUsage against
// the end certificate's. Windows reports NOT_VALID_FOR_USAGE on the end
// certificate only (spec §1.8, §11.1 item 12).
func (b *builder) checkUsage(els []*Element) {
	var eff []string // nil = any
	for i := len(els) - 1; i >= 0; i-- {
		eff = intersect(eff, els[i].Cert.EKU)
		els[i].ApplicationUsage = eff
	}
	if len(b.p.Usage) == 0 {
		return
	}
	leaf := els[0]
	if leaf.ApplicationUsage == nil {
		return
	}
	have := map[string]bool{}
	for _, o := range leaf.ApplicationUsage {
		have[o] = true
	}
	ok := b.p.UsageMatch == UsageMatchAnd
	for _, want := range b.p.Usage {
		if b.p.UsageMatch == UsageMatchAnd && !have[want] {
			ok = false
			break
		}
		if b.p.UsageMatch == UsageMatchOr && have[want] {
			ok = true
			break
		}
	}
	if !ok {
		leaf.TrustStatus.ErrorStatus |= IsNotValidForUsage
		leaf.Detail = append(leaf.Detail, "not valid for the requested usage")
	}
}

func intersect(a, b []string) []string {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	out := []string{}
	for _, x := range a {
		if in[x] {
			out = append(out, x)
		}
	}
	return out
}
