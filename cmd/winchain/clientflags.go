package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/winchain/winchain/cache"
	"github.com/winchain/winchain/chain"
	"github.com/winchain/winchain/preflight"
)

// The flags of the simulated Windows client that every command building
// one from the command line takes (verify, diff — which copies verify's
// set — and preflight). Each is declared here once, so its name, default
// and meaning cannot drift between commands; docs/cli.md describes them
// under verify, and preflight's table points there.
//
// Left with their commands because they mean something different there:
// --at (verify: pTime; preflight: the swap time, also the clients'
// clock), --server-name (verify: the SSL policy's name; preflight: the
// host clients connect to, default the --connect host) and --cache-dir
// (verify reads and writes the folder; preflight opens a client's folder
// read-only). Verify's own client settings (--extra, --exclusive-root,
// --exclusive-ca, --cache-only-urls) are not preflight inputs.

// addClientFlags registers the shared client flags on fs, parsed into o.
func addClientFlags(fs *flag.FlagSet, o *verifyOptions) {
	fs.Var(&o.roots, "root", "Root store certificates from `FILE` (PEM bundle, DER or PKCS#7 .p7b, or a folder of them); repeatable")
	fs.Var(&o.cas, "ca", "intermediate (CA) store certificates from `FILE`, as for --root; repeatable")
	fs.Var(&o.disallowed, "disallowed", "Disallowed store (explicitly distrusted) certificates from `FILE`, as for --root; repeatable")
	fs.Var(&o.crls, "crl", "CRLs from `FILE` (PEM, DER or PKCS#7 .p7b) placed in the CA store, where revocation finds them before the network; repeatable")
	fs.StringVar(&o.revocation, "revocation", chain.DefaultRevocationMode, "`MODE` of the revocation check (CERT_CHAIN_REVOCATION_CHECK_*): none, end, chain, chain-exclude-root")
	fs.BoolVar(&o.cacheOnly, "cache-only", false, "revocation from the caches only (CERT_CHAIN_REVOCATION_CHECK_CACHE_ONLY)")
	fs.BoolVar(&o.noAIA, "no-aia", false, "never fetch issuers through AIA (CERT_CHAIN_DISABLE_AIA)")
	fs.StringVar(&o.registry, "registry", "", "the ChainEngine\\Config registry values to apply, from a reg export `FILE`")
	fs.StringVar(&o.negativeCache, "negative-cache", cache.OfflineNone.Name, "the offline-URL (negative cache) `MODEL`: "+negativeCacheModels())
	fs.StringVar(&o.accumulativeTimeout, "accumulative-timeout", "", fmt.Sprintf(
		"CERT_CHAIN_REVOCATION_ACCUMULATIVE_TIMEOUT: the chain's revocation URLs share one budget, a `DURATION` (e.g. 20s) or 'default' (ChainRevAccumulativeUrlRetrievalTimeoutMilliseconds: %s unless --registry sets it)",
		cache.DefaultAccumulativeTimeout))
	fs.StringVar(&o.netFile, "net", "", "a simulated network `FILE` (JSON or YAML); default real HTTP")
}

// addConnectTimeoutFlag registers --connect-timeout, the bound of the
// --connect handshake of preflight and lab.
func addConnectTimeoutFlag(fs *flag.FlagSet, o *preflightOptions) {
	fs.DurationVar(&o.connectTimeout, "connect-timeout", preflight.DefaultConnectTimeout, "bound of the --connect handshake")
}

// negativeCacheModels lists the --negative-cache models for usage texts.
func negativeCacheModels() string { return strings.Join(cache.OfflinePresetNames(), ", ") }
