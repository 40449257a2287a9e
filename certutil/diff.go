package certutil

import (
	"fmt"
	"sort"
	"strings"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/chain"
)

// Difference is one point where a capture from Windows and winchain's
// result disagree.
type Difference struct {
	// Kind is "element" (per-element bits or identity), "chain" (the
	// ChainContext roll-up), "url" (a retrieval outcome) or "verdict".
	Kind string `json:"kind"`
	// Element is the element index for Kind "element" (and the element the
	// URL belongs to for Kind "url", when known); -1 otherwise.
	Element int `json:"element"`
	// Field names what differs: errorStatus, infoStatus, cert, count
	// (element); errorStatus (chain); result (url); error (verdict).
	Field string `json:"field"`
	// URL is the URL for Kind "url".
	URL string `json:"url,omitempty"`
	// Certutil and Winchain are the two values, printed the same way.
	Certutil string `json:"certutil"`
	Winchain string `json:"winchain"`
}

// String prints the difference on one line.
func (d Difference) String() string {
	var where string
	switch d.Kind {
	case "element":
		where = fmt.Sprintf("element %d %s", d.Element, d.Field)
	case "url":
		where = "url " + d.URL
		if d.Section() != "" {
			where += " (" + d.Section() + ")"
		}
	default:
		where = d.Kind + " " + d.Field
	}
	return fmt.Sprintf("%s: certutil %s, winchain %s", where, d.Certutil, d.Winchain)
}

// Section returns the URL section for a url difference ("" otherwise); it
// is carried in Field as "result:SECTION".
func (d Difference) Section() string {
	if _, s, ok := strings.Cut(d.Field, ":"); ok {
		return s
	}
	return ""
}

// Diff compares a capture of `certutil -verify -urlfetch` with winchain's
// chain context and policy status for the same inputs:
//
//   - per element of chain 0 (matched by index): dwErrorStatus and
//     dwInfoStatus words, and the certificate thumbprint when the capture
//     has a "Cert:" line; a different element count is one difference;
//   - the ChainContext dwErrorStatus roll-up, when the capture has one;
//   - per URL: success (Verified/OK) versus failure (Failed/Expired), for
//     URLs both sides retrieved, plus URLs only one side retrieved.
//     certutil -urlfetch fetches every URL while the chain engine stops at
//     the first usable answer, so a URL winchain did not retrieve
//     (Skipped) is not compared;
//   - the verdict: the HRESULT certutil reports (none when it passed)
//     against st.Error.
//
// The result is empty when they agree.
func Diff(capture *Capture, cc *chain.ChainContext, st chain.PolicyStatus) []Difference {
	var out []Difference
	var els []*chain.Element
	if cc != nil && len(cc.Chains) > 0 {
		els = cc.Chains[0].Elements
	}
	var capEls []Element
	for _, e := range capture.Elements {
		if e.Chain == 0 {
			capEls = append(capEls, e)
		}
	}
	if len(capEls) > 0 {
		if len(capEls) != len(els) {
			out = append(out, Difference{Kind: "element", Element: -1, Field: "count",
				Certutil: fmt.Sprint(len(capEls)), Winchain: fmt.Sprint(len(els))})
		}
		for _, ce := range capEls {
			i := ce.Index
			if i < 0 || i >= len(els) {
				continue
			}
			ts := els[i].TrustStatus
			if ce.Cert != "" && !strings.EqualFold(ce.Cert, els[i].Cert.Thumbprint()) {
				out = append(out, Difference{Kind: "element", Element: i, Field: "cert",
					Certutil: strings.ToLower(ce.Cert), Winchain: strings.ToLower(els[i].Cert.Thumbprint())})
			}
			if chain.ErrorStatus(ce.ErrorStatus) != ts.ErrorStatus {
				out = append(out, Difference{Kind: "element", Element: i, Field: "errorStatus",
					Certutil: errText(chain.ErrorStatus(ce.ErrorStatus)), Winchain: errText(ts.ErrorStatus)})
			}
			if chain.InfoStatus(ce.InfoStatus) != ts.InfoStatus {
				out = append(out, Difference{Kind: "element", Element: i, Field: "infoStatus",
					Certutil: infoText(chain.InfoStatus(ce.InfoStatus)), Winchain: infoText(ts.InfoStatus)})
			}
		}
	}
	if capture.ChainContextSeen && cc != nil && chain.ErrorStatus(capture.ChainErrorStatus) != cc.TrustStatus.ErrorStatus {
		out = append(out, Difference{Kind: "chain", Element: -1, Field: "errorStatus",
			Certutil: errText(chain.ErrorStatus(capture.ChainErrorStatus)), Winchain: errText(cc.TrustStatus.ErrorStatus)})
	}
	out = append(out, diffURLs(capture, cc)...)
	if len(capture.VerdictLines) > 0 {
		var capErr chain.HRESULT
		if !capture.Passed {
			capErr = chain.HRESULT(capture.VerdictError)
			if capErr == 0 {
				capErr = chain.TRUST_E_FAIL // failed without a code
			}
		}
		if capErr != st.Error {
			out = append(out, Difference{Kind: "verdict", Element: -1, Field: "error",
				Certutil: verdictText(capErr), Winchain: verdictText(st.Error)})
		}
	}
	return out
}

func errText(s chain.ErrorStatus) string {
	return fmt.Sprintf("0x%08X (%s)", uint32(s), s)
}

func infoText(s chain.InfoStatus) string {
	return fmt.Sprintf("0x%08X (%s)", uint32(s), s)
}

func verdictText(h chain.HRESULT) string {
	if h == chain.S_OK {
		return "passed"
	}
	return h.String()
}

// outcome is a URL result reduced for comparison.
type outcome struct {
	section, result string
	element         int
}

// outcomeWord maps a status word to ok / failed / expired; "" means not
// compared (No URLs, Skipped, unknown words).
func outcomeWord(word string) string {
	switch word {
	case WordVerified, WordOK:
		return "ok"
	case WordFailed:
		return "failed"
	case WordExpired:
		return "expired"
	}
	return ""
}

func diffURLs(capture *Capture, cc *chain.ChainContext) []Difference {
	capOut := map[string]outcome{}
	var order []string
	for _, r := range capture.Retrievals {
		w := outcomeWord(r.Result)
		if r.URL == "" || w == "" {
			continue
		}
		key := r.URL
		if _, seen := capOut[key]; !seen {
			order = append(order, key)
		}
		// Any success for the URL counts (certutil lists a URL once per
		// object it found there).
		if prev, ok := capOut[key]; !ok || prev.result != "ok" {
			capOut[key] = outcome{section: r.Section, result: w, element: capElementIndex(capture, r.Element)}
		}
	}
	if len(capOut) == 0 || cc == nil || len(cc.Chains) == 0 {
		return nil // no -urlfetch sections to compare
	}
	ours := map[string]outcome{}
	var ourOrder []string
	atts := attribute(cc)
	for ei := range cc.Chains[0].Elements {
		rows := atts[ei]
		for _, r := range rows {
			w := "failed"
			if r.res.OK {
				w = "ok"
				if r.section != SectionAIA && r.section != SectionOCSP && crlExpired(r.res, cc) {
					w = "expired"
				}
			}
			key := r.url
			if prev, ok := ours[key]; !ok || prev.result != "ok" {
				if !ok {
					ourOrder = append(ourOrder, key)
				}
				ours[key] = outcome{section: r.section, result: w, element: ei}
			}
		}
	}
	var out []Difference
	for _, key := range order {
		c := capOut[key]
		url := key
		o, ok := ours[key]
		if !ok {
			if !listedBy(cc, c.section, url) {
				out = append(out, Difference{Kind: "url", Element: c.element, Field: "result:" + c.section, URL: url,
					Certutil: c.result, Winchain: "not in the chain"})
			}
			continue // Skipped by winchain's engine: not compared
		}
		if o.result != c.result {
			out = append(out, Difference{Kind: "url", Element: o.element, Field: "result:" + c.section, URL: url,
				Certutil: c.result, Winchain: o.result})
		}
	}
	sort.Strings(ourOrder)
	for _, key := range ourOrder {
		if _, ok := capOut[key]; ok {
			continue
		}
		o := ours[key]
		url := key
		out = append(out, Difference{Kind: "url", Element: o.element, Field: "result:" + o.section, URL: url,
			Certutil: "not retrieved", Winchain: o.result})
	}
	return out
}

func capElementIndex(c *Capture, i int) int {
	if i >= 0 && i < len(c.Elements) {
		return c.Elements[i].Index
	}
	return -1
}

// listedBy reports whether a certificate of chain 0 names url in the
// extension of section.
func listedBy(cc *chain.ChainContext, section, url string) bool {
	for _, el := range cc.Chains[0].Elements {
		x := el.Cert.X
		var list []string
		switch section {
		case SectionAIA:
			list = x.IssuingCertificateURL
		case SectionOCSP:
			list = x.OCSPServer
		default:
			list = x.CRLDistributionPoints
		}
		for _, u := range list {
			if u == url {
				return true
			}
		}
	}
	return false
}

func crlExpired(r *cache.Result, cc *chain.ChainContext) bool {
	return isExpiredCRL(r.Body, cc.Now)
}
