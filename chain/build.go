package chain

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
)

// IssuerSource supplies candidate issuers from memory, without I/O: stores,
// the engine cache, a caller's own index. Sources that go to the network
// (AIA) are asked separately and only after every local path failed to reach
// a self-signed certificate (spec §1.8).
type IssuerSource interface {
	// IssuersOf returns the certificates that may have issued c, each with
	// how it matched (HasExactMatchIssuer, HasKeyMatchIssuer or
	// HasNameMatchIssuer). Use FindIssuers to apply Windows' matching rules
	// to a plain list. The answer may depend only on c's issuer name and
	// authority key identifier, as Windows' matching does: within one
	// build the engine asks once per distinct pair.
	IssuersOf(c *certs.Certificate) []Candidate
}

// Candidate is a possible issuer and how it was matched.
type Candidate struct {
	Cert  *certs.Certificate
	Match InfoStatus
}

// FindIssuers applies Windows' issuer matching to a list of certificates
// (spec §1.8): an AKI with issuer and serial selects that exact certificate
// (HAS_EXACT_MATCH_ISSUER); otherwise an AKI key identifier selects by
// subject key identifier (HAS_KEY_MATCH_ISSUER); otherwise, with no AKI, the
// subject name must equal c's issuer name (HAS_NAME_MATCH_ISSUER). An AKI
// that matches nothing finds nothing (the usual reading of Windows; spec
// §1.8 marks it UNCONFIRMED).
func FindIssuers(c *certs.Certificate, pool []*certs.Certificate) []Candidate {
	return NewStore("", pool...).findIssuers(c)
}

type rawPath struct {
	certs   []*certs.Certificate
	match   []InfoStatus // match[i]: how certs[i+1] was found as the issuer of certs[i]
	sources []string
	end     ChainEnd
}

type builder struct {
	e       *Engine
	p       Params
	now     time.Time
	report  BuildReport
	paths   []*rawPath
	limited map[string]bool
	extra   []IssuerSource // issuers fetched during this build (AIA)

	memo     map[string]issuersOf // issuer lookups of this round, by lookupKey (order.go)
	toAnchor map[string]int       // by lookupKey: issuer steps to the nearest trust anchor (order.go)
	ranked   bool                 // rankAnchors ran in this round

	retrievals []*cache.Result
	fresh      time.Duration
	hasFresh   bool
}

func (b *builder) hitLimit(name string, v int) { b.addLimit(fmt.Sprintf("%s (%d)", name, v)) }

// addLimit records a limit or a reason the build stopped short, once.
func (b *builder) addLimit(s string) {
	if b.limited == nil {
		b.limited = map[string]bool{}
	}
	if !b.limited[s] {
		b.limited[s] = true
		b.report.LimitsHit = append(b.report.LimitsHit, s)
	}
}

func (b *builder) anchors() (*Store, string) {
	if b.e.cfg.ExclusiveRoot != nil {
		return b.e.cfg.ExclusiveRoot, "Exclusive root"
	}
	return b.e.cfg.Root, "Root"
}

// candidates gathers issuers of c from every local source in Windows' order
// of use (spec §1.8): the additional store, the engine cache, the root (or
// exclusive root) store, the CA store, then other sources.
func (b *builder) candidates(c *certs.Certificate) ([]Candidate, []string) {
	type src struct {
		name string
		s    IssuerSource
	}
	roots, rootName := b.anchors()
	b.e.mu.Lock()
	seen := b.e.seen
	b.e.mu.Unlock()
	list := []src{{"Additional", b.p.Additional}, {"Engine cache", seen}, {rootName, roots}, {"CA", b.e.cfg.CA}}
	for i, s := range b.e.cfg.Sources {
		list = append(list, src{fmt.Sprintf("source %d", i), s})
	}
	for _, s := range b.extra {
		list = append(list, src{"AIA", s})
	}
	var out []Candidate
	var names []string
	have := map[[32]byte]bool{}
	for _, s := range list {
		if isNilSource(s.s) {
			continue
		}
		for _, cand := range s.s.IssuersOf(c) {
			if have[cand.Cert.SHA256] {
				continue
			}
			have[cand.Cert.SHA256] = true
			out = append(out, cand)
			names = append(names, s.name)
		}
	}
	return out, names
}

func isNilSource(s IssuerSource) bool {
	if s == nil {
		return true
	}
	if st, ok := s.(*Store); ok && st == nil {
		return true
	}
	return false
}

// isSelfSigned decides CERT_TRUST_IS_SELF_SIGNED the way Wine models
// Windows: subject equals issuer and the AKI, when present, points at the
// certificate's own key (or own issuer and serial). The self-signature
// itself is verified as part of the element checks, so a broken root
// signature shows as IS_NOT_SIGNATURE_VALID on the root (spec §11.1 item 2)
// rather than as a missing issuer.
func isSelfSigned(c *certs.Certificate) bool {
	if !c.IsSelfIssued() {
		return false
	}
	aki := c.AKI
	if aki == nil {
		return true
	}
	if len(aki.KeyID) > 0 {
		return bytes.Equal(aki.KeyID, KeyIdentifier(c))
	}
	if aki.Serial != nil {
		return c.X.SerialNumber != nil && aki.Serial.Cmp(c.X.SerialNumber) == 0
	}
	return true
}

func selfMatch(c *certs.Certificate) InfoStatus {
	if aki := c.AKI; aki != nil {
		if aki.Serial != nil && len(aki.Issuer) > 0 {
			return HasExactMatchIssuer
		}
		if len(aki.KeyID) > 0 {
			return HasKeyMatchIssuer
		}
	}
	return HasNameMatchIssuer
}

func (b *builder) isTrustedCA(c *certs.Certificate) bool {
	return b.e.cfg.ExclusiveCATrust && b.e.cfg.ExclusiveRoot != nil &&
		b.e.cfg.ExclusiveRoot.Contains(c) && c.X.BasicConstraintsValid && c.X.IsCA
}

func (b *builder) record(p *rawPath) {
	if len(b.paths) >= b.e.cfg.MaxCandidateChains {
		b.hitLimit("MaxCandidateChains", b.e.cfg.MaxCandidateChains)
		return
	}
	b.paths = append(b.paths, p)
}

// extend grows p depth-first until it ends; every way it can end is kept as
// a candidate chain. Issuers are tried nearest to a trust anchor first, and
// an issuer whose CA (subject name and key) is already in the path ends it
// as cyclic (order.go).
func (b *builder) extend(ctx context.Context, p *rawPath) {
	if len(b.paths) >= b.e.cfg.MaxCandidateChains {
		b.hitLimit("MaxCandidateChains", b.e.cfg.MaxCandidateChains)
		return
	}
	top := p.certs[len(p.certs)-1]
	if isSelfSigned(top) {
		p.end = EndSelfSigned
		b.record(p)
		return
	}
	if b.isTrustedCA(top) {
		p.end = EndCATrusted
		b.record(p)
		return
	}
	if len(p.certs) >= b.e.cfg.MaxDepth {
		b.hitLimit("MaxDepth", b.e.cfg.MaxDepth)
		p.end = EndPartial
		b.record(p)
		return
	}
	if b.report.Iterations >= b.e.cfg.MaxBuildIterations || ctx.Err() != nil {
		if ctx.Err() != nil {
			b.addLimit("context: " + ctx.Err().Error())
		} else {
			b.hitLimit("MaxBuildIterations", b.e.cfg.MaxBuildIterations)
		}
		p.end = EndPartial
		b.record(p)
		return
	}
	b.report.Iterations++
	cands, names := b.lookup(top)
	if len(cands) == 0 {
		p.end = EndPartial
		b.record(p)
		return
	}
	if len(cands) > 1 && !b.ranked {
		// The first choice between issuers: rank them (order.go). A chain
		// with one candidate per step never pays for it.
		b.ranked = true
		b.rankAnchors(p.certs[0])
	}
	order := b.order(cands)
	for k := range cands {
		i := k
		if order != nil {
			i = order[k]
		}
		cand := cands[i]
		if inPath(p, cand.Cert) {
			cp := p.clone()
			cp.end = EndCyclic
			b.record(cp)
			continue
		}
		cp := p.clone()
		cp.certs = append(cp.certs, cand.Cert)
		cp.match = append(cp.match, cand.Match)
		cp.sources = append(cp.sources, names[i])
		b.extend(ctx, cp)
	}
}

func (p *rawPath) clone() *rawPath {
	return &rawPath{
		certs:   append([]*certs.Certificate(nil), p.certs...),
		match:   append([]InfoStatus(nil), p.match...),
		sources: append([]string(nil), p.sources...),
		end:     p.end,
	}
}

func (b *builder) buildAll(ctx context.Context, leaf *certs.Certificate) []*SimpleChain {
	b.paths = nil
	b.memo, b.toAnchor, b.ranked = nil, nil, false // the stores may have grown (AIA)
	b.extend(ctx, &rawPath{certs: []*certs.Certificate{leaf}, sources: []string{"end certificate"}})
	chains := make([]*SimpleChain, 0, len(b.paths))
	for _, p := range b.paths {
		chains = append(chains, b.evaluate(p))
	}
	sort.SliceStable(chains, func(i, j int) bool { return chains[i].Quality.Better(chains[j].Quality) })
	return chains
}

func (b *builder) run(ctx context.Context, leaf *certs.Certificate) (*ChainContext, error) {
	chains := b.buildAll(ctx, leaf)
	if !anyComplete(chains) && b.aiaEnabled() {
		chains = b.fetchIssuers(ctx, leaf, chains)
	}
	best := chains[0]
	if b.e.cfg.Revocation != nil {
		b.checkRevocation(ctx, best)
	} else if b.p.Flags&revocationScopeFlags != 0 {
		b.addLimit("revocation requested but the engine has no revocation checker")
	}
	cc := &ChainContext{Time: b.p.Time, Now: b.now, Candidates: chains, Retrievals: b.retrievals}
	cc.HasRevocationFreshnessTime, cc.RevocationFreshnessTime = b.hasFresh, b.fresh
	cc.Chains = []*SimpleChain{best}
	cc.TrustStatus = best.TrustStatus
	if b.p.Flags&ReturnLowerQualityContexts != 0 {
		for _, sc := range chains[1:] {
			cc.LowerQualityChains = append(cc.LowerQualityChains, &ChainContext{
				TrustStatus: sc.TrustStatus, Chains: []*SimpleChain{sc}, Time: b.p.Time, Now: b.now,
			})
		}
	}
	cc.Build = b.report
	// Remember the issuers of the chosen chain, as the Windows engine cache
	// does (spec §1.9): later builds find them even without the additional
	// store they came from.
	var issuers []*certs.Certificate
	for i, el := range best.Elements {
		if i > 0 && el.Source != "Root" && el.Source != "CA" && el.Source != "Exclusive root" {
			issuers = append(issuers, el.Cert)
		}
	}
	if b.e.cfg.Flags&EngineCacheEndCert != 0 || b.p.Flags&CacheEndCert != 0 {
		issuers = append(issuers, leaf)
	}
	b.e.remember(issuers)
	return cc, nil
}
