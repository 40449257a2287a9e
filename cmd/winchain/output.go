package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/revocation"
)

// The JSON shapes of docs/cli.md. Field names are a contract. The
// trustStatus objects are chain.TrustStatusJSON and the retrievals[]
// entries cache.LogEntry, the shapes the library defines once.

type jsonRevocation struct {
	Result string `json:"result"`
	Source string `json:"source"`
	URL    string `json:"url"`
	From   string `json:"from"`
	// RevocationTime, Reason (RFC 5280 name) and ReasonCode (CRLReason)
	// are set when result is "revoked".
	RevocationTime string `json:"revocationTime,omitempty"`
	Reason         string `json:"reason,omitempty"`
	ReasonCode     *int   `json:"reasonCode,omitempty"`
	// ThisUpdate and NextUpdate of the deciding CRL or OCSP response.
	ThisUpdate string `json:"thisUpdate,omitempty"`
	NextUpdate string `json:"nextUpdate,omitempty"`
}

// revocationJSON is the element's revocation object of docs/cli.md.
func revocationJSON(r *chain.RevocationInfo) jsonRevocation {
	if r == nil {
		return jsonRevocation{Result: "not-checked"}
	}
	j := jsonRevocation{Result: r.Result, Source: r.Source, URL: r.URL, From: r.From,
		ThisUpdate: rfc3339(r.ThisUpdate), NextUpdate: rfc3339(r.NextUpdate)}
	if r.Result == string(revocation.Revoked) {
		code := r.Reason
		j.RevocationTime, j.Reason, j.ReasonCode = rfc3339(r.RevocationTime), revocation.ReasonName(code), &code
	}
	return j
}

// rfc3339 formats t in UTC, or "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// revocationLine is the text form: "revoked (crl, from disk,
// http://…/issuing1.crl)", leaving out the parts that are empty.
func revocationLine(r *chain.RevocationInfo) string {
	var parts []string
	if r.Source != "" {
		parts = append(parts, r.Source)
	}
	if r.From != "" {
		parts = append(parts, "from "+r.From)
	}
	if r.URL != "" {
		parts = append(parts, r.URL)
	}
	if len(parts) == 0 {
		return r.Result
	}
	return r.Result + " (" + strings.Join(parts, ", ") + ")"
}

type jsonElement struct {
	Subject     string                `json:"subject"`
	Issuer      string                `json:"issuer"`
	Serial      string                `json:"serial"`
	SHA1        string                `json:"sha1"`
	TrustStatus chain.TrustStatusJSON `json:"trustStatus"`
	Revocation  jsonRevocation        `json:"revocation"`
	Source      string                `json:"source,omitempty"`
	Detail      []string              `json:"detail,omitempty"`
}

type jsonChain struct {
	TrustStatus chain.TrustStatusJSON `json:"trustStatus"`
	Elements    []jsonElement         `json:"elements"`
}

type jsonPolicy struct {
	Name         string `json:"name"`
	Error        string `json:"error"`
	ErrorName    string `json:"errorName"`
	ChainIndex   int    `json:"chainIndex"`
	ElementIndex int    `json:"elementIndex"`
}

type jsonResult struct {
	Time               string                `json:"time"`
	TrustStatus        chain.TrustStatusJSON `json:"trustStatus"`
	Chains             []jsonChain           `json:"chains"`
	LowerQualityChains []jsonChain           `json:"lowerQualityChains"`
	Policy             jsonPolicy            `json:"policy"`
	Retrievals         []cache.LogEntry      `json:"retrievals"`
	LimitsHit          []string              `json:"limitsHit,omitempty"`
}

func chainJSON(sc *chain.SimpleChain) jsonChain {
	jc := jsonChain{TrustStatus: sc.TrustStatus.JSON(), Elements: []jsonElement{}}
	for _, el := range sc.Elements {
		je := jsonElement{
			Subject:     el.Cert.Subject(),
			Issuer:      el.Cert.Issuer(),
			Serial:      el.Cert.SerialHex(),
			SHA1:        el.Cert.Thumbprint(),
			TrustStatus: el.TrustStatus.JSON(),
			Revocation:  revocationJSON(el.Revocation),
			Source:      el.Source,
			Detail:      el.Detail,
		}
		jc.Elements = append(jc.Elements, je)
	}
	return jc
}

// JSON returns the result in the shape of docs/cli.md.
func (r *verifyResult) JSON() jsonResult {
	cc := r.Context
	out := jsonResult{
		Time:               cc.Time.UTC().Format(time.RFC3339),
		TrustStatus:        cc.TrustStatus.JSON(),
		Chains:             []jsonChain{},
		LowerQualityChains: []jsonChain{},
		Retrievals:         []cache.LogEntry{},
		LimitsHit:          cc.Build.LimitsHit,
	}
	for _, sc := range cc.Chains {
		out.Chains = append(out.Chains, chainJSON(sc))
	}
	for _, rr := range cc.Retrievals {
		out.Retrievals = append(out.Retrievals, rr.LogEntry())
	}
	for _, lc := range cc.LowerQualityChains {
		for _, sc := range lc.Chains {
			out.LowerQualityChains = append(out.LowerQualityChains, chainJSON(sc))
		}
	}
	out.Policy = jsonPolicy{
		Name:         r.Policy.Policy.String(),
		Error:        fmt.Sprintf("0x%08X", uint32(r.Policy.Error)),
		ErrorName:    r.Policy.Error.Name(),
		ChainIndex:   r.Policy.ChainIndex,
		ElementIndex: r.Policy.ElementIndex,
	}
	return out
}

// WriteText prints the result for a Windows admin: each element with its
// subject, issuer and status names, then the policy verdict.
func (r *verifyResult) WriteText(w io.Writer) {
	cc := r.Context
	fmt.Fprintf(w, "Validation time: %s   Machine clock: %s\n\n", cc.Time.UTC().Format(time.RFC3339), cc.Now.UTC().Format(time.RFC3339))
	for ci, sc := range cc.Chains {
		fmt.Fprintf(w, "Chain %d (%d elements, %s):\n", ci, len(sc.Elements), sc.End)
		for ei, el := range sc.Elements {
			fmt.Fprintf(w, "  [%d] Subject: %s\n", ei, el.Cert.Subject())
			fmt.Fprintf(w, "      Issuer:  %s\n", el.Cert.Issuer())
			fmt.Fprintf(w, "      Serial:  %s   Cert Hash(sha1): %s   Found in: %s\n", el.Cert.SerialHex(), el.Cert.Thumbprint(), el.Source)
			fmt.Fprintf(w, "      CertContext[%d][%d]: dwInfoStatus=%x dwErrorStatus=%x\n", ci, ei, uint32(el.TrustStatus.InfoStatus), uint32(el.TrustStatus.ErrorStatus))
			if el.TrustStatus.ErrorStatus != 0 {
				fmt.Fprintf(w, "      Errors:  %s\n", el.TrustStatus.ErrorStatus)
			}
			if el.TrustStatus.InfoStatus != 0 {
				fmt.Fprintf(w, "      Info:    %s\n", el.TrustStatus.InfoStatus)
			}
			for _, d := range el.Detail {
				fmt.Fprintf(w, "      Why:     %s\n", d)
			}
			if rv := el.Revocation; rv != nil {
				fmt.Fprintf(w, "      Revocation: %s\n", revocationLine(rv))
				if rv.Result == string(revocation.Revoked) {
					fmt.Fprintf(w, "      Revoked: %s, reason %s (%d)\n", orNone(rfc3339(rv.RevocationTime)), revocation.ReasonName(rv.Reason), rv.Reason)
				}
			}
		}
	}
	fmt.Fprintf(w, "\nChainContext.dwErrorStatus = 0x%x (%s)\n", uint32(cc.TrustStatus.ErrorStatus), cc.TrustStatus.ErrorStatus)
	fmt.Fprintf(w, "ChainContext.dwInfoStatus = 0x%x (%s)\n", uint32(cc.TrustStatus.InfoStatus), cc.TrustStatus.InfoStatus)
	if len(cc.Build.LimitsHit) > 0 {
		fmt.Fprintf(w, "Path building stopped at a limit: %s\n", strings.Join(cc.Build.LimitsHit, ", "))
	}
	if len(cc.Retrievals) > 0 {
		fmt.Fprintln(w, "\nURL retrievals:")
		for _, rr := range cc.Retrievals {
			status := "ok"
			if !rr.OK {
				status = "FAILED " + rr.ErrorText()
			}
			fmt.Fprintf(w, "  %-9s %-12s %-8s %s\n", rr.Kind, rr.From, status, rr.URL)
			if c := rr.Cause(); c != "" && !rr.OK {
				fmt.Fprintf(w, "            cause: %s\n", c)
			}
			for _, p := range rr.ProblemTexts() {
				fmt.Fprintf(w, "            cache problem: %s\n", p)
			}
		}
	}
	if len(cc.LowerQualityChains) > 0 {
		fmt.Fprintf(w, "Lower-quality chains: %d\n", len(cc.LowerQualityChains))
	}
	fmt.Fprintln(w)
	st := r.Policy
	if st.OK() {
		fmt.Fprintf(w, "Policy %s: passed (0x00000000)\n", st.Policy)
		return
	}
	fmt.Fprintf(w, "Policy %s: FAILED %s at chain %d, element %d: %s\n", st.Policy, st.Error, st.ChainIndex, st.ElementIndex, st.Detail)
}

func orNone(s string) string {
	if s == "" {
		return "(no date)"
	}
	return s
}

// writeCacheProblems prints, once each, the cache problems of the
// retrievals (retrievals[].problems) as "winchain CMD: cache problem: …"
// lines on w: for the outputs whose layout has no place for them (verify
// --format certutil, diff).
func writeCacheProblems(w io.Writer, cmd string, r *verifyResult) {
	seen := map[string]bool{}
	for _, rr := range r.Context.Retrievals {
		for _, p := range rr.ProblemTexts() {
			if !seen[p] {
				seen[p] = true
				fmt.Fprintf(w, "winchain %s: cache problem: %s\n", cmd, p)
			}
		}
	}
}
