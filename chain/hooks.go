package chain

import (
	"context"
	"time"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/revocation"
)

// RevocationChecker checks one certificate against its issuer, the
// revocation provider under CertGetCertificateChain. revocation.Checker
// implements it; the engine decides which elements to check, in which order
// (root first, spec §1.8), and what a result means for the bits.
type RevocationChecker interface {
	Check(ctx context.Context, cert, issuer *certs.Certificate, req *revocation.Request) *revocation.Result
}

// IssuerFetcher retrieves issuers over the network (AIA caIssuers).
// aia.Source implements it. The engine asks it only when no chain built from
// local sources reaches a self-signed certificate (spec §1.8, §6).
type IssuerFetcher interface {
	FetchIssuers(ctx context.Context, cert *certs.Certificate, req *aia.Request) []*certs.Certificate
}

// maxAIARounds bounds the AIA loop of one build: each round fetches the
// issuer of the best partial chain's top certificate. The per-chain URL
// count (MaxAIAUrlRetrievalCountPerChain, 3) is enforced by the fetcher; this
// only guards against a fetcher that keeps returning new certificates.
const maxAIARounds = 8

func (b *builder) aiaEnabled() bool {
	return b.e.cfg.AIA != nil && b.e.cfg.Flags&EngineDisableAIA == 0 && b.p.Flags&DisableAIA == 0
}

func anyComplete(chains []*SimpleChain) bool {
	for _, sc := range chains {
		if sc.End == EndSelfSigned || sc.End == EndCATrusted {
			return true
		}
	}
	return false
}

// fetchIssuers runs the AIA phase (spec §1.8): while no candidate chain is
// complete, fetch the issuer of the best partial chain's top certificate
// and build again. Fetched issuers are used for this build and, as on
// Windows (spec §6, §11.2), kept in the client's intermediate CA store.
func (b *builder) fetchIssuers(ctx context.Context, leaf *certs.Certificate, chains []*SimpleChain) []*SimpleChain {
	req := &aia.Request{
		CacheOnly:   b.p.Flags&CacheOnlyURLRetrieval != 0 || b.e.cfg.Flags&EngineCacheOnlyURLRetrieval != 0,
		Time:        b.p.Time,
		Timeout:     b.p.URLRetrievalTimeout,
		CacheResync: b.p.CacheResync,
	}
	fetched := NewStore("AIA")
	b.extra = append(b.extra, fetched)
	tried := map[[32]byte]bool{}
	for round := 0; round < maxAIARounds && !anyComplete(chains); round++ {
		var top *certs.Certificate
		for _, sc := range chains {
			t := sc.Elements[len(sc.Elements)-1].Cert
			if sc.End == EndPartial && !tried[t.SHA256] {
				top = t
				break
			}
		}
		if top == nil {
			break
		}
		tried[top.SHA256] = true
		got := b.e.cfg.AIA.FetchIssuers(ctx, top, req)
		added := false
		for _, c := range got {
			if fetched.Add(c) {
				added = true
			}
			b.e.cfg.CA.Add(c)
		}
		if added {
			chains = b.buildAll(ctx, leaf)
		}
	}
	b.report.AIAFetches = req.Fetches
	for _, l := range req.LimitsHit {
		b.addLimit(l)
	}
	b.retrievals = append(b.retrievals, req.Retrievals...)
	return chains
}

// checkRevocation runs the revocation provider over the chosen chain, root
// first, for the elements in the scope of the flags (spec §3.1), and sets
// the element bits (spec §3.5).
func (b *builder) checkRevocation(ctx context.Context, sc *SimpleChain) {
	scope := b.p.Flags & revocationScopeFlags
	if scope == 0 {
		return
	}
	els := sc.Elements
	n := len(els)
	trusted := sc.Quality.TrustedRoot
	req := revocation.Request{
		Time:          b.p.Time,
		Now:           b.now,
		CacheOnly:     b.p.Flags&RevocationCheckCacheOnly != 0,
		Timeout:       b.p.URLRetrievalTimeout,
		FreshnessTime: b.p.RevocationFreshnessTime,
		CacheResync:   b.p.CacheResync,
	}
	if b.p.Flags&RevocationAccumulativeTimeout != 0 {
		total := b.e.cfg.AccumulativeTimeout
		if b.p.URLRetrievalTimeout > 0 {
			total = b.p.URLRetrievalTimeout
		}
		req.Budget = cache.NewBudget(total)
	}
	req.StoreCRLs = append(b.e.cfg.CA.CRLs(), b.e.cfg.Root.CRLs()...)
	if b.p.Additional != nil {
		req.StoreCRLs = append(req.StoreCRLs, b.p.Additional.CRLs()...)
	}
	ancestorRevoked := false
	for i := n - 1; i >= 0; i-- {
		el := els[i]
		isRoot := i == n-1 && sc.End == EndSelfSigned
		switch {
		case scope == RevocationCheckEndCert && i != 0:
			continue
		case scope == RevocationCheckChainExclRoot && isRoot:
			continue
		case i == n-1 && sc.End == EndCATrusted:
			// An exclusive CA anchor gets no revocation check (spec §1.3).
			continue
		}
		info := &RevocationInfo{}
		el.Revocation = info
		switch {
		case !trusted:
			// Revocation runs only for chains that end in a trusted root
			// (spec §1.8 phase 2); the element shows unknown|offline as in
			// S44a.
			info.Result = string(revocation.Unknown)
			info.Detail = "not checked: the chain does not end in a trusted root"
			el.TrustStatus.ErrorStatus |= RevocationStatusUnknown | IsOfflineRevocation
		case ancestorRevoked:
			// Below a revoked CA every element is unknown|offline (spec
			// §3.1, S29).
			info.Result = string(revocation.Unknown)
			info.Detail = "an issuer above is revoked"
			el.TrustStatus.ErrorStatus |= RevocationStatusUnknown | IsOfflineRevocation
		default:
			issuer := el.Cert
			if i+1 < n {
				issuer = els[i+1].Cert
			}
			r := req
			r.IsRoot = isRoot
			if i+2 < n {
				r.InheritedDSAParameters = certs.DSAParameters(els[i+2].Cert)
			}
			// CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT: the end certificate is
			// an OCSP signer; it is checked with CRLs only.
			r.OCSPSigner = i == 0 && b.p.Flags&RevocationCheckOCSPCert != 0
			res := b.e.cfg.Revocation.Check(ctx, el.Cert, issuer, &r)
			b.applyRevocation(el, res, isRoot)
			if res.Status == revocation.Revoked {
				ancestorRevoked = true
			}
		}
		el.Detail = appendDetail(el.Detail, info)
	}
	for _, el := range els {
		if r := el.Revocation; r != nil && r.HasFreshnessTime {
			b.freshness(r.FreshnessTime)
		}
	}
	// Roll the new bits up again.
	sc.TrustStatus = TrustStatus{}
	for _, el := range els {
		sc.TrustStatus.combine(el.TrustStatus)
	}
	if sc.End == EndPartial || sc.End == EndCyclic {
		sc.TrustStatus.ErrorStatus |= IsPartialChain
	}
	sc.Quality.NotRevoked = sc.TrustStatus.ErrorStatus&IsRevoked == 0
}

func appendDetail(d []string, info *RevocationInfo) []string {
	if info.Result == string(revocation.Revoked) {
		// Explain the revocation (which CRL or OCSP response, since
		// when, why), not what the responders said on the way.
		return append(d, "revocation revoked: "+revocation.ExplainRevoked(info.Source, info.URL, info.From, info.RevocationTime, info.Reason))
	}
	if info.Detail == "" || info.Result == string(revocation.Good) {
		return d
	}
	return append(d, "revocation "+info.Result+": "+info.Detail)
}

func (b *builder) freshness(d time.Duration) {
	if !b.hasFresh || d > b.fresh {
		b.fresh = d
	}
	b.hasFresh = true
}

// applyRevocation maps a provider result to the element bits (spec §3.5).
func (b *builder) applyRevocation(el *Element, res *revocation.Result, isRoot bool) {
	info := el.Revocation
	info.Result = string(res.Status)
	info.Source = res.Source
	info.URL = res.URL
	info.From = res.From
	info.ThisUpdate, info.NextUpdate = res.ThisUpdate, res.NextUpdate
	info.HasFreshnessTime, info.FreshnessTime = res.HasFreshness, res.FreshnessTime
	info.Detail = res.Detail
	info.ValidityExtended, info.DeltaApplied = res.ValidityExtended, res.DeltaApplied
	info.RevocationTime, info.Reason = res.RevocationTime, res.Reason
	if info.URL == "" && len(res.Retrievals) > 0 {
		// Nothing answered: show the last URL tried and where the attempt
		// ended, as the JSON of docs/cli.md does for "offline".
		last := res.Retrievals[len(res.Retrievals)-1]
		info.URL, info.From = last.URL, string(last.From)
		switch last.Kind {
		case cache.KindOCSP:
			info.Source = "ocsp"
		case cache.KindCRL, cache.KindDeltaCRL:
			info.Source = "crl"
		}
	}
	b.retrievals = append(b.retrievals, res.Retrievals...)
	switch res.Status {
	case revocation.Good:
	case revocation.Revoked:
		el.TrustStatus.ErrorStatus |= IsRevoked
	case revocation.NoCheck:
		// A self-signed root without pointers is never flagged (spec §3.1).
		if !isRoot {
			el.TrustStatus.ErrorStatus |= RevocationStatusUnknown
		}
	default: // offline, unknown
		el.TrustStatus.ErrorStatus |= RevocationStatusUnknown | IsOfflineRevocation
	}
	if res.ValidityExtended {
		el.TrustStatus.InfoStatus |= HasCRLValidityExtended
	}
}
