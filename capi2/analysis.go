package capi2

import (
	"fmt"
	"strings"
	"time"

	"github.com/winchain/winchain/chain"
)

// Revocation flags as event 11, 41 and 50 name them (wincrypt.h).
const (
	flagChainCacheOnly = "CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY"
	flagRevCacheOnly   = "CERT_VERIFY_CACHE_ONLY_BASED_REVOCATION"
	flagURLCacheOnly   = "CRYPT_CACHE_ONLY_RETRIEVAL"
)

// cacheOnly reports whether the operation's revocation checking was
// restricted to caches (by the chain flags, the revocation flags or the
// retrieval flags of the log).
func (op *Operation) cacheOnly() bool {
	for _, e := range op.Events {
		switch {
		case e.Chain != nil && e.Chain.Flags.Has(flagChainCacheOnly),
			e.Revocation != nil && e.Revocation.Flags.Has(flagRevCacheOnly),
			e.Retrieval != nil && e.Retrieval.Flags.Has(flagURLCacheOnly):
			return true
		}
	}
	return false
}

// eventsFor returns the events of the revocation check of the certificate
// fileRef: from its event 40 to its event 41 (both included), or every
// event when the log has no such window.
func (op *Operation) eventsFor(fileRef string) []*Event {
	start := -1
	for i, e := range op.Events {
		if e.Revocation == nil || e.Revocation.Certificate.FileRef != fileRef {
			continue
		}
		if e.ID == EventRevocationStart {
			start = i
		} else if start >= 0 {
			return op.Events[start : i+1]
		}
	}
	return op.Events
}

// locationWords says where an object was found, in an admin's words.
func locationWords(loc string) string {
	switch strings.ToLower(loc) {
	case "tvocache":
		return "in memory"
	case "urlcache":
		return "in the URL cache"
	case "wire":
		return "on the network"
	case "":
		return ""
	}
	return "in " + loc
}

// kindWords names an object kind.
func kindWords(kind string) string {
	switch kind {
	case "crl":
		return "CRL"
	case "ocsp":
		return "OCSP response"
	case "aia", "cert":
		return "issuer certificate"
	}
	return "object"
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// revocationReasons explains why the revocation status of one certificate
// could not be established: rejected objects, cache misses, network
// failures, and a cache-only call.
func (op *Operation) revocationReasons(fileRef string, used *ObjectRef, objs *ObjectIndex) []string {
	var out []string
	seen := map[string]bool{}
	addf := func(format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	window := op.eventsFor(fileRef)
	for _, e := range window {
		switch {
		case e.Rejected != nil && (e.Rejected.Subject.FileRef == fileRef || e.Rejected.Subject.FileRef == ""):
			r := e.Rejected
			kind, where := "object", ""
			if r.Object != nil {
				kind, where = kindWords(r.Object.Kind), locationWords(r.Object.Location)
			}
			subject := strings.TrimSpace("the " + kind + " " + where)
			switch r.Action {
			case "CheckTimeValidity":
				next := op.nextUpdateOf(r.Object, objs)
				if next.IsZero() {
					addf("%s was stale", subject)
				} else {
					addf("%s was stale (nextUpdate %s)", subject, stamp(next))
				}
			case "":
				addf("%s was refused", subject)
			default:
				addf("%s was refused by %s", subject, r.Action)
			}
		case e.ID == EventCache && !e.Result.OK():
			addf("the URL cache had no usable copy of %s", e.Retrieval.URL)
		case e.ID == EventWire && !e.Result.OK():
			addf("%s", wireFailure(e))
		}
	}
	if used != nil {
		// The object the element's RevocationInfo names, past its
		// nextUpdate at the time of the check: stale though not refused by
		// an event 42 (a memory-cache copy, spec §7.3).
		if next := op.nextUpdateOf(used, objs); !next.IsZero() && next.Before(op.Time()) {
			addf("%s was stale (nextUpdate %s)", strings.TrimSpace("the "+kindWords(used.Kind)+" "+locationWords(used.Location)), stamp(next))
		}
	}
	if op.cacheOnly() {
		out = append(out, "the call was cache-only")
	}
	if len(out) == 0 {
		out = append(out, "no revocation server answered")
	}
	return out
}

// wireFailure says how a network fetch failed.
func wireFailure(e *Event) string {
	r := e.Retrieval
	code := r.ActionError
	if !code.Set || code.OK() {
		code = e.Result
	}
	s := fmt.Sprintf("fetching %s failed (%s", r.URL, code.Name())
	if code.Value == WinHTTPTimeout && r.Timeout.Set {
		s += " after " + r.Timeout.String()
	}
	return s + ")"
}

// nextUpdateOf finds the nextUpdate of a CRL or OCSP response: from its
// event 90 description, else from the URL cache entry of event 51.
func (op *Operation) nextUpdateOf(o *ObjectRef, objs *ObjectIndex) time.Time {
	if o == nil {
		return time.Time{}
	}
	if c := objs.CRLs[o.FileRef]; c != nil {
		return c.NextUpdate
	}
	if r := objs.OCSP[o.FileRef]; r != nil && len(r.Responses) > 0 {
		return r.Responses[0].NextUpdate
	}
	for _, e := range op.Events {
		if e.ID == EventCache && e.Retrieval.Cache != nil && (o.URL == "" || e.Retrieval.URL == o.URL) {
			return e.Retrieval.Cache.NextUpdate
		}
	}
	return time.Time{}
}

// Verdict says in one line, in an admin's words, what the operation's
// outcome was and why.
func (op *Operation) Verdict() string {
	objs := op.Objects()
	ch := op.Chain()
	pol := op.Policy()
	if ch == nil {
		return op.verdictWithoutChain(objs, pol)
	}
	if len(ch.Chain.Chains) == 0 || len(ch.Chain.Chains[0].Elements) == 0 {
		return "chain build " + resultWords(ch.Result) + "; the log does not list the chain"
	}
	sc := ch.Chain.Chains[0]
	els := sc.Elements
	name := func(i int) string {
		if s := els[i].Cert.Subject; s != "" {
			return s
		}
		return els[i].Cert.FileRef
	}
	first := func(bits chain.ErrorStatus) int {
		for i, e := range els {
			if e.TrustStatus.ErrorStatus&bits != 0 {
				return i
			}
		}
		return 0
	}
	st := sc.TrustStatus.ErrorStatus
	switch {
	case st&chain.IsRevoked != 0:
		i := first(chain.IsRevoked)
		s := "revoked: " + name(i) + " is revoked"
		if r := els[i].Revocation; r != nil && r.Object != nil {
			s += " (" + kindWords(r.Object.Kind) + " " + locationWords(r.Object.Location) + ")"
		}
		return s
	case st&chain.IsExplicitDistrust != 0:
		return "distrusted: " + name(first(chain.IsExplicitDistrust)) + " is explicitly distrusted (Disallowed store)"
	case st&chain.IsPartialChain != 0:
		return "incomplete chain: no issuer was found for " + name(len(els)-1) + op.aiaFailures()
	case st&chain.IsUntrustedRoot != 0:
		return "untrusted root: the chain ends at " + name(len(els)-1) + ", which this client does not trust"
	case st&chain.IsNotTimeValid != 0:
		i := first(chain.IsNotTimeValid)
		s := "not time valid: " + name(i) + " is expired or not yet valid"
		if c := objs.Certs[els[i].Cert.FileRef]; c != nil {
			s += fmt.Sprintf(" (valid %s to %s)", stamp(c.NotBefore), stamp(c.NotAfter))
		}
		return s
	case st&(chain.RevocationStatusUnknown|chain.IsOfflineRevocation) != 0:
		i := first(chain.RevocationStatusUnknown | chain.IsOfflineRevocation)
		word := "revocation unknown"
		if st&chain.IsOfflineRevocation != 0 {
			word = "revocation offline"
		}
		var used *ObjectRef
		if els[i].Revocation != nil {
			used = els[i].Revocation.Object
		}
		return word + " for " + name(i) + ": " + joinReasons(op.revocationReasons(els[i].Cert.FileRef, used, objs))
	case st != 0:
		i := 0
		for j, e := range els {
			if e.TrustStatus.ErrorStatus != 0 {
				i = j
				break
			}
		}
		return "chain error: " + sc.TrustStatus.ErrorStatus.String() + " on " + name(i)
	}
	if pol != nil && !pol.Result.OK() {
		return "policy failed: " + policyWords(pol)
	}
	s := "trusted: the chain to " + name(len(els)-1) + " is valid"
	if srcs := revocationSources(els); srcs != "" {
		s += "; revocation good (" + srcs + ")"
	}
	return s
}

func (op *Operation) verdictWithoutChain(objs *ObjectIndex, pol *Event) string {
	for i := len(op.Events) - 1; i >= 0; i-- {
		e := op.Events[i]
		switch {
		case e.ID == EventRevocation:
			who := e.Revocation.Certificate.Subject
			code := e.Result
			if e.Revocation.Error.Set {
				code = e.Revocation.Error
			}
			if code.OK() {
				return "revocation good for " + who
			}
			if code.Value == uint32(chain.CRYPT_E_REVOKED) {
				return "revoked: " + who + " is revoked"
			}
			return "revocation " + code.Name() + " for " + who + ": " + joinReasons(op.revocationReasons(e.Revocation.Certificate.FileRef, e.Revocation.Object, objs))
		case pol != nil && e == pol:
			if pol.Result.OK() {
				return "policy " + policyName(pol.Policy.Policy) + " passed"
			}
			return "policy failed: " + policyWords(pol)
		case e.ID == EventWire:
			if e.Result.OK() {
				return "fetched " + e.Retrieval.URL + " from the network"
			}
			return wireFailure(e)
		case e.ID == EventCache:
			if e.Result.OK() {
				return "found " + e.Retrieval.URL + " in the URL cache"
			}
			return "the URL cache had no usable copy of " + e.Retrieval.URL
		}
	}
	return "no result recorded (the log holds only the start of this operation)"
}

func (op *Operation) aiaFailures() string {
	var out []string
	for _, e := range op.Events {
		if e.ID == EventWire && e.Retrieval.Kind() == "aia" && !e.Result.OK() {
			out = append(out, wireFailure(e))
		}
	}
	if len(out) == 0 {
		return ""
	}
	return ": " + joinReasons(out)
}

func joinReasons(r []string) string {
	switch len(r) {
	case 0:
		return ""
	case 1:
		return r[0]
	}
	return strings.Join(r[:len(r)-1], ", ") + " and " + r[len(r)-1]
}

func resultWords(c Code) string {
	if c.OK() {
		return "succeeded"
	}
	return "failed with " + c.String()
}

// policyName shortens CERT_CHAIN_POLICY_SSL to SSL.
func policyName(p string) string {
	return strings.TrimPrefix(p, "CERT_CHAIN_POLICY_")
}

func policyWords(pol *Event) string {
	s := policyName(pol.Policy.Policy) + " " + pol.Result.Name()
	switch chain.HRESULT(pol.Result.Value) {
	case chain.CERT_E_CN_NO_MATCH:
		if pol.Policy.ServerName != "" {
			s += " (the certificate is not for " + pol.Policy.ServerName + ")"
		} else {
			s += " (the certificate is not for the server name asked)"
		}
	case chain.CERT_E_WRONG_USAGE:
		s += " (the certificate is not valid for this use)"
	case chain.CERT_E_UNTRUSTEDROOT:
		s += " (the root is not trusted)"
	case chain.CRYPT_E_REVOCATION_OFFLINE:
		s += " (the revocation server was offline)"
	case chain.CERT_E_EXPIRED:
		s += " (a certificate is expired)"
	}
	return s
}

// revocationSources summarises where the good revocation answers came from.
func revocationSources(els []Element) string {
	var parts []string
	seen := map[string]bool{}
	for _, e := range els {
		if e.Revocation == nil || e.Revocation.Object == nil {
			continue
		}
		s := kindWords(e.Revocation.Object.Kind) + " " + locationWords(e.Revocation.Object.Location)
		s = strings.TrimSpace(s)
		if !seen[s] {
			seen[s] = true
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
