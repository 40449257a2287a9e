package chain

import (
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// ChainContext is CERT_CHAIN_CONTEXT plus the evidence winchain keeps.
type ChainContext struct {
	// TrustStatus is the roll-up over the simple chains (spec §1.7).
	TrustStatus TrustStatus
	// Chains are the simple chains; for X.509 paths there is always one
	// (CTL-linked complex chains are not emulated).
	Chains []*SimpleChain
	// LowerQualityChains are the other candidate chains, best first, filled
	// only with CERT_CHAIN_RETURN_LOWER_QUALITY_CONTEXTS
	// (rgpLowerQualityChainContext).
	LowerQualityChains []*ChainContext

	// Time is the pTime the chain was judged at; Now the machine clock.
	Time, Now time.Time

	// Candidates holds every candidate chain that was built and ranked,
	// best first (Chains[0] is Candidates[0]). It is the evidence for the
	// choice, kept whatever the flags.
	Candidates []*SimpleChain
	// Build reports the path-building work and the limits hit.
	Build BuildReport
	// Retrievals is the retrieval log of the build: one entry per URL the
	// AIA fetcher and the revocation checker considered, with where the
	// answer came from (memory, disk, network, offline-skip).
	Retrievals []*cache.Result

	// HasRevocationFreshnessTime and RevocationFreshnessTime are the
	// chain-level fHasRevocationFreshnessTime/dwRevocationFreshnessTime.
	HasRevocationFreshnessTime bool
	RevocationFreshnessTime    time.Duration
}

// SimpleChain is CERT_SIMPLE_CHAIN: element 0 is the end certificate, the
// last element the root (or the last certificate that could be found).
type SimpleChain struct {
	TrustStatus TrustStatus
	Elements    []*Element
	// Quality is the chain's rank among the candidates (higher is better).
	Quality Quality
	// End says how the chain ends: at a self-signed certificate, at a
	// trusted CA (exclusive CA trust), partial, or in a cycle.
	End ChainEnd
}

// Element is CERT_CHAIN_ELEMENT.
type Element struct {
	Cert        *certs.Certificate
	TrustStatus TrustStatus
	// Source names where the certificate was found: "end certificate",
	// "Additional", "Engine cache", "Root", "CA", "Exclusive root", or an
	// issuer source's name.
	Source string
	// ApplicationUsage is pApplicationUsage: the EKU OIDs valid for this
	// element after intersecting with its issuers; nil means any usage.
	ApplicationUsage []string
	// Revocation is pRevocationInfo; nil when revocation was not checked.
	Revocation *RevocationInfo
	// Detail gives the reasons for the error bits in words.
	Detail []string
}

// RevocationInfo is CERT_REVOCATION_INFO with winchain's evidence.
type RevocationInfo struct {
	// Result is good, revoked, offline, no-check, unknown or not-checked.
	Result string
	// Source is crl, ocsp or empty.
	Source string
	// URL is the URL whose answer decided the result.
	URL string
	// From is memory, disk, network, store or empty.
	From                   string
	ThisUpdate, NextUpdate time.Time
	HasFreshnessTime       bool
	FreshnessTime          time.Duration
	// ValidityExtended: a CRL was used past its nextUpdate
	// (CERT_TRUST_HAS_CRL_VALIDITY_EXTENDED); DeltaApplied: a delta CRL
	// was used (fDeltaCrlEntry context).
	ValidityExtended, DeltaApplied bool
	// RevocationTime and Reason of a revoked certificate (pCrlEntry).
	RevocationTime time.Time
	Reason         int
	Detail         string
}

// ChainEnd says how a candidate chain ends.
type ChainEnd int

// How a chain ends.
const (
	EndPartial    ChainEnd = iota // no issuer found for the top certificate
	EndSelfSigned                 // the top certificate is self-signed
	EndCATrusted                  // the top is a CA trusted through CERT_CHAIN_EXCLUSIVE_ENABLE_CA_FLAG
	EndCyclic                     // the next issuer is already in the chain
)

// String names how the chain ends.
func (e ChainEnd) String() string {
	switch e {
	case EndSelfSigned:
		return "self-signed"
	case EndCATrusted:
		return "trusted CA"
	case EndCyclic:
		return "cyclic"
	}
	return "partial"
}

// BuildReport is the path builder's account of its work (modelled on
// BoringSSL's exceeded_iteration_limit and friends).
type BuildReport struct {
	// Iterations counts the steps of the depth-first search (one issuer
	// lookup each). The ranking pass before it (order.go) looks up each
	// reachable certificate at most once, up to MaxBuildIterations of
	// them, and the search reuses those answers.
	Iterations int
	// LimitsHit names each limit that cut the search short, e.g.
	// "MaxBuildIterations (1000)". Empty when the search was complete.
	LimitsHit []string
	// AIAFetches counts AIA issuer retrievals.
	AIAFetches int
}

// Quality ranks candidate chains (spec §1.8). Fields are compared in
// declaration order; true beats false, a later NotBefore beats an earlier
// one, fewer elements beat more.
type Quality struct {
	SignaturesValid bool // pass 1
	Complete        bool // pass 1
	TrustedRoot     bool // pass 1
	NotDistrusted   bool
	TimeValid       bool
	ConstraintsOK   bool // basic/name constraints, usage, critical extensions
	NotRevoked      bool
	// NotBefores are the issuers' NotBefore times from element 1 upward
	// (newer wins, compared from the end certificate up).
	NotBefores []time.Time
	Length     int
}

// Pass1 returns the pass-1 part of the quality: valid signatures, complete
// chain, trusted root (CERT_CHAIN_DISABLE_PASS1_QUALITY_FILTERING, spec §1.4).
func (q Quality) Pass1() int {
	n := 0
	if q.SignaturesValid {
		n += 4
	}
	if q.Complete {
		n += 2
	}
	if q.TrustedRoot {
		n++
	}
	return n
}

// Better reports whether q ranks above o.
func (q Quality) Better(o Quality) bool {
	for _, pair := range [][2]bool{
		{q.SignaturesValid, o.SignaturesValid},
		{q.Complete, o.Complete},
		{q.TrustedRoot, o.TrustedRoot},
		{q.NotDistrusted, o.NotDistrusted},
		{q.TimeValid, o.TimeValid},
		{q.ConstraintsOK, o.ConstraintsOK},
		{q.NotRevoked, o.NotRevoked},
	} {
		if pair[0] != pair[1] {
			return pair[0]
		}
	}
	for i := 0; i < len(q.NotBefores) && i < len(o.NotBefores); i++ {
		if !q.NotBefores[i].Equal(o.NotBefores[i]) {
			return q.NotBefores[i].After(o.NotBefores[i])
		}
	}
	return q.Length < o.Length
}

// Root returns the last element of the first simple chain.
func (c *ChainContext) Root() *Element {
	if len(c.Chains) == 0 || len(c.Chains[0].Elements) == 0 {
		return nil
	}
	els := c.Chains[0].Elements
	return els[len(els)-1]
}
