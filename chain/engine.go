// Package chain is winchain's chain engine: what CertGetCertificateChain and
// CertVerifyCertificateChainPolicy do on a Windows client.
//
// # Use
//
// Build an [Engine] once from a [Config] (the stores and the registry
// settings of one simulated client), then call [Engine.GetChain] for each
// certificate with [Params] (pTime, requested usage, flags). The result is a
// [ChainContext] that keeps the evidence: every candidate chain with its
// quality, the per-element CERT_TRUST_STATUS bits with their Windows values,
// and whether a limit was hit. [VerifyPolicy] then turns a context into the
// HRESULT that CertVerifyCertificateChainPolicy returns for the BASE, SSL or
// BASIC_CONSTRAINTS policy.
//
// Validation findings are never Go errors: they are trust-status bits, as on
// Windows. Errors are for input the engine cannot use.
//
// # Time
//
// Two clocks are kept apart (spec §1.1): Params.Time (pTime) judges
// certificate validity; Config.Clock is the machine clock used for cache and
// revocation freshness. Nothing here calls time.Now.
//
// # What is not emulated
//
// CTLs and complex chains, certificate policies (RequestedIssuancePolicy),
// peer trust, root auto-update and the weak-crypto registry sub-keys are not
// implemented; see docs/windows-divergences.md.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package chain

import (
	"context"
	"crypto/dsa"
	"crypto/sha256"
	"errors"
	"math/big"
	"sync"
	"time"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/clock"
)

// Limits of path building. Windows documents none of these numbers
// (MaximumCachedCertificates and CycleDetectionModulus defaults are
// UNCONFIRMED, spec §1.3, §10 item 15), so they are chosen to be far above
// any real PKI and to bound a hostile mesh of cross-certificates.
const (
	// DefaultMaxBuildIterations bounds the issuer lookups of one chain
	// build (BoringSSL's path builder bounds the same work; Chromium uses
	// 20 iterations for the web PKI — enterprise PKIs with bridge CAs need
	// more).
	DefaultMaxBuildIterations = 1000
	// DefaultMaxDepth bounds the number of certificates in one chain.
	DefaultMaxDepth = 20
	// DefaultMaxCandidateChains bounds how many complete or partial
	// candidate chains are kept for quality ranking.
	DefaultMaxCandidateChains = 64
	// DefaultMaximumCachedCertificates bounds the engine's memory cache of
	// issuer certificates seen in earlier builds
	// (CERT_CHAIN_ENGINE_CONFIG.MaximumCachedCertificates; Windows'
	// default is UNCONFIRMED).
	DefaultMaximumCachedCertificates = 1024
)

// EngineFlags are CERT_CHAIN_ENGINE_CONFIG.dwFlags.
type EngineFlags uint32

// CERT_CHAIN_ENGINE_CONFIG.dwFlags values (wincrypt.h).
const (
	EngineCacheEndCert          EngineFlags = 0x00000001 // CERT_CHAIN_CACHE_END_CERT
	EngineCacheOnlyURLRetrieval EngineFlags = 0x00000004 // CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL
	EngineDisableAIA            EngineFlags = 0x00002000 // CERT_CHAIN_DISABLE_AIA
)

// Config describes one simulated client's chain engine
// (CERT_CHAIN_ENGINE_CONFIG plus the registry values of spec §8 that the
// engine reads). The zero value is an engine with empty stores and the
// Windows defaults.
type Config struct {
	// Clock is the machine clock (cache and revocation freshness, and
	// pTime when Params.Time is zero). Nil means clock.System().
	Clock clock.Clock

	// Root is the trusted root store ("Root"). Nil means empty.
	Root *Store
	// CA is the intermediate store ("CA"); it may also hold CRLs.
	CA *Store
	// Disallowed holds explicitly distrusted certificates
	// (CERT_TRUST_IS_EXPLICIT_DISTRUST), matched by thumbprint.
	Disallowed *Store
	// ExclusiveRoot is hExclusiveRoot: when set, the Root store is ignored
	// and only these certificates are trust anchors (spec §1.3).
	ExclusiveRoot *Store
	// ExclusiveCATrust is CERT_CHAIN_EXCLUSIVE_ENABLE_CA_FLAG: a
	// non-self-signed CA in ExclusiveRoot is a trust anchor too.
	ExclusiveCATrust bool
	// Sources are further local issuer sources, searched after the stores.
	Sources []IssuerSource
	// AIA fetches missing issuers (aia.Source). Nil means no AIA, as does
	// CERT_CHAIN_DISABLE_AIA in Flags or Params.Flags. Issuers it returns
	// are added to the CA store, as Windows keeps them in the user's
	// intermediate store (spec §6, §11.2).
	AIA IssuerFetcher
	// Revocation checks elements when Params.Flags asks for it
	// (revocation.Checker). Nil means revocation is never checked.
	Revocation RevocationChecker

	// Flags are the engine flags.
	Flags EngineFlags

	// AccumulativeTimeout is the registry
	// ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds: the revocation
	// budget of one chain build under
	// CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT when Params has no
	// URLRetrievalTimeout (spec §3.7). 0 means
	// cache.DefaultAccumulativeTimeout (20 s).
	AccumulativeTimeout time.Duration

	// MaxBuildIterations, MaxDepth, MaxCandidateChains and
	// MaximumCachedCertificates bound the work; 0 means the Default*
	// constant.
	MaxBuildIterations        int
	MaxDepth                  int
	MaxCandidateChains        int
	MaximumCachedCertificates int

	// MinRSAPubKeyBitLength is the registry MinRsaPubKeyBitLength, judged
	// by certs.IsWeakSignature: 0 means certs.DefaultMinRSAPubKeyBitLength
	// (1023), certs.MinRSAPubKeyBitLengthDisabled (0xFFFFFFFF) disables
	// the key-size check.
	MinRSAPubKeyBitLength uint32
	// SignatureCache, when set, holds the engine's signature results and
	// is shared with the other engines given it (a fleet simulation's
	// clients: a result is the same whoever computes it). Nil means the
	// engine's own, emptied by FlushCache like a process's.
	SignatureCache *SignatureCache
	// DisableMandatoryBasicConstraints is the registry value of that name:
	// a v3 CA without basicConstraints is then accepted.
	DisableMandatoryBasicConstraints bool
	// DisableUnsupportedCriticalExtensions is the registry value of that
	// name: unknown critical extensions are then not flagged.
	DisableUnsupportedCriticalExtensions bool
	// DisableCANameConstraints is the registry value of that name: name
	// constraints in CA certificates are then not checked.
	DisableCANameConstraints bool
}

// Flags are the dwFlags of CertGetCertificateChain.
type Flags uint32

// CertGetCertificateChain dwFlags (wincrypt.h; spec §1.4).
const (
	CacheEndCert                  Flags = 0x00000001 // CERT_CHAIN_CACHE_END_CERT
	CacheOnlyURLRetrieval         Flags = 0x00000004 // CERT_CHAIN_CACHE_ONLY_URL_RETRIEVAL
	DisablePass1QualityFiltering  Flags = 0x00000040 // CERT_CHAIN_DISABLE_PASS1_QUALITY_FILTERING
	ReturnLowerQualityContexts    Flags = 0x00000080 // CERT_CHAIN_RETURN_LOWER_QUALITY_CONTEXTS
	DisableAuthRootAutoUpdate     Flags = 0x00000100 // CERT_CHAIN_DISABLE_AUTH_ROOT_AUTO_UPDATE
	TimestampTime                 Flags = 0x00000200 // CERT_CHAIN_TIMESTAMP_TIME
	EnablePeerTrust               Flags = 0x00000400 // CERT_CHAIN_ENABLE_PEER_TRUST
	DisableAIA                    Flags = 0x00002000 // CERT_CHAIN_DISABLE_AIA
	OptInWeakSignature            Flags = 0x00010000 // CERT_CHAIN_OPT_IN_WEAK_SIGNATURE
	RevocationCheckOCSPCert       Flags = 0x04000000 // CERT_CHAIN_REVOCATION_CHECK_OCSP_CERT
	RevocationAccumulativeTimeout Flags = 0x08000000 // CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT
	RevocationCheckEndCert        Flags = 0x10000000 // CERT_CHAIN_REVOCATION_CHECK_END_CERT
	RevocationCheckChain          Flags = 0x20000000 // CERT_CHAIN_REVOCATION_CHECK_CHAIN
	RevocationCheckChainExclRoot  Flags = 0x40000000 // CERT_CHAIN_REVOCATION_CHECK_CHAIN_EXCLUDE_ROOT
	RevocationCheckCacheOnly      Flags = 0x80000000 // CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY

	revocationScopeFlags = RevocationCheckEndCert | RevocationCheckChain | RevocationCheckChainExclRoot
)

// UsageMatch is CERT_USAGE_MATCH.dwType.
type UsageMatch int

// CERT_USAGE_MATCH types.
const (
	UsageMatchAnd UsageMatch = 0 // USAGE_MATCH_TYPE_AND: every requested OID
	UsageMatchOr  UsageMatch = 1 // USAGE_MATCH_TYPE_OR: at least one
)

// Params are the per-call inputs of CertGetCertificateChain (pTime,
// hAdditionalStore, CERT_CHAIN_PARA, dwFlags). The zero value validates at
// the machine clock's time, with no additional store, any usage, no flags.
type Params struct {
	// Time is pTime. Zero means Config.Clock.Now().
	Time time.Time
	// Additional is hAdditionalStore, searched first. Nil means none.
	Additional *Store
	// Usage is RequestedUsage: EKU OIDs in dotted form
	// ("1.3.6.1.5.5.7.3.1"). Empty means any usage.
	Usage []string
	// UsageMatch combines several Usage OIDs (AND by default).
	UsageMatch UsageMatch
	// Flags are the dwFlags.
	Flags Flags
	// URLRetrievalTimeout is dwUrlRetrievalTimeout; 0 means the default
	// (15 s, ChainUrlRetrievalTimeoutMilliseconds).
	URLRetrievalTimeout time.Duration
	// RevocationFreshnessTime is dwRevocationFreshnessTime with
	// fCheckRevocationFreshnessTime set; 0 means not set.
	RevocationFreshnessTime time.Duration
	// CacheResync is pftCacheResync: cached data older than it is invalid.
	CacheResync time.Time
}

// ErrNilCertificate is returned by GetChain for a nil certificate (Windows:
// E_INVALIDARG, spec §11.1 item 14).
var ErrNilCertificate = errors.New("chain: nil certificate")

// Engine is a chain engine (HCERTCHAINENGINE). It remembers what it has seen
// like the Windows engine cache (spec §1.9): signature checks already made
// and issuer certificates met in earlier builds. An Engine is safe for
// concurrent use; its cache lives as long as the Engine (a process).
type Engine struct {
	cfg Config

	mu    sync.Mutex
	sigs  *SignatureCache
	seen  *Store // issuer certificates from earlier builds
	stats Stats
}

// sigKey identifies one signature check: the signed certificate and the
// key that verifies it. The key is the issuer's public key (its
// SubjectPublicKeyInfo), not the issuer certificate: cross-certificates of
// one CA carry the same key, so the CA's signature on a leaf is verified
// once however many cross-certificates offer that key (issue 16: a cold
// build with 3 cross-signed candidates made 6 checks where 4 do).
type sigKey struct{ subject, key [32]byte }

// verifyingKey identifies the key that checks a signature made by issuer:
// the SHA-256 of its SubjectPublicKeyInfo and, for a DSA key that inherits
// its domain parameters (RFC 3279 §2.3.2), of the parameters inherited, so
// two chains that lend it different parameters are two keys.
func verifyingKey(issuer, inherited *certs.Certificate) [32]byte {
	k, ok := issuer.X.PublicKey.(*dsa.PublicKey)
	if !ok || k == nil || k.P != nil {
		return issuer.SPKISHA256()
	}
	h := sha256.New()
	h.Write(issuer.X.RawSubjectPublicKeyInfo)
	if p := certs.DSAParameters(inherited); p != nil {
		for _, n := range []*big.Int{p.P, p.Q, p.G} {
			b := n.Bytes()
			h.Write([]byte{byte(len(b) >> 8), byte(len(b))})
			h.Write(b)
		}
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// Stats counts the engine's work, so tests and benchmarks can show what the
// engine cache saves.
type Stats struct {
	// SignatureChecks counts signatures actually verified.
	SignatureChecks int
	// SignatureCacheHits counts signature checks answered from the cache.
	SignatureCacheHits int
	// Builds counts GetChain calls.
	Builds int
}

// NewEngine returns an engine for cfg.
func NewEngine(cfg Config) *Engine {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.MaxBuildIterations <= 0 {
		cfg.MaxBuildIterations = DefaultMaxBuildIterations
	}
	if cfg.MaxDepth <= 0 {
		cfg.MaxDepth = DefaultMaxDepth
	}
	if cfg.MaxCandidateChains <= 0 {
		cfg.MaxCandidateChains = DefaultMaxCandidateChains
	}
	if cfg.MaximumCachedCertificates <= 0 {
		cfg.MaximumCachedCertificates = DefaultMaximumCachedCertificates
	}
	if cfg.CA == nil {
		// AIA-fetched issuers go to the CA store, so it must exist.
		cfg.CA = NewStore("CA")
	}
	if cfg.MinRSAPubKeyBitLength == 0 {
		cfg.MinRSAPubKeyBitLength = certs.DefaultMinRSAPubKeyBitLength
	}
	if cfg.AccumulativeTimeout <= 0 {
		cfg.AccumulativeTimeout = cache.DefaultAccumulativeTimeout
	}
	sigs := cfg.SignatureCache
	if sigs == nil {
		sigs = NewSignatureCache()
	}
	return &Engine{cfg: cfg, sigs: sigs, seen: NewStore("Engine cache")}
}

// Config returns the engine's configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// Stats returns a snapshot of the engine's counters.
func (e *Engine) Stats() Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

// FlushCache empties the engine cache, as a process restart would.
func (e *Engine) FlushCache() {
	e.mu.Lock()
	if e.cfg.SignatureCache == nil {
		e.sigs = NewSignatureCache()
	}
	e.seen = NewStore("Engine cache")
	e.mu.Unlock()
}

// checkSignature verifies child's signature with issuer's key, through the
// engine cache. inherited supplies DSA parameters for a key without them.
func (e *Engine) checkSignature(child, issuer *certs.Certificate, inherited *certs.Certificate) error {
	k := sigKey{child.SHA256, verifyingKey(issuer, inherited)}
	e.mu.Lock()
	sigs := e.sigs
	e.mu.Unlock()
	err, ok := sigs.get(k)
	e.mu.Lock()
	if ok {
		e.stats.SignatureCacheHits++
	} else {
		e.stats.SignatureChecks++
	}
	e.mu.Unlock()
	if ok {
		return err
	}
	err = child.CheckSignatureFrom(issuer, certs.DSAParameters(inherited))
	sigs.put(k, err)
	return err
}

// remember adds issuer certificates of a finished build to the engine cache,
// bounded by MaximumCachedCertificates.
func (e *Engine) remember(cs []*certs.Certificate) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range cs {
		if e.seen.Len() >= e.cfg.MaximumCachedCertificates {
			return
		}
		e.seen.Add(c)
	}
}

// GetChain builds and checks the chain for cert (CertGetCertificateChain).
// The error is non-nil only for unusable input (a nil certificate or a
// cancelled context); every validation finding is in the returned
// context's trust-status bits.
func (e *Engine) GetChain(ctx context.Context, cert *certs.Certificate, p Params) (*ChainContext, error) {
	if cert == nil || cert.X == nil {
		return nil, ErrNilCertificate
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.stats.Builds++
	e.mu.Unlock()
	now := e.cfg.Clock.Now()
	if p.Time.IsZero() {
		p.Time = now
	}
	b := &builder{e: e, p: p, now: now}
	return b.run(ctx, cert)
}

// Fork returns a new engine for cfg that starts with a copy of e's engine
// cache (signature results and remembered issuers): the same process,
// continuing independently. Simulations use it to split a group of clients
// that shared one state. A shared cfg.SignatureCache is used as it is.
func (e *Engine) Fork(cfg Config) *Engine {
	f := NewEngine(cfg)
	e.mu.Lock()
	defer e.mu.Unlock()
	if cfg.SignatureCache == nil {
		f.sigs = e.sigs.clone()
	}
	for _, c := range e.seen.Certificates() {
		f.seen.Add(c)
	}
	return f
}

// Clone returns a copy of the store (certificates and CRLs).
func (s *Store) Clone() *Store {
	c := NewStore(s.Name(), s.Certificates()...)
	for _, crl := range s.CRLs() {
		c.AddCRL(crl)
	}
	return c
}
