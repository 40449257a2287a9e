package certutil

import (
	"bufio"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/revocation"
)

// RenderOptions tune [RenderVerify]. The zero value prints like
// `certutil -verify -urlfetch` on a machine in UTC, with no ChainFlags line.
type RenderOptions struct {
	// ChainFlags are the CertGetCertificateChain dwFlags the chain was built
	// with, one "ChainFlags = " line per bit. Zero prints none; certutil
	// -verify itself uses CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT
	// (spec §3.1, [DefaultChainFlags]).
	ChainFlags chain.Flags
	// Engine is the chain engine line; "" means "HCCE_LOCAL_MACHINE", as in
	// every sample of spec §7.
	Engine string
	// Location is the time zone of the NotBefore/NotAfter/ThisUpdate lines
	// (certutil uses the machine's). Nil means UTC.
	Location *time.Location
	// NoHeader omits the leading leaf Issuer/Subject/Cert Serial Number
	// block and the dwFlags lines (useful to compare with excerpts).
	NoHeader bool
}

// DefaultChainFlags are the dwFlags certutil -verify builds chains with
// (spec §3.1, §7 Samples A and F).
const DefaultChainFlags = chain.RevocationCheckChainExclRoot

// dateLayout is the en-US short date and time certutil prints
// ("11/27/2022 4:36 AM", spec §7 Sample A).
const dateLayout = "1/2/2006 3:04 PM"

func (o RenderOptions) date(t time.Time) string {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	return t.In(loc).Format(dateLayout)
}

// Section names as they appear between the dashes of certutil's URL
// sections, and as [Retrieval.Section] holds them.
const (
	SectionAIA       = "AIA"
	SectionCDP       = "CDP"
	SectionBaseCDP   = "Base CRL CDP"
	SectionOCSP      = "OCSP"
	sectionAIATitle  = "Certificate AIA"
	sectionCDPTitle  = "Certificate CDP"
	sectionOCSPTitle = "Certificate OCSP"
)

// Status words of the URL lines. Verified, OK, Expired, Failed and No URLs
// are certutil's (spec §7); Skipped is winchain's, for a URL the chain
// engine did not need to retrieve.
const (
	WordVerified = "Verified"
	WordOK       = "OK"
	WordExpired  = "Expired"
	WordFailed   = "Failed"
	WordNoURLs   = "No URLs"
	WordSkipped  = "Skipped"
)

// RenderVerify writes cc and st in the layout of `certutil -verify
// -urlfetch` (spec §7.1): the leaf's Issuer/Subject/Cert Serial Number, the
// chain flags, the CERT_CHAIN_CONTEXT roll-up with names, one
// CertContext[i][j] block per element with its Certificate AIA, Certificate
// CDP, Base CRL CDP and Certificate OCSP sections built from
// cc.Retrievals, the "Exclude leaf cert" / "Full chain" hashes and the
// verdict lines. See the package documentation for where the words are
// winchain's own.
func RenderVerify(w io.Writer, cc *chain.ChainContext, st chain.PolicyStatus, opts RenderOptions) error {
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format+"\n", args...) }
	if cc == nil || len(cc.Chains) == 0 || len(cc.Chains[0].Elements) == 0 {
		return fmt.Errorf("certutil: empty chain context")
	}
	flags := opts.ChainFlags
	engine := opts.Engine
	if engine == "" {
		engine = "HCCE_LOCAL_MACHINE"
	}
	leaf := cc.Chains[0].Elements[0].Cert
	if !opts.NoHeader {
		p("Issuer:")
		for _, rdn := range rdnLines(leaf.X.Issuer) {
			p("    %s", rdn)
		}
		p("Subject:")
		for _, rdn := range rdnLines(leaf.X.Subject) {
			p("    %s", rdn)
		}
		p("Cert Serial Number: %s", strings.ToLower(leaf.SerialHex()))
		p("")
		p("dwFlags = CA_VERIFY_FLAGS_CONSOLE_TRACE (0x20000000)")
		p("dwFlags = CA_VERIFY_FLAGS_DUMP_CHAIN (0x40000000)")
	}
	for _, f := range chainFlagNames {
		if flags&f.bit != 0 {
			p("ChainFlags = %s (0x%x)", f.name, uint32(f.bit))
		}
	}
	p("%s", engine)
	p("CERT_CHAIN_POLICY_%s", st.Policy)
	p("-------- CERT_CHAIN_CONTEXT --------")
	writeRollup(bw, "ChainContext", cc.TrustStatus, cc.HasRevocationFreshnessTime, cc.RevocationFreshnessTime)
	atts := attribute(cc)
	for ci, sc := range cc.Chains {
		writeRollup(bw, "SimpleChain", sc.TrustStatus, cc.HasRevocationFreshnessTime, cc.RevocationFreshnessTime)
		for ei, el := range sc.Elements {
			var rows []row
			if ci == 0 {
				rows = atts[ei]
			}
			writeElement(bw, opts, cc, ci, ei, el, rows)
		}
	}
	els := cc.Chains[0].Elements
	p("Exclude leaf cert:")
	p("Chain: %s", chainHash(els[1:]))
	p("Full chain:")
	p("Chain: %s", chainHash(els))
	p("------------------------------------")
	if u := els[0].ApplicationUsage; u != nil {
		p("Verified Application Policies:")
		for _, oid := range u {
			p("    %s", oidWithName(oid))
		}
	}
	for _, l := range verdictLines(cc, st) {
		p("%s", l)
	}
	return bw.Flush()
}

// verdictLines are the closing lines: the leaf revocation result and the
// CertUtil line (spec §7 Samples A, C, D).
func verdictLines(cc *chain.ChainContext, st chain.PolicyStatus) []string {
	leaf := cc.Chains[0].Elements[0]
	if st.OK() {
		var out []string
		if leaf.Revocation != nil && leaf.Revocation.Result == "good" {
			out = append(out, "Leaf certificate revocation check passed")
		}
		return append(out, "CertUtil: -verify command completed successfully.")
	}
	msg := hresultMessage(st.Error)
	switch st.Error {
	case chain.CRYPT_E_REVOCATION_OFFLINE, chain.CRYPT_E_NO_REVOCATION_CHECK, chain.CRYPT_E_REVOKED:
		return []string{
			"ERROR: Verifying leaf certificate revocation status returned " + msg + " " + hresultTail(st.Error),
			"CertUtil: " + msg,
		}
	}
	return []string{
		"CertUtil: -verify command FAILED: " + hresultTail(st.Error),
		"CertUtil: " + msg,
	}
}

func writeRollup(w io.Writer, who string, ts chain.TrustStatus, hasFresh bool, fresh time.Duration) {
	infos := ts.InfoStatus.Names()
	for i, bit := range infoBits(ts.InfoStatus) {
		fmt.Fprintf(w, "%s.dwInfoStatus = %s (0x%x)\n", who, infos[i], bit)
	}
	errs := ts.ErrorStatus.Names()
	for i, bit := range errorBits(ts.ErrorStatus) {
		fmt.Fprintf(w, "%s.dwErrorStatus = %s (0x%x)\n", who, errs[i], bit)
	}
	if hasFresh {
		fmt.Fprintf(w, "%s.dwRevocationFreshnessTime: %s\n", who, freshness(fresh))
	}
	fmt.Fprintln(w)
}

// errorBits and infoBits list the set bits in the order Names() names them
// (lowest first; an unnamed rest comes last as one value).
func errorBits(s chain.ErrorStatus) []uint32 { return bitsOf(uint32(s), len(s.Names())) }
func infoBits(s chain.InfoStatus) []uint32   { return bitsOf(uint32(s), len(s.Names())) }

func bitsOf(v uint32, n int) []uint32 {
	var out []uint32
	for b := uint32(1); b != 0 && len(out) < n; b <<= 1 {
		if v&b != 0 {
			out = append(out, b)
		}
	}
	return out
}

// freshness prints a duration as certutil does: "218 Days, 21 Hours, 47
// Minutes, 33 Seconds" (spec §7 Sample A). Leading zero units are omitted
// (winchain's choice; only the all-units form is in a sample).
func freshness(d time.Duration) string {
	s := int64(d / time.Second)
	parts := []struct {
		n    int64
		unit string
	}{{s / 86400, "Days"}, {s / 3600 % 24, "Hours"}, {s / 60 % 60, "Minutes"}, {s % 60, "Seconds"}}
	var out []string
	for i, p := range parts {
		if len(out) == 0 && p.n == 0 && i < len(parts)-1 {
			continue
		}
		out = append(out, fmt.Sprintf("%d %s", p.n, p.unit))
	}
	return strings.Join(out, ", ")
}

// chainHash is the value of the "Chain:" lines: SHA-1 over the
// concatenated DER of the certificates, leaf first. Spec §7 (S44a) fits this
// (empty input for "Exclude leaf cert" of a one-certificate chain, the
// thumbprint for "Full chain"), but it is UNCONFIRMED for longer chains.
func chainHash(els []*chain.Element) string {
	h := sha1.New()
	for _, el := range els {
		h.Write(el.Cert.X.Raw)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// rdnLines returns a name's RDNs most specific first ("CN=…", then "O=…"),
// as certutil prints them one per line in the Issuer/Subject blocks.
func rdnLines(n pkix.Name) []string {
	seq := n.ToRDNSequence()
	out := make([]string, 0, len(seq))
	for i := len(seq) - 1; i >= 0; i-- {
		out = append(out, pkix.RDNSequence{seq[i]}.String())
	}
	return out
}

// dn prints a name on one line as certutil does: "CN=MCICA01, DC=MATC".
func dn(n pkix.Name) string { return strings.Join(rdnLines(n), ", ") }

func writeElement(w io.Writer, opts RenderOptions, cc *chain.ChainContext, ci, ei int, el *chain.Element, rows []row) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format+"\n", args...) }
	x := el.Cert.X
	ts := el.TrustStatus
	p("CertContext[%d][%d]: dwInfoStatus=%x dwErrorStatus=%x", ci, ei, uint32(ts.InfoStatus), uint32(ts.ErrorStatus))
	p("Issuer: %s", dn(x.Issuer))
	p("NotBefore: %s", opts.date(x.NotBefore))
	p("NotAfter: %s", opts.date(x.NotAfter))
	p("Subject: %s", dn(x.Subject))
	p("Serial: %s", strings.ToLower(el.Cert.SerialHex()))
	if san := sanLine(el.Cert); san != "" {
		p("SubjectAltName: %s", san)
	}
	p("Cert: %s", strings.ToLower(el.Cert.Thumbprint()))
	infos := ts.InfoStatus.Names()
	for i, bit := range infoBits(ts.InfoStatus) {
		p("Element.dwInfoStatus = %s (0x%x)", infos[i], bit)
	}
	errs := ts.ErrorStatus.Names()
	for i, bit := range errorBits(ts.ErrorStatus) {
		p("Element.dwErrorStatus = %s (0x%x)", errs[i], bit)
	}

	var crls []crlInfo
	section := func(title, kind string, urls []string) {
		p("---------------- %s ----------------", title)
		n := 0
		for i, u := range urls {
			mine := rowsFor(rows, kind, u)
			if len(mine) == 0 {
				p("%s \"%s\" Time: 0", WordSkipped, kind)
				p("[%d.0] %s", i, u)
				p("")
				n++
				continue
			}
			for _, r := range mine {
				crls = writeRow(w, cc, r, fmt.Sprintf("%d.0", i), u, crls)
				n++
			}
		}
		for _, r := range rows {
			if r.section == kind && r.urlIndex < 0 {
				crls = writeRow(w, cc, r, fmt.Sprintf("%d.0", n), r.res.URL, crls)
				n++
			}
		}
		if n == 0 {
			p("%s \"None\" Time: 0", WordNoURLs)
		}
	}
	section(sectionAIATitle, SectionAIA, x.IssuingCertificateURL)
	section(sectionCDPTitle, SectionCDP, x.CRLDistributionPoints)
	hasBase := false
	for _, c := range crls {
		hasBase = hasBase || !c.delta
	}
	var deltas []row
	for _, r := range rows {
		if r.section == SectionBaseCDP {
			deltas = append(deltas, r)
		}
	}
	if hasBase || len(deltas) > 0 {
		p("---------------- %s ----------------", SectionBaseCDP)
		for i, r := range deltas {
			crls = writeRow(w, cc, r, fmt.Sprintf("%d.0", i), r.res.URL, crls)
		}
		if len(deltas) == 0 {
			p("%s \"None\" Time: 0", WordNoURLs)
		}
	}
	section(sectionOCSPTitle, SectionOCSP, x.OCSPServer)
	p("--------------------------------")
	for _, c := range crls {
		if c.delta {
			p("Delta CRL %s:", c.number)
		} else {
			p("CRL %s:", c.number)
		}
		p("Issuer: %s", dn(c.crl.Issuer))
		p("ThisUpdate: %s", opts.date(c.crl.ThisUpdate))
		if !c.crl.NextUpdate.IsZero() {
			p("NextUpdate: %s", opts.date(c.crl.NextUpdate))
		}
		p("CRL: %s", c.sha1)
	}
	if rv := el.Revocation; rv != nil && rv.Result == "revoked" {
		// The revoked entry, in certutil -dump's CRL-entry wording (where
		// certutil -verify prints it is unconfirmed:
		// docs/windows-divergences.md).
		if !rv.RevocationTime.IsZero() {
			p("Revocation Date: %s", opts.date(rv.RevocationTime))
		}
		p("CRL Reason Code: %s (%d)", revocation.ReasonName(rv.Reason), rv.Reason)
	}
	for i, oid := range el.ApplicationUsage {
		p("Application[%d] = %s", i, oidWithName(oid))
	}
	p("")
}

type crlInfo struct {
	number string
	delta  bool
	sha1   string
	crl    *certs.CRL
}

// writeRow prints one retrieval: the status line, then "[i.j] URL" on
// success or "Error retrieving URL: …" and the bare URL on failure, as in
// spec §7 Sample C. Successful CRLs are added to crls for the CRL blocks.
func writeRow(w io.Writer, cc *chain.ChainContext, r row, index, url string, crls []crlInfo) []crlInfo {
	secs := int64(r.res.Blocked / time.Second)
	if !r.res.OK {
		what := r.section
		if r.section == SectionBaseCDP {
			what = "Delta CRL"
		}
		fmt.Fprintf(w, "%s \"%s\" Time: %d\n", WordFailed, what, secs)
		fmt.Fprintf(w, "Error retrieving URL: %s\n", retrievalErrorText(r.res))
		fmt.Fprintf(w, "%s\n\n", url)
		return crls
	}
	word, what := WordVerified, ""
	switch r.section {
	case SectionAIA:
		what = "Certificate (0)"
	case SectionOCSP:
		what = "OCSP"
	case SectionCDP, SectionBaseCDP:
		delta := r.res.Kind == cache.KindDeltaCRL
		what = "Base CRL"
		if delta {
			what = "Delta CRL"
		}
		if r.section == SectionBaseCDP {
			word = WordOK
		}
		if crl, err := certs.ParseCRL(certs.DecodeCRLBody(r.res.Body)); err == nil {
			num := crlNumber(crl.Number)
			what += " (" + num + ")"
			if isExpiredCRL(r.res.Body, cc.Now) {
				word = WordExpired
			}
			sum := sha1.Sum(r.res.Body)
			crls = append(crls, crlInfo{number: num, delta: delta, sha1: hex.EncodeToString(sum[:]), crl: crl})
		}
	}
	fmt.Fprintf(w, "%s \"%s\" Time: %d\n", word, what, secs)
	fmt.Fprintf(w, "[%s] %s\n\n", index, url)
	return crls
}

// crlNumber prints a CRL number as certutil's labels do: the integer's
// bytes in lower-case hex ("067e", "0c").
func crlNumber(n *big.Int) string {
	if n == nil || n.Sign() == 0 {
		return "00"
	}
	return hex.EncodeToString(n.Bytes())
}

func sanLine(c *certs.Certificate) string {
	var parts []string
	for _, d := range c.X.DNSNames {
		parts = append(parts, "DNS Name="+d)
	}
	for _, e := range c.X.EmailAddresses {
		parts = append(parts, "RFC822 Name="+e)
	}
	for _, ip := range c.X.IPAddresses {
		parts = append(parts, "IP Address="+ip.String())
	}
	for _, u := range c.X.URIs {
		parts = append(parts, "URL="+u.String())
	}
	return strings.Join(parts, ", ")
}

// row is one retrieval attributed to an element and a section. urlIndex is
// the position of the URL in the certificate's extension, -1 when the URL
// is not in it (an attributed delta CRL or an unmatched retrieval).
type row struct {
	section  string
	urlIndex int
	url      string // the certificate's URL (the OCSP responder, not the GET URL)
	res      *cache.Result
}

func rowsFor(rows []row, section, url string) []row {
	var out []row
	for _, r := range rows {
		if r.section == section && r.urlIndex >= 0 && r.url == url {
			out = append(out, r)
		}
	}
	return out
}

// attribute assigns each retrieval of cc.Retrievals to the element of
// chain 0 whose certificate names its URL: AIA by the AIA caIssuers list,
// CRLs by the CDP list, OCSP by a responder URL that prefixes the request
// URL. A delta CRL (and any retrieval no certificate names) goes to the
// element of the retrieval before it, in the Base CRL CDP section for a
// delta and its own kind's section otherwise.
func attribute(cc *chain.ChainContext) map[int][]row {
	out := map[int][]row{}
	els := cc.Chains[0].Elements
	cur := 0
	for _, r := range cc.Retrievals {
		if r == nil {
			continue
		}
		sec := sectionOfKind(r.Kind)
		placed := false
		for ei, el := range els {
			var list []string
			switch r.Kind {
			case cache.KindAIA:
				list = el.Cert.X.IssuingCertificateURL
			case cache.KindCRL, cache.KindDeltaCRL:
				list = el.Cert.X.CRLDistributionPoints
			case cache.KindOCSP:
				list = el.Cert.X.OCSPServer
			}
			for i, u := range list {
				if u == r.URL || (r.Kind == cache.KindOCSP && strings.HasPrefix(r.URL, strings.TrimSuffix(u, "/")+"/")) {
					out[ei] = append(out[ei], row{section: sec, urlIndex: i, url: u, res: r})
					cur, placed = ei, true
					break
				}
			}
			if placed {
				break
			}
		}
		if !placed {
			out[cur] = append(out[cur], row{section: sec, urlIndex: -1, url: r.URL, res: r})
		}
	}
	return out
}

func sectionOfKind(k cache.Kind) string {
	switch k {
	case cache.KindAIA:
		return SectionAIA
	case cache.KindDeltaCRL:
		return SectionBaseCDP
	case cache.KindOCSP:
		return SectionOCSP
	}
	return SectionCDP
}

// isExpiredCRL reports whether body is a CRL whose NextUpdate is before now
// (certutil's "Expired" word, spec §7 Sample A).
func isExpiredCRL(body []byte, now time.Time) bool {
	_, next, ok := certs.ReadCRLTimes(certs.DecodeCRLBody(body))
	return ok && !next.IsZero() && next.Before(now)
}
