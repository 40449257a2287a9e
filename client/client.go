// Package client assembles one simulated Windows client — a machine or a
// user context with its certificate stores, registry settings, clock,
// network, CryptnetUrlCache folder and offline-URL (negative cache) model —
// out of winchain's layers, the way CryptoAPI assembles them on Windows:
// Cryptnet retrieval (package cache) under the revocation provider (package
// revocation) and AIA issuer retrieval (package aia), under the chain engine
// (package chain).
//
// # Use
//
// Fill one [Config] (its zero value is a client with empty stores, the
// Windows registry defaults, the system clock, no network and no disk
// cache), build the client with [New], and ask [Client.Verify] what
// CertGetCertificateChain and CertVerifyCertificateChainPolicy would say
// about a certificate. The same clock and the same settings reach every
// layer; callers never wire the layers themselves.
//
// # State and its scopes
//
// A client keeps three kinds of state, as a Windows machine does (spec
// §1.9, §4.1, §5.3):
//
//   - process: the Cryptnet memory cache, the chain engine cache and
//     process-scoped offline-URL records. [Client.Restart] (an app restart)
//     clears them.
//   - service: offline-URL records held by CryptSvc, shared by every process
//     of the machine ([Config.OfflineState]). [Client.Reboot] clears them
//     and the process state.
//   - disk: the CryptnetUrlCache folder ([Config.CacheDir] or
//     [Config.CacheFolder]) with the
//     disk-scoped offline-URL records. It survives restarts and reboots;
//     [Client.DeleteURLCache] (`certutil -urlcache * delete`) and the
//     flush rules remove entries.
//
// The certificate stores belong to the client and survive all three (an
// issuer fetched through AIA stays in the CA store, spec §6).
// [Client.Resync] models `certutil -setreg chain\ChainCacheResyncFiletime
// @now`: running processes keep their memory but ignore what was cached
// before the given time.
//
// A Client is safe for concurrent Verify calls; Restart, Reboot, Resync and
// DeleteURLCache must not run concurrently with them.
//
// "spec §N" refers to docs/spec.md (the Windows behaviour reference in this
// repository); the CLI contract is docs/cli.md.
package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/winchain/winchain/aia"
	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/cache/urlcache"
	"github.com/winchain/winchain/certs"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/clock"
	"github.com/winchain/winchain/revocation"
)

// Config describes one simulated Windows client. The zero value is a client
// with empty stores, the Windows registry defaults, the system clock, no
// network, memory caches only and no negative caching.
type Config struct {
	// Clock is the machine clock, set once for every layer: cache and
	// revocation freshness, offline-URL records, download times, and pTime
	// when VerifyOptions.Params.Time is zero. If it is a clock.Advancer
	// (clock.Manual), simulated latency and timeouts are charged to it. Nil
	// means clock.System().
	Clock clock.Clock

	// Network goes to the wire: a *netsim.Network, or [HTTP] for the real
	// network. Nil means no network: every wire retrieval fails as offline.
	Network cache.Fetcher

	// Root, CA, Disallowed and ExclusiveRoot are the certificate stores
	// (chain.Config); nil means empty. CA also receives the issuers fetched
	// through AIA, so it lasts as long as the client.
	Root, CA, Disallowed, ExclusiveRoot *chain.Store
	// ExclusiveCATrust is CERT_CHAIN_EXCLUSIVE_ENABLE_CA_FLAG.
	ExclusiveCATrust bool
	// EngineFlags are CERT_CHAIN_ENGINE_CONFIG.dwFlags.
	EngineFlags chain.EngineFlags

	// Registry holds the chain engine registry values (spec §8); its zero
	// value is the Windows defaults.
	Registry Registry

	// CacheDir is the CryptnetUrlCache folder (DIR/Content, DIR/MetaData).
	// Empty means no disk cache.
	CacheDir string
	// CacheFolder is an open CryptnetUrlCache folder, e.g. one held in
	// memory (urlcache.OpenFS(urlcache.NewMemFS(), ...)); when set,
	// CacheDir and ReadOnlyCache are ignored.
	CacheFolder *urlcache.Folder
	// ReadOnlyCache opens CacheDir without ever writing to it (a folder
	// copied from Windows).
	ReadOnlyCache bool
	// DisableMemoryCache turns the per-process memory cache off.
	DisableMemoryCache bool
	// AllowLDAPScheme lets ldap:// URLs reach the Network (a simulated one:
	// winchain has no LDAP client).
	AllowLDAPScheme bool

	// NegativeCache is the offline-URL model of
	// CRYPT_OFFLINE_CHECK_RETRIEVAL (spec §5); the zero value is none. Its
	// Scope says which of the client's states holds the records.
	NegativeCache cache.OfflineModel
	// OfflineState holds the service-scoped offline-URL records (CryptSvc).
	// Nil means a fresh one owned by the client. Share one value between
	// clients to model processes of one machine.
	OfflineState *cache.OfflineState

	// DisableCRLValidityExtension turns CRLValidityExtensionPeriod off (the
	// Group Policy that allows it is not set; whether Windows applies it
	// by default is UNCONFIRMED, spec §3.3).
	DisableCRLValidityExtension bool
	// OCSPPostFallback retries a failed OCSP GET as a POST, as Wine does
	// (UNCONFIRMED for Windows, spec §3.4).
	OCSPPostFallback bool

	// SignatureCache and ParseCache, when set, are the signature results
	// and parsed CRLs shared with every client given the same ones (a
	// simulated fleet: the answer is the same whoever computes it, so a
	// restarted process does not verify the same CRL again). Nil means the
	// process's own, gone at a restart like on Windows.
	SignatureCache *chain.SignatureCache
	ParseCache     *revocation.ParseCache
}

// HTTP is the real network, for [Config.Network]: cache.HTTPFetcher on the
// client's clock.
var HTTP cache.Fetcher = httpNetwork{}

type httpNetwork struct{}

func (httpNetwork) Fetch(ctx context.Context, req *cache.FetchRequest) (*cache.FetchResponse, error) {
	return nil, errors.New("client.HTTP is a marker for Config.Network, not a fetcher")
}

// Client is one simulated Windows client: its stores, settings and caches,
// and the running process that validates certificates.
type Client struct {
	cfg     Config
	network cache.Fetcher

	mu      sync.Mutex
	ret     *cache.Retriever
	checker *revocation.Checker
	eng     *chain.Engine
}

// New checks cfg and builds the client: one cache.Retriever, the
// revocation Checker and AIA Source on top of it, and the chain Engine over
// them, all with the same clock and registry settings.
func New(cfg Config) (*Client, error) {
	return build(cfg, nil)
}

func build(cfg Config, fork *Client) (*Client, error) {
	if cfg.Clock == nil {
		cfg.Clock = clock.System()
	}
	if cfg.CA == nil {
		cfg.CA = chain.NewStore("CA")
	}
	if cfg.OfflineState == nil {
		cfg.OfflineState = cache.NewOfflineState()
	}
	if cfg.CacheDir != "" {
		if fi, err := os.Stat(cfg.CacheDir); err == nil && !fi.IsDir() {
			return nil, fmt.Errorf("cache folder %s: not a folder", cfg.CacheDir)
		}
	}
	c := &Client{cfg: cfg, network: cfg.Network}
	if cfg.Network == HTTP {
		c.network = cache.NewHTTPFetcher(cfg.Clock)
	}
	if err := c.startProcess(fork); err != nil {
		return nil, err
	}
	return c, nil
}

// cacheConfig is the Cryptnet layer's configuration of a client of cfg
// whose wire is network.
func (cfg Config) cacheConfig(network cache.Fetcher) cache.Config {
	reg := cfg.Registry
	return cache.Config{
		Clock:                cfg.Clock,
		Fetcher:              network,
		DiskDir:              cfg.CacheDir,
		Folder:               cfg.CacheFolder,
		ReadOnly:             cfg.ReadOnlyCache,
		DisableMemoryCache:   cfg.DisableMemoryCache,
		URLRetrievalTimeout:  reg.URLRetrievalTimeout,
		AccumulativeTimeout:  reg.AccumulativeTimeout,
		MaxURLRetrievalBytes: reg.MaxURLRetrievalBytes,
		MaxAIARetrievalBytes: reg.MaxAIARetrievalBytes,
		FlushExempt:          reg.FlushExempt,
		OCSPValidity:         reg.OCSPValidity,
		ResyncBefore:         reg.ResyncBefore,
		AllowFileScheme:      reg.AllowFileURLScheme,
		AllowLDAPScheme:      cfg.AllowLDAPScheme,
		Offline:              cfg.NegativeCache,
		OfflineState:         cfg.OfflineState,
	}
}

// CacheFolderOptions returns the urlcache.Options the client opens
// CacheDir with (cache.Config.FolderOptions): ReadOnlyCache, and Content
// files bounded by Registry.MaxURLRetrievalBytes (MaxUrlRetrievalByteCount;
// zero: cache.DefaultMaxURLRetrievalBytes, 100 MiB). Open a CacheFolder
// with them (urlcache.OpenFS(urlcache.NewMemFS(), cfg.CacheFolderOptions()))
// so it is bounded as a CacheDir is.
func (cfg Config) CacheFolderOptions() urlcache.Options {
	return cfg.cacheConfig(nil).FolderOptions()
}

// startProcess builds the layers of a new process; with from, the process
// starts as a copy of from's (memory cache and engine cache).
func (c *Client) startProcess(from *Client) error {
	cfg, reg := c.cfg, c.cfg.Registry
	rc := cfg.cacheConfig(c.network)
	var ret *cache.Retriever
	var err error
	if from != nil {
		ret, err = from.Retriever().Fork(rc)
	} else {
		ret, err = cache.NewRetriever(rc)
	}
	if err != nil {
		return err
	}
	rcfg := revocation.Config{
		Retriever:                   ret,
		CachedOcspSwitchToCrlCount:  reg.CachedOcspSwitchToCrlCount,
		MaxCachedOcspPerCrlCount:    reg.MaxCachedOcspPerCrlCount,
		CRLValidityExtensionPeriod:  reg.CRLValidityExtensionPeriod,
		DisableCRLValidityExtension: cfg.DisableCRLValidityExtension,
		OCSPValidity:                reg.OCSPValidity,
		OCSPPostFallback:            cfg.OCSPPostFallback,
		ParseCache:                  cfg.ParseCache,
	}
	var checker *revocation.Checker
	if from != nil && from != c {
		// A fork keeps what the process remembers about CRLs; a resync
		// (from == c) starts the checker afresh: it must not trust what
		// the process validated before (pftCacheResync).
		checker, err = from.Checker().Fork(rcfg)
	} else {
		checker, err = revocation.NewChecker(rcfg)
	}
	if err != nil {
		return err
	}
	src, err := aia.NewSource(aia.Config{
		Retriever:                 ret,
		MaxURLCountInCert:         reg.MaxAIAURLCountInCert,
		MaxRetrievalCountPerChain: reg.MaxAIARetrievalCountPerChain,
		MaxRetrievalCertCount:     reg.MaxAIARetrievalCertCount,
		DisableAIAURLRetrieval:    reg.DisableAIAURLRetrieval,
		Options:                   reg.Options,
	})
	if err != nil {
		return err
	}
	ecfg := chain.Config{
		Clock:                                cfg.Clock,
		Root:                                 cfg.Root,
		CA:                                   cfg.CA,
		Disallowed:                           cfg.Disallowed,
		ExclusiveRoot:                        cfg.ExclusiveRoot,
		ExclusiveCATrust:                     cfg.ExclusiveCATrust,
		AIA:                                  src,
		Revocation:                           checker,
		Flags:                                cfg.EngineFlags,
		AccumulativeTimeout:                  reg.AccumulativeTimeout,
		MinRSAPubKeyBitLength:                reg.MinRSAPubKeyBitLength,
		DisableMandatoryBasicConstraints:     reg.DisableMandatoryBasicConstraints,
		DisableUnsupportedCriticalExtensions: reg.DisableUnsupportedCriticalExtensions,
		DisableCANameConstraints:             reg.DisableCANameConstraints,
		SignatureCache:                       cfg.SignatureCache,
	}
	var eng *chain.Engine
	if from != nil {
		eng = from.Engine().Fork(ecfg)
	} else {
		eng = chain.NewEngine(ecfg)
	}
	c.mu.Lock()
	c.ret, c.checker, c.eng = ret, checker, eng
	c.mu.Unlock()
	return nil
}

// Config returns the client's configuration (the stores it owns, the
// current registry values and service state included).
func (c *Client) Config() Config { return c.cfg }

// Clock returns the machine clock.
func (c *Client) Clock() clock.Clock { return c.cfg.Clock }

// Retriever returns the running process's Cryptnet layer (retrieval
// statistics, offline-URL records, the disk cache).
func (c *Client) Retriever() *cache.Retriever {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ret
}

// Checker returns the running process's revocation provider.
func (c *Client) Checker() *revocation.Checker {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.checker
}

// Engine returns the running process's chain engine.
func (c *Client) Engine() *chain.Engine {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eng
}

// OfflineState returns the service-scoped offline-URL records.
func (c *Client) OfflineState() *cache.OfflineState { return c.cfg.OfflineState }

// VerifyOptions are the per-call inputs of [Client.Verify]. The zero value
// validates at the machine clock's time with the BASE policy, no
// revocation check and no flags.
type VerifyOptions struct {
	// Params are the CertGetCertificateChain inputs (pTime, additional
	// store, usage, dwFlags incl. the revocation scope).
	Params chain.Params
	// Policy is the CertVerifyCertificateChainPolicy policy; 0 means
	// chain.PolicyBase.
	Policy chain.Policy
	// PolicyPara is the policy's parameters (ignore flags, SSL server name).
	PolicyPara chain.PolicyPara
}

// Result is what Windows returns for one certificate: the chain context
// (with every candidate chain, the trust-status bits and the retrieval
// log) and the policy status (the HRESULT and where it was found).
type Result struct {
	Chain  *chain.ChainContext
	Policy chain.PolicyStatus
}

// Verify builds and checks the chain for cert (CertGetCertificateChain)
// and runs the policy on it (CertVerifyCertificateChainPolicy). The error
// is only for unusable input (a nil certificate, a cancelled context);
// validation findings are in the Result.
func (c *Client) Verify(ctx context.Context, cert *certs.Certificate, opts VerifyOptions) (*Result, error) {
	cc, err := c.Engine().GetChain(ctx, cert, opts.Params)
	if err != nil {
		return nil, err
	}
	policy := opts.Policy
	if policy == 0 {
		policy = chain.PolicyBase
	}
	return &Result{Chain: cc, Policy: chain.VerifyPolicy(cc, policy, opts.PolicyPara)}, nil
}

// Restart models an app restart: a new process with an empty memory cache,
// engine cache and process-scoped offline-URL records. The service state,
// the disk cache and the stores stay.
func (c *Client) Restart() error { return c.startProcess(nil) }

// Reboot models a reboot: the service-scoped offline-URL records go too
// (CryptSvc restarts); the disk cache and the stores stay.
func (c *Client) Reboot() error {
	c.cfg.OfflineState = cache.NewOfflineState()
	return c.startProcess(nil)
}

// Resync models `certutil -setreg chain\ChainCacheResyncFiletime @now` at
// t: the registry value becomes t, and the running process keeps its
// memory but ignores every object cached before t (spec §1.9, §4.7).
func (c *Client) Resync(t time.Time) error {
	c.cfg.Registry.ResyncBefore = t
	return c.startProcess(c)
}

// Fork returns a new client for cfg whose process starts as a copy of c's
// (memory cache and engine cache): the same machine's state continuing
// independently. Simulations use it when part of a group of identical
// clients takes a different path. cfg usually names a copy of c's cache
// folder, stores and offline-URL state.
func (c *Client) Fork(cfg Config) (*Client, error) {
	return build(cfg, c)
}
